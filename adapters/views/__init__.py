"""Read models (views) over the event store, one module per view and technology."""

from __future__ import annotations

import os
from collections.abc import Mapping

from adapters.eventstore.config import StoreConfig, StoreKind, library_env
from adapters.views.memory_queue import InMemoryQueueView
from adapters.views.postgres_queue import PostgresQueueView
from adapters.views.sqlite_queue import SqliteQueueView

QueueViewAdapter = InMemoryQueueView | SqliteQueueView | PostgresQueueView


def queue_view_from_env(env: Mapping[str, str]) -> QueueViewAdapter:
    """The queue view beside the event store an application was built with (its library env)."""
    module = env.get("PERSISTENCE_MODULE", "eventsourcing.popo")
    if module == "eventsourcing.sqlite":
        return SqliteQueueView(env["SQLITE_DBNAME"])
    if module == "eventsourcing.postgres":
        return PostgresQueueView(env)
    return InMemoryQueueView()


def queue_view_for(
    config: StoreConfig, environ: Mapping[str, str] = os.environ
) -> QueueViewAdapter:
    """The queue view in the same database (file, or PostgreSQL schema) as the event store."""
    if config.kind is StoreKind.MEMORY:
        return InMemoryQueueView()
    return queue_view_from_env({**environ, **library_env(config, environ)})
