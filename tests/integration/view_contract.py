"""What every view's contract test shares: a store of its kind, views opened on it and closed.

Also ``Crashing``: a real view whose chosen batch fails mid-write, for the crash tests.
"""

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
Batch = TypeVar("Batch")


class Crashing(ABC, Generic[Batch]):
    """Passes everything to a real view, but poisons its ``crash_on``-th batch mid-write.

    ``poisoned`` adds something the store cannot write after the batch's real
    rows, so the failure comes after some rows were written in the batch's
    transaction. Every other call goes to the real view unchanged.
    """

    def __init__(self, inner: Any, crash_on: int) -> None:
        self.inner = inner
        self.crash_on = crash_on
        self.batches = 0

    @abstractmethod
    def poisoned(self, batch: Batch) -> Batch:
        """``batch`` with an unwritable row after its real ones."""

    def position(self) -> int:
        """The real view's position."""
        position: int = self.inner.position()
        return position

    def apply(self, batch: Batch) -> None:
        """Apply, poisoning the chosen batch."""
        self.batches += 1
        self.inner.apply(self.poisoned(batch) if self.batches == self.crash_on else batch)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


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
