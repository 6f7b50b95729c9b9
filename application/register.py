"""Sổ theo dõi hồ sơ (Mẫu 06) and Phiếu kiểm soát (Mẫu 05): their rows and queries.

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

How events make these rows is ``application.register_fold``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from uuid import UUID

from attrs import fields, frozen

from application.queue import DOSSIER_TOPICS
from domain.dossier_status import Status
from domain.dossier_values import Delivery
from domain.time_limit import Timeliness

REGISTER_TOPICS = DOSSIER_TOPICS
"""Every dossier event: the fold sees them all, though many change no register column."""

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
    FROM_PARTNER = "from_partner"  # PartnerResultReceived: the partner's result back


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
class Writes:
    """Rows, steps and listings a view writes the same way."""

    rows: tuple[RegisterRow, ...] = ()
    steps: tuple[StepRow, ...] = ()
    listings: tuple[Listing, ...] = ()


@frozen(kw_only=True)
class RegisterBatch:
    """What one transaction writes: changed rows, steps and listings, and dropped dossiers.

    ``rows`` holds only the rows whose register columns changed (many events, a completed
    step for one, change none), ``steps`` and ``listings`` only the new or changed ones:
    listings only grow (see the module), so none is ever removed but with its dossier. They
    replace what is stored.

    ``inserted`` holds the rows, steps and listings of the dossiers whose first event is in
    this batch: nothing of them can be stored yet, so they are inserted, never replaced, and a
    view that holds one already refuses the batch whole (``ViewRowExistsError``).
    """

    position: int
    start: int | None = None  # the position the batch was built from: it applies only there
    rows: tuple[RegisterRow, ...] = ()
    steps: tuple[StepRow, ...] = ()
    listings: tuple[Listing, ...] = ()
    deletes: tuple[UUID, ...] = ()
    inserted: Writes = Writes()

    @property
    def replaced(self) -> Writes:
        """The rows, steps and listings that replace what is stored."""
        return Writes(rows=self.rows, steps=self.steps, listings=self.listings)
