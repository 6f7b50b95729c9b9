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
its own function (``motcua_insert_events_arrays_<id type>``) sets the lock
timeout, locks the table, notifies and inserts. It takes the events as four
plain arrays (ids, versions, topics, states), which are cheaper to send than
the library's array of composite values. A connection of the library's pool is
in autocommit mode, so the statement is its own transaction and the lock is
held until its commit, exactly as in the library's five-statement path.

Reading. Every view reads the notification log in batches, live and when
rebuilt, and every command reads its aggregates' newest events, so
``select_notifications`` and ``select_events`` are the library's queries
with their rows read as tuples (the library builds a dict per row first),
and each statement is composed once rather than per call. The same rows come
back, in the same order, with the same filters.

It is used through ``APPLICATION_RECORDER_TOPIC`` together with
``POSTGRES_ENABLE_DB_FUNCTIONS=y`` (``adapters.eventstore.config`` sets both).
Nothing about the stored rows changes: same table, same columns, same ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, Notification, OperationalError, StoredEvent
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
        id_type = self.datastore.originator_id_type
        self.pg_function_name_insert_events = f"motcua_insert_events_arrays_{id_type}"
        schema = Identifier(self.datastore.schema)
        function = Identifier(self.pg_function_name_insert_events)
        self.sql_create_statements[self.create_insert_function_statement_index] = SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{fn}("
            "ids {id_type}[], versions bigint[], topics text[], states bytea[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ "
            "BEGIN "
            "SET LOCAL lock_timeout = '{lock_timeout}s'; "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "NOTIFY {channel}; "
            "RETURN QUERY INSERT INTO {schema}.{table} "
            "(originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(ids, versions, topics, states) "
            "RETURNING notification_id; "
            "END; $BODY$"
        ).format(
            schema=schema,
            fn=function,
            id_type=SQL(id_type),
            lock_timeout=self.datastore.lock_timeout,
            table=Identifier(self.events_table_name),
            channel=Identifier(self.channel_name),
        )
        self._statements: dict[str, bytes] = {}

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        **_: Any,  # noqa: ANN401 (the library's signature)
    ) -> Sequence[int] | None:
        """Save ``stored_events`` in one statement, the table locked: their notification ids."""
        columns: tuple[list[UUID | str], list[int], list[str], list[bytes]] = ([], [], [], [])
        for stored in stored_events:
            columns[0].append(stored.originator_id)
            columns[1].append(stored.originator_version)
            columns[2].append(stored.topic)
            columns[3].append(stored.state)
        template = "SELECT * FROM {schema}.{function}(%s, %s, %s, %s)"
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._statement(conn, "insert", template), columns, prepare=True)
            return [notification_id for (notification_id,) in curs.fetchall()]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """One aggregate's events, as the library's reader gives them."""
        params: list[object] = [originator_id]
        conditions = ["originator_id = %s"]
        if gt is not None:
            params.append(gt)
            conditions.append("originator_version > %s")
        if lte is not None:
            params.append(lte)
            conditions.append("originator_version <= %s")
        # Literal fragments only: every value is a parameter, every name an Identifier.
        template = " ".join(
            (
                "SELECT originator_id, originator_version, topic, state FROM {schema}.{table}",
                "WHERE",
                " AND ".join(conditions),
                "ORDER BY originator_version",
                "DESC" if desc else "ASC",
            )
        )
        if limit is not None:
            params.append(limit)
            template += " LIMIT %s"
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._statement(conn, template, template), params, prepare=True)
            return [
                StoredEvent(
                    originator_id=stored_id,
                    originator_version=version,
                    topic=topic,
                    state=bytes(state),
                )
                for stored_id, version, topic, state in curs.fetchall()
            ]

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
        params: list[object] = []
        conditions = []
        if start is not None:
            params.append(start)
            conditions.append(f"notification_id {'>=' if inclusive_of_start else '>'} %s")
        if stop is not None:
            params.append(stop)
            conditions.append("notification_id <= %s")
        if topics:
            params.append(list(topics))
            conditions.append("topic = ANY(%s)")
        params.append(limit)
        # Literal fragments only: every value is a parameter, every name an Identifier.
        template = " ".join(
            (
                "SELECT",
                NOTIFICATION_COLUMNS,
                "FROM {schema}.{table}",
                "WHERE" if conditions else "",
                " AND ".join(conditions),
                "ORDER BY notification_id LIMIT %s",
            )
        )
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._statement(conn, template, template), params)
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

    def _statement(self, conn: Connection[Any], key: str, template: str) -> bytes:
        """``template`` with this recorder's schema, table and function, composed once per key.

        The templates are this module's own text; only the names come from
        configuration, and they are quoted as identifiers.
        """
        statement = self._statements.get(key)
        if statement is None:
            statement = self._statements[key] = (
                SQL(template)
                .format(
                    schema=Identifier(self.datastore.schema),
                    table=Identifier(self.events_table_name),
                    function=Identifier(self.pg_function_name_insert_events),
                )
                .as_bytes(conn)
            )
        return statement
