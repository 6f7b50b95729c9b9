"""Chiếu sổ theo dõi (register projector): folds the log's dossier events into the register.

The same pull loop as the queue projector: ``catch_up`` reads the
notification log after the view's position in batches (topics filtered in
SQL), folds each batch per dossier in memory, and hands the view one
``RegisterBatch`` per transaction: every touched row, only the step rows
that changed, and the dossiers whose entries are gone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from application.register import REGISTER_TOPICS, RegisterBatch, RegisterEntry, fold
from application.register_ports import RegisterView

BATCH_SIZE = 500


class RegisterProjector:
    """Keeps a ``RegisterView`` up to date with the application's notification log."""

    def __init__(self, app: Application[Any], view: RegisterView) -> None:
        self.app = app
        self.view = view

    def catch_up(
        self, batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None
    ) -> int:
        """Apply every event after the view's position; return how many were applied.

        ``progress`` hears the position reached after each batch.
        """
        applied = 0
        while notifications := self.app.recorder.select_notifications(
            start=self.view.position(),
            limit=batch_size,
            topics=REGISTER_TOPICS,
            inclusive_of_start=False,
        ):
            self.view.apply(self.batch(notifications))
            applied += len(notifications)
            if progress is not None:
                progress(notifications[-1].id)
        return applied

    def batch(self, notifications: Sequence[Notification]) -> RegisterBatch:
        """The entries as they stand after ``notifications``, with the position they reach."""
        events = [self.app.mapper.to_domain_event(n) for n in notifications]
        ids = {event.originator_id for event in events}
        stored = self.view.entries(ids)
        entries: dict[UUID, RegisterEntry | None] = dict.fromkeys(ids)
        entries.update(stored)
        for event in events:
            entries[event.originator_id] = fold(entries[event.originator_id], event)
        kept = {key: entry for key, entry in entries.items() if entry is not None}
        before = {step for entry in stored.values() for step in entry.steps}
        return RegisterBatch(
            position=notifications[-1].id,
            rows=tuple(entry.row for entry in kept.values()),
            steps=tuple(s for entry in kept.values() for s in entry.steps if s not in before),
            deletes=tuple(key for key, entry in entries.items() if entry is None),
        )


def replay(app: Application[Any], batch_size: int = BATCH_SIZE) -> dict[UUID, RegisterEntry]:
    """The entries folded from the whole log in memory: a second pass to check a view."""
    entries: dict[UUID, RegisterEntry] = {}
    position = 0
    while notifications := app.recorder.select_notifications(
        start=position, limit=batch_size, topics=REGISTER_TOPICS, inclusive_of_start=False
    ):
        for notification in notifications:
            event = app.mapper.to_domain_event(notification)
            entry = fold(entries.get(event.originator_id), event)
            if entry is None:
                entries.pop(event.originator_id, None)
            else:
                entries[event.originator_id] = entry
        position = notifications[-1].id
    return entries
