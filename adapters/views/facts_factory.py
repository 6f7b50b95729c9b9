"""The facts view (report 06a) beside the event store, chosen as the queue view is."""

from __future__ import annotations

import os
from collections.abc import Mapping

from adapters.eventstore.config import StoreConfig, StoreKind, library_env
from adapters.views.memory_facts import InMemoryFactsView
from adapters.views.postgres_facts import PostgresFactsView
from adapters.views.sqlite_facts import SqliteFactsView

FactsViewAdapter = InMemoryFactsView | SqliteFactsView | PostgresFactsView


def facts_view_from_env(env: Mapping[str, str]) -> FactsViewAdapter:
    """The facts view beside the event store an application was built with (its library env)."""
    module = env.get("PERSISTENCE_MODULE", "eventsourcing.popo")
    if module == "eventsourcing.sqlite":
        return SqliteFactsView(env["SQLITE_DBNAME"])
    if module == "eventsourcing.postgres":
        return PostgresFactsView(env)
    return InMemoryFactsView()


def facts_view_for(
    config: StoreConfig, environ: Mapping[str, str] = os.environ
) -> FactsViewAdapter:
    """The facts view in the same database (file, or PostgreSQL schema) as the event store."""
    if config.kind is StoreKind.MEMORY:
        return InMemoryFactsView()
    return facts_view_from_env({**environ, **library_env(config, environ)})
