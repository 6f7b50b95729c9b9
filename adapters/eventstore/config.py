"""The eventsourcing library's environment for each kind of store, and the optional cipher."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg
from attrs import frozen
from eventsourcing.utils import get_topic
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg_pool import ConnectionPool

from adapters.eventstore.postgres_recorder import OneStopPostgresRecorder

CIPHER_KEY_BYTES = (16, 24, 32)


class StoreKind(StrEnum):
    """Which event store the system writes to."""

    MEMORY = "memory"
    SQLITE = "sqlite"
    POSTGRES = "postgres"


class StoreConfigError(ValueError):
    """The store cannot be configured as the environment says; the message says why."""


@frozen(kw_only=True)
class StoreConfig:
    """Everything needed to open the event store."""

    kind: StoreKind
    sqlite_path: Path | None = None
    database_url: str | None = None
    cipher_key: str | None = None


def library_env(config: StoreConfig, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The environment the eventsourcing Application is constructed with."""
    env = _persistence(config, environ)
    if config.cipher_key:
        check_cipher_key(config.cipher_key)
        env |= {"CIPHER_TOPIC": "eventsourcing.cipher:AESCipher", "CIPHER_KEY": config.cipher_key}
    return env


def _persistence(config: StoreConfig, environ: Mapping[str, str]) -> dict[str, str]:
    if config.kind is StoreKind.MEMORY:
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if config.kind is StoreKind.SQLITE:
        path = config.sqlite_path or Path("var/motcua.db")
        path.parent.mkdir(parents=True, exist_ok=True)
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        # One statement per save, the events table still locked until commit.
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
        "APPLICATION_RECORDER_TOPIC": get_topic(OneStopPostgresRecorder),
    }
    if config.database_url:
        env |= postgres_env(config.database_url)
    elif "POSTGRES_DBNAME" not in environ:
        raise StoreConfigError("PostgreSQL needs MOTCUA_DATABASE_URL or POSTGRES_DBNAME")
    ensure_schema({**environ, **env})
    return env


def postgres_env(url: str) -> dict[str, str]:
    """The library's POSTGRES_* variables from ``postgresql://user:pass@host:port/db?schema=s``."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres") or not parts.path.strip("/"):
        raise StoreConfigError(
            "MOTCUA_DATABASE_URL must look like postgresql://user@host:5432/dbname"
        )
    env = {
        "POSTGRES_DBNAME": unquote(parts.path.strip("/")),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
    }
    schema = parse_qs(parts.query).get("schema")
    if schema:
        env["POSTGRES_SCHEMA"] = schema[0]
    return env


def ensure_schema(env: Mapping[str, str]) -> None:
    """Create the configured PostgreSQL schema if it does not exist (tables come later)."""
    schema = env.get("POSTGRES_SCHEMA")
    if not schema or schema == "public":
        return
    with psycopg.connect(conninfo(env), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def conninfo(env: Mapping[str, str]) -> str:
    """A libpq connection string from the library's POSTGRES_* variables."""
    return make_conninfo(
        dbname=env["POSTGRES_DBNAME"],
        host=env.get("POSTGRES_HOST", "127.0.0.1"),
        port=env.get("POSTGRES_PORT", "5432"),
        user=env.get("POSTGRES_USER", "postgres"),
        password=env.get("POSTGRES_PASSWORD", ""),
        connect_timeout=env.get("POSTGRES_CONNECT_TIMEOUT", "10"),
    )


def schema_table(env: Mapping[str, str], name: str) -> sql.Composed:
    """The table ``name`` in the configured schema (``public`` when none is set)."""
    return sql.SQL("{}.{}").format(
        sql.Identifier(env.get("POSTGRES_SCHEMA") or "public"), sql.Identifier(name)
    )


def side_pool(env: Mapping[str, str], max_size: int, **kwargs: object) -> ConnectionPool[Any]:
    """A small pool beside the event store, for records a crash may lose without harm.

    Its sessions are in autocommit mode and commit without waiting for the disk
    (``synchronous_commit off``); ``kwargs`` go to each connection (a row factory).
    """
    return ConnectionPool(
        conninfo(env),
        min_size=1,
        max_size=max_size,
        kwargs={"autocommit": True, "options": "-c synchronous_commit=off", **kwargs},
        open=True,
    )


def check_cipher_key(key: str) -> None:
    """An AES key is 16, 24 or 32 random bytes, base64-encoded."""
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raise StoreConfigError("MOTCUA_CIPHER_KEY is not base64") from None
    if len(raw) not in CIPHER_KEY_BYTES:
        raise StoreConfigError(
            f"MOTCUA_CIPHER_KEY must decode to 16, 24 or 32 bytes (it has {len(raw)})"
        )


def new_cipher_key() -> str:
    """A new random 256-bit AES key, base64-encoded."""
    return base64.b64encode(os.urandom(32)).decode("ascii")
