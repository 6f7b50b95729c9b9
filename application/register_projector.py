"""Chiếu sổ theo dõi (register projector): folds the log's dossier events into the register.

The same pull loop as the queue projector: ``catch_up`` reads the
notification log after the view's position in batches (topics filtered in
SQL), folds each batch per dossier in memory, and hands the view one
``RegisterBatch`` per transaction: every touched row, only the step rows
that changed, and the dossiers whose entries are gone.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from application.pulling import BATCH_SIZE, Event, Puller, replay_rows, touched
from application.register import READS, REGISTER_TOPICS, RegisterBatch, RegisterEntry, fold
from application.register_ports import RegisterView

__all__ = ["BATCH_SIZE", "RegisterProjector", "replay"]


class RegisterProjector(Puller[RegisterBatch]):
    """Keeps a ``RegisterView`` up to date with the application's notification log."""

    topics = REGISTER_TOPICS
    reads = READS

    def __init__(self, app: Application[Any], view: RegisterView) -> None:
        super().__init__(app, view)
        self.view = view

    def batch(self, events: list[Event], position: int) -> RegisterBatch:
        """The entries as they stand after ``events``, with the position they reach."""
        ids, earlier = touched(events)
        stored = self.view.entries(earlier) if earlier else {}
        entries: dict[UUID, RegisterEntry | None] = dict.fromkeys(ids)
        entries.update(stored)
        for event in events:
            entries[event.originator_id] = fold(entries[event.originator_id], event)
        kept = {key: entry for key, entry in entries.items() if entry is not None}
        before = {step for entry in stored.values() for step in entry.steps}
        return RegisterBatch(
            position=position,
            rows=tuple(entry.row for entry in kept.values()),
            steps=tuple(s for entry in kept.values() for s in entry.steps if s not in before),
            deletes=tuple(key for key, entry in entries.items() if entry is None),
        )


def replay(app: Application[Any]) -> dict[UUID, RegisterEntry]:
    """The entries folded from the whole log in memory: a second pass to check a view."""
    return replay_rows(app, REGISTER_TOPICS, fold)
