"""What every PostgreSQL view shares: its connection, transactions, and the view's position.

A view lives in the event store's database and schema, with one connection
shared by a server's threads in turn. Its position (the last notification
applied) is a row of ``projection_tracking``; ``advancing`` moves it by
compare-and-set as the first statement of the transaction that writes the
batch. The row lock serialises projectors racing on one view, and a batch
applied before is refused whole, so each event takes effect exactly once.

A view knows its tables and their columns (``layout``). Opened over a schema
whose stored view has another layout (an earlier release's), it drops its
tables and sets its position back to 0, under the same advisory lock as
creation, so the next catch-up rebuilds it from the log.

A view's commits do not wait for the disk (``synchronous_commit off``): a
server crash may undo the last batches, but never rows without their
position, since both are in one transaction, and the next catch-up applies
them again. The event store's own commits still wait.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar
from uuid import UUID

import psycopg
import structlog
from psycopg import sql
from psycopg.rows import DictRow, dict_row

from adapters.eventstore.config import conninfo
from application.errors import StalePositionError

log = structlog.get_logger()

TRACKING = "projection_tracking"


class PostgresView(ABC):
    """A view's connection, transactions, position and life cycle; subclasses add tables."""

    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]
    """The view's tables (the first is its main one, ``self.table``), dropped by ``drop``."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.schema_name = env.get("POSTGRES_SCHEMA") or "public"
        self.schema = sql.Identifier(self.schema_name)
        self.table = self.qualified(self.tables[0])
        self.tracking = self.qualified(TRACKING)
        self.connection: psycopg.Connection[DictRow] = psycopg.connect(
            conninfo(env), row_factory=dict_row, options="-c synchronous_commit=off"
        )
        self._lock = threading.RLock()
        self._create()

    def qualified(self, table: str) -> sql.Composed:
        """``table`` in the view's schema."""
        return sql.SQL("{}.{}").format(self.schema, sql.Identifier(table))

    def _create(self) -> None:
        """Create the tables and the position row, unless they are there already.

        Opening a view that exists only reads the catalogue, so API workers opening
        it never lock what a projector is writing. Creating takes an advisory lock,
        so two processes creating the same view at once wait for each other. A view
        whose tables changed in a new release takes them with ``motcua rebuild``.
        """
        if self._exists():
            return
        with self._transaction() as db:
            db.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                (f"motcua.view.{self.schema_name}.{self.name}",),
            )
            self._retire_outdated(db)
            for statement in self._create_statements():
                db.execute(statement)
            db.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} "
                    "(view_name text PRIMARY KEY, position bigint NOT NULL)"
                ).format(self.tracking)
            )
            db.execute(
                sql.SQL("INSERT INTO {} VALUES (%s, 0) ON CONFLICT DO NOTHING").format(
                    self.tracking
                ),
                (self.name,),
            )

    def _exists(self) -> bool:
        """Whether the view is there as this release lays it out, with its position row."""
        with self._transaction() as db:
            stored = self._stored_columns(db)
            if stored.get(TRACKING) is None or self._outdated(stored):
                return False
            row = db.execute(
                sql.SQL("SELECT 1 AS found FROM {} WHERE view_name = %s").format(self.tracking),
                (self.name,),
            ).fetchone()
        return row is not None

    @abstractmethod
    def layout(self) -> Mapping[str, Sequence[str]]:
        """Each of the view's tables, with its columns in this release."""

    def _stored_columns(self, db: psycopg.Connection[DictRow]) -> dict[str, set[str]]:
        """The stored columns of the view's tables and of the tracking table, by table."""
        records = db.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = ANY(%s)",
            (self.schema_name, [*self.tables, TRACKING]),
        ).fetchall()
        stored: dict[str, set[str]] = {}
        for record in records:
            stored.setdefault(record["table_name"], set()).add(record["column_name"])
        return stored

    def _outdated(self, stored: Mapping[str, set[str]]) -> bool:
        """Whether any table is missing or its columns differ from ``layout``."""
        return any(stored.get(table) != set(columns) for table, columns in self.layout().items())

    def _retire_outdated(self, db: psycopg.Connection[DictRow]) -> None:
        """Drop a stored view whose tables or columns differ from ``layout``, and its position."""
        stored = self._stored_columns(db)
        if self.tables[0] not in stored or not self._outdated(stored):
            return  # nothing stored yet, or stored as this release lays it out
        log.warning("view.layout_retired", view=self.name, store="postgres")
        tables = sql.SQL(", ").join(self.qualified(table) for table in self.tables)
        db.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(tables))
        if TRACKING in stored:
            db.execute(
                sql.SQL("DELETE FROM {} WHERE view_name = %s").format(self.tracking), (self.name,)
            )

    @abstractmethod
    def _create_statements(self) -> list[sql.Composed]:
        """The view's CREATE TABLE and CREATE INDEX statements (IF NOT EXISTS)."""

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection[DictRow]]:
        with self._lock, self.connection.transaction():
            yield self.connection

    @contextmanager
    def _advancing(
        self, position: int, start: int | None = None
    ) -> Iterator[psycopg.Connection[DictRow]]:
        """A transaction that first moves the position to ``position``, or refuses the batch.

        With ``start``, the view must stand exactly there (the batch was read from it);
        without, anywhere before ``position``.
        """
        with self._transaction() as db:
            moved = db.execute(
                sql.SQL(
                    "UPDATE {} SET position = %s WHERE view_name = %s AND position < %s "
                    "AND (%s::bigint IS NULL OR position = %s)"
                ).format(self.tracking),
                (position, self.name, position, start, start),
            )
            if moved.rowcount != 1:
                raise StalePositionError(view=self.name, position=position)
            yield db

    def _delete(self, ids: Iterable[UUID], *tables: sql.Composed) -> None:
        """Delete the dossiers ``ids`` from ``tables`` (default: the main one)."""
        keys = list(ids)
        if keys:
            for table in tables or (self.table,):
                self.connection.execute(
                    sql.SQL("DELETE FROM {} WHERE dossier_id = ANY(%s)").format(table), (keys,)
                )

    def _upsert(
        self,
        table: sql.Composed,
        columns: tuple[str, ...],
        keys: tuple[str, ...],
        rows: Iterable[Mapping[str, Any]],
    ) -> None:
        """Insert ``rows`` (by column name), replacing those with the same ``keys``."""
        records = list(rows)
        if not records:
            return
        names = [sql.Identifier(name) for name in columns]
        rest = [sql.Identifier(name) for name in columns if name not in keys]
        statement = sql.SQL(
            "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET ({}) = ROW({})"
        ).format(
            table,
            sql.SQL(", ").join(names),
            sql.SQL(", ").join(sql.Placeholder(name) for name in columns),
            sql.SQL(", ").join(sql.Identifier(name) for name in keys),
            sql.SQL(", ").join(rest),
            sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(n) for n in rest),
        )
        with self.connection.cursor() as cursor:
            cursor.executemany(statement, records)

    def _records_of(self, ids: Iterable[UUID]) -> list[DictRow]:
        """The main table's records of the dossiers ``ids``."""
        with self._transaction() as db:
            return db.execute(
                sql.SQL("SELECT * FROM {} WHERE dossier_id = ANY(%s)").format(self.table),
                (list(ids),),
            ).fetchall()

    def position(self) -> int:
        """The notification id of the last event applied."""
        with self._transaction() as db:
            record = db.execute(
                sql.SQL("SELECT position FROM {} WHERE view_name = %s").format(self.tracking),
                (self.name,),
            ).fetchone()
        return int(record["position"]) if record else 0

    def drop(self) -> None:
        """Drop the view's tables and position, and start again empty at position 0."""
        with self._transaction() as db:
            for table in self.tables:
                db.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self.qualified(table)))
            db.execute(
                sql.SQL("DELETE FROM {} WHERE view_name = %s").format(self.tracking), (self.name,)
            )
        self._create()

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def column_list(types: Mapping[str, str]) -> sql.Composed:
    """``name type, ...`` for a CREATE TABLE."""
    return sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind)) for name, kind in types.items()
    )


def index_statements(table: sql.Composed, indexes: Mapping[str, str]) -> list[sql.Composed]:
    """One CREATE INDEX IF NOT EXISTS per ``name: columns``."""
    return [
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} ({})").format(
            sql.Identifier(index), table, sql.SQL(on)
        )
        for index, on in indexes.items()
    ]
