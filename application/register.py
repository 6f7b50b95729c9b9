"""Sổ theo dõi hồ sơ (Mẫu 06) and Phiếu kiểm soát (Mẫu 05): rows, queries and their fold.

One projection keeps both. Per dossier it holds a ``RegisterEntry``: the
register row and the control-sheet rows, one per step occurrence, numbered in
the order steps ran (a step sent back runs again as a new occurrence).

Each agency keeps its own register (Mẫu 06): a received dossier is listed once
in the register of every agency involved in it, with the agency's roles: the
receiving unit, the competent agency, and each partner agency a step was
handed to (liên thông). A ``Listing`` is that place; ``RegisterLine`` is the
row as that agency reads it, with the hand-overs to and from it. Listings only
grow: the receiving unit and the competent agency are the submission's, a
partner stays involved once handed a step, and reception happens once.

The register is internal and may hold the applicant's name; nothing here
logs. A dossier's row exists from submission so that reception can fill it
in, but only received rows are listed; a dossier refused or withdrawn before
reception never enters the register and its entry is dropped.

A step occurrence starts when the aggregate starts it (reception, a
completed or returned step, a restarted clock) with the due time on that
event; a resumed clock (``ClockResumed`` not restarted) moves the open
step's due time to ``step_due_at``. ``StepCompleted``, ``StepReturned`` and
``ResultIssued`` end it; a restart or a closing ends it unjudged.

``fold`` is pure: one entry (or none) and one decoded event in, the new entry
(or none) out; ``fold_all`` is the same over several events of one dossier,
and builds the row once at the end (the projector's way). Events of other
aggregates leave the entry as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from attrs import evolve, fields, frozen

from application.queue import DOSSIER_TOPICS
from domain.dossier import Dossier
from domain.dossier_status import Status
from domain.dossier_values import Actor, Delivery
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


class AgencyRole(StrEnum):
    """Vai trò: why a dossier is in an agency's register."""

    RECEIVING = "receiving"  # nơi tiếp nhận
    COMPETENT = "competent"  # cơ quan có thẩm quyền
    PARTNER = "partner"  # cơ quan phối hợp (liên thông): a step was handed to it


class HandoverKind(StrEnum):
    """Which event handed the dossier on."""

    ASSIGNED = "assigned"  # Assigned: to a unit (and handler) inside the agency
    TO_PARTNER = "to_partner"  # HandedToPartner: a step to a partner agency


@frozen(kw_only=True)
class Handover:
    """Bàn giao: the dossier handed from one agency to another, or to a unit inside one."""

    at: datetime
    kind: HandoverKind
    by: str  # the user who recorded it
    from_agency: str
    to_agency: str
    unit: str | None = None  # the unit inside ``to_agency`` (assignments)
    due_at: datetime | None = None  # the partner's allotted time
    note: str = ""  # the hand-over note


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
    """Một dòng sổ theo dõi: one dossier as the register shows it, whichever agency reads it."""

    dossier_id: UUID
    procedure: str  # local procedure code (MATTHCDP)
    applicant: str  # the applicant's name: personal data, never logged
    receiving_unit: str
    competent_agency: str
    version: int  # the dossier version this row reflects
    code: str | None = None  # None until received
    received_at: datetime | None = None
    transfers: tuple[Handover, ...] = ()  # every hand-over, in order
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
    def handovers(self) -> int:
        """How many times the dossier was handed on."""
        return len(self.transfers)

    @property
    def handover_by(self) -> str | None:
        """Who recorded the last hand-over."""
        return self.transfers[-1].by if self.transfers else None

    @property
    def handover_to(self) -> str | None:
        """To which unit (or agency) the last hand-over went."""
        if not self.transfers:
            return None
        last = self.transfers[-1]
        return last.unit or last.to_agency

    @property
    def handover_at(self) -> datetime | None:
        """When the last hand-over was."""
        return self.transfers[-1].at if self.transfers else None

    @property
    def partners(self) -> tuple[str, ...]:
        """The partner agencies handed a step, in the order they first were."""
        handed = (t.to_agency for t in self.transfers if t.kind is HandoverKind.TO_PARTNER)
        return tuple(dict.fromkeys(handed))

    @property
    def agencies(self) -> dict[str, tuple[AgencyRole, ...]]:
        """Every agency involved in the dossier, with its roles (in ``AgencyRole`` order)."""
        roles: dict[str, list[AgencyRole]] = {}
        roles.setdefault(self.receiving_unit, []).append(AgencyRole.RECEIVING)
        roles.setdefault(self.competent_agency, []).append(AgencyRole.COMPETENT)
        for partner in self.partners:
            roles.setdefault(partner, []).append(AgencyRole.PARTNER)
        return {agency: tuple(held) for agency, held in roles.items()}

    @property
    def cursor(self) -> Cursor:
        """Where the next page starts when this row is the last of a page (received rows)."""
        if self.received_at is None or self.code is None:
            raise ValueError("only received rows are listed")
        return (self.received_at, self.code, self.dossier_id)


