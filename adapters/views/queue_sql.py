"""What the SQLite and PostgreSQL queue views share: columns, indexes and the query's SQL.

Rows sort on ``sort_due``: the appointment in UTC, or the far future for a
dossier not received yet, so every row has a key and one index serves the
sort and the cursor. ``running_due_date`` is the statutory due date while
the clock runs (NULL otherwise), so "overdue on D" is one indexed range.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from application.queue import QueueQuery, QueueRow
from domain.values import VIETNAM

TABLE = "dossier_queue"
TRACKING = "projection_tracking"
VIEW_NAME = "dossier_queue"
LAST = datetime.max.replace(tzinfo=UTC)
"""The sort time of rows without an appointment: after every real one."""

COLUMNS = (
    "dossier_id",
    "procedure",
    "channel",
    "receiving_unit",
    "competent_agency",
    "status",
    "version",
    "code",
    "handler",
    "step",
    "step_due_at",
    "due_at",
    "rescheduled_due_at",
    "statutory_due_date",
    "received_at",
    "result_issued_at",
    "paused",
    "national_code",
    "running_due_date",
    "sort_due",
)
ROW_FIELDS = COLUMNS[:-3]  # the row's own fields, in this order; the last three are derived

INDEXES = {
    "ix_queue_due": "sort_due, dossier_id",
    "ix_queue_receiving_unit": "receiving_unit, sort_due, dossier_id",
    "ix_queue_competent_agency": "competent_agency, sort_due, dossier_id",
    "ix_queue_handler": "handler, sort_due, dossier_id",
    "ix_queue_status": "status, sort_due, dossier_id",
    "ix_queue_running_due_date": "running_due_date",
}

EQUALS = ("receiving_unit", "competent_agency", "handler", "status", "procedure", "channel")


def utc(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC (``None`` stays ``None``); fails on anything but a datetime."""
    return None if moment is None else moment.astimezone(UTC)


def local(moment: datetime | None) -> datetime | None:
    """A stored moment back in Vietnam time."""
    return None if moment is None else moment.astimezone(VIETNAM)


def sort_due(due_at: datetime | None) -> datetime:
    """The sort time of a row or cursor."""
    return LAST if due_at is None else due_at.astimezone(UTC)


def values(row: QueueRow) -> dict[str, Any]:
    """The row's column values, datetimes in UTC, before any driver encoding."""
    return {
        "dossier_id": row.dossier_id,
        "procedure": row.procedure,
        "channel": str(row.channel),
        "receiving_unit": row.receiving_unit,
        "competent_agency": row.competent_agency,
        "status": str(row.status),
        "version": row.version,
        "code": row.code,
        "handler": row.handler,
        "step": row.step,
        "step_due_at": utc(row.step_due_at),
        "due_at": utc(row.due_at),
        "rescheduled_due_at": utc(row.rescheduled_due_at),
        "statutory_due_date": row.statutory_due_date,
        "received_at": utc(row.received_at),
        "result_issued_at": utc(row.result_issued_at),
        "paused": row.paused,
        "national_code": row.national_code,
        "running_due_date": row.running_due_date,
        "sort_due": sort_due(row.due_at),
    }


def where(query: QueueQuery, mark: str) -> tuple[str, list[Any]]:
    """The WHERE clause (column names are constants; values are parameters) and its values."""
    clauses: list[str] = []
    params: list[Any] = []
    for name in EQUALS:
        value = getattr(query, name)
        if value is not None:
            clauses.append(f"{name} = {mark}")
            params.append(str(value))
    if query.overdue_on is not None:
        clauses.append(f"running_due_date < {mark}")
        params.append(query.overdue_on)
    if query.due_by is not None:
        clauses.append(f"running_due_date IS NOT NULL AND sort_due <= {mark}")
        params.append(sort_due(query.due_by))
    if query.after is not None:
        due, dossier_id = query.after
        clauses.append(f"(sort_due, dossier_id) > ({mark}, {mark})")
        params.extend([sort_due(due), dossier_id])
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
