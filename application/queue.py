"""Hàng đợi hồ sơ (dossier queue): the queue view's rows, its query, and the fold that keeps it.

The queue is "what is on my desk": every dossier that is not closed. Rows
appear when a dossier is submitted (status 1: intake officers work from
submitted and sent-back dossiers too) and go when it is refused, stopped,
withdrawn or its result is returned. A dossier whose result is ready (9),
or that waits for a payment after its result (6), stays until the result
is handed over. Rows of dossiers not received yet have no code and no
deadlines; they sort after every received one.

``fold`` is pure: one row (or none) and one decoded event in, the new row
(or none) out. Events of other aggregates leave the row as it is. Each
change names the fields an event sets, and the fold makes the new row once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from attrs import evolve, field, frozen
from eventsourcing.utils import get_topic

from domain.dossier import Dossier
from domain.dossier_status import Status
from domain.procedure_spec import Channel

Cursor = tuple[datetime | None, UUID]
"""The last row's (due_at, dossier_id): the next page starts after it."""


@frozen(kw_only=True)
class QueueRow:
    """Một dòng hàng đợi: one open dossier as the queue shows it."""

    dossier_id: UUID
    procedure: str  # local procedure code (MATTHCDP)
    channel: Channel
    receiving_unit: str
    competent_agency: str
    status: Status
    version: int  # the dossier version this row reflects
    code: str | None = None  # None until received
    handler: str | None = None
    step: int | None = None
    step_due_at: datetime | None = None
    due_at: datetime | None = None  # the appointment held now (the rescheduled one if later)
    rescheduled_due_at: datetime | None = None
    statutory_due_date: date | None = None
    received_at: datetime | None = None
    result_issued_at: datetime | None = None
    paused: bool = False
    national_code: int = field(init=False)

    @national_code.default
    def _national_code(self) -> int:
        return self.status.national_code

    @property
    def running_due_date(self) -> date | None:
        """The statutory due date while the clock runs (received, not paused, no result)."""
        if self.paused or self.result_issued_at is not None:
            return None
        return self.statutory_due_date

    @property
    def cursor(self) -> Cursor:
        """Where the next page starts when this row is the last of a page."""
        return (self.due_at, self.dossier_id)


@frozen(kw_only=True)
class QueueQuery:
    """Filters, page size and cursor; rows come sorted by due_at (unreceived last), then id."""

    receiving_unit: str | None = None
    competent_agency: str | None = None
    handler: str | None = None
    status: Status | None = None
    procedure: str | None = None
    channel: Channel | None = None
    overdue_on: date | None = None  # statutory due date before this day, clock running
    due_by: datetime | None = None  # appointment at or before this moment, clock running
    limit: int = 50
    after: Cursor | None = None


@frozen(kw_only=True)
class QueueBatch:
    """What one transaction writes: final rows, removed dossiers, and the position reached."""

    position: int
    start: int | None = None  # the position the batch was built from: it applies only there
    upserts: tuple[QueueRow, ...] = ()
    deletes: tuple[UUID, ...] = ()


Changes = dict[str, Any]
Change = Callable[[QueueRow, Any], Changes]
"""What an event changes in a row, as field values: the fold applies them all at once."""

OPENING: dict[type[Dossier.Event], Channel] = {
    Dossier.SubmittedOnline: Channel.ONLINE,
    Dossier.SubmittedByPost: Channel.POSTAL,
    Dossier.SubmittedAtCounter: Channel.COUNTER,
}
CLOSING: tuple[type[Dossier.Event], ...] = (
    Dossier.RejectedAtIntake,
    Dossier.Stopped,
    Dossier.Withdrawn,
    Dossier.ReturnedAtCounter,
    Dossier.ReturnedViaPost,
    Dossier.ReturnedOnline,
)


def _received(_: QueueRow, e: Dossier.Received) -> Changes:
    return {
        "status": Status.RECEIVED,
        "code": str(e.code),
        "received_at": e.at,
        "due_at": e.due_at,
        "statutory_due_date": e.statutory_due_date,
        "step": 0 if e.step_due_at else None,
        "step_due_at": e.step_due_at,
    }


