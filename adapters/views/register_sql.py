"""What the SQLite and PostgreSQL register views share: tables, columns, indexes, the query.

Two tables, one position: ``tracking_register`` (one row per dossier, the
unreceived ones included so that reception can fill them in; only rows with
a ``received_at`` are listed) and ``control_sheet`` (one row per step
occurrence, keyed by dossier and occurrence). Moments are stored in UTC;
notes are a JSON list.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from application.register import (
    Note,
    NoteKind,
    RegisterQuery,
    RegisterRow,
    StepEnd,
    StepRow,
)
from domain.dossier_status import Status
from domain.dossier_values import Delivery
from domain.values import VIETNAM

TABLE = "tracking_register"
STEPS = "control_sheet"
TRACKING = "projection_tracking"
VIEW_NAME = "tracking_register"

COLUMNS = (
    "dossier_id",
    "procedure",
    "applicant",
    "receiving_unit",
    "competent_agency",
    "version",
    "code",
    "received_at",
    "handovers",
    "handover_by",
    "handover_to",
    "handover_at",
    "appointment_at",
    "due_at",
    "rescheduled_due_at",
    "statutory_due_date",
    "result_issued_at",
    "returned_at",
    "returned_by",
    "closed_at",
    "closing",
    "closing_reason",
    "notes",
)
MOMENTS = (
    "received_at",
    "handover_at",
    "appointment_at",
    "due_at",
    "rescheduled_due_at",
    "result_issued_at",
    "returned_at",
    "closed_at",
)
STEP_COLUMNS = (
    "dossier_id",
    "occurrence",
    "step",
    "started_at",
    "due_at",
    "ended_at",
    "ending",
    "outcome",
)
STEP_MOMENTS = ("started_at", "due_at", "ended_at")
INDEXES = {"ix_register_unit_received": "receiving_unit, received_at, code, dossier_id"}


def utc(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC (``None`` stays ``None``)."""
    return None if moment is None else moment.astimezone(UTC)


def local(moment: datetime | None) -> datetime | None:
    """A stored moment back in Vietnam time."""
    return None if moment is None else moment.astimezone(VIETNAM)


def dump_notes(notes: tuple[Note, ...]) -> str:
    """The notes as a JSON list, moments in UTC ISO form."""
    return json.dumps(
        [
            {"at": n.at.astimezone(UTC).isoformat(), "kind": str(n.kind), "text": n.text}
            for n in notes
        ],
        ensure_ascii=False,
    )


def load_notes(text: str) -> tuple[Note, ...]:
    """The notes back from their JSON list."""
    return tuple(
        Note(datetime.fromisoformat(n["at"]).astimezone(VIETNAM), NoteKind(n["kind"]), n["text"])
        for n in json.loads(text)
    )


def values(row: RegisterRow) -> dict[str, Any]:
    """The row's column values, moments in UTC, before any driver encoding."""
    fields = {name: getattr(row, name) for name in COLUMNS}
    fields |= {name: utc(fields[name]) for name in MOMENTS}
    return fields | {
        "returned_by": None if row.returned_by is None else str(row.returned_by),
        "closing": None if row.closing is None else str(row.closing),
        "notes": dump_notes(row.notes),
    }


def row_of(fields: dict[str, Any]) -> RegisterRow:
    """A row from its decoded column values (moments as aware datetimes, dates as dates)."""
    fields = fields | {name: local(fields[name]) for name in MOMENTS}
    returned_by, closing = fields["returned_by"], fields["closing"]
    return RegisterRow(
        **fields
        | {
            "returned_by": None if returned_by is None else Delivery(returned_by),
            "closing": None if closing is None else Status(closing),
            "notes": load_notes(fields["notes"]),
        }
    )


def step_values(step: StepRow) -> dict[str, Any]:
    """The step's column values, moments in UTC."""
    fields = {name: getattr(step, name) for name in STEP_COLUMNS}
    fields |= {name: utc(fields[name]) for name in STEP_MOMENTS}
    return fields | {"ending": None if step.ending is None else str(step.ending)}


def step_of(fields: dict[str, Any]) -> StepRow:
    """A step row from its decoded column values."""
    fields = fields | {name: local(fields[name]) for name in STEP_MOMENTS}
    ending = fields["ending"]
    return StepRow(**fields | {"ending": None if ending is None else StepEnd(ending)})


def bounds(query: RegisterQuery) -> tuple[datetime, datetime]:
    """The reception range in UTC: from the first day's midnight to the day after the last."""
    start = datetime.combine(query.received_from, time(), VIETNAM)
    end = datetime.combine(query.received_to + timedelta(days=1), time(), VIETNAM)
    return start.astimezone(UTC), end.astimezone(UTC)


def where(query: RegisterQuery, mark: str) -> tuple[str, list[Any]]:
    """The WHERE clause (column names are constants; values are parameters) and its values."""
    start, end = bounds(query)
    clause = f" WHERE receiving_unit = {mark} AND received_at >= {mark} AND received_at < {mark}"
    params: list[Any] = [query.receiving_unit, start, end]
    if query.after is not None:
        received_at, code, dossier_id = query.after
        clause += f" AND (received_at, code, dossier_id) > ({mark}, {mark}, {mark})"
        params.extend([received_at.astimezone(UTC), code, dossier_id])
    return clause, params


def day(value: date | str | None) -> date | None:
    """A stored date (SQLite keeps ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def key(value: UUID | str) -> UUID:
    """A stored dossier id (SQLite keeps text)."""
    return value if isinstance(value, UUID) else UUID(value)
