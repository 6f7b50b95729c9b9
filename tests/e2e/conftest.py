"""An HTTP client over the app, wired with the session's calendar policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from application.calendars import Calendars
from domain.calendar_policy import CalendarPolicy
from entrypoints.bootstrap import Container, Settings
from entrypoints.http.app import create_app


@pytest.fixture(scope="session")
def client(policy: CalendarPolicy) -> Iterator[TestClient]:
    """The app as `make run` serves it, without the network."""
    app = create_app(Container(settings=Settings(), calendars=Calendars(policy)))
    with TestClient(app) as test_client:
        yield test_client
