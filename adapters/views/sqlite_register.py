"""The register and control sheet in the event store's SQLite file, with plain ``sqlite3``.

Rows, steps and the position are written in one ``BEGIN IMMEDIATE``
transaction. The position lives in ``projection_tracking`` under the view's
name and moves by compare-and-set, first thing in the transaction: a batch
that does not move it forward raises ``StalePositionError`` and the
transaction rolls back, so each event takes effect exactly once. Moments are
stored as UTC text of fixed width, so text order is time order.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from adapters.views import register_sql as q
from application.queue import StalePositionError
from application.register import RegisterBatch, RegisterEntry, RegisterQuery, RegisterRow, StepRow

STAMP = "%Y-%m-%dT%H:%M:%S.%f+00:00"
CHUNK = 500


def _insert(table: str, columns: tuple[str, ...]) -> str:
    names, marks = ", ".join(columns), ", ".join("?" * len(columns))
    return f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (constants)


UPSERT_ROW = _insert(q.TABLE, q.COLUMNS)
UPSERT_STEP = _insert(q.STEPS, q.STEP_COLUMNS)


def encode(value: Any) -> Any:  # noqa: ANN401 (any column value)
    """A Python value as SQLite stores it."""
    if isinstance(value, datetime):
        return value.strftime(STAMP)
    if isinstance(value, date | UUID):
        return str(value)
    return value


def _decoded(record: sqlite3.Row, moments: tuple[str, ...]) -> dict[str, Any]:
    fields = {name: record[name] for name in record.keys()}  # noqa: SIM118 (sqlite3.Row)
    fields |= {n: None if fields[n] is None else datetime.fromisoformat(fields[n]) for n in moments}
    return fields | {"dossier_id": UUID(fields["dossier_id"])}


def decode_row(record: sqlite3.Row) -> RegisterRow:
    """A stored register record back as a row."""
    fields = _decoded(record, q.MOMENTS)
    return q.row_of(fields | {"statutory_due_date": q.day(fields["statutory_due_date"])})


def decode_step(record: sqlite3.Row) -> StepRow:
    """A stored control-sheet record back as a step row."""
    return q.step_of(_decoded(record, q.STEP_MOMENTS))


class SqliteRegisterView:
    """Sổ theo dõi hồ sơ and phiếu kiểm soát in SQLite: the same file as the event store."""

    name = q.VIEW_NAME

    def __init__(self, path: Path | str) -> None:
        # One connection shared by the threads of a server, one at a time.
        self.connection = sqlite3.connect(
            path, isolation_level=None, timeout=30, check_same_thread=False
        )
        self.connection.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._create()

    def _create(self) -> None:
        columns = ", ".join(f"{n} PRIMARY KEY" if n == "dossier_id" else n for n in q.COLUMNS)
        steps = ", ".join(q.STEP_COLUMNS)
        with self._transaction() as db:
            db.execute(f"CREATE TABLE IF NOT EXISTS {q.TABLE} ({columns}) WITHOUT ROWID")
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {q.STEPS} "
                f"({steps}, PRIMARY KEY (dossier_id, occurrence)) WITHOUT ROWID"
            )
            for index, on in q.INDEXES.items():
                db.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {q.TABLE} ({on})")
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {q.TRACKING} "
                "(view_name TEXT PRIMARY KEY, position INTEGER NOT NULL)"
            )
            db.execute(f"INSERT OR IGNORE INTO {q.TRACKING} VALUES (?, 0)", (self.name,))  # noqa: S608 (constant)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    def _select(self, sql: str, params: Iterable[Any]) -> list[sqlite3.Row]:
        with self._lock:
            return self.connection.execute(sql, [encode(p) for p in params]).fetchall()

    def position(self) -> int:
        """The notification id of the last event applied."""
        sql = f"SELECT position FROM {q.TRACKING} WHERE view_name = ?"  # noqa: S608 (constant)
        records = self._select(sql, [self.name])
        return int(records[0][0]) if records else 0

    def apply(self, batch: RegisterBatch) -> None:
        """Move the position, then write the rows and steps, in one transaction."""
        with self._transaction() as db:
            moved = db.execute(
                f"UPDATE {q.TRACKING} SET position = ? WHERE view_name = ? AND position < ?",  # noqa: S608 (constant)
                (batch.position, self.name, batch.position),
            )
            if moved.rowcount != 1:
                raise StalePositionError(view=self.name, position=batch.position)
            deletes = [(str(key),) for key in batch.deletes]
            for table in (q.TABLE, q.STEPS):
                db.executemany(f"DELETE FROM {table} WHERE dossier_id = ?", deletes)  # noqa: S608 (constant)
            db.executemany(
                UPSERT_ROW, [tuple(map(encode, q.values(r).values())) for r in batch.rows]
            )
            db.executemany(
                UPSERT_STEP, [tuple(map(encode, q.step_values(s).values())) for s in batch.steps]
            )

    def entries(self, dossier_ids: Iterable[UUID]) -> dict[UUID, RegisterEntry]:
        """The stored entries (received or not) of those dossiers."""
        keys = [str(key) for key in dossier_ids]
        rows: dict[UUID, RegisterRow] = {}
        steps: dict[UUID, list[StepRow]] = {}
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            found = self._select(f"SELECT * FROM {q.TABLE} WHERE dossier_id IN ({marks})", chunk)  # noqa: S608 (only ? marks)
            rows.update((row.dossier_id, row) for row in map(decode_row, found))
            sql = f"SELECT * FROM {q.STEPS} WHERE dossier_id IN ({marks}) ORDER BY dossier_id, occurrence"  # noqa: S608, E501 (only ? marks)
            for step in map(decode_step, self._select(sql, chunk)):
                steps.setdefault(step.dossier_id, []).append(step)
        return {k: RegisterEntry(row=r, steps=tuple(steps.get(k, ()))) for k, r in rows.items()}

    def get(self, dossier_id: UUID) -> RegisterRow | None:
        """The dossier's row, if it was received."""
        sql = f"SELECT * FROM {q.TABLE} WHERE dossier_id = ? AND received_at IS NOT NULL"  # noqa: S608 (constant)
        records = self._select(sql, [dossier_id])
        return decode_row(records[0]) if records else None

    def steps(self, dossier_id: UUID) -> list[StepRow]:
        """The dossier's step occurrences in the order they ran."""
        sql = f"SELECT * FROM {q.STEPS} WHERE dossier_id = ? ORDER BY occurrence"  # noqa: S608 (constant)
        return [decode_step(record) for record in self._select(sql, [dossier_id])]

    def count(self) -> int:
        """How many received dossiers the register lists."""
        sql = f"SELECT count(*) FROM {q.TABLE} WHERE received_at IS NOT NULL"  # noqa: S608 (constant)
        return int(self._select(sql, [])[0][0])

    def list(self, query: RegisterQuery) -> list[RegisterRow]:
        """The unit's received rows in the range, after the cursor, one page."""
        clause, params = q.where(query, "?")
        sql = f"SELECT * FROM {q.TABLE}{clause} ORDER BY received_at, code, dossier_id LIMIT ?"  # noqa: S608 (constant column names; values are parameters)
        return [decode_row(record) for record in self._select(sql, [*params, query.limit])]

    def drop(self) -> None:
        """Drop the tables and the position, and start again empty at position 0."""
        with self._transaction() as db:
            db.execute(f"DROP TABLE IF EXISTS {q.TABLE}")
            db.execute(f"DROP TABLE IF EXISTS {q.STEPS}")
            db.execute(f"DELETE FROM {q.TRACKING} WHERE view_name = ?", (self.name,))  # noqa: S608 (constant)
        self._create()

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()
