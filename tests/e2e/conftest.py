"""An HTTP client over the app, wired with the session's calendar policy and a memory store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adapters.catalog.dvcqg import read_catalog
from application.catalog_import import import_catalog
from domain.calendar_policy import CalendarPolicy
from entrypoints.bootstrap import Container, Settings, bootstrap
from entrypoints.http.app import create_app

SAMPLE = Path(__file__).parent.parent / "data" / "catalog_sample.json"


@pytest.fixture(scope="session")
def container(policy: CalendarPolicy) -> Container:
    """The system on a memory store, with the sample catalog imported."""
    wired = bootstrap(Settings(), policy=policy)
    import_catalog(wired.catalog, read_catalog(SAMPLE)[1])
    return wired


@pytest.fixture(scope="session")
def client(container: Container) -> Iterator[TestClient]:
    """The app as `make run` serves it, without the network."""
    with TestClient(create_app(container)) as test_client:
        yield test_client
