"""What the view endpoints answer, as pydantic models, and how view rows become them.

Every moment goes out through ``presenters.moment`` (ISO-8601, +07:00);
every day as YYYY-MM-DD.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from application.deadlines import DeadlineItem
from application.lookup import HistoryEntry, LookupAnswer, OwnedDossier
from application.queue import QueueRow
from application.register import AgencyRole, Handover, HandoverKind, Note, RegisterLine, StepRow
from domain.dossier_status import Status
from domain.dossier_values import Delivery
from domain.procedure_spec import Channel
from domain.time_limit import Timeliness
from entrypoints.presenters import moment

MOMENT = "ISO-8601 with the +07:00 offset"


def _at(value: datetime | None) -> str | None:
    return moment(value) if value is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


class QueueItemOut(BaseModel):
    """Một dòng hàng đợi: one open dossier on a desk."""

    code: str | None = Field(description="Mã hồ sơ; null until the dossier is received.")
    dossier_id: str
    procedure: str = Field(description="Local procedure code (MATTHCDP).")
    channel: Channel
    receiving_unit: str
    competent_agency: str
    status: Status
    status_code: int = Field(description="National status code (DVCQG TrangThaiHoSo, 1-10).")
    status_label: str = Field(description="The national status label, in Vietnamese.")
    handler: str | None
    step: int | None = Field(description="Index of the current process step, from 0.")
    step_due_at: str | None = Field(description=f"When the current step is due, {MOMENT}.")
    due_at: str | None = Field(description=f"The appointment held now (Model H), {MOMENT}.")
    statutory_due_date: str | None = Field(description="The legal due date (Model D).")
    received_at: str | None = Field(description=MOMENT)
    paused: bool = Field(description="The clock is stopped (supplement or payment wait).")
    overdue: bool = Field(description="The statutory due date passed while the clock runs.")

    @classmethod
    def of(cls, row: QueueRow, today: date) -> QueueItemOut:
        """The item for ``row``, judged overdue as of ``today``."""
        running = row.running_due_date
        return cls(
            code=row.code,
            dossier_id=str(row.dossier_id),
            procedure=row.procedure,
            channel=row.channel,
            receiving_unit=row.receiving_unit,
            competent_agency=row.competent_agency,
            status=row.status,
            status_code=row.status.national_code,
            status_label=row.status.label,
            handler=row.handler,
            step=row.step,
            step_due_at=_at(row.step_due_at),
            due_at=_at(row.due_at),
            statutory_due_date=_day(row.statutory_due_date),
            received_at=_at(row.received_at),
            paused=row.paused,
            overdue=running is not None and running < today,
        )


class QueuePage(BaseModel):
    """One page of the queue; pass ``next`` as ``after`` for the following page."""

    items: list[QueueItemOut]
    next: str | None = Field(description="Cursor of the next page; null on the last page.")


class DeadlineItemOut(QueueItemOut):
    """A dossier on a deadline list, with the working time left until its appointment."""

    remaining_hours: float = Field(
        description="Working hours left until due_at, two decimals; negative when late."
    )
    remaining_minutes: int = Field(
        description="Working minutes left until due_at, rounded down; negative when late."
    )

    @classmethod
    def of_item(cls, item: DeadlineItem, today: date) -> DeadlineItemOut:
        """The listed item, with its remaining working time."""
        seconds = item.remaining.total_seconds()
        return cls(
            **QueueItemOut.of(item.row, today).model_dump(),
            remaining_hours=round(seconds / 3600, 2),
            remaining_minutes=int(seconds // 60),
        )


class DeadlinePage(BaseModel):
    """One page of a deadline list."""

    window: Literal["today", "within", "overdue"]
    days: int | None = Field(description="Working days ahead, for window=within.")
    items: list[DeadlineItemOut]
    next: str | None = Field(description="Cursor of the next page; null on the last page.")


class NoteOut(BaseModel):
    """Ghi chú: an extension or supplement reason."""

    at: str = Field(description=MOMENT)
    kind: str = Field(description="extension or supplement")
    text: str

    @classmethod
    def of(cls, note: Note) -> NoteOut:
        """The note as sent."""
        return cls(at=moment(note.at), kind=note.kind.value, text=note.text)


class HandoverOut(BaseModel):
    """Bàn giao: the dossier handed from one agency to another, or to a unit inside one."""

    at: str = Field(description=MOMENT)
    kind: HandoverKind = Field(
        description="assigned (to a unit inside the agency) or to_partner (liên thông)."
    )
    by: str = Field(description="The user who recorded it.")
    from_agency: str
    to_agency: str
    unit: str | None = Field(description="The unit inside to_agency (assignments).")
    due_at: str | None = Field(description=f"The partner's allotted time, {MOMENT}.")
    note: str

    @classmethod
    def of(cls, handover: Handover) -> HandoverOut:
        """The hand-over as sent."""
        return cls(
            at=moment(handover.at),
            kind=handover.kind,
            by=handover.by,
            from_agency=handover.from_agency,
            to_agency=handover.to_agency,
            unit=handover.unit,
            due_at=_at(handover.due_at),
            note=handover.note,
        )


class RegisterRowOut(BaseModel):
    """Một dòng sổ theo dõi hồ sơ (Mẫu 06): one received dossier in one agency's register."""

    agency: str = Field(description="The agency whose register this line is.")
    roles: list[AgencyRole] = Field(
        description="The agency's roles on the dossier: receiving, competent, partner."
    )
    transfers: list[HandoverOut] = Field(
        description="The hand-overs to or from this agency, in order."
    )
    code: str
    dossier_id: str
    procedure: str
    applicant: str = Field(description="The applicant's name (internal register).")
    receiving_unit: str
    competent_agency: str
    received_at: str = Field(description=MOMENT)
    handovers: int = Field(description="How many times the dossier was handed on (any agency).")
    handover_by: str | None = Field(description="The last handover: who gave it...")
    handover_to: str | None = Field(description="...to which unit or partner agency...")
    handover_at: str | None = Field(description=f"...and when, {MOMENT}.")
    appointment_at: str | None = Field(description=f"Printed on the receipt (Mẫu 01), {MOMENT}.")
    due_at: str | None = Field(description=f"The appointment held now, {MOMENT}.")
    rescheduled_due_at: str | None = Field(description=f"The Mẫu 04 appointment, {MOMENT}.")
    statutory_due_date: str | None
    result_issued_at: str | None = Field(description=f"Processing completed, {MOMENT}.")
    returned_at: str | None = Field(description=MOMENT)
    returned_by: Delivery | None
    closed_at: str | None = Field(description=f"Stopped, withdrawn or refused, {MOMENT}.")
    closing: Status | None
    closing_reason: str | None
    notes: list[NoteOut]

    @classmethod
    def of(cls, line: RegisterLine) -> RegisterRowOut:
        """The register line of a received row, as its agency reads it."""
        row = line.row
        return cls(
            agency=line.agency,
            roles=list(line.roles),
            transfers=[HandoverOut.of(handover) for handover in line.transfers],
            code=row.code or "",
            dossier_id=str(row.dossier_id),
            procedure=row.procedure,
            applicant=row.applicant,
            receiving_unit=row.receiving_unit,
            competent_agency=row.competent_agency,
            received_at=_at(row.received_at) or "",
            handovers=row.handovers,
            handover_by=row.handover_by,
            handover_to=row.handover_to,
            handover_at=_at(row.handover_at),
            appointment_at=_at(row.appointment_at),
            due_at=_at(row.current_due_at),
            rescheduled_due_at=_at(row.rescheduled_due_at),
            statutory_due_date=_day(row.statutory_due_date),
            result_issued_at=_at(row.result_issued_at),
            returned_at=_at(row.returned_at),
            returned_by=row.returned_by,
            closed_at=_at(row.closed_at),
            closing=row.closing,
            closing_reason=row.closing_reason,
            notes=[NoteOut.of(note) for note in row.notes],
        )