ROW_FIELDS = tuple(field.name for field in fields(RegisterRow))


@frozen(kw_only=True)
class Listing:
    """Một mục sổ: a received dossier's place in one agency's register, with its roles there."""

    dossier_id: UUID
    agency: str
    roles: tuple[AgencyRole, ...]
    received_at: datetime
    code: str


def listings(row: RegisterRow) -> tuple[Listing, ...]:
    """The registers ``row`` is listed in: one per agency involved; none before reception."""
    if row.received_at is None or row.code is None:
        return ()
    return tuple(
        Listing(
            dossier_id=row.dossier_id,
            agency=agency,
            roles=roles,
            received_at=row.received_at,
            code=row.code,
        )
        for agency, roles in row.agencies.items()
    )


@frozen(kw_only=True)
class RegisterLine:
    """Một dòng sổ của một cơ quan: a received dossier as one agency's register lists it."""

    agency: str
    roles: tuple[AgencyRole, ...]
    row: RegisterRow

    @property
    def transfers(self) -> tuple[Handover, ...]:
        """The hand-overs to or from this agency (an assignment inside it is both)."""
        agency = self.agency
        return tuple(t for t in self.row.transfers if agency in (t.from_agency, t.to_agency))

    @property
    def cursor(self) -> Cursor:
        """Where the next page starts when this line is the last of a page."""
        return self.row.cursor


@frozen(kw_only=True)
class RegisterEntry:
    """What the projection keeps per dossier: the register row and its control-sheet rows."""

    row: RegisterRow
    steps: tuple[StepRow, ...] = ()


@frozen(kw_only=True)
class RegisterQuery:
    """One agency's register between two reception dates (inclusive, Vietnam time)."""

    agency: str
    received_from: date
    received_to: date
    limit: int = 50
    after: Cursor | None = None


@frozen(kw_only=True)
class RegisterBatch:
    """What one transaction writes: final rows, changed steps and listings, dropped dossiers.

    ``listings`` holds only the new or changed ones: listings only grow (see the module), so
    none is ever removed but with its dossier.
    """

    position: int
    start: int | None = None  # the position the batch was built from: it applies only there
    rows: tuple[RegisterRow, ...] = ()
    steps: tuple[StepRow, ...] = ()
    listings: tuple[Listing, ...] = ()
    deletes: tuple[UUID, ...] = ()


