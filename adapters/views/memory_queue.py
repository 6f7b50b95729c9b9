"""The queue view in memory, for unit tests and the in-memory store."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID

from application.errors import StalePositionError
from application.queue import Cursor, QueueBatch, QueueQuery, QueueRow

LAST = datetime.max.replace(tzinfo=UTC)
"""Where rows without an appointment (not received yet) sort: after every real one."""


def sort_key(cursor: Cursor) -> tuple[datetime, UUID]:
    """Due time (unreceived last), then dossier id."""
    due, dossier_id = cursor
    return (LAST if due is None else due.astimezone(UTC), dossier_id)


def matches(row: QueueRow, query: QueueQuery) -> bool:
    """Whether ``row`` passes every filter of ``query`` (not the cursor)."""
    wanted = {
        "receiving_unit": query.receiving_unit,
        "competent_agency": query.competent_agency,
        "handler": query.handler,
        "status": query.status,
        "procedure": query.procedure,
        "channel": query.channel,
    }
    if any(value is not None and getattr(row, name) != value for name, value in wanted.items()):
        return False
    running = row.running_due_date
    if query.due_by is not None and (
        running is None or row.due_at is None or row.due_at > query.due_by
    ):
        return False
    return query.overdue_on is None or (running is not None and running < query.overdue_on)


class InMemoryQueueView:
    """A dict of rows and a position; a batch is staged on a copy and swapped in whole."""

    name = "dossier_queue"

    def __init__(self) -> None:
        self._rows: dict[UUID, QueueRow] = {}
        self._position = 0

    def position(self) -> int:
        """The notification id of the last event applied."""
        return self._position

    def apply(self, batch: QueueBatch) -> None:
        """Write the batch and its position together, or nothing."""
        if batch.position <= self._position or batch.start not in (None, self._position):
            raise StalePositionError(view=self.name, position=batch.position)
        staged = dict(self._rows)
        for dossier_id in batch.deletes:
            staged.pop(dossier_id, None)
        for row in batch.upserts:
            sort_key(row.cursor)  # the same check a SQL adapter makes while encoding
            staged[row.dossier_id] = row
        self._rows, self._position = staged, batch.position

    def list(self, query: QueueQuery) -> list[QueueRow]:
        """The matching rows after the cursor, in due order, one page."""
        after = sort_key(query.after) if query.after else None
        rows = sorted(
            (row for row in self._rows.values() if matches(row, query)),
            key=lambda row: sort_key(row.cursor),
        )
        if after is not None:
            rows = [row for row in rows if sort_key(row.cursor) > after]
        return rows[: query.limit]

    def get(self, dossier_id: UUID) -> QueueRow | None:
        """The dossier's row, if it is in the queue."""
        return self._rows.get(dossier_id)

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, QueueRow]:
        """The rows of those dossiers in the queue."""
        return {key: self._rows[key] for key in dossier_ids if key in self._rows}

    def count(self) -> int:
        """How many rows the view holds."""
        return len(self._rows)

    def drop(self) -> None:
        """Forget every row and the position."""
        self._rows, self._position = {}, 0
