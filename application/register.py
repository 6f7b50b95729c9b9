"""Sổ theo dõi hồ sơ (Mẫu 06) and Phiếu kiểm soát (Mẫu 05): rows, queries and their fold.

One projection keeps both. Per dossier it holds a ``RegisterEntry``: the
register row (one per received dossier; its receiving unit is on the row)
and the control-sheet rows, one per step occurrence, numbered in the order
steps ran (a step sent back runs again as a new occurrence).

The register is internal and may hold the applicant's name; nothing here
logs. A dossier's row exists from submission so that reception can fill it
in, but only received rows are listed; a dossier refused or withdrawn before
reception never enters the register and its entry is dropped.

A step occurrence starts when the aggregate starts it (reception, a
completed or returned step, a restarted clock) with the due time on that
event; a resumed clock (``ClockResumed`` not restarted) moves the open
step's due time to ``step_due_at``. ``StepCompleted``, ``StepReturned`` and
``ResultIssued`` end it; a restart or a closing ends it unjudged.

``fold`` is pure: one entry (or none) and one decoded event in, the new
entry (or none) out. Events of other aggregates leave the entry as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from attrs import evolve, frozen

from application.queue import DOSSIER_TOPICS
from domain.dossier import Dossier
from domain.dossier_status import Status
from domain.dossier_values import Delivery
from domain.time_limit import Timeliness

REGISTER_TOPICS = DOSSIER_TOPICS
"""Every dossier event: each one moves the row's version, most move nothing else."""

Cursor = tuple[datetime, str, UUID]
"""The last row's (received_at, code, dossier_id): the next page starts after it."""


class NoteKind(StrEnum):
    """What a register note records."""

    EXTENSION = "extension"  # gia hạn (Mẫu 04), with its reason
    SUPPLEMENT = "supplement"  # yêu cầu bổ sung (Mẫu 02), with its reason


@frozen
class Note:
    """Ghi chú: one line of the register's notes column."""

    at: datetime
    kind: NoteKind
    text: str


class StepEnd(StrEnum):
    """What ended a step occurrence."""

    COMPLETED = "completed"  # StepCompleted
    RETURNED = "returned"  # StepReturned: sent back to the previous step
    RESULT = "result"  # ResultIssued
    RESTARTED = "restarted"  # ClockResumed with a restarted clock: not judged
    CLOSED = "closed"  # stopped, withdrawn or refused: not judged


JUDGED = (StepEnd.COMPLETED, StepEnd.RETURNED, StepEnd.RESULT)


def minute(moment: datetime) -> datetime:
    """``moment`` in UTC, cut to the minute (Vietnam's offset is whole hours)."""
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def judge(ended_at: datetime, due_at: datetime) -> Timeliness:
    """Early, on time or late by the minute: ended before, within, or after the due minute."""
    ended, due = minute(ended_at), minute(due_at)
    if ended < due:
        return Timeliness.EARLY
    if ended == due:
        return Timeliness.ON_TIME
    return Timeliness.LATE


@frozen(kw_only=True)
class StepRow:
    """Một dòng phiếu kiểm soát: one occurrence of one step of one dossier."""

    dossier_id: UUID
    occurrence: int  # 0, 1, 2… in the order the dossier's steps ran
    step: int  # the step's index in the procedure's process
    started_at: datetime
    due_at: datetime | None = None  # shifted when a paused clock resumes
    ended_at: datetime | None = None
    ending: StepEnd | None = None
    outcome: str | None = None  # the outcome, the reason sent back, or the result number

    @property
    def timeliness(self) -> Timeliness | None:
        """Early, on time or late; ``None`` while open, without a due time, or not judged."""
        if self.ended_at is None or self.due_at is None or self.ending not in JUDGED:
            return None
        return judge(self.ended_at, self.due_at)


