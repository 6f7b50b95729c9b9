"""The facts view in the event store's PostgreSQL database and schema, with plain ``psycopg``.

As the queue view: rows and the position move in one transaction, the
position by compare-and-set in ``projection_tracking`` (its row lock
serialises racing projectors). Report 06a is one aggregate query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from psycopg import sql

from adapters.views import facts_sql as f
from adapters.views.postgres_base import PostgresView, column_list, index_statements
from application.report06a import CountingRules, Report06a, ReportQuery
from application.statistics import Closing, FactsBatch, FactsRow
from domain.dossier_values import Satisfaction
from domain.procedure_spec import Channel

TYPES = {
    "dossier_id": "uuid PRIMARY KEY",
    "receiving_unit": "text NOT NULL",
    "competent_agency": "text NOT NULL",
    "channel": "text NOT NULL",
    "version": "integer NOT NULL",
    "received_at": "timestamptz",
    "statutory_due_date": "date",
    "completed_at": "timestamptz",
    "closed_at": "timestamptz",
    "closing": "text",
    "returned_at": "timestamptz",
    "returned_via_post": "boolean NOT NULL",
    "supplement_since": "timestamptz",
    "supplement_from": "timestamptz",
    "supplement_until": "timestamptz",
    "paid": "boolean NOT NULL",
    "paid_online": "boolean NOT NULL",
    "satisfaction": "text",
    "rated_at": "timestamptz",
    "received_on": "date",
    "finished_on": "date",
    "finish": "text",
    "supplement_since_on": "date",
    "supplement_from_on": "date",
    "supplement_until_on": "date",
    "returned_on": "date",
    "rated_on": "date",
}


def decode(record: Mapping[str, Any]) -> FactsRow:
    """A stored record back as a row."""
    fields = {name: record[name] for name in f.ROW_FIELDS}
    fields |= {name: f.local(fields[name]) for name in f.MOMENTS}
    closing, rating = fields["closing"], fields["satisfaction"]
    return FactsRow(
        **fields
        | {
            "channel": Channel(fields["channel"]),
            "closing": Closing(closing) if closing else None,
            "satisfaction": Satisfaction(rating) if rating else None,
        }
    )


class PostgresFactsView(PostgresView):
    """Số liệu hồ sơ in PostgreSQL: the event store's database and schema."""

    name = f.VIEW_NAME
    tables = (f.TABLE,)

    def _create_statements(self) -> list[sql.Composed]:
        create = sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})")
        return [
            create.format(self.table, column_list(TYPES)),
            *index_statements(self.table, f.INDEXES),
        ]

    def apply(self, batch: FactsBatch) -> None:
        """Move the position, then write the rows, in one transaction."""
        with self._advancing(batch.position, batch.start):
            self._write(batch)

    def _write(self, batch: FactsBatch) -> None:
        self._delete(batch.deletes)
        self._upsert(self.table, f.COLUMNS, ("dossier_id",), map(f.values, batch.upserts))

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, FactsRow]:
        """The rows of those dossiers the view holds."""
        return {row.dossier_id: row for row in map(decode, self._records_of(dossier_ids))}

    def count(self) -> int:
        """How many dossiers the view holds facts of."""
        with self._lock, self.connection.transaction():
            record = self.connection.execute(
                sql.SQL("SELECT count(*) AS n FROM {}").format(self.table)
            ).fetchone()
        return int(record["n"]) if record else 0

    def rows(self) -> list[FactsRow]:
        """Every row, sorted by dossier id."""
        with self._lock, self.connection.transaction():
            records = self.connection.execute(
                sql.SQL("SELECT * FROM {}").format(self.table)
            ).fetchall()
        return sorted(map(decode, records), key=lambda row: row.dossier_id)

    def report06a(self, query: ReportQuery, rules: CountingRules) -> Report06a:
        """Report 06a, as one aggregate query."""
        statement, params = f.report_sql(query, rules, lambda name: f"%({name})s")
        composed = sql.SQL(statement).format(table=self.table)
        with self._lock, self.connection.transaction():
            record = self.connection.execute(composed, params).fetchone()
        if record is None:  # pragma: no cover (an aggregate always has a row)
            raise RuntimeError("report 06a returned no row")
        return Report06a(**{key: int(value) for key, value in record.items()})
