"""The facts view in the event store's SQLite file, written with plain ``sqlite3``.

As the queue view: rows, their supplement pauses and the position move in one
``BEGIN IMMEDIATE`` transaction, the position by compare-and-set in
``projection_tracking``. Moments are UTC text of fixed width and dates ISO
text, so text order is time order and report 06a's date comparisons run on the
stored text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any
from uuid import UUID

from adapters.views import facts_sql as f
from adapters.views.sqlite_base import SqliteView, encode, upsert_sql
from application.report06a import CountingRules, Report06a, ReportQuery
from application.statistics import Closing, FactsBatch, FactsRow, SupplementPause
from domain.dossier_values import Satisfaction
from domain.procedure_spec import Channel
from domain.values import VIETNAM

UPSERT = upsert_sql(f.TABLE, f.COLUMNS)
INSERT_PAUSE = upsert_sql(f.PAUSES, f.PAUSE_COLUMNS)
FENCE = "LIMIT -1 OFFSET 0"  # SQLite takes an OFFSET only after a LIMIT; -1 is none


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


def decode_pause(record: sqlite3.Row) -> tuple[UUID, int, SupplementPause]:
    """A stored pause back as its dossier, its number and the pause."""
    until = record["until"]
    pause = SupplementPause(
        since=_moment(record["since"]), until=None if until is None else _moment(until)
    )
    return UUID(record["dossier_id"]), int(record["number"]), pause


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(VIETNAM)


def _encoded(records: Iterable[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    return (tuple(encode(value) for value in record.values()) for record in records)


class SqliteFactsView(SqliteView):
    """Số liệu hồ sơ in SQLite: the same file as the event store."""

    name = f.VIEW_NAME
    tables = (f.TABLE, f.PAUSES)

    def _create_tables(self, db: sqlite3.Connection) -> None:
        self._create_keyed(db, f.TABLE, f.COLUMNS, f.INDEXES)
        self._create_keyed(db, f.PAUSES, f.PAUSE_COLUMNS, f.PAUSE_INDEXES, f.PAUSE_KEYS)

    def layout(self) -> dict[str, tuple[str, ...]]:
        """The facts table and the pauses' table, with their columns."""
        return {f.TABLE: tuple(f.COLUMNS), f.PAUSES: tuple(f.PAUSE_COLUMNS)}

    def apply(self, batch: FactsBatch) -> None:
        """Move the position, then write the rows and their pauses, in one transaction."""
        with self._advancing(batch.position, batch.start) as db:
            self._delete_dossiers(db, batch.deletes, f.TABLE)
            written = [row.dossier_id for row in batch.upserts]
            self._delete_dossiers(db, [*batch.deletes, *written], f.PAUSES)
            db.executemany(UPSERT, _encoded(map(f.values, batch.upserts)))
            db.executemany(INSERT_PAUSE, _encoded(f.pause_values(batch.upserts)))

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """One read transaction, so rows and their pauses are read as of one moment."""
        with self._lock:
            self.connection.execute("BEGIN")
            try:
                yield
            finally:
                self.connection.execute("COMMIT")

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, FactsRow]:
        """The rows of those dossiers the view holds."""
        keys = list(dossier_ids)
        with self._reading():
            records = self._records_of(f.TABLE, keys)
            pauses = self._records_of(f.PAUSES, keys)
        return f.with_pauses(map(decode, records), map(decode_pause, pauses))

    def count(self) -> int:
        """How many dossiers the view holds facts of."""
        with self._lock:
            return int(self.connection.execute("SELECT count(*) FROM dossier_facts").fetchone()[0])

    def rows(self) -> list[FactsRow]:
        """Every row, sorted by dossier id."""
        with self._reading():
            records = self._select(f"SELECT * FROM {f.TABLE}")  # noqa: S608 (constant)
            pauses = self._select(f"SELECT * FROM {f.PAUSES}")  # noqa: S608 (constant)
        rows = f.with_pauses(map(decode, records), map(decode_pause, pauses))
        return sorted(rows.values(), key=lambda row: row.dossier_id)

    def report06a(self, query: ReportQuery, rules: CountingRules) -> Report06a:
        """Report 06a, as one aggregate query."""
        statement, params = f.report_sql(query, rules, lambda name: f":{name}", FENCE)
        tables = statement.replace("{table}", f.TABLE).replace("{pauses}", f.PAUSES)
        with self._lock:
            record = self.connection.execute(
                tables, {key: encode(value) for key, value in params.items()}
            ).fetchone()
        return Report06a(**{key: int(record[key]) for key in record.keys()})  # noqa: SIM118 (sqlite3.Row)