class RegisterPage(BaseModel):
    """One page of an agency's tracking register, by reception time."""

    items: list[RegisterRowOut]
    next: str | None = Field(description="Cursor of the next page; null on the last page.")


class StepOut(BaseModel):
    """Một dòng phiếu kiểm soát (Mẫu 05): one step as it ran."""

    occurrence: int = Field(description="0, 1, 2... in the order the steps ran.")
    step: int = Field(description="The step's index in the procedure's process.")
    started_at: str = Field(description=MOMENT)
    due_at: str | None = Field(description=MOMENT)
    ended_at: str | None = Field(description=MOMENT)
    ending: str | None = Field(description="completed, returned, result, restarted or closed.")
    outcome: str | None
    timeliness: Timeliness | None = Field(description="Judged to the minute; null if not.")

    @classmethod
    def of(cls, step: StepRow) -> StepOut:
        """The control-sheet line of ``step``."""
        return cls(
            occurrence=step.occurrence,
            step=step.step,
            started_at=moment(step.started_at),
            due_at=_at(step.due_at),
            ended_at=_at(step.ended_at),
            ending=step.ending.value if step.ending else None,
            outcome=step.outcome,
            timeliness=step.timeliness,
        )


class ControlSheetOut(BaseModel):
    """Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 05)."""

    code: str
    dossier_id: str
    steps: list[StepOut]


