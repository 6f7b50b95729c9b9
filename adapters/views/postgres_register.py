"""The register and control sheet in the event store's PostgreSQL schema, with plain ``psycopg``.

Rows, steps, listings and the position are written in one transaction; the
position moves by compare-and-set on the view's ``projection_tracking`` row
first, so a stale batch raises ``StalePositionError`` and rolls back, and
racing projectors are serialised by the row lock. Codes sort with the "C"
collation, so the database orders them as Python does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from operator import attrgetter
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from adapters.views import register_sql as q
from adapters.views.postgres_base import PostgresView, column_list, index_statements
from application.errors import ViewRowExistsError
from application.register import (
    Listing,
    RegisterBatch,
    RegisterEntry,
    RegisterLine,
    RegisterQuery,
    RegisterRow,
    StepRow,
)

TYPES = {
    "dossier_id": "uuid PRIMARY KEY",
    "procedure": "text NOT NULL",
    "applicant": "text NOT NULL",
    "receiving_unit": "text NOT NULL",
    "competent_agency": "text NOT NULL",
    "code": 'text COLLATE "C"',
    "received_at": "timestamptz",
    "transfers": "text NOT NULL",
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
LISTING_TYPES = {
    "dossier_id": "uuid NOT NULL",
    "agency": "text NOT NULL",
    "roles": "text NOT NULL",
    "received_at": "timestamptz NOT NULL",
    "code": 'text COLLATE "C" NOT NULL',
}

STAGE = "_stage"
"""The suffix of a table's temporary twin, where ``_bulk_upsert`` copies records first."""

_ROW_CELLS = attrgetter(*TYPES)
_STEP_CELLS = attrgetter(*STEP_TYPES)
_LISTING_CELLS = attrgetter(*LISTING_TYPES)
_TRANSFERS, _NOTES, _RETURNED_BY, _CLOSING = map(
    list(TYPES).index, ("transfers", "notes", "returned_by", "closing")
)
_ENDING = list(STEP_TYPES).index("ending")
_ROLES = list(LISTING_TYPES).index("roles")


def row_cells(row: RegisterRow) -> list[Any]:
    """The row's values in ``TYPES`` order, as the driver dumps them (it takes any time zone)."""
    cells = list(_ROW_CELLS(row))
    cells[_TRANSFERS] = q.dump_transfers(row.transfers)
    cells[_NOTES] = q.dump_notes(row.notes)
    if row.returned_by is not None:
        cells[_RETURNED_BY] = str(row.returned_by)
    if row.closing is not None:
        cells[_CLOSING] = str(row.closing)
    return cells


def step_cells(step: StepRow) -> list[Any]:
    """The step's values in ``STEP_TYPES`` order."""
    cells = list(_STEP_CELLS(step))
    if step.ending is not None:
        cells[_ENDING] = str(step.ending)
    return cells


def listing_cells(listing: Listing) -> list[Any]:
    """The listing's values in ``LISTING_TYPES`` order, its roles comma-separated."""
    cells = list(_LISTING_CELLS(listing))
    cells[_ROLES] = ",".join(listing.roles)
    return cells


