"""The lookup view beside the event store, chosen as the queue view is."""

from __future__ import annotations

import os
from collections.abc import Mapping

from adapters.eventstore.config import StoreConfig, StoreKind, library_env
from adapters.views.memory_lookup import InMemoryLookupView
from adapters.views.postgres_lookup import PostgresLookupView
from adapters.views.sqlite_lookup import SqliteLookupView

LookupViewAdapter = InMemoryLookupView | SqliteLookupView | PostgresLookupView


def lookup_view_from_env(env: Mapping[str, str]) -> LookupViewAdapter:
    """The lookup view beside the event store an application was built with (its library env)."""
    module = env.get("PERSISTENCE_MODULE", "eventsourcing.popo")
    if module == "eventsourcing.sqlite":
        return SqliteLookupView(env["SQLITE_DBNAME"])
    if module == "eventsourcing.postgres":
        return PostgresLookupView(env)
    return InMemoryLookupView()


def lookup_view_for(
    config: StoreConfig, environ: Mapping[str, str] = os.environ
) -> LookupViewAdapter:
    """The lookup view in the same database (file, or PostgreSQL schema) as the event store."""
    if config.kind is StoreKind.MEMORY:
        return InMemoryLookupView()
    return lookup_view_from_env({**environ, **library_env(config, environ)})
