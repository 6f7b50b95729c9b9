"""Idempotency records beside the event store: memory, a SQLite file, or a PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.idempotency.memory import InMemoryIdempotencyRecords
from adapters.idempotency.postgres import PostgresIdempotencyRecords
from adapters.idempotency.sqlite import SqliteIdempotencyRecords

IdempotencyRecordsAdapter = (
    InMemoryIdempotencyRecords | SqliteIdempotencyRecords | PostgresIdempotencyRecords
)


def idempotency_records_from_env(env: Mapping[str, str]) -> IdempotencyRecordsAdapter:
    """The records in the store an application was built with (its library env), as the views.

    ``eventsourcing.sqlite``: the event store's file (``SQLITE_DBNAME``);
    ``eventsourcing.postgres``: its database and schema (``POSTGRES_*``);
    anything else (the in-memory store): a new in-memory store of records.
    """
    module = env.get("PERSISTENCE_MODULE", "eventsourcing.popo")
    if module == "eventsourcing.sqlite":
        return SqliteIdempotencyRecords(env["SQLITE_DBNAME"])
    if module == "eventsourcing.postgres":
        return PostgresIdempotencyRecords(env)
    return InMemoryIdempotencyRecords()