class RatesOut(BaseModel):
    """Percents to two decimals, as strings; null when there is nothing to divide."""

    on_time: str | None = Field(description="(8 + 9) / 7")
    late: str | None = Field(description="10 / 7")
    online: str | None = Field(description="4 / 3: the online share")
    online_payment: str | None = Field(description="Paid online / paid (received in period)")
    postal: str | None = Field(description="Returned by post / returned")


class SatisfactionOut(BaseModel):
    """Ratings given in the period."""

    very_satisfied: int
    satisfied: int
    not_satisfied: int


class Report06aOut(BaseModel):
    """Biểu số II.06a/VPCP/KSTT for one unit and period: columns 3-13 and the rates."""

    unit: str
    by: str = Field(description="receiving_unit or competent_agency")
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    columns: dict[str, int] = Field(description="Columns 3-13 by number.")
    rates: RatesOut
    satisfaction: SatisfactionOut


class HistoryOut(BaseModel):
    """Một mốc: when the national status changed."""

    at: str = Field(description=MOMENT)
    status_code: int
    status_label: str

    @classmethod
    def of(cls, entry: HistoryEntry) -> HistoryOut:
        """The public history line."""
        return cls(at=moment(entry.at), status_code=entry.code, status_label=entry.label)


class LookupOut(BaseModel):
    """What a citizen sees with the dossier code and the lookup secret."""

    code: str
    status_code: int = Field(description="National status code (1-10).")
    status_label: str = Field(description="The national status label, in Vietnamese.")
    procedure: str
    procedure_name: str | None
    applicant: str = Field(description='The masked name, e.g. "N*** T** H**".')
    received_at: str = Field(description=MOMENT)
    due_at: str | None = Field(description=f"The appointment held now, {MOMENT}.")
    returned_at: str | None = Field(description=MOMENT)
    history: list[HistoryOut]

    @classmethod
    def of(cls, found: LookupAnswer) -> LookupOut:
        """The public document of an answer."""
        return cls(
            code=found.code,
            status_code=found.status_code,
            status_label=found.status_label,
            procedure=found.procedure,
            procedure_name=found.procedure_name,
            applicant=found.applicant,
            received_at=moment(found.received_at),
            due_at=_at(found.due_at),
            returned_at=_at(found.returned_at),
            history=[HistoryOut.of(entry) for entry in found.history],
        )


class MyDossierOut(BaseModel):
    """Một hồ sơ của tôi: one of the caller's own dossiers, as its owner follows it."""

    ref: str = Field(
        description="Mã hồ sơ, or the dossier id before reception: open it at /dossiers/{ref}."
    )
    dossier_id: str
    code: str | None = Field(description="Mã hồ sơ; null until the dossier is received.")
    status_code: int = Field(description="National status code (1-10).")
    status_label: str = Field(description="The national status label, in Vietnamese.")
    procedure: str = Field(description="Local procedure code (MATTHCDP).")
    procedure_name: str | None
    applicant: str = Field(description='The masked name, e.g. "N*** T** H**".')
    submitted_at: str = Field(description=f"When it was submitted, {MOMENT}.")
    received_at: str | None = Field(description=MOMENT)
    due_at: str | None = Field(description=f"The appointment held now, {MOMENT}.")
    result_issued_at: str | None = Field(description=f"The result was issued, {MOMENT}.")
    returned_at: str | None = Field(description=MOMENT)

    @classmethod
    def of(cls, owned: OwnedDossier) -> MyDossierOut:
        """The owner's line for a row of the lookup view."""
        row = owned.row
        return cls(
            ref=row.code or str(row.dossier_id),
            dossier_id=str(row.dossier_id),
            code=row.code,
            status_code=row.status.national_code,
            status_label=row.status.label,
            procedure=row.procedure,
            procedure_name=owned.procedure_name,
            applicant=row.applicant,
            submitted_at=moment(row.submitted_at),
            received_at=_at(row.received_at),
            due_at=_at(row.due_at),
            result_issued_at=_at(row.result_issued_at),
            returned_at=_at(row.returned_at),
        )


class MyDossiersPage(BaseModel):
    """One page of the caller's own dossiers, newest submission first."""

    items: list[MyDossierOut]
    next: str | None = Field(description="Cursor of the next page; null on the last page.")