def _step_completed(_: QueueRow, e: Dossier.StepCompleted) -> Changes:
    following = e.step + 1 if e.next_step_due_at else None
    return {
        "status": Status.PROCESSING,
        "step": following,
        "step_due_at": e.next_step_due_at,
        "handler": None,
    }


def _payment_requested(row: QueueRow, _: Dossier.PaymentRequested) -> Changes:
    paused = row.paused or row.result_issued_at is None
    return {"status": Status.AWAITING_PAYMENT, "paused": paused}


def _paid(row: QueueRow, _: Dossier.Event) -> Changes:
    ready = row.result_issued_at is not None
    return {"status": Status.RESULT_READY if ready else Status.PROCESSING}


def _clock_resumed(row: QueueRow, e: Dossier.ClockResumed) -> Changes:
    due = max(e.due_at, row.rescheduled_due_at or e.due_at)
    changes = {"paused": False, "due_at": due, "statutory_due_date": e.statutory_due_date}
    if e.restarted:
        return changes | {"step": 0 if e.step_due_at else None, "step_due_at": e.step_due_at}
    return changes | {"step_due_at": e.step_due_at}


def _extended(row: QueueRow, e: Dossier.Extended) -> Changes:
    due = max(e.new_due_at, row.due_at or e.new_due_at)
    return {"rescheduled_due_at": e.new_due_at, "due_at": due}


def _result_issued(_: QueueRow, e: Dossier.ResultIssued) -> Changes:
    return {
        "status": Status.RESULT_READY,
        "result_issued_at": e.at,
        "step": None,
        "step_due_at": None,
    }


CHANGES: dict[type[Dossier.Event], Change] = {
    Dossier.IntakeSupplementRequested: lambda _, __: {"status": Status.INTAKE_INCOMPLETE},
    Dossier.Resubmitted: lambda _, __: {"status": Status.SUBMITTED},
    Dossier.Received: _received,
    Dossier.Assigned: lambda _, e: {"status": Status.PROCESSING, "handler": e.handler},
    Dossier.StepCompleted: _step_completed,
    Dossier.StepReturned: lambda _, e: {
        "step": e.step - 1,
        "step_due_at": e.step_due_at,
        "handler": None,
    },
    Dossier.SupplementRequested: lambda _, __: {
        "status": Status.SUPPLEMENT_REQUESTED,
        "paused": True,
    },
    Dossier.Supplemented: lambda _, __: {"status": Status.PROCESSING},
    Dossier.PaymentRequested: _payment_requested,
    Dossier.PaidOnline: _paid,
    Dossier.PaidAtCounter: _paid,
    Dossier.ClockResumed: _clock_resumed,
    Dossier.Extended: _extended,
    Dossier.ResultIssued: _result_issued,
}

READS = frozenset(
    {
        "submission",
        "at",
        "code",
        "due_at",
        "statutory_due_date",
        "step",
        "step_due_at",
        "next_step_due_at",
        "handler",
        "restarted",
        "new_due_at",
    }
)
"""The event fields ``fold`` reads (besides ids and versions): a projector decodes only these."""

DOSSIER_TOPICS: tuple[str, ...] = tuple(
    get_topic(cls)
    for cls in vars(Dossier).values()
    if isinstance(cls, type) and issubclass(cls, Dossier.Event) and cls is not Dossier.Event
)
"""Every dossier event: each one moves the row's version, most move nothing else."""


def _opened(event: Dossier.Event, channel: Channel) -> QueueRow:
    submission = event.submission  # type: ignore[attr-defined]  # every opening event has one
    return QueueRow(
        dossier_id=event.originator_id,
        procedure=str(submission.procedure),
        channel=channel,
        receiving_unit=str(submission.receiving_unit),
        competent_agency=str(submission.competent_agency),
        status=Status.SUBMITTED,
        version=event.originator_version,
    )


def fold(row: QueueRow | None, event: object) -> QueueRow | None:
    """The row after ``event``: ``None`` when the dossier is not (or no longer) in the queue."""
    if not isinstance(event, Dossier.Event):
        return row
    channel = OPENING.get(type(event))
    if channel is not None:
        return _opened(event, channel)
    if row is None or isinstance(event, CLOSING):
        return None
    change = CHANGES.get(type(event))
    changes = change(row, event) if change else {}
    return evolve(row, version=event.originator_version, **changes)
