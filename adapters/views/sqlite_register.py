"""The register and control sheet in the event store's SQLite file, with plain ``sqlite3``.

Rows, steps, listings and the position are written in one ``BEGIN IMMEDIATE``
transaction. The position lives in ``projection_tracking`` under the view's
name and moves by compare-and-set, first thing in the transaction: a batch
that does not move it forward raises ``StalePositionError`` and the
transaction rolls back, so each event takes effect exactly once. Moments are
stored as UTC text of fixed width, so text order is time order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from adapters.views import register_sql as q
from adapters.views.sqlite_base import SqliteView, encode, insert_sql, upsert_sql
from application.errors import ViewRowExistsError
from application.register import (
    RegisterBatch,
    RegisterEntry,
    RegisterLine,
    RegisterQuery,
    RegisterRow,
    StepRow,
    Writes,
)

CHUNK = 500


UPSERT_ROW = upsert_sql(q.TABLE, q.COLUMNS)
UPSERT_STEP = upsert_sql(q.STEPS, q.STEP_COLUMNS)
UPSERT_LISTING = upsert_sql(q.LISTINGS, q.LISTING_COLUMNS)
INSERT_ROW = insert_sql(q.TABLE, q.COLUMNS)
INSERT_STEP = insert_sql(q.STEPS, q.STEP_COLUMNS)
INSERT_LISTING = insert_sql(q.LISTINGS, q.LISTING_COLUMNS)
PLAIN = (str, int, type(None))


def _cell(value: Any) -> Any:  # noqa: ANN401 (any column value)
    """``encode``'s value, a moment written faster: ISO form in UTC is the base's ``STAMP``."""
    if type(value) is datetime:
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return encode(value)


def record(values: dict[str, Any]) -> tuple[Any, ...]:
    """Column values as SQLite stores them, in column order (a rebuild writes many)."""
    return tuple([v if type(v) in PLAIN else _cell(v) for v in values.values()])


def _moment(value: datetime | None) -> str | None:
    return None if value is None else _cell(value)


def row_record(row: RegisterRow) -> tuple[Any, ...]:
    """``record(q.values(row))``, built straight from the row, in ``q.COLUMNS`` order."""
    due_date = row.statutory_due_date
    return (
        str(row.dossier_id),
        row.procedure,
        row.applicant,
        row.receiving_unit,
        row.competent_agency,
        row.code,
        _moment(row.received_at),
        q.dump_transfers(row.transfers),
        _moment(row.appointment_at),
        _moment(row.due_at),
        _moment(row.rescheduled_due_at),
        None if due_date is None else due_date.isoformat(),
        _moment(row.result_issued_at),
        _moment(row.returned_at),
        None if row.returned_by is None else row.returned_by.value,
        _moment(row.closed_at),
        None if row.closing is None else row.closing.value,
        row.closing_reason,
        q.dump_notes(row.notes),
    )


def step_record(step: StepRow) -> tuple[Any, ...]:
    """``record(q.step_values(step))``, built straight from the step: a rebuild writes millions."""
    return (
        str(step.dossier_id),
        step.occurrence,
        step.step,
        _cell(step.started_at),
        None if step.due_at is None else _cell(step.due_at),
        None if step.ended_at is None else _cell(step.ended_at),
        None if step.ending is None else step.ending.value,
        step.outcome,
    )


def _decoded(record: sqlite3.Row, moments: tuple[str, ...]) -> dict[str, Any]:
    fields = {name: record[name] for name in record.keys()}  # noqa: SIM118 (sqlite3.Row)
    fields |= {n: None if fields[n] is None else datetime.fromisoformat(fields[n]) for n in moments}
    return fields | {"dossier_id": UUID(fields["dossier_id"])}


def _row_fields(record: sqlite3.Row) -> dict[str, Any]:
    fields = _decoded(record, q.MOMENTS)
    return fields | {"statutory_due_date": q.day(fields["statutory_due_date"])}


def decode_row(record: sqlite3.Row) -> RegisterRow:
    """A stored register record back as a row."""
    return q.row_of(_row_fields(record))


def decode_line(record: sqlite3.Row) -> RegisterLine:
    """A listed record (a row with its agency and roles) back as a register line."""
    return q.line_of(_row_fields(record))


def decode_step(record: sqlite3.Row) -> StepRow:
    """A stored control-sheet record back as a step row."""
    return q.step_of(_decoded(record, q.STEP_MOMENTS))


class SqliteRegisterView(SqliteView):
    """Sổ theo dõi hồ sơ and phiếu kiểm soát in SQLite: the same file as the event store."""

    name = q.VIEW_NAME
    tables = (q.TABLE, q.STEPS, q.LISTINGS)

    def _create_tables(self, db: sqlite3.Connection) -> None:
        self._create_keyed(db, q.TABLE, q.COLUMNS, {})
        self._create_keyed(db, q.STEPS, q.STEP_COLUMNS, {}, ("dossier_id", "occurrence"))
        keys = ("dossier_id", "agency")
        self._create_keyed(db, q.LISTINGS, q.LISTING_COLUMNS, q.LISTING_INDEXES, keys)

    def layout(self) -> dict[str, tuple[str, ...]]:
        """The register, the control sheet and the listings, with their columns."""
        return {
            q.TABLE: tuple(q.COLUMNS),
            q.STEPS: tuple(q.STEP_COLUMNS),
            q.LISTINGS: tuple(q.LISTING_COLUMNS),
        }

    def _query(self, sql: str, params: Iterable[Any]) -> list[sqlite3.Row]:
        with self._lock:
            return self.connection.execute(sql, [encode(p) for p in params]).fetchall()

    def apply(self, batch: RegisterBatch) -> None:
        """Move the position, then write the rows, steps and listings, in one transaction."""
        inserted, replaced = batch.inserted, batch.replaced
        with self._advancing(batch.position, batch.start) as db:
            self._delete_dossiers(db, batch.deletes, q.TABLE, q.STEPS, q.LISTINGS)
            try:
                self._write(db, inserted, INSERT_ROW, INSERT_STEP, INSERT_LISTING)
            except sqlite3.IntegrityError:
                raise ViewRowExistsError(view=self.name) from None
            self._write(db, replaced, UPSERT_ROW, UPSERT_STEP, UPSERT_LISTING)

    @staticmethod
    def _write(db: sqlite3.Connection, writes: Writes, *statements: str) -> None:
        """The rows, steps and listings of ``writes``, by their statements in that order."""
        rows, steps, listings = statements
        db.executemany(rows, [row_record(r) for r in writes.rows])
        db.executemany(steps, [step_record(s) for s in writes.steps])
        db.executemany(listings, [record(q.listing_values(x)) for x in writes.listings])

    def entries(self, dossier_ids: Iterable[UUID]) -> dict[UUID, RegisterEntry]:
        """The stored entries (received or not) of those dossiers."""
        keys = [str(key) for key in dossier_ids]
        rows: dict[UUID, RegisterRow] = {}
        steps: dict[UUID, list[StepRow]] = {}
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            found = self._query(f"SELECT * FROM {q.TABLE} WHERE dossier_id IN ({marks})", chunk)  # noqa: S608 (only ? marks)
            rows.update((row.dossier_id, row) for row in map(decode_row, found))
            sql = f"SELECT * FROM {q.STEPS} WHERE dossier_id IN ({marks}) ORDER BY dossier_id, occurrence"  # noqa: S608, E501 (only ? marks)
            for step in map(decode_step, self._query(sql, chunk)):
                steps.setdefault(step.dossier_id, []).append(step)
        return {k: RegisterEntry(row=r, steps=tuple(steps.get(k, ()))) for k, r in rows.items()}

    def get(self, dossier_id: UUID) -> RegisterRow | None:
        """The dossier's row, if it was received."""
        sql = f"SELECT * FROM {q.TABLE} WHERE dossier_id = ? AND received_at IS NOT NULL"  # noqa: S608 (constant)
        records = self._query(sql, [dossier_id])
        return decode_row(records[0]) if records else None

    def steps(self, dossier_id: UUID) -> list[StepRow]:
        """The dossier's step occurrences in the order they ran."""
        sql = f"SELECT * FROM {q.STEPS} WHERE dossier_id = ? ORDER BY occurrence"  # noqa: S608 (constant)
        return [decode_step(record) for record in self._query(sql, [dossier_id])]

    def count(self) -> int:
        """How many received dossiers the register lists."""
        sql = f"SELECT count(*) FROM {q.TABLE} WHERE received_at IS NOT NULL"  # noqa: S608 (constant)
        return int(self._query(sql, [])[0][0])

    def list(self, query: RegisterQuery) -> list[RegisterLine]:
        """The agency's lines received in the range, after the cursor, one page."""
        clause, params = q.where(query, "?")
        sql = q.LISTED.format(listings=q.LISTINGS, rows=q.TABLE, where=clause, mark="?")
        return [decode_line(record) for record in self._query(sql, [*params, query.limit])]
