"""The lookup view in the event store's SQLite file, written with plain ``sqlite3``.

Rows, procedure names and the position are written in one ``BEGIN
IMMEDIATE`` transaction; the position moves by compare-and-set in
``projection_tracking`` first, exactly as for the queue view, so a batch
applied twice raises ``StalePositionError`` and writes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from adapters.views import lookup_sql as q
from adapters.views.sqlite_base import SqliteView, encode, upsert_sql
from application.lookup import (
    LookupAnswer,
    LookupBatch,
    LookupRow,
    OwnedDossier,
    OwnedQuery,
    answer,
    matching,
)

UPSERT = upsert_sql(q.TABLE, q.COLUMNS)
FIND = (
    f"SELECT l.*, n.name AS procedure_name FROM {q.TABLE} l "  # noqa: S608 (constants)
    f"LEFT JOIN {q.NAMES} n ON n.procedure = l.procedure WHERE l.code = ?"
)


def moment(value: Any) -> datetime | None:  # noqa: ANN401 (a stored column value)
    """A stored moment (UTC text) back as a datetime."""
    return None if value is None else datetime.fromisoformat(value)


class SqliteLookupView(SqliteView):
    """Tra cứu hồ sơ in SQLite: the same file as the event store."""

    name = q.VIEW_NAME
    tables = (q.TABLE, q.NAMES)

    def _create_tables(self, db: sqlite3.Connection) -> None:
        self._create_keyed(db, q.TABLE, q.COLUMNS, q.INDEXES)
        db.execute(f"CREATE TABLE IF NOT EXISTS {q.NAMES} (procedure PRIMARY KEY, name)")

    def layout(self) -> dict[str, tuple[str, ...]]:
        """The lookup table and the procedure names, with their columns."""
        return {q.TABLE: tuple(q.COLUMNS), q.NAMES: ("procedure", "name")}

    def apply(self, batch: LookupBatch) -> None:
        """Move the position, then write the rows and names, in one transaction."""
        with self._advancing(batch.position, batch.start) as db:
            self._delete_dossiers(db, batch.deletes, q.TABLE)
            db.executemany(
                UPSERT,
                ([encode(values[c]) for c in q.COLUMNS] for values in map(q.values, batch.upserts)),
            )
            db.executemany(
                f"INSERT OR REPLACE INTO {q.NAMES} VALUES (?, ?)",  # noqa: S608 (constant)
                [(named.procedure, named.name) for named in batch.procedures],
            )

    def find(self, code: str, secret: str) -> LookupAnswer | None:
        """The answer for the code and secret, or ``None``."""
        with self._lock:
            records = self.connection.execute(FIND, (code,)).fetchall()
        names = {record["dossier_id"]: record["procedure_name"] for record in records}
        row = matching((q.decode(record, moment) for record in records), code, secret)
        return answer(row, names[str(row.dossier_id)]) if row else None

    def list_owned(self, query: OwnedQuery) -> list[OwnedDossier]:
        """The owner's rows past the cursor, newest submission first, one page."""
        text, params = q.owned(query, "?")
        statement = text.format(table=q.TABLE, names=q.NAMES)
        records: list[Any] = self._select(statement, [encode(param) for param in params])
        return [
            OwnedDossier(row=q.decode(record, moment), procedure_name=record["procedure_name"])
            for record in records
        ]

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, LookupRow]:
        """The rows of those dossiers that have one."""
        records = self._records_of(q.TABLE, dossier_ids)
        return {row.dossier_id: row for row in (q.decode(r, moment) for r in records)}

    def count(self) -> int:
        """How many rows the view holds."""
        with self._lock:
            record = self.connection.execute(f"SELECT count(*) FROM {q.TABLE}").fetchone()  # noqa: S608 (constant)
        return int(record[0])
