"""What the SQLite and PostgreSQL lookup views share: tables, columns and value encoding.

Moments are kept in UTC and read back in Vietnam time. The public history
is one JSON text column (``[[moment, national code], ...]``): it is only
ever read whole, with its row. Rows are found by ``code`` (indexed, not
unique: a duplicate must never make an upsert replace another dossier's row).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from adapters.views.queue_sql import local, utc
from application.lookup import HistoryEntry, LookupRow
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
    "received_at",
    "due_at",
    "rescheduled_due_at",
    "result_issued_at",
    "returned_at",
)
MOMENTS = ("received_at", "due_at", "rescheduled_due_at", "result_issued_at", "returned_at")


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
        code=record["code"],
        secret_digest=record["secret_digest"],
        **{name: local(moment(record[name])) for name in MOMENTS},
    )
