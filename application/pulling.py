"""The pull loop every projector shares: read the log after a position, in decoded batches.

SQLite has no subscriptions, so projectors pull: the notification log after
the view's position, in batches filtered by topic in SQL, each batch folded
in memory and handed to the view as one transaction (rows and position
together). Call ``catch_up`` after commands in-process, on a timer
(``Projections.follow``), or from a rebuild.

A projector decodes only the fields its fold reads (``PartialDecoder``). When
a batch comes back full, the next one is read in a worker thread while the
projector decodes, folds and writes this one: the database and the driver
work while Python folds. Batches still come in log order, one at a time, and
each is written with its position in one transaction. The second pass that
checks a view (``replay_rows``) decodes events whole, through the library's
mapper.

A view far behind the log (a rebuild, or a follower back from a pause) is
caught up in bigger batches: ``catch_up`` reads ``BATCH_SIZE`` events, and
once a batch comes back full, ``REBUILD_BATCH_SIZE`` at a time, so a
rebuild commits (and on SQLite checkpoints) a fifth as often. A live
follower's batches stay small. While a batch is decoded, folded and written,
Python's cyclic garbage collector is paused (``collector_paused``): a batch
makes hundreds of thousands of small objects that reference counting frees,
and the collector walking them again and again cost a rebuild a tenth of its
time. The batch's objects are released before it runs again, between
batches, so it does not walk them then either.
"""

from __future__ import annotations

import gc
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

from attrs import AttrsInstance, evolve
from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Notification

from application.decoding import PartialDecoder

BATCH_SIZE = 1000
REBUILD_BATCH_SIZE = 5000
"""The batch once a full one showed the view is far behind."""

Event = DomainEventProtocol[UUID]
Decode = Callable[[Sequence[Notification]], list[Event]]
Batch = TypeVar("Batch", bound=AttrsInstance)
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
    app: Application[Any],
    topics: Sequence[str],
    start: int,
    batch_size: int = BATCH_SIZE,
    decode: Decode | None = None,
) -> Iterator[tuple[list[Event], int]]:
    """The events of ``topics`` after ``start``, decoded, a batch at a time, with its last id.

    ``decode`` turns a batch of notifications into events (default: the mapper, whole).
    """

    def whole(notifications: Sequence[Notification]) -> list[Event]:
        return [app.mapper.to_domain_event(notification) for notification in notifications]

    for notifications, position in read_batches(app, topics, start, batch_size):
        yield (decode or whole)(notifications), position


def read_batches(
    app: Application[Any],
    topics: Sequence[str],
    start: int,
    batch_size: int = BATCH_SIZE,
    far_behind: int | None = None,
) -> Iterator[tuple[Sequence[Notification], int]]:
    """The notifications of ``topics`` after ``start``, a batch at a time, with its last id.

    After a full batch, the next one is read in a worker thread while the caller works on this
    one; with ``far_behind``, it is that many.
    """

    def read(after: int, limit: int) -> Sequence[Notification]:
        return app.recorder.select_notifications(
            start=after, limit=limit, topics=topics, inclusive_of_start=False
        )

    limit = batch_size
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-log") as reader:
        notifications = read(start, limit)
        while notifications:
            position = notifications[-1].id
            # A full batch means more is likely waiting: read it while the caller works. (The
            # executor starts its thread on the first submit, so a live follower never does.)
            ahead = None
            if len(notifications) == limit:
                limit = far_behind or limit
                ahead = reader.submit(read, position, limit)
            yield notifications, position
            notifications = ahead.result() if ahead else read(position, limit)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block, unless it was off already.

    Threads share the collector: one leaving the block turns it back on while another may still
    be inside its own. That only lets the collector run; it is never left off.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Puller(ABC, Generic[Batch]):
    """A projector: ``topics`` from the log, folded by ``batch`` into its view."""

    topics: ClassVar[tuple[str, ...]]
    reads: ClassVar[frozenset[str]]
    """The event fields the fold reads: the only ones decoded."""

    def __init__(self, app: Application[Any], view: Positioned[Batch]) -> None:
        self.app = app
        self.target = view
        self.decoder = PartialDecoder(app, self.reads)

    def catch_up(
        self, batch_size: int | None = None, progress: Callable[[int], None] | None = None
    ) -> int:
        """Apply every event after the view's position; return how many were applied.

        ``batch_size``: every batch's size; by default ``BATCH_SIZE``, then
        ``REBUILD_BATCH_SIZE`` once a batch comes back full. ``progress`` hears the position
        reached after each batch.
        """
        applied = 0
        start = self.target.position()
        far_behind = REBUILD_BATCH_SIZE if batch_size is None else None
        size = batch_size or BATCH_SIZE
        for notifications, position in read_batches(self.app, self.topics, start, size, far_behind):
            with collector_paused():
                events = self.decoder.decode(notifications)
                batch = self.batch(events, position)
                # The batch applies only where it was read from: if another projector moved the
                # view meanwhile, its rows were read before that move, and it is refused whole.
                self.target.apply(evolve(batch, start=start))  # type: ignore[misc]  # mypy's attrs plugin reads no bound TypeVar
                # Freed now, by reference counting: the collector, back on, has nothing to walk.
                del events, batch
            start = position
            applied += len(notifications)
            if progress is not None:
                progress(position)
        return applied

    @abstractmethod
    def batch(self, events: list[Event], position: int) -> Batch:
        """The view's batch for ``events``, reaching ``position``."""


def touched(events: Iterable[Event]) -> tuple[list[UUID], list[UUID]]:
    """The aggregates ``events`` touch, and those of them that began before these events.

    Only the second can have a stored row: an aggregate whose first event here is its very first
    (version 1) had nothing before it to fold, so its row need not be read.
    """
    first: dict[UUID, int] = {}
    for event in events:
        first.setdefault(event.originator_id, event.originator_version)
    return list(first), [key for key, version in first.items() if version > 1]


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
