"""What every view's contract test shares: a store of its kind, views opened on it and closed."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar

import pytest

from adapters.eventstore.config import StoreKind
from application.onestop import OneStop
from tests.integration.stores import MakeApp, store

View = TypeVar("View")


class ViewContract(ABC, Generic[View]):
    """The fixtures of a view's contract; subclasses choose the view, then the store."""

    kind: StoreKind

    @abstractmethod
    def open_view(self, env: Mapping[str, str]) -> View:
        """The view beside the event store that ``env`` configures."""

    @pytest.fixture
    def make_app(self, tmp_path: Path) -> Iterator[MakeApp]:
        """Applications over one new, empty store of this kind."""
        with store(self.kind, tmp_path) as make:
            yield make

    @pytest.fixture
    def opened(self, make_app: MakeApp) -> Iterator[list[View]]:  # noqa: ARG002 (asked for so views close before the store goes)
        """Views opened by the test, closed afterwards."""
        views: list[View] = []
        yield views
        for view in views:
            close = getattr(view, "close", None)
            if close is not None:
                close()

    def view_of(self, app: OneStop, opened: list[View]) -> View:
        """A view over ``app``'s storage, closed after the test."""
        view = self.open_view(app.env)
        opened.append(view)
        return view

    def reopen(self, scenario: Any, opened: list[View]) -> View:
        """Another view over the same storage, as a restarted process would open it."""
        return self.view_of(scenario.desk.app, opened)
