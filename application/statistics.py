"""Số liệu hồ sơ (dossier facts): one row per dossier for report 06a, and the fold that keeps it.

A row appears when a dossier is submitted (its channel and units come with the
submission) and counts in reports once it is received. It keeps what §5.1 asks
of every report: reception, the latest statutory due date decided, processing
completed (``ResultIssued.at``, NgayKetThucXuLy), closing (stopped or
withdrawn), return, payment, rating.

Every supplement pause of a dossier is kept, in order (``supplement_pauses``):
its start (``SupplementRequested``) and, once the supplement is accepted, its
end (the ``ClockResumed`` that follows). So "waiting for a supplement at the end
of a period" holds for any period ending inside any of them, however many the
dossier had. A pause for fees is not a supplement pause and is not kept.

Moments stay datetimes; reports compare their local (Vietnam) dates, so
``*_on`` properties give those dates once for the memory view and the SQL rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from attrs import evolve, frozen

from domain.dossier import Dossier
from domain.dossier_values import Satisfaction
from domain.procedure_spec import Channel
from domain.time_limit import local


class Closing(StrEnum):
    """How a dossier ended without a result."""

    STOPPED = "stopped"  # dừng xử lý (status 8)
    WITHDRAWN = "withdrawn"  # rút hồ sơ (status 7)


class Finish(StrEnum):
    """How a dossier's processing finished: with a result, or closed without one."""

    RESULT = "result"
    STOPPED = "stopped"
    WITHDRAWN = "withdrawn"


def day(moment: datetime | None) -> date | None:
    """The local (Vietnam) date of ``moment``."""
    return None if moment is None else local(moment).date()


@frozen(kw_only=True)
class SupplementPause:
    """Tạm dừng chờ bổ sung: from the supplement request until the clock resumed (or open)."""

    since: datetime
    until: datetime | None = None

    @property
    def since_on(self) -> date:
        """The local date the pause began."""
        return local(self.since).date()

    @property
    def until_on(self) -> date | None:
        """The local date the pause ended (``None``: still open)."""
        return day(self.until)

    def open_on(self, end: date) -> bool:
        """Whether the pause had begun by the end of ``end`` and not ended by then."""
        until = self.until_on
        return self.since_on <= end and (until is None or end < until)


@frozen(kw_only=True)
class FactsRow:
    """The facts report 06a needs about one dossier."""

    dossier_id: UUID
    receiving_unit: str
    competent_agency: str
    channel: Channel
    version: int
    received_at: datetime | None = None  # None: not received yet, not counted
    statutory_due_date: date | None = None  # the latest decided
    completed_at: datetime | None = None  # ResultIssued.at (NgayKetThucXuLy)
    closed_at: datetime | None = None
    closing: Closing | None = None
    returned_at: datetime | None = None
    returned_via_post: bool = False
    supplement_pauses: tuple[SupplementPause, ...] = ()  # in order; only the last may be open
    paid: bool = False
    paid_online: bool = False
    satisfaction: Satisfaction | None = None
    rated_at: datetime | None = None

    @property
    def finished_at(self) -> datetime | None:
        """When processing ended: the result, or the stop or withdrawal, whichever came first."""
        moments = [m for m in (self.completed_at, self.closed_at) if m is not None]
        return min(moments) if moments else None

    @property
    def finish(self) -> Finish | None:
        """How processing ended (``None``: not yet)."""
        finished = self.finished_at
        if finished is None:
            return None
        if finished == self.completed_at or self.closing is None:
            return Finish.RESULT
        return Finish(self.closing.value)

    @property
    def received_on(self) -> date | None:
        """The local date of reception."""
        return day(self.received_at)

    @property
    def finished_on(self) -> date | None:
        """The local date processing ended."""
        return day(self.finished_at)

    def waiting_for_supplement_on(self, end: date) -> bool:
        """Whether one of the dossier's supplement pauses was open at the end of ``end``."""
        return any(pause.open_on(end) for pause in self.supplement_pauses)


@frozen(kw_only=True)
class FactsBatch:
    """What one transaction writes: final rows, removed dossiers, and the position reached."""

    position: int
    start: int | None = None  # the position the batch was built from: it applies only there
    upserts: tuple[FactsRow, ...] = ()
    deletes: tuple[UUID, ...] = ()


Changes = dict[str, Any]
Change = Callable[[FactsRow, Any], Changes]
"""What an event changes in a row, as field values: the fold applies them all at once."""

OPENING: dict[type[Dossier.Event], Channel] = {
    Dossier.SubmittedOnline: Channel.ONLINE,
    Dossier.SubmittedByPost: Channel.POSTAL,
    Dossier.SubmittedAtCounter: Channel.COUNTER,
}


def _supplement_requested(row: FactsRow, e: Dossier.SupplementRequested) -> Changes:
    return {"supplement_pauses": (*row.supplement_pauses, SupplementPause(since=e.at))}


def _clock_resumed(row: FactsRow, e: Dossier.ClockResumed) -> Changes:
    changes: Changes = {"statutory_due_date": e.statutory_due_date}
    pauses = row.supplement_pauses
    if not pauses or pauses[-1].until is not None:
        return changes  # no supplement pause is open: a payment pause ended
    return changes | {"supplement_pauses": (*pauses[:-1], evolve(pauses[-1], until=e.at))}


def _returned(_: FactsRow, e: Dossier.Event) -> Changes:
    return {"returned_at": e.at, "returned_via_post": isinstance(e, Dossier.ReturnedViaPost)}


CHANGES: dict[type[Dossier.Event], Change] = {
    Dossier.Received: lambda _, e: {
        "received_at": e.at,
        "statutory_due_date": e.statutory_due_date,
    },
    Dossier.ClockResumed: _clock_resumed,
    Dossier.SupplementRequested: _supplement_requested,
    Dossier.ResultIssued: lambda _, e: {"completed_at": e.at},
    Dossier.Stopped: lambda _, e: {"closed_at": e.at, "closing": Closing.STOPPED},
    Dossier.Withdrawn: lambda _, e: {"closed_at": e.at, "closing": Closing.WITHDRAWN},
    Dossier.ReturnedAtCounter: _returned,
    Dossier.ReturnedViaPost: _returned,
    Dossier.ReturnedOnline: _returned,
    Dossier.PaidOnline: lambda _, __: {"paid": True, "paid_online": True},
    Dossier.PaidAtCounter: lambda _, __: {"paid": True},
    Dossier.Rated: lambda _, e: {"satisfaction": Satisfaction(e.satisfaction), "rated_at": e.at},
}

READS = frozenset({"submission", "at", "statutory_due_date", "satisfaction"})
"""The event fields ``fold`` reads (besides ids and versions): a projector decodes only these."""


def _opened(event: Dossier.Event, channel: Channel) -> FactsRow:
    submission = event.submission  # type: ignore[attr-defined]  # every opening event has one
    return FactsRow(
        dossier_id=event.originator_id,
        receiving_unit=str(submission.receiving_unit),
        competent_agency=str(submission.competent_agency),
        channel=channel,
        version=event.originator_version,
    )


def fold(row: FactsRow | None, event: object) -> FactsRow | None:
    """The row after ``event``; a dossier refused at intake was never received and has none."""
    if not isinstance(event, Dossier.Event):
        return row
    channel = OPENING.get(type(event))
    if channel is not None:
        return _opened(event, channel)
    if row is None or isinstance(event, Dossier.RejectedAtIntake):
        return None
    change = CHANGES.get(type(event))
    changes = change(row, event) if change else {}
    return evolve(row, version=event.originator_version, **changes)
