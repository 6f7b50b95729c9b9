"""Chiếu số liệu (facts projector): folds the dossier events of the log into the facts view.

It pulls as the queue projector does: the notification log after the view's
position, in batches filtered by topic in SQL, one ``FactsBatch`` (rows and
position) per transaction.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from application.pulling import BATCH_SIZE, Event, Puller, replay_rows, touched
from application.queue import DOSSIER_TOPICS
from application.statistics import READS, FactsBatch, FactsRow, fold
from application.statistics_ports import FactsView

__all__ = ["BATCH_SIZE", "FactsProjector", "replay"]


class FactsProjector(Puller[FactsBatch]):
    """Keeps a ``FactsView`` up to date with the application's notification log."""

    topics = DOSSIER_TOPICS
    reads = READS

    def __init__(self, app: Application[Any], view: FactsView) -> None:
        super().__init__(app, view)
        self.view = view

    def batch(self, events: list[Event], position: int) -> FactsBatch:
        """The rows as they stand after ``events``, with the position they reach."""
        ids, earlier = touched(events)
        rows: dict[UUID, FactsRow | None] = dict.fromkeys(ids)
        if earlier:
            rows.update(self.view.get_many(earlier))
        for event in events:
            rows[event.originator_id] = fold(rows[event.originator_id], event)
        return FactsBatch(
            position=position,
            upserts=tuple(row for row in rows.values() if row is not None),
            deletes=tuple(key for key, row in rows.items() if row is None),
        )


def replay(app: Application[Any]) -> dict[UUID, FactsRow]:
    """The facts folded from the whole log in memory: a second pass to check a view."""
    return replay_rows(app, DOSSIER_TOPICS, fold)
