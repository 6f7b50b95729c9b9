"""The register and control sheet in the event store's PostgreSQL schema, with plain ``psycopg``.

Rows, steps and the position are written in one transaction; the position
moves by compare-and-set on the view's ``projection_tracking`` row first, so
a stale batch raises ``StalePositionError`` and rolls back, and racing
projectors are serialised by the row lock. Codes sort with the "C"
collation, so the database orders them as Python does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from psycopg import sql

from adapters.views import register_sql as q
from adapters.views.postgres_base import PostgresView, column_list, index_statements
from application.register import RegisterBatch, RegisterEntry, RegisterQuery, RegisterRow, StepRow

TYPES = {
    "dossier_id": "uuid PRIMARY KEY",
    "procedure": "text NOT NULL",
    "applicant": "text NOT NULL",
    "receiving_unit": "text NOT NULL",
    "competent_agency": "text NOT NULL",
    "version": "integer NOT NULL",
    "code": 'text COLLATE "C"',
    "received_at": "timestamptz",
    "handovers": "integer NOT NULL",
    "handover_by": "text",
    "handover_to": "text",
    "handover_at": "timestamptz",
    "appointment_at": "timestamptz",
    "due_at": "timestamptz",
    "rescheduled_due_at": "timestamptz",
    "statutory_due_date": "date",
    "result_issued_at": "timestamptz",
    "returned_at": "timestamptz",
    "returned_by": "text",
    "closed_at": "timestamptz",
    "closing": "text",
    "closing_reason": "text",
    "notes": "text NOT NULL",
}
STEP_TYPES = {
    "dossier_id": "uuid NOT NULL",
    "occurrence": "integer NOT NULL",
    "step": "integer NOT NULL",
    "started_at": "timestamptz NOT NULL",
    "due_at": "timestamptz",
    "ended_at": "timestamptz",
    "ending": "text",
    "outcome": "text",
}


class PostgresRegisterView(PostgresView):
    """Sổ theo dõi hồ sơ and phiếu kiểm soát in PostgreSQL: the event store's schema."""

    name = q.VIEW_NAME
    tables = (q.TABLE, q.STEPS)

    @property
    def steps_table(self) -> sql.Composed:
        """The control sheet's table."""
        return self.qualified(q.STEPS)

    def _create_statements(self) -> list[sql.Composed]:
        return [
            sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(self.table, column_list(TYPES)),
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY (dossier_id, occurrence))"
            ).format(self.steps_table, column_list(STEP_TYPES)),
            *index_statements(self.table, q.INDEXES),
        ]

    def _select(self, statement: sql.Composed, params: Iterable[Any]) -> list[dict[str, Any]]:
        with self._lock, self.connection.transaction():
            return self.connection.execute(statement, list(params)).fetchall()

    def apply(self, batch: RegisterBatch) -> None:
        """Move the position, then write the rows and steps, in one transaction."""
        with self._advancing(batch.position, batch.start):
            self._delete(batch.deletes, self.table, self.steps_table)
            self._upsert(self.table, q.COLUMNS, ("dossier_id",), map(q.values, batch.rows))
            steps = map(q.step_values, batch.steps)
            self._upsert(self.steps_table, q.STEP_COLUMNS, ("dossier_id", "occurrence"), steps)

    def entries(self, dossier_ids: Iterable[UUID]) -> dict[UUID, RegisterEntry]:
        """The stored entries (received or not) of those dossiers."""
        keys = list(dossier_ids)
        found = self._select(
            sql.SQL("SELECT * FROM {} WHERE dossier_id = ANY(%s)").format(self.table), [keys]
        )
        steps: dict[UUID, list[StepRow]] = {}
        for record in self._select(
            sql.SQL("SELECT * FROM {} WHERE dossier_id = ANY(%s) ORDER BY occurrence").format(
                self.steps_table
            ),
            [keys],
        ):
            step = q.step_of(record)
            steps.setdefault(step.dossier_id, []).append(step)
        rows = {row.dossier_id: row for row in map(q.row_of, found)}
        return {k: RegisterEntry(row=r, steps=tuple(steps.get(k, ()))) for k, r in rows.items()}

    def get(self, dossier_id: UUID) -> RegisterRow | None:
        """The dossier's row, if it was received."""
        records = self._select(
            sql.SQL("SELECT * FROM {} WHERE dossier_id = %s AND received_at IS NOT NULL").format(
                self.table
            ),
            [dossier_id],
        )
        return q.row_of(records[0]) if records else None

    def steps(self, dossier_id: UUID) -> list[StepRow]:
        """The dossier's step occurrences in the order they ran."""
        records = self._select(
            sql.SQL("SELECT * FROM {} WHERE dossier_id = %s ORDER BY occurrence").format(
                self.steps_table
            ),
            [dossier_id],
        )
        return [q.step_of(record) for record in records]

    def count(self) -> int:
        """How many received dossiers the register lists."""
        records = self._select(
            sql.SQL("SELECT count(*) AS n FROM {} WHERE received_at IS NOT NULL").format(
                self.table
            ),
            [],
        )
        return int(records[0]["n"])

    def list(self, query: RegisterQuery) -> list[RegisterRow]:
        """The unit's received rows in the range, after the cursor, one page."""
        clause, params = q.where(query, "%s")
        statement = sql.SQL("SELECT * FROM {}{} ORDER BY received_at, code, dossier_id LIMIT %s")
        records = self._select(
            statement.format(self.table, sql.SQL(clause)), [*params, query.limit]
        )
        return [q.row_of(record) for record in records]
