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
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from adapters.views import queue_sql as q
from application.queue import QueueBatch, QueueQuery, QueueRow, StalePositionError
from domain.dossier_status import Status
from domain.procedure_spec import Channel

STAMP = "%Y-%m-%dT%H:%M:%S.%f+00:00"
UPSERT = (
    f"INSERT OR REPLACE INTO {q.TABLE} ({', '.join(q.COLUMNS)}) "  # noqa: S608 (constants)
    f"VALUES ({', '.join('?' * len(q.COLUMNS))})"
)


def encode(value: Any) -> Any:  # noqa: ANN401 (any column value)
    """A Python value as SQLite stores it."""
    if isinstance(value, datetime):
        return value.strftime(STAMP)
    if isinstance(value, date | UUID):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value


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


class SqliteQueueView:
    """Hàng đợi hồ sơ in SQLite: the same file as the event store."""

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
        columns = ", ".join(
            f"{name} {'PRIMARY KEY' if name == 'dossier_id' else ''}" for name in q.COLUMNS
        )
        with self._transaction() as db:
            db.execute(f"CREATE TABLE IF NOT EXISTS {q.TABLE} ({columns}) WITHOUT ROWID")
            for index, on in q.INDEXES.items():
                db.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {q.TABLE} ({on})")
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {q.TRACKING} "
                "(view_name TEXT PRIMARY KEY, position INTEGER NOT NULL)"
            )
            db.execute("INSERT OR IGNORE INTO projection_tracking VALUES (?, 0)", (self.name,))

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

    def position(self) -> int:
        """The notification id of the last event applied."""
        sql = "SELECT position FROM projection_tracking WHERE view_name = ?"
        with self._lock:
            record = self.connection.execute(sql, (self.name,)).fetchone()
        return int(record[0]) if record else 0

    def apply(self, batch: QueueBatch) -> None:
        """Move the position, then write the rows, in one transaction."""
        with self._transaction() as db:
            moved = db.execute(
                "UPDATE projection_tracking SET position = ? WHERE view_name = ? AND position < ?",
                (batch.position, self.name, batch.position),
            )
            if moved.rowcount != 1:
                raise StalePositionError(view=self.name, position=batch.position)
            db.executemany(
                "DELETE FROM dossier_queue WHERE dossier_id = ?",
                [(str(key),) for key in batch.deletes],
            )
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
        keys = [str(key) for key in dossier_ids]
        found: dict[UUID, QueueRow] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT * FROM dossier_queue WHERE dossier_id IN ({marks})"  # noqa: S608 (only ? marks)
            with self._lock:
                records = self.connection.execute(sql, chunk).fetchall()
            for record in records:
                row = decode(record)
                found[row.dossier_id] = row
        return found

    def count(self) -> int:
        """How many rows the view holds."""
        with self._lock:
            return int(self.connection.execute("SELECT count(*) FROM dossier_queue").fetchone()[0])

    def drop(self) -> None:
        """Drop the view's table and position, and start again empty at position 0."""
        with self._transaction() as db:
            db.execute("DROP TABLE IF EXISTS dossier_queue")
            db.execute("DELETE FROM projection_tracking WHERE view_name = ?", (self.name,))
        self._create()

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()
