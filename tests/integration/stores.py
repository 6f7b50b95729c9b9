"""Event stores for contract tests: memory, a SQLite file, and a throwaway PostgreSQL schema.

PostgreSQL is reached at ``MOTCUA_TEST_DATABASE_URL`` (default: the local
server, database ``postgres``). Every PostgreSQL test gets its own schema,
dropped afterwards. Under ``CI=true`` an unreachable server fails the test;
elsewhere it skips it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from adapters.eventstore.config import StoreConfig, StoreKind, library_env
from application.onestop import OneStop

BASE_URL = os.environ.get(
    "MOTCUA_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)

MakeApp = Callable[..., OneStop]


def require_postgres() -> None:
    """Fail under CI, skip elsewhere, when PostgreSQL cannot be reached."""
    try:
        with psycopg.connect(BASE_URL, connect_timeout=5):
            pass
    except psycopg.OperationalError as error:
        message = f"PostgreSQL is unreachable at {BASE_URL}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema, dropped with everything in it afterwards."""
    require_postgres()
    schema = f"motcua_test_{uuid.uuid4().hex[:12]}"
    try:
        yield schema
    finally:
        with psycopg.connect(BASE_URL, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )


@contextmanager
def store(kind: StoreKind, tmp_path: Path) -> Iterator[MakeApp]:
    """A factory of applications that all share one new, empty store of ``kind``."""
    apps: list[OneStop] = []
    shared: list[OneStop] = []

    def config(schema: str | None, cipher_key: str | None) -> StoreConfig:
        if kind is StoreKind.SQLITE:
            return StoreConfig(kind=kind, sqlite_path=tmp_path / "events.db", cipher_key=cipher_key)
        if kind is StoreKind.POSTGRES:
            url = f"{BASE_URL}?schema={schema}"
            return StoreConfig(kind=kind, database_url=url, cipher_key=cipher_key)
        return StoreConfig(kind=kind, cipher_key=cipher_key)

    @contextmanager
    def schema_if_needed() -> Iterator[str | None]:
        if kind is StoreKind.POSTGRES:
            with postgres_schema() as schema:
                yield schema
        else:
            yield None

    with schema_if_needed() as schema:

        def make(cipher_key: str | None = None) -> OneStop:
            # A memory store lives inside its application: "another" one is the same one.
            if kind is StoreKind.MEMORY and shared and cipher_key is None:
                return shared[0]
            app = OneStop(env=library_env(config(schema, cipher_key)))
            apps.append(app)
            if not shared:
                shared.append(app)
            return app

        try:
            yield make
        finally:
            for app in apps:
                app.close()
