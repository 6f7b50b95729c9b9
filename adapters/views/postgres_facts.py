"""The facts view in the event store's PostgreSQL database and schema, with plain ``psycopg``.

As the queue view: rows, their supplement pauses and the position move in one
transaction, the position by compare-and-set in ``projection_tracking`` (its
row lock serialises racing projectors). Report 06a is one aggregate query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from psycopg import sql

from adapters.views import facts_sql as f
from adapters.views.postgres_base import PostgresView, column_list, index_statements
from application.report06a import CountingRules, Report06a, ReportQuery
from application.statistics import Closing, FactsBatch, FactsRow, SupplementPause
from domain.dossier_values import Satisfaction
from domain.procedure_spec import Channel
from domain.values import VIETNAM

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
    "paid": "boolean NOT NULL",
    "paid_online": "boolean NOT NULL",
    "satisfaction": "text",
    "rated_at": "timestamptz",
    "received_on": "date",
    "finished_on": "date",
    "finish": "text",
    "returned_on": "date",
    "rated_on": "date",
}
PAUSE_TYPES = {
    "dossier_id": "uuid NOT NULL",
    "number": "integer NOT NULL",
    "since": "timestamptz NOT NULL",
    "until": "timestamptz",
    "since_on": "date NOT NULL",
    "until_on": "date",
}
FENCE = "OFFSET 0"


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


def decode_pause(record: Mapping[str, Any]) -> tuple[UUID, int, SupplementPause]:
    """A stored pause back as its dossier, its number and the pause."""
    until = record["until"]
    pause = SupplementPause(
        since=record["since"].astimezone(VIETNAM),
        until=None if until is None else until.astimezone(VIETNAM),
    )
    return record["dossier_id"], record["number"], pause


class PostgresFactsView(PostgresView):
    """Số liệu hồ sơ in PostgreSQL: the event store's database and schema."""

    name = f.VIEW_NAME
    tables = (f.TABLE, f.PAUSES)

    @property
    def pauses_table(self) -> sql.Composed:
        """The supplement pauses' table."""
        return self.qualified(f.PAUSES)

    def layout(self) -> dict[str, tuple[str, ...]]:
        """The facts table and the pauses' table, with their columns."""
        return {f.TABLE: tuple(TYPES), f.PAUSES: tuple(PAUSE_TYPES)}

    def _create_statements(self) -> list[sql.Composed]:
        create = sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})")
        keyed = sql.SQL("CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({}))")
        keys = sql.SQL(", ").join(map(sql.Identifier, f.PAUSE_KEYS))
        return [
            create.format(self.table, column_list(TYPES)),
            keyed.format(self.pauses_table, column_list(PAUSE_TYPES), keys),
            *index_statements(self.table, f.INDEXES),
            *index_statements(self.pauses_table, f.PAUSE_INDEXES),
        ]

    def apply(self, batch: FactsBatch) -> None:
        """Move the position, then write the rows and their pauses, in one transaction."""
        with self._advancing(batch.position, batch.start):
            self._write(batch)

    def _write(self, batch: FactsBatch) -> None:
        self._delete(batch.deletes)
        written = [row.dossier_id for row in batch.upserts]
        self._delete([*batch.deletes, *written], self.pauses_table)
        self._upsert(self.table, f.COLUMNS, ("dossier_id",), map(f.values, batch.upserts))
        self._upsert(
            self.pauses_table, f.PAUSE_COLUMNS, f.PAUSE_KEYS, f.pause_values(batch.upserts)
        )

    def _read(self, where: sql.SQL, params: list[Any]) -> dict[UUID, FactsRow]:
        """The rows ``where`` picks, with their pauses, read in one transaction."""
        select = sql.SQL("SELECT * FROM {} {}")
        with self._transaction() as db:
            records = db.execute(select.format(self.table, where), params).fetchall()
            pauses = db.execute(select.format(self.pauses_table, where), params).fetchall()
        return f.with_pauses(map(decode, records), map(decode_pause, pauses))

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, FactsRow]:
        """The rows of those dossiers the view holds."""
        return self._read(sql.SQL("WHERE dossier_id = ANY(%s)"), [list(dossier_ids)])

    def count(self) -> int:
        """How many dossiers the view holds facts of."""
        with self._lock, self.connection.transaction():
            record = self.connection.execute(
                sql.SQL("SELECT count(*) AS n FROM {}").format(self.table)
            ).fetchone()
        return int(record["n"]) if record else 0

    def rows(self) -> list[FactsRow]:
        """Every row, sorted by dossier id."""
        return sorted(self._read(sql.SQL(""), []).values(), key=lambda row: row.dossier_id)

    def report06a(self, query: ReportQuery, rules: CountingRules) -> Report06a:
        """Report 06a, as one aggregate query."""
        statement, params = f.report_sql(query, rules, lambda name: f"%({name})s", FENCE)
        composed = sql.SQL(statement).format(table=self.table, pauses=self.pauses_table)
        with self._lock, self.connection.transaction():
            record = self.connection.execute(composed, params).fetchone()
        if record is None:  # pragma: no cover (an aggregate always has a row)
            raise RuntimeError("report 06a returned no row")
        return Report06a(**{key: int(value) for key, value in record.items()})
