"""The queue view in the event store's SQLite file, written with plain ``sqlite3``.

Rows and the position are written in one ``BEGIN IMMEDIATE`` transaction.
The position lives in ``projection_tracking`` (one row per view) and moves
by compare-and-set, first thing in the transaction: a batch that does not
move it forward raises ``StalePositionError`` and the transaction rolls
back, so each event takes effect exactly once even across crashes. Moments
are stored as UTC text of fixed width, so text order is time order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from adapters.views import queue_sql as q
from adapters.views.sqlite_base import SqliteView, encode, upsert_sql
from application.queue import QueueBatch, QueueQuery, QueueRow
from domain.dossier_status import Status
from domain.procedure_spec import Channel

UPSERT = upsert_sql(q.TABLE, q.COLUMNS)


def decode(record: sqlite3.Row) -> QueueRow:
    """A stored record back as a row."""
    moment = {"step_due_at", "due_at", "rescheduled_due_at", "received_at", "result_issued_at"}
    fields: dict[str, Any] = {}
    for name in q.ROW_FIELDS:
        value = record[name]
        if value is not None and name in moment:
            value = q.local(datetime.fromisoformat(value))
        fields[name] = value
    statutory = fields["statutory_due_date"]
    return QueueRow(
        **fields
        | {
            "dossier_id": UUID(fields["dossier_id"]),
            "channel": Channel(fields["channel"]),
            "status": Status(fields["status"]),
            "paused": bool(fields["paused"]),
            "statutory_due_date": date.fromisoformat(statutory) if statutory else None,
        }
    )


class SqliteQueueView(SqliteView):
    """Hàng đợi hồ sơ in SQLite: the same file as the event store."""

    name = q.VIEW_NAME
    tables = (q.TABLE,)

    def _create_tables(self, db: sqlite3.Connection) -> None:
        self._create_keyed(db, q.TABLE, q.COLUMNS, q.INDEXES)

    def layout(self) -> dict[str, tuple[str, ...]]:
        """The queue table and its columns."""
        return {q.TABLE: tuple(q.COLUMNS)}

    def apply(self, batch: QueueBatch) -> None:
        """Move the position, then write the rows, in one transaction."""
        with self._advancing(batch.position, batch.start) as db:
            self._delete_dossiers(db, batch.deletes, q.TABLE)
            db.executemany(
                UPSERT,
                (tuple(encode(v) for v in q.values(row).values()) for row in batch.upserts),
            )

    def list(self, query: QueueQuery) -> list[QueueRow]:
        """The matching rows after the cursor, in due order, one page."""
        clause, params = q.where(query, "?")
        sql = f"SELECT * FROM dossier_queue{clause} ORDER BY sort_due, dossier_id LIMIT ?"  # noqa: S608 (constant column names; values are parameters)
        with self._lock:
            records = self.connection.execute(sql, [*map(encode, params), query.limit]).fetchall()
        return [decode(record) for record in records]

    def get(self, dossier_id: UUID) -> QueueRow | None:
        """The dossier's row, if it is in the queue."""
        return self.get_many([dossier_id]).get(dossier_id)

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, QueueRow]:
        """The rows of those dossiers in the queue."""
        return {row.dossier_id: row for row in map(decode, self._records_of(q.TABLE, dossier_ids))}

    def count(self) -> int:
        """How many rows the view holds."""
        with self._lock:
            return int(self.connection.execute("SELECT count(*) FROM dossier_queue").fetchone()[0])
