"""Idempotency records in the event store's PostgreSQL database and schema, with plain ``psycopg``.

Every POST with a key reads here once and writes once, so the records use a
small connection pool rather than one connection behind a lock, and each is
one autocommit statement. ``find`` is a SELECT. ``keep`` is one INSERT with
``ON CONFLICT DO NOTHING RETURNING`` the row: when it returns nothing, another
request kept that key first (a racing insert waits for the other to commit),
and a second statement, with a snapshot taken after that commit, reads the
winner's row. The pool's sessions commit without waiting for the disk
(``synchronous_commit off``): a record lost in a crash only means a retry is
answered by the domain, which applies each command id once anyway.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime

import psycopg
from psycopg import sql
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

from adapters.eventstore.config import schema_table, side_pool
from adapters.views.postgres_base import column_list, index_statements
from application.idempotency import StoredResponse, utc

TABLE = "idempotency_records"
POOL_SIZE = 4
TYPES = {
    "scope": "text NOT NULL",
    "key": "text NOT NULL",
    "fingerprint": "text NOT NULL",
    "status": "integer NOT NULL",
    "body": "bytea NOT NULL",
    "headers": "text NOT NULL",
    "recorded_at": "timestamptz NOT NULL",
}
FIELDS = ("fingerprint", "status", "body", "headers", "recorded_at")


def decode(record: DictRow) -> StoredResponse:
    """A stored row back as a response (the driver gives ``timestamptz`` as aware datetimes)."""
    return StoredResponse(
        fingerprint=record["fingerprint"],
        status=record["status"],
        body=bytes(record["body"]),
        headers=json.loads(record["headers"]),
        recorded_at=record["recorded_at"],
    )


class PostgresIdempotencyRecords:
    """Khóa chống lặp in PostgreSQL: a table in the event store's database and schema."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.table = schema_table(env, TABLE)
        self.pool: ConnectionPool[psycopg.Connection[DictRow]] = side_pool(
            env, POOL_SIZE, row_factory=dict_row
        )
        self._schema_name = env.get("POSTGRES_SCHEMA") or "public"
        # Composed once, sent as prepared statements: every keyed POST runs both.
        self._select = (
            sql.SQL("SELECT {} FROM {} WHERE scope = %s AND key = %s")
            .format(sql.SQL(", ").join(map(sql.Identifier, FIELDS)), self.table)
            .as_bytes(None)
        )
        self._insert = (
            sql.SQL(
                "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT (scope, key) DO NOTHING RETURNING 1"
            )
            .format(
                self.table,
                sql.SQL(", ").join(map(sql.Identifier, TYPES)),
                sql.SQL(", ").join(sql.Placeholder() * len(TYPES)),
            )
            .as_bytes(None)
        )
        self._create()

    def _create(self) -> None:
        """Create the table and its index if missing (if present, only the catalogue is read)."""
        with self.pool.connection() as db:
            found = db.execute(
                "SELECT to_regclass(%s) IS NOT NULL AS found", (f'"{self._schema_name}"."{TABLE}"',)
            ).fetchone()
        if found and found["found"]:
            return
        with self._transaction() as db:
            db.execute(
                sql.SQL("CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY (scope, key))").format(
                    self.table, column_list(TYPES)
                )
            )
            for statement in index_statements(self.table, {f"{TABLE}_recorded_at": "recorded_at"}):
                db.execute(statement)

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection[DictRow]]:
        with self.pool.connection() as db, db.transaction():
            yield db

    def find(self, scope: str, key: str) -> StoredResponse | None:
        """The response kept under (scope, key), or ``None``."""
        with self.pool.connection() as db:
            record = db.execute(self._select, (scope, key), prepare=True).fetchone()
        return None if record is None else decode(record)

    def keep(self, scope: str, key: str, response: StoredResponse) -> StoredResponse:
        """Keep ``response`` unless (scope, key) has one already; return the one kept."""
        headers = json.dumps(response.headers, ensure_ascii=False)
        row = (scope, key, response.fingerprint, response.status, response.body, headers)
        with self.pool.connection() as db:
            inserted = db.execute(self._insert, (*row, response.recorded_at), prepare=True)
            if inserted.fetchone() is not None:
                return response
            # Kept first by another request: its row, now committed.
            record = db.execute(self._select, (scope, key), prepare=True).fetchone()
        if record is None:  # pragma: no cover (the row was already there)
            raise LookupError(f"no idempotency record for {scope!r}, {key!r} after keeping one")
        return decode(record)

    def purge(self, before: datetime) -> int:
        """Delete the records recorded strictly before ``before``; return how many."""
        delete = sql.SQL("DELETE FROM {} WHERE recorded_at < %s").format(self.table)
        with self._transaction() as db:
            return db.execute(delete, (utc(before),)).rowcount

    def close(self) -> None:
        """Close the pool's connections."""
        self.pool.close()
