"""Group commit: concurrent saves coalesced into one transaction, each keeping its own outcome.

The library writes one transaction at a time per events table (PostgreSQL:
an exclusive table lock until commit), so a save per command caps the write
rate at one commit and fsync each. ``GroupCommit`` lets the threads of one
process share commits:

- a thread that saves while no commit is under way leads: it commits its own
  events and every other save queued by then, in one ``app.save``;
- the others wait; when the leader is done it hands the lead to the oldest
  waiting save, so no request serves others' commits for long;
- if the shared transaction fails on a conflict (``IntegrityError``: some
  aggregate moved on), the saves that are stale (an aggregate's stored
  version is not the one they build on, or an earlier save of the batch
  claims the same version) get the error, and the others are committed
  together again; if that fails too, each is tried on its own. Only the saves
  that really conflict ever get the error, never their neighbours;
- any other failure (the database is down) is every waiting save's failure,
  as it would have been without grouping.

Events are taken from the aggregates when the save is queued, exactly as the
library's own ``save`` takes them, and committed as events.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import IntegrityError

MAX_BATCH = 500
"""Saves per shared transaction at most (a few thousand events)."""


class Committer(Protocol):
    """Saves aggregates atomically, or raises ``IntegrityError`` on a conflict."""

    def save(self, *aggregates: Aggregate) -> None:
        """Record every pending event of ``aggregates``, all or none."""
        ...


class DirectCommit:
    """One transaction per save: the library's ``save`` as it is."""

    def __init__(self, app: Application[Any]) -> None:
        self.app = app

    def save(self, *aggregates: Aggregate) -> None:
        """Record every pending event of ``aggregates``, all or none."""
        self.app.save(*aggregates)


class _Ticket:
    """One queued save: its events, and how it ended."""

    __slots__ = ("done", "error", "events", "wake")

    def __init__(self, events: list[DomainEventProtocol[Any]]) -> None:
        self.events = events
        self.done = False
        self.error: Exception | None = None
        self.wake = threading.Event()

    def finish(self, error: Exception | None = None) -> None:
        self.error = error
        self.done = True
        self.wake.set()


class GroupCommit:
    """Shares transactions between the concurrent saves of one process."""

    def __init__(self, app: Application[Any], max_batch: int = MAX_BATCH) -> None:
        self.app = app
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Ticket] = []
        self._leading = False
        self.commits = 0  # shared transactions committed (for benchmarks and tests)

    def save(self, *aggregates: Aggregate) -> None:
        """Record every pending event of ``aggregates``, all or none, maybe with others' saves."""
        ticket = _Ticket([event for a in aggregates for event in a.collect_events()])
        with self._lock:
            self._queue.append(ticket)
            lead = not self._leading
            self._leading = True
        if not lead:
            ticket.wake.wait()
        if not ticket.done:  # first in line, or handed the lead
            self._lead()
        if ticket.error is not None:
            raise ticket.error

    def _lead(self) -> None:
        with self._lock:
            batch = self._queue[: self.max_batch]
            del self._queue[: self.max_batch]
        try:
            self._commit(batch)
        finally:
            with self._lock:
                if self._queue:
                    self._queue[0].wake.set()  # the oldest waiting save leads next
                else:
                    self._leading = False

    def _commit(self, batch: list[_Ticket], *, sift: bool = True) -> None:
        try:
            self.app.save(*[event for ticket in batch for event in ticket.events])
        except IntegrityError as conflict:
            if len(batch) == 1:
                batch[0].finish(conflict)
                return
            fresh = self._without_stale(batch, conflict) if sift else batch
            if sift and len(fresh) < len(batch):
                if fresh:
                    self._commit(fresh, sift=False)
                return
            for ticket in fresh:  # still in conflict: find who, each on its own
                self._commit([ticket])
            return
        except Exception as error:  # noqa: BLE001 (whatever failed the commit failed every save)
            for ticket in batch:
                ticket.finish(error)
            return
        self.commits += 1
        for ticket in batch:
            ticket.finish()

    def _without_stale(self, batch: list[_Ticket], conflict: IntegrityError) -> list[_Ticket]:
        """Finish the stale saves of ``batch`` with ``conflict``; the others, to commit again."""
        stored: dict[Any, int] = {}
        claimed: set[tuple[Any, int]] = set()
        fresh = []
        for ticket in batch:
            firsts: dict[Any, int] = {}
            for event in ticket.events:
                firsts.setdefault(event.originator_id, event.originator_version)
            stale = False
            for aggregate_id, version in firsts.items():
                if aggregate_id not in stored:
                    stored[aggregate_id] = self._stored_version(aggregate_id)
                stale |= stored[aggregate_id] != version - 1 or (aggregate_id, version) in claimed
            if stale:
                ticket.finish(conflict)
                continue
            claimed.update(firsts.items())
            fresh.append(ticket)
        return fresh

    def _stored_version(self, aggregate_id: Any) -> int:  # noqa: ANN401 (the library's id type)
        last = self.app.recorder.select_events(aggregate_id, desc=True, limit=1)
        return last[0].originator_version if last else 0