@frozen(kw_only=True)
class RegisterRow:
    """Một dòng sổ theo dõi: one dossier as the register shows it."""

    dossier_id: UUID
    procedure: str  # local procedure code (MATTHCDP)
    applicant: str  # the applicant's name: personal data, never logged
    receiving_unit: str
    competent_agency: str
    version: int  # the dossier version this row reflects
    code: str | None = None  # None until received
    received_at: datetime | None = None
    handovers: int = 0
    handover_by: str | None = None  # the last handover: who gave the dossier…
    handover_to: str | None = None  # …to which unit (or partner agency)…
    handover_at: datetime | None = None  # …and when
    appointment_at: datetime | None = None  # printed on the receipt (Mẫu 01), never moves
    due_at: datetime | None = None  # the appointment of the clock, after any resume
    rescheduled_due_at: datetime | None = None  # the Mẫu 04 appointment, if extended
    statutory_due_date: date | None = None
    result_issued_at: datetime | None = None
    returned_at: datetime | None = None
    returned_by: Delivery | None = None
    closed_at: datetime | None = None
    closing: Status | None = None  # stopped, withdrawn or rejected
    closing_reason: str | None = None
    notes: tuple[Note, ...] = ()

    @property
    def current_due_at(self) -> datetime | None:
        """The appointment held now: the later of the clock's and the rescheduled one."""
        if self.due_at is None or self.rescheduled_due_at is None:
            return self.due_at
        return max(self.due_at, self.rescheduled_due_at)

    @property
    def cursor(self) -> Cursor:
        """Where the next page starts when this row is the last of a page (received rows)."""
        if self.received_at is None or self.code is None:
            raise ValueError("only received rows are listed")
        return (self.received_at, self.code, self.dossier_id)


@frozen(kw_only=True)
class RegisterEntry:
    """What the projection keeps per dossier: the register row and its control-sheet rows."""

    row: RegisterRow
    steps: tuple[StepRow, ...] = ()


@frozen(kw_only=True)
class RegisterQuery:
    """One receiving unit's register between two reception dates (inclusive, Vietnam time)."""

    receiving_unit: str
    received_from: date
    received_to: date
    limit: int = 50
    after: Cursor | None = None


@frozen(kw_only=True)
class RegisterBatch:
    """What one transaction writes: final rows, changed steps, dropped dossiers, position."""

    position: int
    start: int | None = None  # the position the batch was built from: it applies only there
    rows: tuple[RegisterRow, ...] = ()
    steps: tuple[StepRow, ...] = ()
    deletes: tuple[UUID, ...] = ()


Change = Callable[[RegisterEntry, Any], RegisterEntry]

OPENING = (Dossier.SubmittedOnline, Dossier.SubmittedByPost, Dossier.SubmittedAtCounter)
CLOSING: dict[type[Dossier.Event], Status] = {
    Dossier.RejectedAtIntake: Status.REJECTED,
    Dossier.Stopped: Status.STOPPED,
    Dossier.Withdrawn: Status.WITHDRAWN,
}
RETURNS: dict[type[Dossier.Event], Delivery] = {
    Dossier.ReturnedAtCounter: Delivery.COUNTER,
    Dossier.ReturnedViaPost: Delivery.POSTAL,
    Dossier.ReturnedOnline: Delivery.ONLINE,
}


def _end(entry: RegisterEntry, at: datetime, ending: StepEnd, outcome: str) -> RegisterEntry:
    """End the open step occurrence, if one is open."""
    steps = entry.steps
    if not steps or steps[-1].ended_at is not None:
        return entry
    ended = evolve(steps[-1], ended_at=at, ending=ending, outcome=outcome)
    return evolve(entry, steps=(*steps[:-1], ended))


def _start(entry: RegisterEntry, step: int, at: datetime, due: datetime | None) -> RegisterEntry:
    """Open a new occurrence of ``step``."""
    row = StepRow(
        dossier_id=entry.row.dossier_id,
        occurrence=len(entry.steps),
        step=step,
        started_at=at,
        due_at=due,
    )
    return evolve(entry, steps=(*entry.steps, row))


def _row(entry: RegisterEntry, **changes: Any) -> RegisterEntry:  # noqa: ANN401 (row fields)
    return evolve(entry, row=evolve(entry.row, **changes))


def _note(entry: RegisterEntry, at: datetime, kind: NoteKind, text: str) -> RegisterEntry:
    return _row(entry, notes=(*entry.row.notes, Note(at, kind, text)))


def _received(entry: RegisterEntry, e: Dossier.Received) -> RegisterEntry:
    entry = _row(
        entry,
        code=str(e.code),
        received_at=e.at,
        appointment_at=e.due_at,
        due_at=e.due_at,
        statutory_due_date=e.statutory_due_date,
    )
    return _start(entry, 0, e.at, e.step_due_at) if e.step_due_at else entry


