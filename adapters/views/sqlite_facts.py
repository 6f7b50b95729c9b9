"""The facts view in the event store's SQLite file, written with plain ``sqlite3``.

As the queue view: rows and the position move in one ``BEGIN IMMEDIATE``
transaction, the position by compare-and-set in ``projection_tracking``.
Moments are UTC text of fixed width and dates ISO text, so text order is time
order and report 06a's date comparisons run on the stored text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from adapters.views import facts_sql as f
from adapters.views.sqlite_base import SqliteView, encode, upsert_sql
from application.report06a import CountingRules, Report06a, ReportQuery
from application.statistics import Closing, FactsBatch, FactsRow
from domain.dossier_values import Satisfaction
from domain.procedure_spec import Channel

UPSERT = upsert_sql(f.TABLE, f.COLUMNS)


def decode(record: sqlite3.Row) -> FactsRow:
    """A stored record back as a row."""
    fields: dict[str, Any] = {name: record[name] for name in f.ROW_FIELDS}
    for name in f.MOMENTS:
        if fields[name] is not None:
            fields[name] = f.local(datetime.fromisoformat(fields[name]))
    due, closing, rating = fields["statutory_due_date"], fields["closing"], fields["satisfaction"]
    return FactsRow(
        **fields
        | {
            "dossier_id": UUID(fields["dossier_id"]),
            "channel": Channel(fields["channel"]),
            "statutory_due_date": date.fromisoformat(due) if due else None,
            "closing": Closing(closing) if closing else None,
            "satisfaction": Satisfaction(rating) if rating else None,
            "returned_via_post": bool(fields["returned_via_post"]),
            "paid": bool(fields["paid"]),
            "paid_online": bool(fields["paid_online"]),
        }
    )


class SqliteFactsView(SqliteView):
    """Số liệu hồ sơ in SQLite: the same file as the event store."""

    name = f.VIEW_NAME
    tables = (f.TABLE,)

    def _create_tables(self, db: sqlite3.Connection) -> None:
        self._create_keyed(db, f.TABLE, f.COLUMNS, f.INDEXES)

    def apply(self, batch: FactsBatch) -> None:
        """Move the position, then write the rows, in one transaction."""
        with self._advancing(batch.position, batch.start) as db:
            self._delete_dossiers(db, batch.deletes, f.TABLE)
            db.executemany(
                UPSERT,
                (tuple(encode(v) for v in f.values(row).values()) for row in batch.upserts),
            )

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, FactsRow]:
        """The rows of those dossiers the view holds."""
        return {row.dossier_id: row for row in map(decode, self._records_of(f.TABLE, dossier_ids))}

    def count(self) -> int:
        """How many dossiers the view holds facts of."""
        with self._lock:
            return int(self.connection.execute("SELECT count(*) FROM dossier_facts").fetchone()[0])

    def rows(self) -> list[FactsRow]:
        """Every row, sorted by dossier id."""
        with self._lock:
            records = self.connection.execute("SELECT * FROM dossier_facts").fetchall()
        return sorted(map(decode, records), key=lambda row: row.dossier_id)

    def report06a(self, query: ReportQuery, rules: CountingRules) -> Report06a:
        """Report 06a, as one aggregate query."""
        statement, params = f.report_sql(query, rules, lambda name: f":{name}")
        with self._lock:
            record = self.connection.execute(
                statement.replace("{table}", f.TABLE),
                {key: encode(value) for key, value in params.items()},
            ).fetchone()
        return Report06a(**{key: int(record[key]) for key in record.keys()})  # noqa: SIM118 (sqlite3.Row)