class Draft:
    """An entry being folded: the row's fields and the steps, changed in place.

    Only ``fold_all`` makes one, and only the frozen entry it builds leaves it.
    """

    __slots__ = ("row", "steps")

    def __init__(self, row: dict[str, Any], steps: list[StepRow]) -> None:
        self.row = row
        self.steps = steps

    @classmethod
    def of(cls, entry: RegisterEntry) -> Draft:
        """A draft of ``entry``."""
        row = entry.row
        return cls({name: getattr(row, name) for name in ROW_FIELDS}, list(entry.steps))

    def entry(self) -> RegisterEntry:
        """The frozen entry the draft now says."""
        return RegisterEntry(row=RegisterRow(**self.row), steps=tuple(self.steps))

    @property
    def received(self) -> bool:
        """Whether the dossier was received."""
        return self.row["received_at"] is not None

    def agency_of(self, actor: Actor) -> str:
        """The agency ``actor`` acted for; the competent agency for a system actor."""
        return self.row["competent_agency"] if actor.agency is None else actor.agency.value

    def start(self, step: int, at: datetime, due: datetime | None) -> None:
        """Open a new occurrence of ``step``."""
        occurrence = len(self.steps)
        dossier_id = self.row["dossier_id"]
        self.steps.append(
            StepRow(
                dossier_id=dossier_id, occurrence=occurrence, step=step, started_at=at, due_at=due
            )
        )

    def end(self, at: datetime, ending: StepEnd, outcome: str) -> None:
        """End the open step occurrence, if one is open."""
        self._change_open(ended_at=at, ending=ending, outcome=outcome)

    def move_due(self, due: datetime | None) -> None:
        """Move the open step occurrence's due time, if one is open."""
        self._change_open(due_at=due)

    def _change_open(self, **changes: Any) -> None:  # noqa: ANN401 (step fields)
        steps = self.steps
        if steps and steps[-1].ended_at is None:
            steps[-1] = evolve(steps[-1], **changes)

    def note(self, at: datetime, kind: NoteKind, text: str) -> None:
        """Add a line to the notes."""
        self.row["notes"] = (*self.row["notes"], Note(at, kind, text))

    def hand(self, handover: Handover) -> None:
        """Record a hand-over."""
        self.row["transfers"] = (*self.row["transfers"], handover)


Change = Callable[[Draft, Any], None]

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
_CLOSING = tuple(CLOSING)


def _received(d: Draft, e: Dossier.Received) -> None:
    d.row.update(
        code=str(e.code),
        received_at=e.at,
        appointment_at=e.due_at,
        due_at=e.due_at,
        statutory_due_date=e.statutory_due_date,
    )
    if e.step_due_at:
        d.start(0, e.at, e.step_due_at)


def _assigned(d: Draft, e: Dossier.Assigned) -> None:
    agency = d.agency_of(e.actor)
    d.hand(
        Handover(
            at=e.at,
            kind=HandoverKind.ASSIGNED,
            by=e.actor.user_id,
            from_agency=agency,
            to_agency=agency,
            unit=e.unit,
        )
    )


def _to_partner(d: Draft, e: Dossier.HandedToPartner) -> None:
    d.hand(
        Handover(
            at=e.at,
            kind=HandoverKind.TO_PARTNER,
            by=e.actor.user_id,
            from_agency=d.agency_of(e.actor),
            to_agency=e.partner.value,
            due_at=e.partner_due_at,
            note=e.note,
        )
    )


def _step_completed(d: Draft, e: Dossier.StepCompleted) -> None:
    d.end(e.at, StepEnd.COMPLETED, e.outcome)
    if e.next_step_due_at:
        d.start(e.step + 1, e.at, e.next_step_due_at)


def _step_returned(d: Draft, e: Dossier.StepReturned) -> None:
    d.end(e.at, StepEnd.RETURNED, e.reason)
    d.start(e.step - 1, e.at, e.step_due_at)


def _clock_resumed(d: Draft, e: Dossier.ClockResumed) -> None:
    d.row.update(due_at=e.due_at, statutory_due_date=e.statutory_due_date)
    if not e.restarted:
        d.move_due(e.step_due_at)
        return
    d.end(e.at, StepEnd.RESTARTED, "clock restarted")
    if e.step_due_at:
        d.start(0, e.at, e.step_due_at)


def _extended(d: Draft, e: Dossier.Extended) -> None:
    d.row["rescheduled_due_at"] = e.new_due_at
    d.note(e.at, NoteKind.EXTENSION, e.reason)


def _result_issued(d: Draft, e: Dossier.ResultIssued) -> None:
    d.end(e.at, StepEnd.RESULT, e.result_number)
    d.row["result_issued_at"] = e.at


