"""Tra cứu hồ sơ (public lookup): the lookup view's rows, answers, owners' lists and fold.

A citizen looks a dossier up by its code and lookup secret and sees its
status (DVCQG code and Vietnamese label), procedure, received date, current
appointment, returned date, the public history of status changes and the
applicant's masked name: no actor, no reason, no other personal data.

A row starts with the opening event, because only that event carries the
applicant and the procedure, but it has no code and cannot be found until
reception. A dossier closed before reception (refused at intake, withdrawn)
never gets a code: its row stays, with its final status, so that its owner
still sees it in their own list ("hồ sơ của tôi"), but nobody can look it
up. The view keeps only a SHA-256 of the code and the secret, never the
secret itself.

Hồ sơ của tôi (an applicant's own dossiers): each row also keeps the
SHA-256 of two owner keys, as ``access`` defines ownership: the user id that
submitted it (``Dossier.opened_by``) and the applicant's id number. An
applicant lists the rows whose digests match their token's subject or id
number, newest submission first; the view holds neither in clear. Only a
submission made as an applicant (online) gives its submitter a key: the
officer who takes a walk-in, or a system that relays a submission, acts for
the applicant and owns nothing, so a staff account's own list never fills
with the citizens it served (they find theirs by id number).

``fold`` is pure: one row (or none) and one decoded event in, the new row
(or none) out. ``procedure_name`` reads names off catalog events;
``owned_query`` turns a principal into the digests of their own list.
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

from application.access import VIEWS, AccessDeniedError, Principal, Scope
from application.queue import DOSSIER_TOPICS
from domain.dossier import Dossier
from domain.dossier_status import Status
from domain.dossier_values import Actor, Role
from domain.procedure import Procedure

VISIBLE_STARS = 3
"""A masked word shows at most this many stars, so long words do not reveal their length."""

LABELS: dict[int, str] = {status.national_code: status.label for status in Status}
"""The Vietnamese label of each DVCQG status code."""

SUBJECT, ID_NUMBER = "subject", "id"
"""The kinds of owner key, hashed apart: the submitter's user id, the applicant's id number."""
MY_DOSSIERS = "my_dossiers"
"""The access rule (``access.VIEWS``) of an applicant's own list."""


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


def owner_digest(kind: str, key: str) -> str:
    """The SHA-256 (hex) of an owner key: ``kind`` ("subject" or "id") separates the two."""
    return hashlib.sha256(f"{kind}\x00{key}".encode()).hexdigest()


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
    submitted_at: datetime  # the opening event's moment: owners list newest first by it
    submitter_digest: str | None  # owner_digest(SUBJECT, opened_by) if opened by an applicant
    applicant_digest: str  # owner_digest(ID_NUMBER, the applicant's id number)
    code: str | None = None
    secret_digest: str | None = None
    received_at: datetime | None = None
    due_at: datetime | None = None  # the appointment held now (the rescheduled one if later)
    rescheduled_due_at: datetime | None = None
    result_issued_at: datetime | None = None
    returned_at: datetime | None = None

    @property
    def cursor(self) -> Cursor:
        """Where the next page of its owner's list starts when this row ends a page."""
        return (self.submitted_at, self.dossier_id)


Cursor = tuple[datetime, UUID]
"""An owner's list position: the last row's (submitted_at, dossier_id), newest first."""


@frozen(kw_only=True)
class OwnedQuery:
    """One page of an owner's dossiers: rows whose submitter or applicant digest matches."""

    submitter_digest: str
    applicant_digest: str | None = None  # none when the token carries no id number
    limit: int = 50
    after: Cursor | None = None  # rows strictly older than this (submitted_at, dossier_id)

    def matches(self, row: LookupRow) -> bool:
        """Whether ``row`` is on this page's list: owned, and past the cursor."""
        owned = row.submitter_digest == self.submitter_digest or (
            self.applicant_digest is not None and row.applicant_digest == self.applicant_digest
        )
        return owned and (self.after is None or row.cursor < self.after)


@frozen(kw_only=True)
class OwnedDossier:
    """Một hồ sơ của tôi: an owner's row with its procedure's published name."""

    row: LookupRow
    procedure_name: str | None


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
    Dossier.RejectedAtIntake: _status(Status.REJECTED),
}

READS = frozenset(
    {"submission", "actor", "at", "code", "lookup_secret", "due_at", "new_due_at", "spec"}
)
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
        submitted_at=event.at,
        submitter_digest=_submitter(event.actor),
        applicant_digest=owner_digest(ID_NUMBER, submission.applicant.id_number),
    )


def _submitter(actor: Actor) -> str | None:
    """The digest of the user who submitted as the applicant; staff and systems own nothing."""
    return owner_digest(SUBJECT, actor.user_id) if actor.role is Role.APPLICANT else None


def _noted(row: LookupRow, changes: Changes, at: datetime) -> Changes:
    """``changes``, with a history entry when they change the national status code."""
    code = changes.get("status", row.status).national_code
    if code == row.status.national_code:
        return changes
    return changes | {"history": (*row.history, HistoryEntry(at, code))}


def fold(row: LookupRow | None, event: object) -> LookupRow | None:
    """The row after ``event``: ``None`` while the dossier has none (no opening event seen)."""
    if not isinstance(event, Dossier.Event):
        return row
    if isinstance(event, OPENING):
        return _opened(event)
    if row is None:
        return None
    change = CHANGES.get(type(event))
    changes = _noted(row, change(row, event), event.at) if change else {}
    return evolve(row, version=event.originator_version, **changes)


def owned_query(principal: Principal, *, limit: int, after: Cursor | None = None) -> OwnedQuery:
    """The page of ``principal``'s own dossiers to read; refused for any other role.

    Ownership is ``access``'s: the dossiers they submitted (as an applicant, see
    the module), and those whose applicant has their id number; the token's
    claims choose, never a parameter.
    """
    rule = VIEWS[MY_DOSSIERS]
    if not any(rule.get(role) is Scope.OWN for role in principal.roles):
        names = tuple(str(role) for role in rule)
        reason = f"needs one of the roles {', '.join(names)}"
        raise AccessDeniedError(action=MY_DOSSIERS, reason=reason, roles=names)
    id_number = principal.id_number
    return OwnedQuery(
        submitter_digest=owner_digest(SUBJECT, principal.subject),
        applicant_digest=None if id_number is None else owner_digest(ID_NUMBER, id_number),
        limit=limit,
        after=after,
    )


def procedure_name(event: object) -> ProcedureName | None:
    """The procedure's name from a catalog event that publishes one, else ``None``."""
    if not isinstance(event, NAMING):
        return None
    spec = event.spec  # type: ignore[attr-defined]  # both naming events carry the spec
    return ProcedureName(procedure=str(spec.local_code), name=spec.name)
