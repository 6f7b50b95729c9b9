"""Chiếu dữ liệu (projections): keep every view caught up with the event log.

In one process on SQLite (``make run``) a follower thread catches up every
fraction of a second; on PostgreSQL ``motcua project`` runs the same loop as
its own process. Several catch-ups may race (threads, or processes on one
database): each view moves its position by compare-and-set in the same
transaction as its rows, so the loser's batch is refused whole
(``StalePositionError``) and it simply reads again from the new position.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import structlog

from application.errors import StalePositionError

log = structlog.get_logger()

RACE_RETRIES = 20


class Projector(Protocol):
    """Anything that folds the log into a view, from the view's position on."""

    def catch_up(self, batch_size: int | None = ...) -> int:
        """Apply every event after the view's position; return how many."""
        ...


class Projections:
    """Every projector of the system, caught up together."""

    def __init__(self, projectors: Sequence[Projector]) -> None:
        self.projectors = tuple(projectors)
        self._lock = threading.Lock()

    def catch_up(self) -> int:
        """Bring every view up to the head of the log; return how many events were applied."""
        with self._lock:
            return sum(self._catch_up(projector) for projector in self.projectors)

    @staticmethod
    def _catch_up(projector: Projector) -> int:
        for _ in range(RACE_RETRIES):
            try:
                return projector.catch_up()
            except StalePositionError as error:
                # Another process applied this batch first: read on from where it stands.
                log.info("projection.raced", view=error.view, position=error.position)
        return projector.catch_up()

    def follow(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Catch up every ``interval`` seconds until ``stop`` is set; errors are logged only."""
        while not stop.is_set():
            try:
                applied = self.catch_up()
            except Exception:
                log.exception("projection.failed")  # the next round reads the same events again
            else:
                if applied:
                    log.debug("projection.caught_up", events=applied)
            stop.wait(interval)
