"""Chiếu hàng đợi (queue projector): folds the dossier events of the log into the queue view.

SQLite has no subscriptions, so the projector pulls: ``catch_up`` reads the
notification log after the view's position in batches, folds each batch per
dossier in memory and hands the view one ``QueueBatch`` per transaction.
Events are filtered by topic in SQL. Call it after each command in-process,
on a timer, or from a rebuild.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from application.ports import QueueView
from application.pulling import BATCH_SIZE, Event, Puller, replay_rows, touched
from application.queue import DOSSIER_TOPICS, READS, QueueBatch, QueueRow, fold

__all__ = ["BATCH_SIZE", "QueueProjector", "replay"]


class QueueProjector(Puller[QueueBatch]):
    """Keeps a ``QueueView`` up to date with the application's notification log."""

    topics = DOSSIER_TOPICS
    reads = READS

    def __init__(self, app: Application[Any], view: QueueView) -> None:
        super().__init__(app, view)
        self.view = view

    def batch(self, events: list[Event], position: int) -> QueueBatch:
        """The rows as they stand after ``events``, with the position they reach."""
        ids, earlier = touched(events)
        rows: dict[UUID, QueueRow | None] = dict.fromkeys(ids)
        if earlier:
            rows.update(self.view.get_many(earlier))
        for event in events:
            rows[event.originator_id] = fold(rows[event.originator_id], event)
        return QueueBatch(
            position=position,
            upserts=tuple(row for row in rows.values() if row is not None),
            deletes=tuple(key for key, row in rows.items() if row is None),
        )


def replay(app: Application[Any]) -> dict[UUID, QueueRow]:
    """The queue's rows folded from the whole log in memory: a second pass to check a view."""
    return replay_rows(app, DOSSIER_TOPICS, fold)
