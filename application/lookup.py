"""Tra cứu hồ sơ (public lookup): the lookup view's rows, the citizen's answer, and its fold.

A citizen looks a dossier up by its code and lookup secret and sees its
status (DVCQG code and Vietnamese label), procedure, received date, current
appointment, returned date, the public history of status changes and the
applicant's masked name: no actor, no reason, no other personal data.

A row starts with the opening event, because only that event carries the
applicant and the procedure, but it has no code and cannot be found until
reception. A dossier closed before reception (refused at intake, withdrawn)
never gets a code, and its row goes. The view keeps only a SHA-256 of the
code and the secret, never the secret itself.

``fold`` is pure: one row (or none) and one decoded event in, the new row
(or none) out. ``procedure_name`` reads names off catalog events.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from attrs import evolve, frozen
from eventsourcing.utils import get_topic

from application.queue import DOSSIER_TOPICS
from domain.dossier import Dossier
from domain.dossier_status import Status
from domain.procedure import Procedure

VISIBLE_STARS = 3
"""A masked word shows at most this many stars, so long words do not reveal their length."""

LABELS: dict[int, str] = {status.national_code: status.label for status in Status}
"""The Vietnamese label of each DVCQG status code."""


def mask_name(name: str) -> str:
    """Each word's first letter, then one star per further letter, at most three ("N*** T** H**").

    The name is NFC-normalised first, so a letter with its diacritics ("Đ",
    "Ấ") counts once however the input was encoded.
    """
    words = unicodedata.normalize("NFC", name).split()
    return " ".join(word[0] + "*" * min(len(word) - 1, VISIBLE_STARS) for word in words)


def secret_digest(code: str, secret: str) -> str:
    """The SHA-256 (hex) of the code and the secret, as the view stores it."""
    return hashlib.sha256(f"{code}\x00{secret}".encode()).hexdigest()


def matching(candidates: Iterable[LookupRow], code: str, secret: str) -> LookupRow | None:
    """The candidate with ``code`` whose stored digest is that of ``secret`` (constant-time)."""
    wanted = secret_digest(code, secret)
    found: LookupRow | None = None
    for row in candidates:
        if row.code == code and hmac.compare_digest(row.secret_digest or "", wanted):
            found = row
    return found


@frozen
class HistoryEntry:
    """Một mốc: when the dossier's national status became ``code``."""

    at: datetime
    code: int

    @property
    def label(self) -> str:
        """The national label in Vietnamese."""
        return LABELS[self.code]


@frozen(kw_only=True)
class LookupRow:
    """One dossier as the lookup view keeps it; ``code`` is ``None`` until reception."""

    dossier_id: UUID
    procedure: str  # local procedure code (MATTHCDP)
    applicant: str  # masked already
    status: Status
    version: int
    history: tuple[HistoryEntry, ...]
    code: str | None = None
    secret_digest: str | None = None
    received_at: datetime | None = None
    due_at: datetime | None = None  # the appointment held now (the rescheduled one if later)
    rescheduled_due_at: datetime | None = None
    result_issued_at: datetime | None = None
    returned_at: datetime | None = None


@frozen(kw_only=True)
class ProcedureName:
    """A procedure's name as the catalog last published it."""

    procedure: str
    name: str


@frozen(kw_only=True)
class LookupAnswer:
    """What the citizen sees for a code and its secret."""

    code: str
    status_code: int
    status_label: str
    procedure: str
    procedure_name: str | None
    applicant: str
    received_at: datetime
    due_at: datetime | None
    returned_at: datetime | None
    history: tuple[HistoryEntry, ...]


def answer(row: LookupRow, procedure_name: str | None) -> LookupAnswer:
    """The citizen's answer from a received row."""
    if row.code is None or row.received_at is None:
        raise ValueError("only received dossiers can be looked up")
    return LookupAnswer(
        code=row.code,
        status_code=row.status.national_code,
        status_label=row.status.label,
        procedure=row.procedure,
        procedure_name=procedure_name,
        applicant=row.applicant,
        received_at=row.received_at,
        due_at=row.due_at,
        returned_at=row.returned_at,
        history=row.history,
    )


@frozen(kw_only=True)
class LookupBatch:
    """What one transaction writes: rows, removed dossiers, procedure names, the position."""

    position: int
    start: int | None = None  # the position the batch was built from: it applies only there
    upserts: tuple[LookupRow, ...] = ()
    deletes: tuple[UUID, ...] = ()
    procedures: tuple[ProcedureName, ...] = ()


