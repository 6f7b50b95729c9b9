"""The PostgreSQL application recorder: one statement per save, the table still locked.

The library inserts a save's events in a pipelined transaction of five
statements: ``SET LOCAL lock_timeout``, ``LOCK TABLE … IN EXCLUSIVE MODE``,
``NOTIFY``, the insert, and the commit. The lock makes commits happen in
notification-id order, so a follower that reads "ids after the last one I
applied" never skips an event committed late under a lower id.

Its one-statement alternative (``POSTGRES_ENABLE_DB_FUNCTIONS``) calls a
PL/pgSQL function, which is about twice as cheap, but that function takes
no lock: two concurrent saves can commit out of id order, and a view could
miss an event for good. This recorder keeps the one statement and the lock:
its own function (``motcua_insert_events_<id type>``) sets the lock timeout,
locks the table, notifies and inserts. A connection of the library's pool is
in autocommit mode, so the statement is its own transaction and the lock is
held until its commit, exactly as in the library's five-statement path.

It is used through ``APPLICATION_RECORDER_TOPIC`` together with
``POSTGRES_ENABLE_DB_FUNCTIONS=y`` (``adapters.eventstore.config`` sets both).
Nothing about the stored rows changes: same table, same columns, same ids.
"""

from __future__ import annotations

from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.sql import SQL, Identifier


class LockingPostgresRecorder(PostgresApplicationRecorder):
    """The library's recorder, inserting through a function that locks the table first."""

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
