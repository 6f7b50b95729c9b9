"""Chiếu tra cứu (lookup projector): folds the log's dossier and catalog events into the view.

The same pull loop as the queue projector: ``catch_up`` reads the
notification log after the view's position in batches (topics filtered in
SQL), folds each batch per dossier in memory, and hands the view one
``LookupBatch`` per transaction.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from application.lookup import (
    LOOKUP_TOPICS,
    READS,
    LookupBatch,
    LookupRow,
    ProcedureName,
    fold,
)
from application.lookup import procedure_name as name_in
from application.lookup_ports import LookupView
from application.pulling import BATCH_SIZE, Event, Puller, read_log, touched
from domain.dossier import Dossier

__all__ = ["BATCH_SIZE", "LookupProjector", "replay"]


class LookupProjector(Puller[LookupBatch]):
    """Keeps a ``LookupView`` up to date with the application's notification log."""

    topics = LOOKUP_TOPICS
    reads = READS

    def __init__(self, app: Application[Any], view: LookupView) -> None:
        super().__init__(app, view)
        self.view = view

    def batch(self, events: list[Event], position: int) -> LookupBatch:
        """The rows and names as they stand after ``events``, with the position reached."""
        ids, earlier = touched(event for event in events if isinstance(event, Dossier.Event))
        rows: dict[UUID, LookupRow | None] = dict.fromkeys(ids)
        if earlier:
            rows.update(self.view.get_many(earlier))
        names: dict[str, ProcedureName] = {}
        for event in events:
            if isinstance(event, Dossier.Event):
                rows[event.originator_id] = fold(rows[event.originator_id], event)
            elif named := name_in(event):
                names[named.procedure] = named
        return LookupBatch(
            position=position,
            upserts=tuple(row for row in rows.values() if row is not None),
            deletes=tuple(key for key, row in rows.items() if row is None),
            procedures=tuple(names.values()),
        )


def replay(app: Application[Any]) -> tuple[dict[UUID, LookupRow], dict[str, str]]:
    """The rows and procedure names folded from the whole log in memory: a second pass."""
    rows: dict[UUID, LookupRow] = {}
    names: dict[str, str] = {}
    for events, _ in read_log(app, LOOKUP_TOPICS, 0):
        for event in events:
            if named := name_in(event):
                names[named.procedure] = named.name
                continue
            row = fold(rows.get(event.originator_id), event)
            if row is None:
                rows.pop(event.originator_id, None)
            else:
                rows[event.originator_id] = row
    return rows, names
