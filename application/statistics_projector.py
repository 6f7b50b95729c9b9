"""Chiếu số liệu (facts projector): folds the dossier events of the log into the facts view.

It pulls as the queue projector does: the notification log after the view's
position, in batches filtered by topic in SQL, one ``FactsBatch`` (rows and
position) per transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from application.queue import DOSSIER_TOPICS
from application.statistics import FactsBatch, FactsRow, fold
from application.statistics_ports import FactsView

BATCH_SIZE = 1000


class FactsProjector:
    """Keeps a ``FactsView`` up to date with the application's notification log."""

    def __init__(self, app: Application[Any], view: FactsView) -> None:
        self.app = app
        self.view = view

    def catch_up(
        self, batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None
    ) -> int:
        """Apply every event after the view's position; return how many were applied."""
        applied = 0
        while notifications := self.app.recorder.select_notifications(
            start=self.view.position(),
            limit=batch_size,
            topics=DOSSIER_TOPICS,
            inclusive_of_start=False,
        ):
            self.view.apply(self.batch(notifications))
            applied += len(notifications)
            if progress is not None:
                progress(notifications[-1].id)
        return applied

    def batch(self, notifications: Sequence[Notification]) -> FactsBatch:
        """The rows as they stand after ``notifications``, with the position they reach."""
        events = [self.app.mapper.to_domain_event(n) for n in notifications]
        ids = {event.originator_id for event in events}
        rows: dict[UUID, FactsRow | None] = dict.fromkeys(ids)
        rows.update(self.view.get_many(ids))
        for event in events:
            rows[event.originator_id] = fold(rows[event.originator_id], event)
        return FactsBatch(
            position=notifications[-1].id,
            upserts=tuple(row for row in rows.values() if row is not None),
            deletes=tuple(key for key, row in rows.items() if row is None),
        )


def replay(app: Application[Any], batch_size: int = BATCH_SIZE) -> dict[UUID, FactsRow]:
    """The facts folded from the whole log in memory: a second pass to check a view."""
    rows: dict[UUID, FactsRow] = {}
    position = 0
    while notifications := app.recorder.select_notifications(
        start=position, limit=batch_size, topics=DOSSIER_TOPICS, inclusive_of_start=False
    ):
        for notification in notifications:
            event = app.mapper.to_domain_event(notification)
            row = fold(rows.get(event.originator_id), event)
            if row is None:
                rows.pop(event.originator_id, None)
            else:
                rows[event.originator_id] = row
        position = notifications[-1].id
    return rows
