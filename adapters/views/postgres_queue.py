"""The queue view in the event store's PostgreSQL database and schema, with plain ``psycopg``.

Rows and the position are written in one transaction. The position lives in
``projection_tracking`` (one row per view) and moves by compare-and-set,
first thing in the transaction: a batch that does not move it forward raises
``StalePositionError`` and the transaction rolls back, so each event takes
effect exactly once, even across crashes and with several projectors racing
(the row lock on the tracking row serialises them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from psycopg import sql

from adapters.views import queue_sql as q
from adapters.views.postgres_base import PostgresView, column_list, index_statements
from application.queue import QueueBatch, QueueQuery, QueueRow
from domain.dossier_status import Status
from domain.procedure_spec import Channel

TYPES = {
    "dossier_id": "uuid PRIMARY KEY",
    "procedure": "text NOT NULL",
    "channel": "text NOT NULL",
    "receiving_unit": "text NOT NULL",
    "competent_agency": "text NOT NULL",
    "status": "text NOT NULL",
    "version": "integer NOT NULL",
    "code": "text",
    "handler": "text",
    "step": "integer",
    "step_due_at": "timestamptz",
    "due_at": "timestamptz",
    "rescheduled_due_at": "timestamptz",
    "statutory_due_date": "date",
    "received_at": "timestamptz",
    "result_issued_at": "timestamptz",
    "paused": "boolean NOT NULL",
    "national_code": "integer NOT NULL",
    "running_due_date": "date",
    "sort_due": "timestamptz NOT NULL",
}
MOMENTS = ("step_due_at", "due_at", "rescheduled_due_at", "received_at", "result_issued_at")


def decode(record: Mapping[str, Any]) -> QueueRow:
    """A stored record back as a row."""
    fields = {name: record[name] for name in q.ROW_FIELDS}
    fields |= {name: q.local(fields[name]) for name in MOMENTS}
    return QueueRow(
        **fields | {"channel": Channel(fields["channel"]), "status": Status(fields["status"])}
    )


class PostgresQueueView(PostgresView):
    """Hàng đợi hồ sơ in PostgreSQL: the event store's database and schema."""

    name = q.VIEW_NAME
    tables = (q.TABLE,)

    def layout(self) -> dict[str, tuple[str, ...]]:
        """The queue table and its columns."""
        return {q.TABLE: tuple(TYPES)}

    def _create_statements(self) -> list[sql.Composed]:
        create = sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})")
        return [
            create.format(self.table, column_list(TYPES)),
            *index_statements(self.table, q.INDEXES),
        ]

    def apply(self, batch: QueueBatch) -> None:
        """Move the position, then write the rows, in one transaction."""
        with self._advancing(batch.position, batch.start):
            self._write(batch)

    def _write(self, batch: QueueBatch) -> None:
        self._delete(batch.deletes)
        self._upsert(self.table, q.COLUMNS, ("dossier_id",), map(q.values, batch.upserts))

    def list(self, query: QueueQuery) -> list[QueueRow]:
        """The matching rows after the cursor, in due order, one page."""
        clause, params = q.where(query, "%s")
        statement = sql.SQL("SELECT * FROM {}{} ORDER BY sort_due, dossier_id LIMIT %s").format(
            self.table,
            sql.SQL(clause),
        )
        with self._lock, self.connection.transaction():
            records = self.connection.execute(statement, [*params, query.limit]).fetchall()
        return [decode(record) for record in records]

    def get(self, dossier_id: UUID) -> QueueRow | None:
        """The dossier's row, if it is in the queue."""
        return self.get_many([dossier_id]).get(dossier_id)

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, QueueRow]:
        """The rows of those dossiers in the queue."""
        return {row.dossier_id: row for row in map(decode, self._records_of(dossier_ids))}

    def count(self) -> int:
        """How many rows the view holds."""
        with self._lock, self.connection.transaction():
            record = self.connection.execute(
                sql.SQL("SELECT count(*) AS n FROM {}").format(self.table)
            ).fetchone()
        return int(record["n"]) if record else 0
