"""What every SQLite view shares: one connection, its transactions, and the view's position.

A view lives in the event store's SQLite file, with its own connection,
shared by a server's threads one at a time. Its position (the last
notification applied) is a row of ``projection_tracking``; ``advancing``
moves it by compare-and-set as the first statement of the transaction that
writes the batch, so a batch applied before (or by another process) is
refused whole and each event takes effect exactly once.

A view knows its tables and their columns (``layout``). Opened over a file
whose stored view has another layout (an earlier release's), it drops its
tables and sets its position back to 0, so the next catch-up rebuilds it
from the log: a view is derived data, and a half-migrated one would be wrong.

A view's connection keeps up to ``CACHE_KIB`` of pages (SQLite's default is
2 MiB) and checkpoints the write-ahead log every ``AUTOCHECKPOINT_PAGES``
instead of 1,000. A view of a million events is hundreds of MiB, keyed by
random dossier ids, so each batch of a rebuild dirties a page or two per
dossier all over it: with the defaults, pages were read back from the file
over and over, and nearly every commit also ran a checkpoint. In WAL mode
(the event store's), a view's commits do not wait for the disk
(``synchronous = NORMAL``): a power cut may undo the last batches, but never
rows without their position, since both are in one transaction; the next
catch-up applies them again.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

import structlog

from adapters.sqlite_shared import SharedConnection
from application.errors import StalePositionError

log = structlog.get_logger()

TRACKING = "projection_tracking"
CACHE_KIB = 65_536
AUTOCHECKPOINT_PAGES = 10_000
STAMP = "%Y-%m-%dT%H:%M:%S.%f+00:00"
"""Moments are stored in UTC, in a form that sorts as text."""


def encode(value: Any) -> Any:  # noqa: ANN401 (any column value)
    """A Python value as SQLite stores it."""
    if isinstance(value, datetime):
        return value.strftime(STAMP)
    if isinstance(value, date | UUID):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value


def insert_sql(table: str, columns: Sequence[str], verb: str = "INSERT") -> str:
    """``INSERT`` (or ``verb``, such as ``INSERT OR REPLACE``) of every column of ``table``."""
    return f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def upsert_sql(table: str, columns: Sequence[str]) -> str:
    """``INSERT OR REPLACE`` of every column of ``table``."""
    return insert_sql(table, columns, "INSERT OR REPLACE")


class SqliteView(ABC):
    """A view's connection, transactions, position and life cycle; subclasses add tables."""

    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]
    """The view's tables, dropped by ``drop``; the first is its main one."""

    def __init__(self, path: Path | str) -> None:
        self.shared = SharedConnection(path, rows=True)
        self.connection = self.shared.connection
        self.connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self.connection.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
        (mode,) = self.connection.execute("PRAGMA journal_mode").fetchone()
        if str(mode).lower() == "wal":
            self.connection.execute("PRAGMA synchronous = NORMAL")
        self._lock = self.shared.lock
        self._create()

    def _create(self) -> None:
        with self._transaction() as db:
            self._retire_outdated(db)
            self._create_tables(db)
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {TRACKING} "
                "(view_name TEXT PRIMARY KEY, position INTEGER NOT NULL)"
            )
            db.execute(f"INSERT OR IGNORE INTO {TRACKING} VALUES (?, 0)", (self.name,))  # noqa: S608 (constant)

    @abstractmethod
    def _create_tables(self, db: sqlite3.Connection) -> None:
        """Create the view's tables and indexes if missing."""

    @abstractmethod
    def layout(self) -> Mapping[str, Sequence[str]]:
        """Each of the view's tables, with its columns in this release."""

    def _retire_outdated(self, db: sqlite3.Connection) -> None:
        """Drop a stored view whose tables or columns differ from ``layout``, and its position."""
        present = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if self.tables[0] not in present:
            return  # nothing stored yet
        if all(
            table in present and _columns(db, table) == set(columns)
            for table, columns in self.layout().items()
        ):
            return
        log.warning("view.layout_retired", view=self.name, store="sqlite")
        for table in self.tables:
            db.execute(f"DROP TABLE IF EXISTS {table}")
        if TRACKING in present:
            db.execute(f"DELETE FROM {TRACKING} WHERE view_name = ?", (self.name,))  # noqa: S608 (constant)

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return self.shared.transaction()

    @contextmanager
    def _advancing(self, position: int, start: int | None = None) -> Iterator[sqlite3.Connection]:
        """A transaction that first moves the position to ``position``, or refuses the batch.

        With ``start``, the view must stand exactly there (the batch was read from it);
        without, anywhere before ``position``.
        """
        with self._transaction() as db:
            moved = db.execute(
                f"UPDATE {TRACKING} SET position = ? "  # noqa: S608 (constant)
                "WHERE view_name = ? AND position < ? AND (? IS NULL OR position = ?)",
                (position, self.name, position, start, start),
            )
            if moved.rowcount != 1:
                raise StalePositionError(view=self.name, position=position)
            yield db

    @staticmethod
    def _create_keyed(
        db: sqlite3.Connection,
        table: str,
        columns: Iterable[str],
        indexes: Mapping[str, str],
        keys: Sequence[str] = ("dossier_id",),
    ) -> None:
        """Create ``table`` keyed by ``keys`` (no rowid), and its indexes, if missing."""
        listed = ", ".join(columns)
        key = ", ".join(keys)
        db.execute(
            f"CREATE TABLE IF NOT EXISTS {table} ({listed}, PRIMARY KEY ({key})) WITHOUT ROWID"
        )
        for index, on in indexes.items():
            db.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({on})")

    @staticmethod
    def _delete_dossiers(db: sqlite3.Connection, ids: Iterable[UUID], *tables: str) -> None:
        """Delete the rows of the dossiers ``ids`` from each of ``tables``."""
        keys = [(str(key),) for key in ids]
        for table in tables:
            db.executemany(f"DELETE FROM {table} WHERE dossier_id = ?", keys)  # noqa: S608 (constant)

    def _select(
        self, sql: str, params: list[object] | tuple[object, ...] = ()
    ) -> list[sqlite3.Row]:
        with self._lock:
            return self.connection.execute(sql, params).fetchall()

    def _records_of(self, table: str, ids: Iterable[UUID]) -> list[Any]:
        """The records (``sqlite3.Row``, read by name) of the dossiers ``ids`` in ``table``."""
        keys: list[object] = [str(key) for key in ids]
        records: list[Any] = []
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT * FROM {table} WHERE dossier_id IN ({marks})"  # noqa: S608 (constant table, ? marks)
            records += self._select(sql, chunk)
        return records

    def position(self) -> int:
        """The notification id of the last event applied."""
        records = self._select(f"SELECT position FROM {TRACKING} WHERE view_name = ?", [self.name])  # noqa: S608 (constant)
        return int(records[0][0]) if records else 0

    def drop(self) -> None:
        """Drop the view's tables and position, and start again empty at position 0."""
        with self._transaction() as db:
            for table in self.tables:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute(f"DELETE FROM {TRACKING} WHERE view_name = ?", (self.name,))  # noqa: S608 (constant)
        self._create()

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    """The names of ``table``'s stored columns."""
    return {record[1] for record in db.execute(f"PRAGMA table_info({table})")}
