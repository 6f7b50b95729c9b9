"""The register view beside the event store, chosen as the queue view is."""

from __future__ import annotations

import os
from collections.abc import Mapping

from adapters.eventstore.config import StoreConfig, StoreKind, library_env
from adapters.views.memory_register import InMemoryRegisterView
from adapters.views.postgres_register import PostgresRegisterView
from adapters.views.sqlite_register import SqliteRegisterView

RegisterViewAdapter = InMemoryRegisterView | SqliteRegisterView | PostgresRegisterView


def register_view_from_env(env: Mapping[str, str]) -> RegisterViewAdapter:
    """The register view beside the event store an application was built with (its library env)."""
    module = env.get("PERSISTENCE_MODULE", "eventsourcing.popo")
    if module == "eventsourcing.sqlite":
        return SqliteRegisterView(env["SQLITE_DBNAME"])
    if module == "eventsourcing.postgres":
        return PostgresRegisterView(env)
    return InMemoryRegisterView()


def register_view_for(
    config: StoreConfig, environ: Mapping[str, str] = os.environ
) -> RegisterViewAdapter:
    """The register view in the same database (file, or PostgreSQL schema) as the event store."""
    if config.kind is StoreKind.MEMORY:
        return InMemoryRegisterView()
    return register_view_from_env({**environ, **library_env(config, environ)})
