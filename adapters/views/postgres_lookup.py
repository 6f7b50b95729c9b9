"""The lookup view in the event store's PostgreSQL database and schema, with plain ``psycopg``.

Rows, procedure names and the position are written in one transaction; the
position moves by compare-and-set in ``projection_tracking`` first, exactly
as for the queue view (the row lock serialises racing projectors). A schema
whose lookup table lacks a column of this release (the owner digests) counts
as without the view: opening it drops the tables and the position, and the
next catch-up rebuilds it from the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import structlog
from psycopg import sql

from adapters.views import lookup_sql as q
from adapters.views.postgres_base import TRACKING, PostgresView, column_list, index_statements
from application.lookup import (
    LookupAnswer,
    LookupBatch,
    LookupRow,
    OwnedDossier,
    OwnedQuery,
    answer,
    matching,
)

log = structlog.get_logger()

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

    def _exists(self) -> bool:
        """The base's test, and the lookup table has every column of this release."""
        return super()._exists() and not q.outdated(self._columns())

    def _columns(self) -> set[str]:
        """The columns of the stored lookup table (none when there is no table)."""
        with self._transaction() as db:
            records = db.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s",
                (self.schema_name, q.TABLE),
            ).fetchall()
        return {record["column_name"] for record in records}

    def _restart_outdated(self) -> list[sql.Composed]:
        """Drop a lookup kept before its owner digests, and the view's position with it.

        Asked inside the base's creating transaction, after its advisory lock: a second
        process creating the view at the same time finds the new columns and keeps the rows.
        """
        if not q.outdated(self._columns()):
            return []
        log.warning("view.layout_retired", view=self.name, reason="lookup without owner digests")
        drop = sql.SQL("DROP TABLE IF EXISTS {}, {}").format(self.table, self.names)
        found = self.connection.execute(
            "SELECT to_regclass(%s) IS NOT NULL AS found", (f'"{self.schema_name}"."{TRACKING}"',)
        ).fetchone()
        if not found or not found["found"]:
            return [drop]
        forget = sql.SQL("DELETE FROM {} WHERE view_name = {}").format(
            self.tracking, sql.Literal(self.name)
        )
        return [drop, forget]

    def _create_statements(self) -> list[sql.Composed]:
        return [
            *self._restart_outdated(),
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
