"""What the SQLite and PostgreSQL register views share: tables, columns, indexes, the query.

Three tables, one position: ``tracking_register`` (one row per dossier, the
unreceived ones included so that reception can fill them in), ``control_sheet``
(one row per step occurrence, keyed by dossier and occurrence) and
``register_agencies`` (one row per received dossier and agency involved in it:
its roles there, and the reception time and code copied, so that one agency's
register for a period is a range of the index ``(agency, received_at, code,
dossier_id)``, joined to the rows by dossier id). Moments are stored in UTC;
notes and hand-overs are JSON lists (written compact by orjson; rows written
by earlier releases with the json module's spacing read the same).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import orjson

from application.register import (
    AgencyRole,
    Handover,
    HandoverKind,
    Listing,
    Note,
    NoteKind,
    RegisterLine,
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
LISTINGS = "register_agencies"
TRACKING = "projection_tracking"
VIEW_NAME = "tracking_register"

COLUMNS = (
    "dossier_id",
    "procedure",
    "applicant",
    "receiving_unit",
    "competent_agency",
    "code",
    "received_at",
    "transfers",
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
LISTING_COLUMNS = ("dossier_id", "agency", "roles", "received_at", "code")
LISTING_INDEXES = {"ix_register_agency_received": "agency, received_at, code, dossier_id"}
LISTED = (
    "SELECT r.*, a.agency, a.roles FROM {listings} AS a "
    "JOIN {rows} AS r ON r.dossier_id = a.dossier_id{where} "
    "ORDER BY a.received_at, a.code, a.dossier_id LIMIT {mark}"
)
"""One agency's page: its listings in index order, each joined to its row."""


def utc(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC (``None`` stays ``None``)."""
    return None if moment is None else moment.astimezone(UTC)


def local(moment: datetime | None) -> datetime | None:
    """A stored moment back in Vietnam time."""
    return None if moment is None else moment.astimezone(VIETNAM)


def dump_notes(notes: tuple[Note, ...]) -> str:
    """The notes as a JSON list, moments in UTC ISO form."""
    if not notes:
        return "[]"
    return orjson.dumps(
        [{"at": _iso(n.at), "kind": n.kind.value, "text": n.text} for n in notes]
    ).decode()


def load_notes(text: str) -> tuple[Note, ...]:
    """The notes back from their JSON list."""
    return tuple(
        Note(datetime.fromisoformat(n["at"]).astimezone(VIETNAM), NoteKind(n["kind"]), n["text"])
        for n in orjson.loads(text)
    )


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(VIETNAM)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def dump_transfers(transfers: tuple[Handover, ...]) -> str:
    """The hand-overs as a JSON list, moments in UTC ISO form."""
    if not transfers:
        return "[]"
    return orjson.dumps(
        [
            {
                "at": _iso(t.at),
                "kind": t.kind.value,
                "by": t.by,
                "from": t.from_agency,
                "to": t.to_agency,
                "unit": t.unit,
                "due_at": _iso(t.due_at),
                "note": t.note,
            }
            for t in transfers
        ]
    ).decode()


def load_transfers(text: str) -> tuple[Handover, ...]:
    """The hand-overs back from their JSON list."""
    return tuple(
        Handover(
            at=datetime.fromisoformat(t["at"]).astimezone(VIETNAM),
            kind=HandoverKind(t["kind"]),
            by=t["by"],
            from_agency=t["from"],
            to_agency=t["to"],
            unit=t["unit"],
            due_at=_moment(t["due_at"]),
            note=t["note"],
        )
        for t in orjson.loads(text)
    )


def values(row: RegisterRow) -> dict[str, Any]:
    """The row's column values, moments in UTC, before any driver encoding."""
    fields = {name: getattr(row, name) for name in COLUMNS}
    fields |= {name: utc(fields[name]) for name in MOMENTS}
    return fields | {
        "returned_by": None if row.returned_by is None else str(row.returned_by),
        "closing": None if row.closing is None else str(row.closing),
        "notes": dump_notes(row.notes),
        "transfers": dump_transfers(row.transfers),
    }


def row_of(fields: dict[str, Any]) -> RegisterRow:
    """A row from its decoded column values (moments as aware datetimes, dates as dates)."""
    columns = {name: fields[name] for name in COLUMNS}
    columns |= {name: local(columns[name]) for name in MOMENTS}
    returned_by, closing = columns["returned_by"], columns["closing"]
    return RegisterRow(
        **columns
        | {
            "returned_by": None if returned_by is None else Delivery(returned_by),
            "closing": None if closing is None else Status(closing),
            "notes": load_notes(columns["notes"]),
            "transfers": load_transfers(columns["transfers"]),
        }
    )


def line_of(fields: dict[str, Any]) -> RegisterLine:
    """A register line from a listed record: the row's columns, the agency and its roles."""
    roles = tuple(AgencyRole(role) for role in fields["roles"].split(","))
    return RegisterLine(agency=fields["agency"], roles=roles, row=row_of(fields))


def listing_values(listing: Listing) -> dict[str, Any]:
    """The listing's column values, its roles comma-separated, the moment in UTC."""
    return {
        "dossier_id": listing.dossier_id,
        "agency": listing.agency,
        "roles": ",".join(listing.roles),
        "received_at": listing.received_at.astimezone(UTC),
        "code": listing.code,
    }


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
    """The WHERE clause on the listings ``a`` (names are constants; values are parameters)."""
    start, end = bounds(query)
    clause = f" WHERE a.agency = {mark} AND a.received_at >= {mark} AND a.received_at < {mark}"
    params: list[Any] = [query.agency, start, end]
    if query.after is not None:
        received_at, code, dossier_id = query.after
        clause += f" AND (a.received_at, a.code, a.dossier_id) > ({mark}, {mark}, {mark})"
        params.extend([received_at.astimezone(UTC), code, dossier_id])
    return clause, params


def day(value: date | str | None) -> date | None:
    """A stored date (SQLite keeps ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def key(value: UUID | str) -> UUID:
    """A stored dossier id (SQLite keeps text)."""
    return value if isinstance(value, UUID) else UUID(value)