def _returned(d: Draft, e: Dossier.Event) -> None:
    d.row.update(returned_at=e.at, returned_by=RETURNS[type(e)])


def _closed(d: Draft, e: Dossier.Event) -> None:
    reason = str(e.reason)  # type: ignore[attr-defined]  # every closing event has one
    d.end(e.at, StepEnd.CLOSED, reason)
    d.row.update(closed_at=e.at, closing=CLOSING[type(e)], closing_reason=reason)


CHANGES: dict[type[Dossier.Event], Change] = {
    Dossier.Received: _received,
    Dossier.Assigned: _assigned,
    Dossier.HandedToPartner: _to_partner,
    Dossier.StepCompleted: _step_completed,
    Dossier.StepReturned: _step_returned,
    Dossier.SupplementRequested: lambda d, e: d.note(e.at, NoteKind.SUPPLEMENT, e.reason),
    Dossier.Extended: _extended,
    Dossier.ClockResumed: _clock_resumed,
    Dossier.ResultIssued: _result_issued,
    **dict.fromkeys(RETURNS, _returned),
    **dict.fromkeys(CLOSING, _closed),
}


READS_OF: dict[type[Dossier.Event], frozenset[str]] = {
    **dict.fromkeys(OPENING, frozenset({"submission"})),
    Dossier.Received: frozenset({"at", "code", "due_at", "statutory_due_date", "step_due_at"}),
    Dossier.Assigned: frozenset({"at", "actor", "unit"}),
    Dossier.HandedToPartner: frozenset({"at", "actor", "partner", "partner_due_at", "note"}),
    Dossier.StepCompleted: frozenset({"at", "step", "outcome", "next_step_due_at"}),
    Dossier.StepReturned: frozenset({"at", "step", "reason", "step_due_at"}),
    Dossier.SupplementRequested: frozenset({"at", "reason"}),
    Dossier.Extended: frozenset({"at", "reason", "new_due_at"}),
    Dossier.ClockResumed: frozenset(
        {"at", "due_at", "statutory_due_date", "restarted", "step_due_at"}
    ),
    Dossier.ResultIssued: frozenset({"at", "result_number"}),
    **dict.fromkeys(RETURNS, frozenset({"at"})),
    **dict.fromkeys(CLOSING, frozenset({"at", "reason"})),
}
"""The fields ``fold`` reads of each event class (besides ids and versions); of others, none."""

READS = frozenset[str]().union(*READS_OF.values())
"""The event fields ``fold`` reads of any class: a projector decodes only these."""


def _opened(event: Dossier.Event) -> Draft:
    submission = event.submission  # type: ignore[attr-defined]  # every opening event has one
    row = RegisterRow(
        dossier_id=event.originator_id,
        procedure=str(submission.procedure),
        applicant=submission.applicant.name,
        receiving_unit=str(submission.receiving_unit),
        competent_agency=str(submission.competent_agency),
        version=event.originator_version,
    )
    return Draft.of(RegisterEntry(row=row))


def fold_all(entry: RegisterEntry | None, events: Iterable[object]) -> RegisterEntry | None:
    """The entry after ``events`` (one dossier's, in order), as ``fold`` one by one gives it."""
    draft: Draft | None = None  # None: nothing changed yet, or the entry was dropped
    for event in events:
        if not isinstance(event, Dossier.Event):
            continue
        if isinstance(event, OPENING):
            draft = _opened(event)
            continue
        if draft is None:
            if entry is None:
                continue
            draft = Draft.of(entry)
        if not draft.received and isinstance(event, _CLOSING):
            draft = entry = None
            continue
        change = CHANGES.get(type(event))
        if change is not None:
            change(draft, event)
        draft.row["version"] = event.originator_version
    return entry if draft is None else draft.entry()


def fold(entry: RegisterEntry | None, event: object) -> RegisterEntry | None:
    """The entry after ``event``: ``None`` for a dossier closed before it was ever received."""
    return fold_all(entry, (event,))
