"""What the SQLite and PostgreSQL lookup views share: tables, columns and value encoding.

Moments are kept in UTC and read back in Vietnam time. The public history
is one JSON text column (``[[moment, national code], ...]``): it is only
ever read whole, with its row. Rows are found by ``code`` (indexed, not
unique: a duplicate must never make an upsert replace another dossier's row).

An owner's list ("hồ sơ của tôi") reads two indexes, ``(submitter_digest,
submitted_at, dossier_id)`` and ``(applicant_digest, submitted_at,
dossier_id)``: one range per digest, newest first and past the cursor, each
cut at the page size, then merged (a dossier both digests match comes once)
and cut again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from adapters.views.queue_sql import local, utc
from application.lookup import HistoryEntry, LookupRow, OwnedQuery
from domain.dossier_status import Status
from domain.values import VIETNAM

TABLE = "dossier_lookup"
NAMES = "lookup_procedure"
TRACKING = "projection_tracking"
VIEW_NAME = "dossier_lookup"
INDEX = "ix_lookup_code"

COLUMNS = (
    "dossier_id",
    "procedure",
    "applicant",
    "status",
    "version",
    "history",
    "code",
    "secret_digest",
    "submitter_digest",
    "applicant_digest",
    "submitted_at",
    "received_at",
    "due_at",
    "rescheduled_due_at",
    "result_issued_at",
    "returned_at",
)
MOMENTS = (
    "received_at",
    "due_at",
    "rescheduled_due_at",
    "result_issued_at",
    "returned_at",
)
INDEXES = {
    INDEX: "code",
    "ix_lookup_submitter": "submitter_digest, submitted_at, dossier_id",
    "ix_lookup_applicant": "applicant_digest, submitted_at, dossier_id",
}
OWNED = (
    "SELECT l.*, n.name AS procedure_name FROM ({branches}) AS o "
    "JOIN {{table}} AS l ON l.dossier_id = o.dossier_id "
    "LEFT JOIN {{names}} AS n ON n.procedure = l.procedure "
    "ORDER BY l.submitted_at DESC, l.dossier_id DESC LIMIT {mark}"
)
"""An owner's page; ``{table}`` and ``{names}`` are left for the adapter to fill."""
BRANCH = (
    "SELECT dossier_id FROM (SELECT dossier_id FROM {{table}} WHERE {column} = {mark}{after} "
    "ORDER BY submitted_at DESC, dossier_id DESC LIMIT {mark}) AS s"
)
"""One digest's index range, newest first, cut at the page size."""


def owned(query: OwnedQuery, mark: str) -> tuple[str, list[Any]]:
    """The owner's page query (``mark`` is the driver's placeholder) and its parameters."""
    after, past = "", []
    if query.after is not None:
        submitted_at, dossier_id = query.after
        after = f" AND (submitted_at, dossier_id) < ({mark}, {mark})"
        past = [utc(submitted_at), dossier_id]
    digests = {
        "submitter_digest": query.submitter_digest,
        "applicant_digest": query.applicant_digest,
    }
    branches: list[str] = []
    params: list[Any] = []
    for column, digest in digests.items():
        if digest is not None:
            branches.append(BRANCH.format(column=column, mark=mark, after=after))
            params += [digest, *past, query.limit]
    text = OWNED.format(branches=" UNION ".join(branches), mark=mark)
    return text, [*params, query.limit]


def history_text(history: tuple[HistoryEntry, ...]) -> str:
    """The history as JSON, moments in UTC."""
    return json.dumps([[entry.at.astimezone(UTC).isoformat(), entry.code] for entry in history])


def history_of(text: str) -> tuple[HistoryEntry, ...]:
    """The history back from JSON, moments in Vietnam time."""
    return tuple(
        HistoryEntry(datetime.fromisoformat(moment).astimezone(VIETNAM), code)
        for moment, code in json.loads(text)
    )


def values(row: LookupRow) -> dict[str, Any]:
    """The row's column values, datetimes in UTC, before any driver encoding."""
    return {
        "dossier_id": row.dossier_id,
        "procedure": row.procedure,
        "applicant": row.applicant,
        "status": str(row.status),
        "version": row.version,
        "history": history_text(row.history),
        "code": row.code,
        "secret_digest": row.secret_digest,
        "submitter_digest": row.submitter_digest,
        "applicant_digest": row.applicant_digest,
        "submitted_at": row.submitted_at.astimezone(UTC),
        **{name: utc(getattr(row, name)) for name in MOMENTS},
    }


def decode(record: Mapping[str, Any], moment: Callable[[Any], datetime | None]) -> LookupRow:
    """A stored record back as a row; ``moment`` reads the driver's datetime values."""
    return LookupRow(
        dossier_id=UUID(str(record["dossier_id"])),
        procedure=record["procedure"],
        applicant=record["applicant"],
        status=Status(record["status"]),
        version=record["version"],
        history=history_of(record["history"]),
        submitter_digest=record["submitter_digest"],
        applicant_digest=record["applicant_digest"],
        submitted_at=_required(local(moment(record["submitted_at"]))),
        code=record["code"],
        secret_digest=record["secret_digest"],
        **{name: local(moment(record[name])) for name in MOMENTS},
    )


def _required(value: datetime | None) -> datetime:
    if value is None:
        raise ValueError("a lookup row without its submission time")
    return value
