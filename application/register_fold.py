"""How dossier events make the register's entries: ``fold`` and ``fold_all``.

A step occurrence starts when the aggregate starts it (reception, a
completed or returned step, a restarted clock) with the due time on that
event; a resumed clock (``ClockResumed`` not restarted) moves the open
step's due time to ``step_due_at``. ``StepCompleted``, ``StepReturned`` and
``ResultIssued`` end it; a restart or a closing ends it unjudged. A step
handed to a partner agency and the partner's result coming back are both
hand-overs, the second from the partner back to the agency that took it.

``fold`` is pure: one entry (or none) and one decoded event in, the new entry
(or none) out; ``fold_all`` is the same over several events of one dossier,
and builds the row once at the end (the projector's way). Events of other
aggregates leave the entry as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from attrs import NOTHING, fields

from application.register import (
    ROW_FIELDS,
    Handover,
    HandoverKind,
    Note,
    NoteKind,
    RegisterEntry,
    RegisterRow,
    StepEnd,
    StepRow,
)
from domain.dossier import Dossier
from domain.dossier_status import Status
from domain.dossier_values import Actor, Delivery

STEP_FIELDS = tuple(field.name for field in fields(StepRow))
ROW_DEFAULTS = {
    field.name: field.default for field in fields(RegisterRow) if field.default is not NOTHING
}
"""A row's fields that have a default (all but those a submission gives), with it."""


class Draft:
    """An entry being folded: the row's fields and the steps, changed in place.

    A step occurrence the draft opens or changes is held as a dict of its fields until
    ``entry`` freezes it: most are opened and ended in the same batch, and making a
    ``StepRow`` for each change cost a fold a tenth of its time. Only ``fold_all`` makes a
    draft, and only the frozen entry it builds leaves it.
    """

    __slots__ = ("row", "steps")

    def __init__(self, row: dict[str, Any], steps: list[StepRow | dict[str, Any]]) -> None:
        self.row = row
        self.steps = steps

    @classmethod
    def of(cls, entry: RegisterEntry) -> Draft:
        """A draft of ``entry``."""
        row = entry.row
        return cls({name: getattr(row, name) for name in ROW_FIELDS}, list(entry.steps))

    def entry(self) -> RegisterEntry:
        """The frozen entry the draft now says."""
        steps = tuple(StepRow(**s) if isinstance(s, dict) else s for s in self.steps)
        return RegisterEntry(row=RegisterRow(**self.row), steps=steps)

    @property
    def received(self) -> bool:
        """Whether the dossier was received."""
        return self.row["received_at"] is not None

    def agency_of(self, actor: Actor) -> str:
        """The agency ``actor`` acted for; the competent agency for a system actor."""
        return self.row["competent_agency"] if actor.agency is None else actor.agency.value

    def start(self, step: int, at: datetime, due: datetime | None) -> None:
        """Open a new occurrence of ``step``."""
        self.steps.append(
            {
                "dossier_id": self.row["dossier_id"],
                "occurrence": len(self.steps),
                "step": step,
                "started_at": at,
                "due_at": due,
                "ended_at": None,
                "ending": None,
                "outcome": None,
            }
        )

    def end(self, at: datetime, ending: StepEnd, outcome: str) -> None:
        """End the open step occurrence, if one is open."""
        self._change_open(ended_at=at, ending=ending, outcome=outcome)

    def move_due(self, due: datetime | None) -> None:
        """Move the open step occurrence's due time, if one is open."""
        self._change_open(due_at=due)

    def _change_open(self, **changes: Any) -> None:  # noqa: ANN401 (step fields)
        steps = self.steps
        if not steps:
            return
        last = steps[-1]
        if isinstance(last, dict):
            if last["ended_at"] is None:
                last.update(changes)
        elif last.ended_at is None:
            steps[-1] = {name: getattr(last, name) for name in STEP_FIELDS} | changes

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


def _from_partner(d: Draft, e: Dossier.PartnerResultReceived) -> None:
    note = f"{e.outcome} ({e.partner_ref})" if e.partner_ref else e.outcome
    d.hand(
        Handover(
            at=e.at,
            kind=HandoverKind.FROM_PARTNER,
            by=e.actor.user_id,
            from_agency=e.partner.value,
            to_agency=d.agency_of(e.actor),
            note=note,
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
    Dossier.PartnerResultReceived: _from_partner,
    Dossier.StepCompleted: _step_completed,
    Dossier.StepReturned: _step_returned,
    Dossier.SupplementRequested: lambda d, e: d.note(e.at, NoteKind.SUPPLEMENT, e.reason),
    Dossier.Extended: _extended,
    Dossier.ClockResumed: _clock_resumed,
    Dossier.ResultIssued: _result_issued,
    **dict.fromkeys(RETURNS, _returned),
    **dict.fromkeys(CLOSING, _closed),
}


OPENING_READS = frozenset(
    {
        "submission.procedure",
        "submission.applicant.name",
        "submission.receiving_unit",
        "submission.competent_agency",
    }
)
"""What ``_opened`` reads of a submission: not its checklist, nor the applicant's details."""

READS_OF: dict[type[Dossier.Event], frozenset[str]] = {
    **dict.fromkeys(OPENING, OPENING_READS),
    Dossier.Received: frozenset({"at", "code", "due_at", "statutory_due_date", "step_due_at"}),
    Dossier.Assigned: frozenset({"at", "actor", "unit"}),
    Dossier.HandedToPartner: frozenset({"at", "actor", "partner", "partner_due_at", "note"}),
    Dossier.PartnerResultReceived: frozenset({"at", "actor", "partner", "outcome", "partner_ref"}),
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
    opened = {
        "dossier_id": event.originator_id,
        "procedure": str(submission.procedure),
        "applicant": submission.applicant.name,
        "receiving_unit": str(submission.receiving_unit),
        "competent_agency": str(submission.competent_agency),
    }
    return Draft(ROW_DEFAULTS | opened, [])


def fold_all(entry: RegisterEntry | None, events: Iterable[object]) -> RegisterEntry | None:
    """The entry after ``events`` (one dossier's, in order), as ``fold`` one by one gives it."""
    draft: Draft | None = None  # None: nothing changed yet, or the entry was dropped
    for event in events:
        if not isinstance(event, Dossier.Event):
            continue
        if isinstance(event, OPENING):
            draft = _opened(event)
            continue
        change = CHANGES.get(type(event))
        if change is None:
            continue  # nothing the register shows (a rating, a payment...)
        if draft is None:
            if entry is None:
                continue
            draft = Draft.of(entry)
        if not draft.received and isinstance(event, _CLOSING):
            draft = entry = None
            continue
        change(draft, event)
    return entry if draft is None else draft.entry()


def fold(entry: RegisterEntry | None, event: object) -> RegisterEntry | None:
    """The entry after ``event``: ``None`` for a dossier closed before it was ever received."""
    return fold_all(entry, (event,))
