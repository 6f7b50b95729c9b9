"""Hồ sơ (dossier): one application for one procedure, from submission to return.

Each event changes state in its own ``apply``: one signature per event, and
the three ways a dossier starts (online, by post, at the counter) are three
creation events. Every event carries the envelope: the ``actor``, the
business moment ``at`` and the client's ``command_id``. The aggregate
remembers the command ids it has applied, so a repeated command is known
across processes and restarts.

Deadline figures decided when something happened (the appointment on
reception, the new appointment when a paused clock resumes, a step's due
time at handover) are stored on that event, so a later calendar decision
never moves them. Nothing else in the events is derived.

Stored events come back from JSON: tuples as lists and enum members as
plain strings. Each ``apply`` turns them back, so a reloaded dossier equals
the live one. The module is long because the lifecycle is: the events come
first, then the commands that record them, grouped by stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, NoReturn
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.calendar import WorkingCalendar
from domain.copies import shallow_copy
from domain.deadline import Deadline, Pause, compute_deadline
from domain.dossier_rules import (
    check_extension,
    check_listed,
    missing_documents,
    shift,
    step_due,
    time_limit,
)
from domain.dossier_status import ALLOWED, Status, allowed_actions
from domain.dossier_values import (
    Actor,
    ApologyLetter,
    Charge,
    Delivery,
    DossierCode,
    Envelope,
    ExtensionRules,
    HandedDocument,
    RequestedDocument,
    ResultMedium,
    Satisfaction,
    Submission,
    command_key,
)
from domain.errors import DossierRuleError, IncompleteDossierError, TransitionError
from domain.procedure import Procedure, ProcedureVersion
from domain.procedure_spec import Case, Channel, ProcedureSpec
from domain.time_limit import ClockPolicy, Timeliness, classify, local
from domain.values import AgencyCode

SUPPLEMENT = "supplement"
PAYMENT = "payment"


class Dossier(Aggregate):
    """Hồ sơ: one application for one procedure, with its deadlines held in working time."""

    # ------------------------------------------------------------------ state

    submission: Submission
    channel: Channel
    submitted_at: datetime
    opened_by: str  # the user id that submitted it: an applicant owns what they submitted

    def __init__(self) -> None:
        self.status = Status.SUBMITTED
        self.commands: dict[str, int] = {}  # command_key(actor, command id) -> version
        self.postal_item_code: str | None = None
        self.documents: tuple[HandedDocument, ...] = ()
        self.intake_requests: list[tuple[RequestedDocument, ...]] = []
        self.code: DossierCode | None = None
        self.lookup_secret: str | None = None
        self.procedure_version: int | None = None
        self.received_at: datetime | None = None
        self.appointment: Deadline | None = None  # decided at reception, never changed
        self.deadline: Deadline | None = None  # the current one, after any resumed clock
        self.clock_base: datetime | None = None  # reception, or the last restart
        self.pauses: list[Pause] = []
        self.paused_since: datetime | None = None
        self.paused_for: str | None = None
        self.step: int | None = None
        self.step_started_at: datetime | None = None
        self.step_due_at: datetime | None = None
        self.handler: str | None = None
        self.partners: dict[str, datetime] = {}  # partner agency -> its sub-deadline
        self.supplement_requested: tuple[RequestedDocument, ...] = ()
        self.supplement_received_at: datetime | None = None
        self.charges: tuple[Charge, ...] = ()
        self.paid: int = 0
        self.rescheduled_due_at: datetime | None = None
        self.apologies: list[ApologyLetter] = []  # Mẫu 04, one per extension
        self.result_issued_at: datetime | None = None
        self.returned_at: datetime | None = None
        self.returned_by: Delivery | None = None
        self.delivered_at: datetime | None = None
        self.closed_at: datetime | None = None  # rejected, stopped or withdrawn
        self.reason: str | None = None
        self.papers_returned_at: datetime | None = None
        self.satisfaction: Satisfaction | None = None

    def __deepcopy__(self, memo: dict[int, object]) -> Dossier:
        """The copy a command works on: its lists and dicts are its own (``domain.copies``)."""
        return shallow_copy(self, memo)

    # ------------------------------------------------------------------ events

    class Event(Aggregate.Event):
        """The envelope of every dossier event."""

        actor: Actor
        at: datetime
        command_id: str

        def mutate(self, aggregate: Any) -> Any:  # noqa: ANN401 (the library's signature)
            """Apply the event, then remember its command id (for idempotency)."""
            dossier = super().mutate(aggregate)
            if dossier is not None:
                dossier.commands[command_key(self.actor, self.command_id)] = self.originator_version
            return dossier

    class SubmittedOnline(Aggregate.Created, Event):
        """Nộp trực tuyến: submitted on the portal; waits for the one-stop check (status 1)."""

        submission: Submission
        eid_level: int

        def apply(self, aggregate: Dossier) -> None:
            """Open the dossier as submitted online."""
            aggregate.opened(self.submission, Channel.ONLINE, self.at, self.actor)

    class SubmittedByPost(Aggregate.Created, Event):
        """Nộp qua bưu chính: the postal operator handed the dossier over (status 1)."""

        submission: Submission
        postal_item_code: str

        def apply(self, aggregate: Dossier) -> None:
            """Open the dossier as submitted by post."""
            aggregate.opened(self.submission, Channel.POSTAL, self.at, self.actor)
            aggregate.postal_item_code = self.postal_item_code

    class SubmittedAtCounter(Aggregate.Created, Event):
        """Nộp trực tiếp: the applicant brought the dossier to the counter."""

        submission: Submission

        def apply(self, aggregate: Dossier) -> None:
            """Open the dossier as brought to the counter."""
            aggregate.opened(self.submission, Channel.COUNTER, self.at, self.actor)

    class IntakeSupplementRequested(Event):
        """Mẫu 02: the dossier is incomplete; every missing document is listed at once."""

        items: tuple[RequestedDocument, ...]
        note: str

        def apply(self, aggregate: Dossier) -> None:
            """Send the dossier back for completion; no clock runs."""
            aggregate.status = Status.INTAKE_INCOMPLETE
            aggregate.intake_requests.append(tuple(self.items))

    class Resubmitted(Event):
        """Nộp lại: the applicant completed the dossier after a Mẫu 02."""

        documents: tuple[HandedDocument, ...]

        def apply(self, aggregate: Dossier) -> None:
            """Back to the one-stop check with the new checklist."""
            aggregate.status = Status.SUBMITTED
            aggregate.documents = tuple(self.documents)

    class Received(Event):
        """Tiếp nhận (Mẫu 01): the code, the lookup secret, the pinned version and the clock."""

        code: DossierCode
        lookup_secret: str
        procedure_version: int
        documents: tuple[HandedDocument, ...]
        clock_start: datetime
        due_at: datetime
        statutory_due_date: date
        step_due_at: datetime | None

        def apply(self, aggregate: Dossier) -> None:
            """Start the clock and the first step."""
            aggregate.status = Status.RECEIVED
            aggregate.code = self.code
            aggregate.lookup_secret = self.lookup_secret
            aggregate.procedure_version = self.procedure_version
            aggregate.documents = tuple(self.documents)
            aggregate.received_at = self.at
            deadline = Deadline(self.clock_start, self.due_at, self.statutory_due_date)
            aggregate.appointment = aggregate.deadline = deadline
            aggregate.clock_base = self.at
            aggregate.start_step(0 if self.step_due_at else None, self.at, self.step_due_at)

    class RejectedAtIntake(Event):
        """Mẫu 03: refused at intake, with a written reason (status 3)."""

        reason: str
        legal_ground: str

        def apply(self, aggregate: Dossier) -> None:
            """Close the dossier as refused."""
            aggregate.close(Status.REJECTED, self.at, self.reason)

    class Assigned(Event):
        """Phân công: a handler takes the dossier (or its current step)."""

        handler: str
        unit: str

        def apply(self, aggregate: Dossier) -> None:
            """Record the handler; processing has begun."""
            aggregate.status = Status.PROCESSING
            aggregate.handler = self.handler

    class StepCompleted(Event):
        """Chuyển bước (Mẫu 05 row): a step is done and the next one starts."""

        step: int
        outcome: str
        medium: ResultMedium
        next_step_due_at: datetime | None

        def apply(self, aggregate: Dossier) -> None:
            """Move to the next step, or to none after the last."""
            aggregate.status = Status.PROCESSING
            following = self.step + 1 if self.next_step_due_at else None
            aggregate.start_step(following, self.at, self.next_step_due_at)
            aggregate.handler = None

    class StepReturned(Event):
        """Trả lại bước trước: the step goes back to the previous one, with the reason."""

        step: int
        reason: str
        step_due_at: datetime | None

        def apply(self, aggregate: Dossier) -> None:
            """The previous step runs again, with its allotment from now."""
            aggregate.start_step(self.step - 1, self.at, self.step_due_at)
            aggregate.handler = None

    class HandedToPartner(Event):
        """Liên thông: a step goes to a partner agency, with its allotted time."""

        partner: AgencyCode
        partner_due_at: datetime
        note: str

        def apply(self, aggregate: Dossier) -> None:
            """The partner now holds a step; the dossier stays in processing (status 4)."""
            aggregate.partners[self.partner.value] = self.partner_due_at

    class PartnerResultReceived(Event):
        """Liên thông: the partner agency sent its result back."""

        partner: AgencyCode
        outcome: str
        partner_ref: str

        def apply(self, aggregate: Dossier) -> None:
            """The partner no longer holds a step."""
            aggregate.partners.pop(self.partner.value, None)

    class SupplementRequested(Event):
        """Yêu cầu bổ sung (Mẫu 02, through the one-stop unit): the clock pauses (status 5)."""

        items: tuple[RequestedDocument, ...]
        reason: str
        respond_by: date | None

        def apply(self, aggregate: Dossier) -> None:
            """Pause the clock and wait for the applicant."""
            aggregate.status = Status.SUPPLEMENT_REQUESTED
            aggregate.supplement_requested = tuple(self.items)
            aggregate.supplement_received_at = None
            aggregate.pause(SUPPLEMENT, self.at)

    class SupplementSubmitted(Event):
        """Nộp bổ sung: the applicant handed in the supplement; it waits to be checked."""

        documents: tuple[HandedDocument, ...]

        def apply(self, aggregate: Dossier) -> None:
            """Keep the supplement; the clock stays paused until it is accepted."""
            aggregate.supplement_received_at = self.at
            aggregate.documents = (*aggregate.documents, *self.documents)

    class Supplemented(Event):
        """Tiếp nhận bổ sung: the supplement is complete; processing goes on (status 4)."""

        def apply(self, aggregate: Dossier) -> None:
            """Back to processing (the clock resumes with ClockResumed)."""
            aggregate.status = Status.PROCESSING
            aggregate.supplement_requested = ()

    class PaymentRequested(Event):
        """Yêu cầu thực hiện nghĩa vụ tài chính (status 6); pauses the clock during processing."""

        charges: tuple[Charge, ...]
        note: str

        def apply(self, aggregate: Dossier) -> None:
            """Wait for the payment; pause the clock unless the result is already out."""
            aggregate.status = Status.AWAITING_PAYMENT
            aggregate.charges = tuple(self.charges)
            if aggregate.result_issued_at is None:
                aggregate.pause(PAYMENT, self.at)

    class PaidOnline(Event):
        """Thanh toán trực tuyến: the payment platform confirmed the payment."""

        payment_ref: str
        transaction_id: str
        bank_code: str
        amount: int
        paid_at: datetime

        def apply(self, aggregate: Dossier) -> None:
            """The charges are paid."""
            aggregate.settle(self.amount)

    class PaidAtCounter(Event):
        """Nộp tại quầy: the cashier took the payment and issued a receipt (biên lai)."""

        receipt_number: str
        amount: int

        def apply(self, aggregate: Dossier) -> None:
            """The charges are paid."""
            aggregate.settle(self.amount)

    class ClockResumed(Event):
        """The clock runs again, with the new appointment decided at that moment (§4.6)."""

        due_at: datetime
        statutory_due_date: date
        step_due_at: datetime | None
        restarted: bool

        def apply(self, aggregate: Dossier) -> None:
            """Close the open pause and take the new figures."""
            aggregate.resume(self)

    class Extended(Event):
        """Mẫu 04: apology and a new appointment, at most as often as the rules allow."""

        new_due_at: datetime
        reason: str
        signed_by: str

        def apply(self, aggregate: Dossier) -> None:
            """Reschedule the appointment; the statutory due date does not move."""
            letter = ApologyLetter(
                dossier=aggregate.reference,
                applicant=aggregate.submission.applicant.name,
                procedure=aggregate.submission.procedure,
                received_at=aggregate.received_at or self.at,
                original_due_at=aggregate.current_due_at or self.new_due_at,
                new_due_at=self.new_due_at,
                reason=self.reason,
                signed_by=self.signed_by,
                issued_at=self.at,
            )
            aggregate.apologies.append(letter)
            aggregate.rescheduled_due_at = self.new_due_at

    class ResultIssued(Event):
        """Có kết quả: processing is finished (NgayKetThucXuLy) and the result is ready (9)."""

        result_number: str
        signed_by: str
        file_ref: str

        def apply(self, aggregate: Dossier) -> None:
            """Stop the clock for good; the timeliness is decided now."""
            aggregate.status = Status.RESULT_READY
            aggregate.result_issued_at = self.at
            aggregate.start_step(None, self.at, None)

    class ReturnedAtCounter(Event):
        """Trả kết quả tại quầy (status 10)."""

        receiver_name: str

        def apply(self, aggregate: Dossier) -> None:
            """The applicant has the result."""
            aggregate.returned(Delivery.COUNTER, self.at)
            aggregate.delivered_at = self.at

    class ReturnedViaPost(Event):
        """Trả qua bưu chính: handed to the postal operator (status 10)."""

        postal_item_code: str

        def apply(self, aggregate: Dossier) -> None:
            """The result is on its way."""
            aggregate.returned(Delivery.POSTAL, self.at)

    class ReturnedOnline(Event):
        """Trả kết quả điện tử: sent to the applicant's account (status 10)."""

        file_ref: str

        def apply(self, aggregate: Dossier) -> None:
            """The applicant has the electronic result."""
            aggregate.returned(Delivery.ONLINE, self.at)
            aggregate.delivered_at = self.at

    class PostalDelivered(Event):
        """Phát thành công: the postal operator delivered the result."""

        receiver_name: str

        def apply(self, aggregate: Dossier) -> None:
            """The delivery is complete."""
            aggregate.delivered_at = self.at

    class Stopped(Event):
        """Dừng xử lý: the competent agency stops, with written reasons (status 8)."""

        reason: str
        legal_ground: str

        def apply(self, aggregate: Dossier) -> None:
            """Close the dossier as stopped."""
            aggregate.close(Status.STOPPED, self.at, self.reason)

    class Withdrawn(Event):
        """Rút hồ sơ: withdrawn at the applicant's request (status 7)."""

        reason: str

        def apply(self, aggregate: Dossier) -> None:
            """Close the dossier as withdrawn."""
            aggregate.close(Status.WITHDRAWN, self.at, self.reason)

    class PapersReturned(Event):
        """Trả lại hồ sơ: the notice and the originals went back to the applicant."""

        delivery: Delivery
        receiver_name: str

        def apply(self, aggregate: Dossier) -> None:
            """Nothing of the applicant's is left with the office."""
            aggregate.papers_returned_at = self.at

    class Rated(Event):
        """Đánh giá mức độ hài lòng (§5.4)."""

        satisfaction: Satisfaction
        comment: str

        def apply(self, aggregate: Dossier) -> None:
            """Keep the rating."""
            aggregate.satisfaction = Satisfaction(self.satisfaction)

    # ------------------------------------------------------------------ state changes

    def opened(self, submission: Submission, channel: Channel, at: datetime, by: Actor) -> None:
        """Set what every creation event sets."""
        self.opened_by = by.user_id
        self.submission = submission
        self.channel = channel
        self.submitted_at = at
        self.documents = submission.documents

    def start_step(self, step: int | None, at: datetime, due: datetime | None) -> None:
        """Make ``step`` the current one (``None``: no step runs)."""
        self.step = step
        self.step_started_at = at if step is not None else None
        self.step_due_at = due

    def pause(self, reason: str, at: datetime) -> None:
        """Stop the clock at ``at``."""
        self.paused_since = at
        self.paused_for = reason

    def resume(self, event: Dossier.ClockResumed) -> None:
        """Close the open pause and take the new figures."""
        start = self.paused_since or event.at
        self.pauses.append(Pause(start=start, end=event.at))
        self.paused_since = self.paused_for = None
        assert self.deadline is not None  # noqa: S101 (the clock only resumes after reception)
        self.deadline = Deadline(self.deadline.clock_start, event.due_at, event.statutory_due_date)
        if event.restarted:
            self.clock_base = event.at
            self.start_step(0 if event.step_due_at else None, event.at, event.step_due_at)
        else:
            self.step_due_at = event.step_due_at

    def settle(self, amount: int) -> None:
        """Record a payment; back to where the dossier was before it waited."""
        self.paid += amount
        self.status = Status.PROCESSING if self.result_issued_at is None else Status.RESULT_READY

    def returned(self, delivery: Delivery, at: datetime) -> None:
        """The result left the office."""
        self.status = Status.RETURNED
        self.returned_at = at
        self.returned_by = delivery

    def close(self, status: Status, at: datetime, reason: str) -> None:
        """Close the dossier without a result."""
        self.status = status
        self.closed_at = at
        self.reason = reason
        self.paused_since = self.paused_for = None
        self.start_step(None, at, None)

    # ------------------------------------------------------------------ opening

    @classmethod
    def submit_online(
        cls,
        envelope: Envelope,
        *,
        dossier_id: UUID,
        submission: Submission,
        procedure: Procedure,
        eid_level: int,
    ) -> Dossier:
        """Nộp trực tuyến: a dossier submitted on the portal, waiting for the one-stop check."""
        _check_new(procedure, submission, Channel.ONLINE, envelope.at)
        if eid_level not in (0, 1, 2):
            raise DossierRuleError(
                dossier="(new)", rule="eid_level", message="the e-ID level is 0, 1 or 2"
            )
        return cls._create(
            cls.SubmittedOnline,
            id=dossier_id,
            submission=submission,
            eid_level=eid_level,
            **envelope.fields(),
        )

    @classmethod
    def submit_by_post(
        cls,
        envelope: Envelope,
        *,
        dossier_id: UUID,
        submission: Submission,
        procedure: Procedure,
        postal_item_code: str,
    ) -> Dossier:
        """Nộp qua bưu chính: a dossier the postal operator handed over."""
        _check_new(procedure, submission, Channel.POSTAL, envelope.at)
        if not postal_item_code.strip():
            raise DossierRuleError(
                dossier="(new)",
                rule="postal_item_code_required",
                message="a postal dossier needs the postal item code",
            )
        return cls._create(
            cls.SubmittedByPost,
            id=dossier_id,
            submission=submission,
            postal_item_code=postal_item_code,
            **envelope.fields(),
        )

    @classmethod
    def submit_at_counter(
        cls, envelope: Envelope, *, dossier_id: UUID, submission: Submission, procedure: Procedure
    ) -> Dossier:
        """Nộp trực tiếp: a dossier brought to the counter (received at once, or refused)."""
        _check_new(procedure, submission, Channel.COUNTER, envelope.at)
        return cls._create(
            cls.SubmittedAtCounter, id=dossier_id, submission=submission, **envelope.fields()
        )

    # ------------------------------------------------------------------ intake

    def request_intake_supplement(
        self, envelope: Envelope, *, procedure: Procedure, guidance: Mapping[str, str], note: str
    ) -> None:
        """Mẫu 02: list every missing or defective document at once, with guidance."""
        self.check("request_intake_supplement")
        case = self._case_in_force(procedure, envelope.at)
        check_listed(self.reference, case, guidance)
        lacking = {item.code: item for item in missing_documents(case, self.documents)}
        items = tuple(
            RequestedDocument(
                code=document.code,
                name=document.name,
                reason=guidance.get(document.code, "").strip() or lacking[document.code].reason,
            )
            for document in case.documents
            if document.code in lacking or guidance.get(document.code, "").strip()
        )
        if not items:
            self.refuse("nothing_missing", "every required document is there: receive or reject it")
        self.trigger_event(
            self.IntakeSupplementRequested, items=items, note=note, **envelope.fields()
        )

    def resubmit(
        self, envelope: Envelope, *, procedure: Procedure, documents: tuple[HandedDocument, ...]
    ) -> None:
        """Nộp lại: the completed checklist after a Mẫu 02."""
        self.check("resubmit")
        case = self._case_in_force(procedure, envelope.at)
        check_listed(self.reference, case, (d.code for d in documents))
        self.trigger_event(self.Resubmitted, documents=documents, **envelope.fields())

    def accept(  # noqa: PLR0913 (each argument is one fact of the receipt)
        self,
        envelope: Envelope,
        *,
        procedure: Procedure,
        calendar: WorkingCalendar,
        code: DossierCode,
        lookup_secret: str,
        documents: tuple[HandedDocument, ...] | None = None,
    ) -> None:
        """Tiếp nhận (Mẫu 01): check the checklist, pin the version, start the clock."""
        self.check("accept")
        at = envelope.at
        version = _version_in_force(procedure, self.submission, at)
        spec = version.spec
        case = spec.case(self.case)
        checklist = self.documents if documents is None else tuple(documents)
        check_listed(self.reference, case, (d.code for d in checklist))
        lacking = missing_documents(case, checklist)
        if lacking:
            raise IncompleteDossierError(
                dossier=self.reference, missing=tuple(f"{d.code}: {d.reason}" for d in lacking)
            )
        if code.agency != self.submission.receiving_unit or code.day != at.date():
            self.refuse("code_mismatch", f"code {code} is not the receiving unit's code of today")
        if len(lookup_secret) < 6:  # noqa: PLR2004 (the shortest secret worth printing)
            self.refuse("weak_secret", "the lookup secret must have at least 6 characters")
        limit = time_limit(self.reference, spec, case, self.channel)
        deadline = compute_deadline(calendar, at, limit, same_day_cutoff=spec.same_day_cutoff)
        self.trigger_event(
            self.Received,
            code=code,
            lookup_secret=lookup_secret,
            procedure_version=version.number,
            documents=checklist,
            clock_start=deadline.clock_start,
            due_at=deadline.due_at,
            statutory_due_date=deadline.statutory_due_date,
            step_due_at=step_due(calendar, deadline.clock_start, case, 0),
            **envelope.fields(),
        )

    def reject(self, envelope: Envelope, *, reason: str, legal_ground: str) -> None:
        """Mẫu 03: refuse at intake, with a written reason."""
        self.check("reject")
        self._require("reason", reason)
        self.trigger_event(
            self.RejectedAtIntake, reason=reason, legal_ground=legal_ground, **envelope.fields()
        )

    # ------------------------------------------------------------------ processing

    def assign(self, envelope: Envelope, *, handler: str, unit: str) -> None:
        """Phân công: a handler takes the dossier."""
        self.check("assign")
        self._require("handler", handler)
        self._require("unit", unit)
        self.trigger_event(self.Assigned, handler=handler, unit=unit, **envelope.fields())

    def complete_step(
        self,
        envelope: Envelope,
        *,
        procedure: Procedure,
        calendar: WorkingCalendar,
        outcome: str,
        medium: ResultMedium = ResultMedium.ELECTRONIC,
    ) -> None:
        """Chuyển bước: the current step is done; the next one starts with its allotment."""
        self.check("complete_step")
        if self.step is None:
            self.refuse("no_current_step", "no step of the internal process is running")
        _, case = self.pinned(procedure)
        self._require("outcome", outcome)
        self.trigger_event(
            self.StepCompleted,
            step=self.step,
            outcome=outcome,
            medium=ResultMedium(medium),
            next_step_due_at=step_due(calendar, envelope.at, case, self.step + 1),
            **envelope.fields(),
        )

    def return_step(
        self, envelope: Envelope, *, procedure: Procedure, calendar: WorkingCalendar, reason: str
    ) -> None:
        """Trả lại bước trước: send the current step back (a head returns a handler's draft)."""
        self.check("return_step")
        if not self.step:
            self.refuse("no_previous_step", "no step before the current one can take it back")
        self._require("reason", reason)
        _, case = self.pinned(procedure)
        self.trigger_event(
            self.StepReturned,
            step=self.step,
            reason=reason,
            step_due_at=step_due(calendar, envelope.at, case, self.step - 1),
            **envelope.fields(),
        )

    def hand_over(
        self,
        envelope: Envelope,
        *,
        procedure: Procedure,
        calendar: WorkingCalendar,
        partner: AgencyCode,
        note: str,
    ) -> None:
        """Liên thông: hand a step to a partner agency the procedure lists, with its time."""
        self.check("hand_over")
        spec, _ = self.pinned(procedure)
        listed = {p.agency: p for p in spec.partners}
        if partner not in listed:
            self.refuse(
                "partner_not_listed",
                f"{partner} is not an interconnected agency of {spec.local_code}",
                listed=tuple(str(a) for a in listed),
            )
        if partner.value in self.partners:
            self.refuse("partner_holds_step", f"{partner} already holds a step")
        hours = timedelta(hours=float(listed[partner].hours))
        self.trigger_event(
            self.HandedToPartner,
            partner=partner,
            partner_due_at=calendar.add_working_time(envelope.at, hours),
            note=note,
            **envelope.fields(),
        )

    def take_back(
        self, envelope: Envelope, *, partner: AgencyCode, outcome: str, partner_ref: str
    ) -> None:
        """Liên thông: the partner agency's result comes back."""
        self.check("take_back")
        if partner.value not in self.partners:
            self.refuse("partner_not_holding", f"{partner} holds no step of this dossier")
        self._require("outcome", outcome)
        self.trigger_event(
            self.PartnerResultReceived,
            partner=partner,
            outcome=outcome,
            partner_ref=partner_ref,
            **envelope.fields(),
        )

    # ------------------------------------------------------------------ pauses

    def request_supplement(
        self,
        envelope: Envelope,
        *,
        procedure: Procedure,
        items: tuple[RequestedDocument, ...],
        reason: str,
        respond_by: date | None = None,
    ) -> None:
        """Yêu cầu bổ sung: ask via the one-stop unit for listed documents; the clock pauses."""
        self.check("request_supplement")
        self._require("reason", reason)
        if not items:
            self.refuse("items_required", "name at least one document to supplement")
        _, case = self.pinned(procedure)
        check_listed(self.reference, case, (item.code for item in items))
        if respond_by is not None and respond_by < envelope.at.date():
            self.refuse("respond_by_past", "the supplement deadline is already past")
        self.trigger_event(
            self.SupplementRequested,
            items=tuple(items),
            reason=reason,
            respond_by=respond_by,
            **envelope.fields(),
        )

    def submit_supplement(
        self, envelope: Envelope, *, procedure: Procedure, documents: tuple[HandedDocument, ...]
    ) -> None:
        """Nộp bổ sung: the applicant hands in the supplement."""
        self.check("submit_supplement")
        if not documents:
            self.refuse("documents_required", "a supplement needs at least one document")
        _, case = self.pinned(procedure)
        check_listed(self.reference, case, (d.code for d in documents))
        self.trigger_event(self.SupplementSubmitted, documents=documents, **envelope.fields())

    def accept_supplement(
        self, envelope: Envelope, *, procedure: Procedure, calendar: WorkingCalendar
    ) -> None:
        """Tiếp nhận bổ sung: the supplement is complete; the clock resumes (§4.6)."""
        self.check("accept_supplement")
        if self.supplement_received_at is None:
            self.refuse("supplement_not_submitted", "no supplement has been handed in yet")
        self.trigger_event(self.Supplemented, **envelope.fields())
        self._resume(envelope, procedure, calendar)

    def request_payment(
        self, envelope: Envelope, *, charges: tuple[Charge, ...], note: str
    ) -> None:
        """Nghĩa vụ tài chính: ask for fees, taxes or levies; the clock pauses while processing."""
        self.check("request_payment")
        if not charges or sum(c.amount for c in charges) <= 0:
            self.refuse("charges_required", "ask for at least one charge of more than 0 VND")
        self.trigger_event(
            self.PaymentRequested, charges=tuple(charges), note=note, **envelope.fields()
        )

    def pay_online(  # noqa: PLR0913 (the payment platform's confirmation fields)
        self,
        envelope: Envelope,
        *,
        procedure: Procedure,
        calendar: WorkingCalendar,
        payment_ref: str,
        transaction_id: str,
        bank_code: str,
        amount: int,
        paid_at: datetime,
    ) -> None:
        """Thanh toán trực tuyến: the payment platform confirmed the whole amount."""
        self.check("record_payment")
        self._check_amount(amount)
        self._require("payment_ref", payment_ref)
        self._require("transaction_id", transaction_id)
        self.trigger_event(
            self.PaidOnline,
            payment_ref=payment_ref,
            transaction_id=transaction_id,
            bank_code=bank_code,
            amount=amount,
            paid_at=local(paid_at),
            **envelope.fields(),
        )
        self._resume(envelope, procedure, calendar)

    def pay_at_counter(
        self,
        envelope: Envelope,
        *,
        procedure: Procedure,
        calendar: WorkingCalendar,
        receipt_number: str,
        amount: int,
    ) -> None:
        """Nộp tại quầy: the cashier took the whole amount and issued a receipt."""
        self.check("record_payment")
        self._check_amount(amount)
        self._require("receipt_number", receipt_number)
        self.trigger_event(
            self.PaidAtCounter, receipt_number=receipt_number, amount=amount, **envelope.fields()
        )
        self._resume(envelope, procedure, calendar)

    def _check_amount(self, amount: int) -> None:
        due = sum(charge.amount for charge in self.charges)
        if amount != due:
            self.refuse(
                "amount_mismatch", f"{amount} VND paid, {due} VND asked", asked=due, paid=amount
            )

    def _resume(self, envelope: Envelope, procedure: Procedure, calendar: WorkingCalendar) -> None:
        if self.paused_since is None:
            return
        spec, case = self.pinned(procedure)
        deadline, restarted = self.resumed_deadline(calendar, spec, case, envelope.at)
        if restarted:
            step_due_at = step_due(calendar, envelope.at, case, 0)
        elif self.step_due_at is not None:
            step_due_at = shift(calendar, self.step_due_at, self.paused_since, envelope.at)
        else:
            step_due_at = None
        self.trigger_event(
            self.ClockResumed,
            due_at=deadline.due_at,
            statutory_due_date=deadline.statutory_due_date,
            step_due_at=step_due_at,
            restarted=restarted,
            **envelope.fields(),
        )

    def resumed_deadline(
        self, calendar: WorkingCalendar, spec: ProcedureSpec, case: Case, at: datetime
    ) -> tuple[Deadline, bool]:
        """The deadline when the clock resumes at ``at``, and whether it restarted (§4.6).

        A supplement under RESTART grants the full limit again from ``at``;
        otherwise the working time of every pause since the clock last started
        is added back. A payment wait always pauses.
        """
        base, start = self.clock_base, self.paused_since
        assert base is not None  # noqa: S101 (only after reception)
        assert start is not None  # noqa: S101 (only while paused)
        limit = time_limit(self.reference, spec, case, self.channel)
        cutoff = spec.same_day_cutoff
        if self.paused_for == SUPPLEMENT and spec.supplement_policy is ClockPolicy.RESTART:
            return compute_deadline(calendar, at, limit, same_day_cutoff=cutoff), True
        pauses = [p for p in self.pauses if p.start >= base]
        pauses.append(Pause(start=start, end=max(at, start)))
        return compute_deadline(calendar, base, limit, same_day_cutoff=cutoff, pauses=pauses), False

    # ------------------------------------------------------------------ lateness and results

    def extend(  # noqa: PLR0913 (each argument is one line of Mẫu 04)
        self,
        envelope: Envelope,
        *,
        rules: ExtensionRules,
        calendar: WorkingCalendar,
        new_due_at: datetime,
        reason: str,
        signed_by: str,
    ) -> None:
        """Mẫu 04: apologise and set a new appointment, within the rules (§4.7)."""
        self.check("extend")
        if self.result_issued_at is not None:
            self.refuse("extension_after_result", "the result is issued: nothing is late any more")
        self._require("reason", reason)
        self._require("signed_by", signed_by)
        new_due = local(new_due_at)
        due = self.current_due_at
        assert due is not None  # noqa: S101 (extension needs a received dossier)
        check_extension(
            self.reference,
            used=self.extensions,
            due=due,
            rules=rules,
            calendar=calendar,
            at=envelope.at,
            new_due=new_due,
        )
        self.trigger_event(
            self.Extended,
            new_due_at=new_due,
            reason=reason,
            signed_by=signed_by,
            **envelope.fields(),
        )

    def issue_result(
        self, envelope: Envelope, *, result_number: str, signed_by: str, file_ref: str = ""
    ) -> None:
        """Có kết quả: processing is finished; the timeliness is decided by this date."""
        self.check("issue_result")
        if self.partners:
            self.refuse(
                "partner_pending",
                "a partner agency still holds a step",
                partners=tuple(sorted(self.partners)),
            )
        self._require("result_number", result_number)
        self._require("signed_by", signed_by)
        self.trigger_event(
            self.ResultIssued,
            result_number=result_number,
            signed_by=signed_by,
            file_ref=file_ref,
            **envelope.fields(),
        )

    def return_result(self, envelope: Envelope, *, delivery: Delivery, reference: str) -> None:
        """Trả kết quả: at the counter, by post or online.

        ``reference`` is who took the result at the counter, the postal item
        code, or the electronic file sent.
        """
        self.check("return_result")
        delivery = Delivery(delivery)
        if delivery is Delivery.COUNTER:
            self._require("receiver_name", reference)
            self.trigger_event(self.ReturnedAtCounter, receiver_name=reference, **envelope.fields())
        elif delivery is Delivery.POSTAL:
            self._require("postal_item_code", reference)
            self.trigger_event(
                self.ReturnedViaPost, postal_item_code=reference, **envelope.fields()
            )
        else:
            self._require("file_ref", reference)
            self.trigger_event(self.ReturnedOnline, file_ref=reference, **envelope.fields())

    def confirm_delivery(self, envelope: Envelope, *, receiver_name: str) -> None:
        """Phát thành công: the postal operator delivered the result."""
        self.check("confirm_delivery")
        if self.returned_by is not Delivery.POSTAL or self.delivered_at is not None:
            self.refuse("not_in_post", "the result is not waiting for postal delivery")
        self._require("receiver_name", receiver_name)
        self.trigger_event(self.PostalDelivered, receiver_name=receiver_name, **envelope.fields())

    # ------------------------------------------------------------------ endings

    def stop(self, envelope: Envelope, *, reason: str, legal_ground: str) -> None:
        """Dừng xử lý: stop, with written reasons (also when a supplement deadline lapsed)."""
        self.check("stop")
        self._require("reason", reason)
        self.trigger_event(
            self.Stopped, reason=reason, legal_ground=legal_ground, **envelope.fields()
        )

    def withdraw(self, envelope: Envelope, *, reason: str = "") -> None:
        """Rút hồ sơ: at the applicant's request, only before the result is issued."""
        self.check("withdraw")
        if self.result_issued_at is not None:
            self.refuse(
                "withdrawal_after_result", "the result is issued: it can no longer be withdrawn"
            )
        self.trigger_event(self.Withdrawn, reason=reason, **envelope.fields())

    def return_papers(self, envelope: Envelope, *, delivery: Delivery, receiver_name: str) -> None:
        """Trả lại hồ sơ: hand back the notice and originals of a stopped or withdrawn dossier."""
        self.check("return_papers")
        if self.papers_returned_at is not None:
            self.refuse("papers_already_returned", "the papers were already handed back")
        self._require("receiver_name", receiver_name)
        self.trigger_event(
            self.PapersReturned,
            delivery=Delivery(delivery),
            receiver_name=receiver_name,
            **envelope.fields(),
        )

    def rate(self, envelope: Envelope, *, satisfaction: Satisfaction, comment: str = "") -> None:
        """Đánh giá: the applicant's satisfaction, once per dossier."""
        self.check("rate")
        if self.satisfaction is not None:
            self.refuse("already_rated", "the dossier was already rated")
        self.trigger_event(
            self.Rated,
            satisfaction=Satisfaction(satisfaction),
            comment=comment,
            **envelope.fields(),
        )

    # ------------------------------------------------------------------ reading

    @property
    def reference(self) -> str:
        """The dossier's code once received, its id before."""
        return str(self.code) if self.code else str(self.id)

    @property
    def case(self) -> str:
        """The case (trường hợp) applied for."""
        return self.submission.case

    @property
    def current_due_at(self) -> datetime | None:
        """The appointment the applicant holds now: the later of the resumed and the rescheduled."""
        if self.deadline is None:
            return None
        if self.rescheduled_due_at is None:
            return self.deadline.due_at
        return max(self.deadline.due_at, self.rescheduled_due_at)

    @property
    def extensions(self) -> int:
        """How many times the appointment was rescheduled (one apology letter each)."""
        return len(self.apologies)

    @property
    def statutory_due_date(self) -> date | None:
        """The legal due date (Model D); an extension never moves it."""
        return self.deadline.statutory_due_date if self.deadline else None

    @property
    def is_running(self) -> bool:
        """Received, not closed, and the result not issued yet: the clock matters (it may pause)."""
        return self.status.is_open and self.result_issued_at is None

    @property
    def is_paused(self) -> bool:
        """Whether the clock stands still (waiting for a supplement or a payment)."""
        return self.paused_since is not None

    @property
    def paused_time(self) -> timedelta:
        """The wall-clock time of every closed pause, added up."""
        return sum((pause.end - pause.start for pause in self.pauses), timedelta(0))

    @property
    def timeliness(self) -> Timeliness | None:
        """Early, on time or late, by the date processing finished; ``None`` until then."""
        if self.result_issued_at is None or self.deadline is None:
            return None
        return classify(self.result_issued_at, self.deadline.statutory_due_date)

    def remaining_working_time(self, now: datetime, calendar: WorkingCalendar) -> timedelta | None:
        """Working time left until the current appointment (negative once it has passed).

        While the clock is paused the time left stands still. ``None`` when no
        clock runs: not received yet, or finished.
        """
        due = self.current_due_at
        if due is None or not self.is_running:
            return None
        return calendar.working_time_between(self.paused_since or now, due)

    def is_overdue(self, now: datetime) -> bool:
        """Open, the clock running, and the statutory due date past (judged by date, §5.2)."""
        due = self.statutory_due_date
        if due is None or not self.is_running or self.is_paused:
            return False
        return local(now).date() > due

    def allowed(self) -> tuple[str, ...]:
        """The commands the dossier accepts now."""
        return allowed_actions(self.status)

    def pinned(self, procedure: Procedure) -> tuple[ProcedureSpec, Case]:
        """The content of the version this dossier pinned at reception, and its case."""
        if procedure.local_code != self.submission.procedure:
            self.refuse(
                "wrong_procedure",
                f"the dossier is for {self.submission.procedure}, not {procedure.local_code}",
            )
        if self.procedure_version is None:
            self.refuse("not_received", "the dossier has not been received")
        spec = procedure.pinned(self.procedure_version).spec
        return spec, spec.case(self.case)

    # ------------------------------------------------------------------ guards

    def check(self, action: str) -> None:
        """Refuse ``action`` unless the status allows it (§3.2)."""
        if self.status not in ALLOWED[action]:
            raise TransitionError(
                dossier=self.reference,
                status=self.status.value,
                action=action,
                allowed=self.allowed(),
            )

    def refuse(self, rule: str, message: str, **data: object) -> NoReturn:
        """Refuse a command under guard rule ``rule``."""
        raise DossierRuleError(dossier=self.reference, rule=rule, message=message, **data)

    def _require(self, name: str, value: str) -> None:
        if not value.strip():
            self.refuse(f"{name}_required", f"a written {name.replace('_', ' ')} is required")

    def _case_in_force(self, procedure: Procedure, at: datetime) -> Case:
        return _version_in_force(procedure, self.submission, at).spec.case(self.case)


def _version_in_force(
    procedure: Procedure, submission: Submission, at: datetime
) -> ProcedureVersion:
    """The version in force on the day of ``at``; refused when the procedure is not (§3.4)."""
    if procedure.local_code != submission.procedure:
        raise DossierRuleError(
            dossier="(new)",
            rule="wrong_procedure",
            message=f"the submission is for {submission.procedure}, not {procedure.local_code}",
        )
    return procedure.version_for_reception(local(at).date())


def _check_new(
    procedure: Procedure, submission: Submission, channel: Channel, at: datetime
) -> None:
    version = _version_in_force(procedure, submission, at)
    case = version.spec.case(submission.case)
    time_limit("(new)", version.spec, case, channel)
    check_listed("(new)", case, (d.code for d in submission.documents))
