"""The pull loop every projector shares: read the log after a position, in decoded batches.

SQLite has no subscriptions, so projectors pull: the notification log after
the view's position, in batches filtered by topic in SQL, each batch folded
in memory and handed to the view as one transaction (rows and position
together). Call ``catch_up`` after commands in-process, on a timer
(``Projections.follow``), or from a rebuild.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol

BATCH_SIZE = 1000

Event = DomainEventProtocol[UUID]
Batch = TypeVar("Batch")
Batch_contra = TypeVar("Batch_contra", contravariant=True)
Row = TypeVar("Row")


class Positioned(Protocol[Batch_contra]):
    """What the loop needs of a view: where it stands, and how to take a batch."""

    def position(self) -> int:
        """The notification id of the last event applied (0: none)."""
        ...

    def apply(self, batch: Batch_contra) -> None:
        """Write the batch and its position in one transaction."""
        ...


def read_log(
    app: Application[Any], topics: Sequence[str], start: int, batch_size: int = BATCH_SIZE
) -> Iterator[tuple[list[Event], int]]:
    """The events of ``topics`` after ``start``, decoded, a batch at a time, with its last id."""
    while notifications := app.recorder.select_notifications(
        start=start, limit=batch_size, topics=topics, inclusive_of_start=False
    ):
        yield [app.mapper.to_domain_event(n) for n in notifications], notifications[-1].id
        start = notifications[-1].id


class Puller(ABC, Generic[Batch]):
    """A projector: ``topics`` from the log, folded by ``batch`` into its view."""

    topics: ClassVar[tuple[str, ...]]

    def __init__(self, app: Application[Any], view: Positioned[Batch]) -> None:
        self.app = app
        self.target = view

    def catch_up(
        self, batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None
    ) -> int:
        """Apply every event after the view's position; return how many were applied.

        ``progress`` hears the position reached after each batch.
        """
        applied = 0
        start = self.target.position()
        for events, position in read_log(self.app, self.topics, start, batch_size):
            self.target.apply(self.batch(events, position))
            applied += len(events)
            if progress is not None:
                progress(position)
        return applied

    @abstractmethod
    def batch(self, events: list[Event], position: int) -> Batch:
        """The view's batch for ``events``, reaching ``position``."""


def replay_rows(
    app: Application[Any],
    topics: Sequence[str],
    fold: Callable[[Row | None, Event], Row | None],
) -> dict[UUID, Row]:
    """One row per aggregate folded from the whole log in memory: a second pass to check a view."""
    rows: dict[UUID, Row] = {}
    for events, _ in read_log(app, topics, 0):
        for event in events:
            row = fold(rows.get(event.originator_id), event)
            if row is None:
                rows.pop(event.originator_id, None)
            else:
                rows[event.originator_id] = row
    return rows