OPENING: tuple[type[Dossier.Event], ...] = (
    Dossier.SubmittedOnline,
    Dossier.SubmittedByPost,
    Dossier.SubmittedAtCounter,
)
RETURNS: tuple[type[Dossier.Event], ...] = (
    Dossier.ReturnedAtCounter,
    Dossier.ReturnedViaPost,
    Dossier.ReturnedOnline,
)
NAMING: tuple[type[Procedure.Event], ...] = (Procedure.Published, Procedure.Amended)
LOOKUP_TOPICS: tuple[str, ...] = DOSSIER_TOPICS + tuple(get_topic(cls) for cls in NAMING)
"""Every dossier event, and the catalog events that name a procedure."""


Changes = dict[str, Any]
Change = Callable[[LookupRow, Any], Changes]
"""What an event changes in a row, as field values: the fold applies them all at once."""


def _paid(row: LookupRow, _: Dossier.Event) -> Changes:
    ready = row.result_issued_at is not None
    return {"status": Status.RESULT_READY if ready else Status.PROCESSING}


def _received(_: LookupRow, e: Dossier.Received) -> Changes:
    code = str(e.code)
    return {
        "status": Status.RECEIVED,
        "code": code,
        "secret_digest": secret_digest(code, e.lookup_secret),
        "received_at": e.at,
        "due_at": e.due_at,
    }


def _clock_resumed(row: LookupRow, e: Dossier.ClockResumed) -> Changes:
    return {"due_at": max(e.due_at, row.rescheduled_due_at or e.due_at)}


def _extended(row: LookupRow, e: Dossier.Extended) -> Changes:
    due = max(e.new_due_at, row.due_at or e.new_due_at)
    return {"rescheduled_due_at": e.new_due_at, "due_at": due}


def _returned(_: LookupRow, e: Dossier.Event) -> Changes:
    return {"status": Status.RETURNED, "returned_at": e.at}


def _status(status: Status) -> Change:
    """A change that only sets the status."""
    return lambda _, __: {"status": status}


CHANGES: dict[type[Dossier.Event], Change] = {
    Dossier.IntakeSupplementRequested: _status(Status.INTAKE_INCOMPLETE),
    Dossier.Resubmitted: _status(Status.SUBMITTED),
    Dossier.Received: _received,
    Dossier.Assigned: _status(Status.PROCESSING),
    Dossier.StepCompleted: _status(Status.PROCESSING),
    Dossier.SupplementRequested: _status(Status.SUPPLEMENT_REQUESTED),
    Dossier.Supplemented: _status(Status.PROCESSING),
    Dossier.PaymentRequested: _status(Status.AWAITING_PAYMENT),
    Dossier.PaidOnline: _paid,
    Dossier.PaidAtCounter: _paid,
    Dossier.ClockResumed: _clock_resumed,
    Dossier.Extended: _extended,
    Dossier.ResultIssued: lambda _, e: {"status": Status.RESULT_READY, "result_issued_at": e.at},
    **dict.fromkeys(RETURNS, _returned),
    Dossier.Stopped: _status(Status.STOPPED),
    Dossier.Withdrawn: _status(Status.WITHDRAWN),
}

READS = frozenset({"submission", "at", "code", "lookup_secret", "due_at", "new_due_at", "spec"})
"""The event fields ``fold`` and ``procedure_name`` read (besides ids and versions): a projector
decodes only these."""


def _opened(event: Dossier.Event) -> LookupRow:
    submission = event.submission  # type: ignore[attr-defined]  # every opening event has one
    return LookupRow(
        dossier_id=event.originator_id,
        procedure=str(submission.procedure),
        applicant=mask_name(submission.applicant.name),
        status=Status.SUBMITTED,
        version=event.originator_version,
        history=(HistoryEntry(event.at, Status.SUBMITTED.national_code),),
    )


def _noted(row: LookupRow, changes: Changes, at: datetime) -> Changes:
    """``changes``, with a history entry when they change the national status code."""
    code = changes.get("status", row.status).national_code
    if code == row.status.national_code:
        return changes
    return changes | {"history": (*row.history, HistoryEntry(at, code))}


def fold(row: LookupRow | None, event: object) -> LookupRow | None:
    """The row after ``event``: ``None`` when the dossier has no (or no longer a) row."""
    if not isinstance(event, Dossier.Event):
        return row
    if isinstance(event, OPENING):
        return _opened(event)
    if row is None:
        return None
    if row.code is None and isinstance(event, Dossier.RejectedAtIntake | Dossier.Withdrawn):
        return None  # closed before reception: it never had a code to look up
    change = CHANGES.get(type(event))
    changes = _noted(row, change(row, event), event.at) if change else {}
    return evolve(row, version=event.originator_version, **changes)


def procedure_name(event: object) -> ProcedureName | None:
    """The procedure's name from a catalog event that publishes one, else ``None``."""
    if not isinstance(event, NAMING):
        return None
    spec = event.spec  # type: ignore[attr-defined]  # both naming events carry the spec
    return ProcedureName(procedure=str(spec.local_code), name=spec.name)
