"""Idempotency records in the event store's SQLite file, written with plain ``sqlite3``.

As for the views (``adapters/views/sqlite_base.py``): one connection per
object, shared by a server's threads one at a time under a lock, in
autocommit mode with explicit short ``BEGIN IMMEDIATE`` transactions. ``keep``
inserts with ``ON CONFLICT DO NOTHING`` and reads the stored row back in the
same write transaction, so of racing processes the first writer wins and
every one of them returns its response.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any

from adapters.sqlite_shared import SharedConnection
from application.idempotency import StoredResponse, utc

TABLE = "idempotency_records"
STAMP = "%Y-%m-%dT%H:%M:%S.%f+00:00"
"""Moments are stored as UTC text of fixed width, as the views store them: it sorts as time."""

CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (scope TEXT NOT NULL, key TEXT NOT NULL, "
    "fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body BLOB NOT NULL, "
    "headers TEXT NOT NULL, recorded_at TEXT NOT NULL, PRIMARY KEY (scope, key)) WITHOUT ROWID"
)
INDEX = f"CREATE INDEX IF NOT EXISTS {TABLE}_recorded_at ON {TABLE} (recorded_at)"
INSERT = (
    f"INSERT INTO {TABLE} (scope, key, fingerprint, status, body, headers, recorded_at) "  # noqa: S608 (constant)
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING"
)
SELECT = (
    f"SELECT fingerprint, status, body, headers, recorded_at FROM {TABLE} "  # noqa: S608 (constant)
    "WHERE scope = ? AND key = ?"
)
DELETE = f"DELETE FROM {TABLE} WHERE recorded_at < ?"  # noqa: S608 (constant)


def stamp(moment: datetime) -> str:
    """An aware moment as stored: UTC text."""
    return utc(moment).strftime(STAMP)


def decode(record: Any) -> StoredResponse:  # noqa: ANN401 (a stored row)
    """A stored row back as a response."""
    fingerprint, status, body, headers, recorded_at = record
    return StoredResponse(
        fingerprint=fingerprint,
        status=status,
        body=bytes(body),
        headers=json.loads(headers),
        recorded_at=datetime.fromisoformat(recorded_at),
    )


class SqliteIdempotencyRecords:
    """Khóa chống lặp in SQLite: a table in the same file as the event store."""

    def __init__(self, path: Path | str) -> None:
        self.shared = SharedConnection(path)
        self.connection = self.shared.connection
        self._lock = self.shared.lock
        with self._transaction() as db:
            db.execute(CREATE)
            db.execute(INDEX)

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return self.shared.transaction()

    def find(self, scope: str, key: str) -> StoredResponse | None:
        """The response kept under (scope, key), or ``None``."""
        with self._lock:
            record = self.connection.execute(SELECT, (scope, key)).fetchone()
        return None if record is None else decode(record)

    def keep(self, scope: str, key: str, response: StoredResponse) -> StoredResponse:
        """Keep ``response`` unless (scope, key) has one already; return the one kept."""
        headers = json.dumps(response.headers, ensure_ascii=False)
        row = (response.fingerprint, response.status, response.body, headers)
        with self._transaction() as db:
            db.execute(INSERT, (scope, key, *row, stamp(response.recorded_at)))
            record = db.execute(SELECT, (scope, key)).fetchone()
        return decode(record)

    def purge(self, before: datetime) -> int:
        """Delete the records recorded strictly before ``before``; return how many."""
        cutoff = stamp(before)
        with self._transaction() as db:
            return db.execute(DELETE, (cutoff,)).rowcount

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()
