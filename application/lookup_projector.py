"""Chiếu tra cứu (lookup projector): folds the log's dossier and catalog events into the view.

The same pull loop as the queue projector: ``catch_up`` reads the
notification log after the view's position in batches (topics filtered in
SQL), folds each batch per dossier in memory, and hands the view one
``LookupBatch`` per transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from application.lookup import LOOKUP_TOPICS, LookupBatch, LookupRow, ProcedureName, fold
from application.lookup import procedure_name as name_in
from application.lookup_ports import LookupView
from domain.dossier import Dossier

BATCH_SIZE = 500


class LookupProjector:
    """Keeps a ``LookupView`` up to date with the application's notification log."""

    def __init__(self, app: Application[Any], view: LookupView) -> None:
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
            topics=LOOKUP_TOPICS,
            inclusive_of_start=False,
        ):
            self.view.apply(self.batch(notifications))
            applied += len(notifications)
            if progress is not None:
                progress(notifications[-1].id)
        return applied

    def batch(self, notifications: Sequence[Notification]) -> LookupBatch:
        """The rows and names as they stand after ``notifications``, with the position reached."""
        events = [self.app.mapper.to_domain_event(n) for n in notifications]
        ids = {event.originator_id for event in events if isinstance(event, Dossier.Event)}
        rows: dict[UUID, LookupRow | None] = dict.fromkeys(ids)
        rows.update(self.view.get_many(ids))
        names: dict[str, ProcedureName] = {}
        for event in events:
            if isinstance(event, Dossier.Event):
                rows[event.originator_id] = fold(rows[event.originator_id], event)
            elif named := name_in(event):
                names[named.procedure] = named
        return LookupBatch(
            position=notifications[-1].id,
            upserts=tuple(row for row in rows.values() if row is not None),
            deletes=tuple(key for key, row in rows.items() if row is None),
            procedures=tuple(names.values()),
        )


def replay(
    app: Application[Any], batch_size: int = BATCH_SIZE
) -> tuple[dict[UUID, LookupRow], dict[str, str]]:
    """The rows and procedure names folded from the whole log in memory: a second pass."""
    rows: dict[UUID, LookupRow] = {}
    names: dict[str, str] = {}
    position = 0
    while notifications := app.recorder.select_notifications(
        start=position, limit=batch_size, topics=LOOKUP_TOPICS, inclusive_of_start=False
    ):
        for notification in notifications:
            event = app.mapper.to_domain_event(notification)
            if named := name_in(event):
                names[named.procedure] = named.name
                continue
            row = fold(rows.get(event.originator_id), event)
            if row is None:
                rows.pop(event.originator_id, None)
            else:
                rows[event.originator_id] = row
        position = notifications[-1].id
    return rows, names
