"""The lookup view in the event store's PostgreSQL database and schema, with plain ``psycopg``.

Rows, procedure names and the position are written in one transaction; the
position moves by compare-and-set in ``projection_tracking`` first, exactly
as for the queue view (the row lock serialises racing projectors).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import sql

from adapters.views import lookup_sql as q
from adapters.views.postgres_base import PostgresView, column_list, index_statements
from application.lookup import (
    LookupAnswer,
    LookupBatch,
    LookupRow,
    OwnedDossier,
    OwnedQuery,
    answer,
    matching,
)

TYPES = {
    "dossier_id": "uuid PRIMARY KEY",
    "procedure": "text NOT NULL",
    "applicant": "text NOT NULL",
    "status": "text NOT NULL",
    "version": "integer NOT NULL",
    "history": "text NOT NULL",
    "code": "text",
    "secret_digest": "text",
    "submitter_digest": "text",
    "applicant_digest": "text NOT NULL",
    "submitted_at": "timestamptz NOT NULL",
    "received_at": "timestamptz",
    "due_at": "timestamptz",
    "rescheduled_due_at": "timestamptz",
    "result_issued_at": "timestamptz",
    "returned_at": "timestamptz",
}


def moment(value: datetime | None) -> datetime | None:
    """The driver already gives timestamptz values as aware datetimes."""
    return value


class PostgresLookupView(PostgresView):
    """Tra cứu hồ sơ in PostgreSQL: the event store's database and schema."""

    name = q.VIEW_NAME
    tables = (q.TABLE, q.NAMES)

    @property
    def names(self) -> sql.Composed:
        """The table of procedure names."""
        return self.qualified(q.NAMES)

    def layout(self) -> dict[str, tuple[str, ...]]:
        """The lookup table and the procedure names, with their columns."""
        return {q.TABLE: tuple(TYPES), q.NAMES: ("procedure", "name")}

    def _create_statements(self) -> list[sql.Composed]:
        return [
            sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(self.table, column_list(TYPES)),
            *index_statements(self.table, q.INDEXES),
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (procedure text PRIMARY KEY, name text NOT NULL)"
            ).format(self.names),
        ]

    def apply(self, batch: LookupBatch) -> None:
        """Move the position, then write the rows and names, in one transaction."""
        with self._advancing(batch.position, batch.start):
            self._write(batch)

    def _write(self, batch: LookupBatch) -> None:
        self._delete(batch.deletes)
        self._upsert(self.table, q.COLUMNS, ("dossier_id",), map(q.values, batch.upserts))
        names = ({"procedure": p.procedure, "name": p.name} for p in batch.procedures)
        self._upsert(self.names, ("procedure", "name"), ("procedure",), names)

    def find(self, code: str, secret: str) -> LookupAnswer | None:
        """The answer for the code and secret, or ``None``."""
        statement = sql.SQL(
            "SELECT l.*, n.name AS procedure_name FROM {} l "
            "LEFT JOIN {} n ON n.procedure = l.procedure WHERE l.code = %s"
        ).format(self.table, self.names)
        with self._lock, self.connection.transaction():
            records = self.connection.execute(statement, (code,)).fetchall()
        names: dict[Any, str | None] = {r["dossier_id"]: r["procedure_name"] for r in records}
        row = matching((q.decode(record, moment) for record in records), code, secret)
        return answer(row, names[row.dossier_id]) if row else None

    def list_owned(self, query: OwnedQuery) -> list[OwnedDossier]:
        """The owner's rows past the cursor, newest submission first, one page."""
        text, params = q.owned(query, "%s")
        statement = sql.SQL(text).format(table=self.table, names=self.names)
        with self._lock, self.connection.transaction():
            records = self.connection.execute(statement, params).fetchall()
        return [
            OwnedDossier(row=q.decode(record, moment), procedure_name=record["procedure_name"])
            for record in records
        ]

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, LookupRow]:
        """The rows of those dossiers that have one."""
        records = self._records_of(dossier_ids)
        return {row.dossier_id: row for row in (q.decode(r, moment) for r in records)}

    def count(self) -> int:
        """How many rows the view holds."""
        with self._lock, self.connection.transaction():
            record = self.connection.execute(
                sql.SQL("SELECT count(*) AS n FROM {}").format(self.table)
            ).fetchone()
        return int(record["n"]) if record else 0