def _handover(entry: RegisterEntry, e: Dossier.Event, to: str) -> RegisterEntry:
    row = entry.row
    return _row(
        entry,
        handovers=row.handovers + 1,
        handover_by=e.actor.user_id,
        handover_to=to,
        handover_at=e.at,
    )


def _step_completed(entry: RegisterEntry, e: Dossier.StepCompleted) -> RegisterEntry:
    entry = _end(entry, e.at, StepEnd.COMPLETED, e.outcome)
    return _start(entry, e.step + 1, e.at, e.next_step_due_at) if e.next_step_due_at else entry


def _step_returned(entry: RegisterEntry, e: Dossier.StepReturned) -> RegisterEntry:
    return _start(_end(entry, e.at, StepEnd.RETURNED, e.reason), e.step - 1, e.at, e.step_due_at)


def _clock_resumed(entry: RegisterEntry, e: Dossier.ClockResumed) -> RegisterEntry:
    entry = _row(entry, due_at=e.due_at, statutory_due_date=e.statutory_due_date)
    if e.restarted:
        entry = _end(entry, e.at, StepEnd.RESTARTED, "clock restarted")
        return _start(entry, 0, e.at, e.step_due_at) if e.step_due_at else entry
    steps = entry.steps
    if not steps or steps[-1].ended_at is not None:
        return entry
    return evolve(entry, steps=(*steps[:-1], evolve(steps[-1], due_at=e.step_due_at)))


def _result_issued(entry: RegisterEntry, e: Dossier.ResultIssued) -> RegisterEntry:
    entry = _end(entry, e.at, StepEnd.RESULT, e.result_number)
    return _row(entry, result_issued_at=e.at)


def _returned(entry: RegisterEntry, e: Dossier.Event) -> RegisterEntry:
    return _row(entry, returned_at=e.at, returned_by=RETURNS[type(e)])


def _closed(entry: RegisterEntry, e: Dossier.Event) -> RegisterEntry:
    reason = str(e.reason)  # type: ignore[attr-defined]  # every closing event has one
    entry = _end(entry, e.at, StepEnd.CLOSED, reason)
    return _row(entry, closed_at=e.at, closing=CLOSING[type(e)], closing_reason=reason)


CHANGES: dict[type[Dossier.Event], Change] = {
    Dossier.Received: _received,
    Dossier.Assigned: lambda en, e: _handover(en, e, e.unit),
    Dossier.HandedToPartner: lambda en, e: _handover(en, e, str(e.partner)),
    Dossier.StepCompleted: _step_completed,
    Dossier.StepReturned: _step_returned,
    Dossier.SupplementRequested: lambda en, e: _note(en, e.at, NoteKind.SUPPLEMENT, e.reason),
    Dossier.Extended: lambda en, e: _note(
        _row(en, rescheduled_due_at=e.new_due_at), e.at, NoteKind.EXTENSION, e.reason
    ),
    Dossier.ClockResumed: _clock_resumed,
    Dossier.ResultIssued: _result_issued,
    **dict.fromkeys(RETURNS, _returned),
    **dict.fromkeys(CLOSING, _closed),
}


READS = frozenset(
    {
        "submission",
        "at",
        "actor",
        "code",
        "due_at",
        "statutory_due_date",
        "step",
        "step_due_at",
        "next_step_due_at",
        "unit",
        "partner",
        "outcome",
        "reason",
        "result_number",
        "restarted",
        "new_due_at",
    }
)
"""The event fields ``fold`` reads (besides ids and versions): a projector decodes only these."""


def _opened(event: Dossier.Event) -> RegisterEntry:
    submission = event.submission  # type: ignore[attr-defined]  # every opening event has one
    row = RegisterRow(
        dossier_id=event.originator_id,
        procedure=str(submission.procedure),
        applicant=submission.applicant.name,
        receiving_unit=str(submission.receiving_unit),
        competent_agency=str(submission.competent_agency),
        version=event.originator_version,
    )
    return RegisterEntry(row=row)


def fold(entry: RegisterEntry | None, event: object) -> RegisterEntry | None:
    """The entry after ``event``: ``None`` for a dossier closed before it was ever received."""
    if not isinstance(event, Dossier.Event):
        return entry
    if isinstance(event, OPENING):
        return _opened(event)
    if entry is None:
        return None
    if entry.row.received_at is None and isinstance(event, tuple(CLOSING)):
        return None
    change = CHANGES.get(type(event))
    changed = change(entry, event) if change else entry
    return _row(changed, version=event.originator_version)
