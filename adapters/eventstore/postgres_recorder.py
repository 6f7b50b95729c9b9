"""The PostgreSQL application recorder: one statement per save, the table still locked.

Saving. The library inserts a save's events in a pipelined transaction of
five statements: ``SET LOCAL lock_timeout``, ``LOCK TABLE … IN EXCLUSIVE
MODE``, ``NOTIFY``, the insert, and the commit. The lock makes commits happen
in notification-id order, so a follower that reads "ids after the last one I
applied" never skips an event committed late under a lower id.

Its one-statement alternative (``POSTGRES_ENABLE_DB_FUNCTIONS``) calls a
PL/pgSQL function, which is about twice as cheap, but that function takes
no lock: two concurrent saves can commit out of id order, and a view could
miss an event for good. This recorder keeps the one statement and the lock:
its own function (``motcua_insert_events_<id type>``) sets the lock timeout,
locks the table, notifies and inserts. A connection of the library's pool is
in autocommit mode, so the statement is its own transaction and the lock is
held until its commit, exactly as in the library's five-statement path.

Reading the log. Every view reads the notification log in batches, live and
when rebuilt, so ``select_notifications`` is the library's query with its
rows read as tuples into ``Notification``s (the library builds a dict per
row first), and its statements are composed once rather than per call. The
same rows come back, in the same order, with the same filters.

It is used through ``APPLICATION_RECORDER_TOPIC`` together with
``POSTGRES_ENABLE_DB_FUNCTIONS=y`` (``adapters.eventstore.config`` sets both).
Nothing about the stored rows changes: same table, same columns, same ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, Notification, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Connection
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

NOTIFICATION_COLUMNS = "notification_id, originator_id, originator_version, topic, state"


class OneStopPostgresRecorder(PostgresApplicationRecorder):
    """The library's recorder, saving through a locking function and reading rows as tuples."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.pg_function_name_insert_events = (
            f"motcua_insert_events_{self.datastore.originator_id_type}"
        )
        schema = Identifier(self.datastore.schema)
        function = Identifier(self.pg_function_name_insert_events)
        self.sql_invoke_pg_function_insert_events = SQL("SELECT * FROM {schema}.{fn}((%s))").format(
            schema=schema, fn=function
        )
        self.sql_create_statements[self.create_insert_function_statement_index] = SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{fn}(events {schema}.{event}[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ "
            "BEGIN "
            "SET LOCAL lock_timeout = '{lock_timeout}s'; "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "NOTIFY {channel}; "
            "RETURN QUERY INSERT INTO {schema}.{table} "
            "(originator_id, originator_version, topic, state) "
            "SELECT originator_id, originator_version, topic, state FROM unnest(events) "
            "RETURNING notification_id; "
            "END; $BODY$"
        ).format(
            schema=schema,
            fn=function,
            event=Identifier(self.stored_event_type_name),
            lock_timeout=self.datastore.lock_timeout,
            table=Identifier(self.events_table_name),
            channel=Identifier(self.channel_name),
        )
        self._selects: dict[tuple[str, bool, bool], bytes] = {}

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """Up to ``limit`` notifications from ``start`` (to ``stop``), of ``topics`` if given."""
        after = "none" if start is None else (">=" if inclusive_of_start else ">")
        params: list[object] = [] if start is None else [start]
        if stop is not None:
            params.append(stop)
        if topics:
            params.append(list(topics))
        params.append(limit)
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._select(conn, after, stop is not None, bool(topics)), params)
            return [
                Notification(
                    id=notification_id,
                    originator_id=originator_id,
                    originator_version=originator_version,
                    topic=topic,
                    state=bytes(state),
                )
                for notification_id, originator_id, originator_version, topic, state in (
                    curs.fetchall()
                )
            ]

    def _select(
        self,
        conn: Connection[Any],
        after: str,
        bounded: bool,  # noqa: FBT001 (part of a cache key)
        filtered: bool,  # noqa: FBT001
    ) -> bytes:
        """The query for one shape of call, composed the first time it is asked for."""
        key = (after, bounded, filtered)
        statement = self._selects.get(key)
        if statement is None:
            conditions = [] if after == "none" else [f"notification_id {after} %s"]
            conditions += ["notification_id <= %s"] if bounded else []
            conditions += ["topic = ANY(%s)"] if filtered else []
            where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
            statement = self._selects[key] = (
                SQL(
                    "SELECT {columns} FROM {schema}.{table}{where} "
                    "ORDER BY notification_id LIMIT %s"
                )
                .format(
                    columns=SQL(NOTIFICATION_COLUMNS),
                    schema=Identifier(self.datastore.schema),
                    table=Identifier(self.events_table_name),
                    where=SQL(where),
                )
                .as_bytes(conn)
            )
        return statement