class PostgresRegisterView(PostgresView):
    """Sổ theo dõi hồ sơ and phiếu kiểm soát in PostgreSQL: the event store's schema."""

    name = q.VIEW_NAME
    tables = (q.TABLE, q.STEPS, q.LISTINGS)

    @property
    def steps_table(self) -> sql.Composed:
        """The control sheet's table."""
        return self.qualified(q.STEPS)

    @property
    def listings_table(self) -> sql.Composed:
        """The listings' table: one row per received dossier and agency involved."""
        return self.qualified(q.LISTINGS)

    def layout(self) -> dict[str, tuple[str, ...]]:
        """The register, the control sheet and the listings, with their columns."""
        return {q.TABLE: tuple(TYPES), q.STEPS: tuple(STEP_TYPES), q.LISTINGS: tuple(LISTING_TYPES)}

    def _create_statements(self) -> list[sql.Composed]:
        create = sql.SQL("CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({}))")
        return [
            sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(self.table, column_list(TYPES)),
            create.format(
                self.steps_table, column_list(STEP_TYPES), sql.SQL("dossier_id, occurrence")
            ),
            create.format(
                self.listings_table, column_list(LISTING_TYPES), sql.SQL("dossier_id, agency")
            ),
            *index_statements(self.listings_table, q.LISTING_INDEXES),
        ]

    def _select(self, statement: sql.Composed, params: Iterable[Any]) -> list[dict[str, Any]]:
        with self._lock, self.connection.transaction():
            return self.connection.execute(statement, list(params)).fetchall()

    def apply(self, batch: RegisterBatch) -> None:
        """Move the position, then write the rows, steps and listings, in one transaction.

        The first-seen dossiers' are copied straight into their tables; the others' replace
        what is stored, through ``_bulk_upsert``.
        """
        inserted, replaced = batch.inserted, batch.replaced
        with self._advancing(batch.position, batch.start):
            self._delete(batch.deletes, self.table, self.steps_table, self.listings_table)
            try:
                self._copy(self.table, TYPES, [row_cells(r) for r in inserted.rows])
                self._copy(self.steps_table, STEP_TYPES, [step_cells(s) for s in inserted.steps])
                listed = [listing_cells(x) for x in inserted.listings]
                self._copy(self.listings_table, LISTING_TYPES, listed)
            except psycopg.errors.UniqueViolation:
                raise ViewRowExistsError(view=self.name) from None
            rows = [row_cells(r) for r in replaced.rows]
            self._bulk_upsert(q.TABLE, TYPES, ("dossier_id",), rows)
            steps = [step_cells(s) for s in replaced.steps]
            self._bulk_upsert(q.STEPS, STEP_TYPES, ("dossier_id", "occurrence"), steps)
            listed = [listing_cells(x) for x in replaced.listings]
            self._bulk_upsert(q.LISTINGS, LISTING_TYPES, ("dossier_id", "agency"), listed)

    def _copy(
        self, table: sql.Composable, types: Mapping[str, str], records: list[list[Any]]
    ) -> None:
        """Copy ``records`` (values in ``types`` order) into ``table``, in binary.

        The driver's C code encodes each value as its column's type.
        """
        if not records:
            return
        columns = list(types)
        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            table, sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with self.connection.cursor().copy(statement) as copy:
            copy.set_types([types[name].split()[0] for name in columns])
            for record in records:
                copy.write_row(record)

    def _bulk_upsert(
        self,
        table: str,
        types: Mapping[str, str],
        keys: tuple[str, ...],
        records: list[list[Any]],
    ) -> None:
        """Insert ``records`` (values in ``types`` order), replacing those with the same ``keys``.

        The records are copied (``COPY … FORMAT BINARY``, encoded by the driver's C code) into
        a temporary table of the same columns, emptied at every commit, and one ``INSERT …
        SELECT … ON CONFLICT`` moves them: two statements per table and batch, and no value
        escaped as text. The keys in one batch are distinct (one row per dossier, one step
        per occurrence, one listing per agency), as ``ON CONFLICT`` needs.
        """
        if not records:
            return
        columns = list(types)
        target, stage = self.qualified(table), sql.Identifier(f"{table}{STAGE}")
        db = self.connection
        # Temporary tables are the session's and unlogged; one made in a transaction that
        # rolls back goes with it, so each batch makes sure of it (a catalogue lookup).
        db.execute(
            sql.SQL(
                "CREATE TEMPORARY TABLE IF NOT EXISTS {} (LIKE {}) ON COMMIT DELETE ROWS"
            ).format(stage, target)
        )
        self._copy(stage, types, records)
        rest = [sql.Identifier(name) for name in columns if name not in keys]
        db.execute(
            sql.SQL(
                "INSERT INTO {} ({}) SELECT {} FROM {} "
                "ON CONFLICT ({}) DO UPDATE SET ({}) = ROW({})"
            ).format(
                target,
                sql.SQL(", ").join(map(sql.Identifier, columns)),
                sql.SQL(", ").join(map(sql.Identifier, columns)),
                stage,
                sql.SQL(", ").join(map(sql.Identifier, keys)),
                sql.SQL(", ").join(rest),
                sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(name) for name in rest),
            )
        )

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

    def list(self, query: RegisterQuery) -> list[RegisterLine]:
        """The agency's lines received in the range, after the cursor, one page."""
        clause, params = q.where(query, "%s")
        statement = sql.SQL(q.LISTED).format(
            listings=self.listings_table,
            rows=self.table,
            where=sql.SQL(clause),
            mark=sql.Placeholder(),
        )
        records = self._select(statement, [*params, query.limit])
        return [q.line_of(record) for record in records]
