"""The guard rules of the dossier (§3.4, §4.7): each refusal names its rule and records nothing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from attrs import evolve

from application import dossier_commands as c
from application.commands import AbolishProcedure
from application.onestop import OneStop
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from domain.dossier_status import Status
from domain.dossier_values import ExtensionRules, HandedDocument, RequestedDocument
from domain.errors import (
    DossierError,
    IncompleteDossierError,
    ProcedureNotInForceError,
    TransitionError,
)
from domain.procedure_spec import Form
from domain.time_limit import TimeLimit, Timeliness
from domain.values import AgencyCode
from tests.dossier_fixtures import (
    APPLICANT,
    COMPLETE,
    DECISION,
    FORM,
    HANDLER,
    ID_COPY,
    LEADER,
    OFFICER,
    TAX,
    Desk,
    at,
    spec,
    submission,
)
from tests.unit.test_dossier_transitions import (
    COPIES,
    FEE,
    ISSUE,
    LATER,
    extend,
    hand_over,
    intake_supplement,
    open_desk,
    pay,
    reach,
    receive_with,
    refused,
    submit_incomplete,
    version_of,
)

UNLISTED = "GT.99"
ORIGINAL_FORM = HandedDocument(FORM, Form.ORIGINAL, 1)
ONE_COPY = HandedDocument(ID_COPY, Form.COPY, 1)
ORIGINAL_COPY = HandedDocument(ID_COPY, Form.ORIGINAL, 1)
DUE = at(2025, 3, 17, 9)  # received Mon 3 Mar 09:00, ten working days
_S = Status
REASONED = [(_S.SUBMITTED, "reject"), (_S.PROCESSING, "stop"), (_S.SUPPLEMENT_REQUESTED, "stop")]
BEFORE_RESULT = [
    *(_S.SUBMITTED, _S.INTAKE_INCOMPLETE, _S.RECEIVED),
    *(_S.PROCESSING, _S.SUPPLEMENT_REQUESTED, _S.AWAITING_PAYMENT),
]
FIVE_DAYS = spec(
    code="1.000002.000.00.00.H56",
    limit=TimeLimit.working_days(5),
    steps=(Decimal(4), Decimal(16), Decimal(8), Decimal(4)),
)
"""§4.8 example A: five working days, its steps within them."""


@pytest.fixture
def desk(policy: CalendarPolicy) -> Desk:
    """A desk under the default rules, its clock on Mon 3 Mar 2025 09:00."""
    return open_desk(policy)


def codes(error: IncompleteDossierError) -> list[str]:
    """The document codes an incomplete-dossier error lists."""
    return [item.split(":")[0] for item in error.missing]


# ---------------------------------------------------------------- reception and intake (§3.4)


@pytest.mark.parametrize(
    ("documents", "missing", "says"),
    [
        ((), [FORM, ID_COPY], "thiếu"),
        ((HandedDocument(FORM, Form.COPY, 1), *COPIES), [FORM], "bản chính"),
        ((ORIGINAL_FORM, ONE_COPY), [ID_COPY], "có 1"),
    ],
    ids=["empty", "copy-for-original", "short-count"],
)
def test_reception_lists_every_missing_document_at_once(
    desk: Desk, documents: tuple[HandedDocument, ...], missing: list[str], says: str
) -> None:
    """An incomplete checklist is refused naming every missing document; a copy is no original."""
    recorded = desk.app.recorder.max_notification_id()
    with pytest.raises(IncompleteDossierError) as raised:
        receive_with(desk, *documents)
    assert desk.app.recorder.max_notification_id() == recorded
    assert codes(raised.value) == missing
    assert says in raised.value.missing[0]
    assert raised.value.rule == "complete_checklist"


@pytest.mark.parametrize("second", [ONE_COPY, ORIGINAL_COPY], ids=["copy", "original-as-copy"])
def test_counts_add_up_across_checklist_lines(desk: Desk, second: HandedDocument) -> None:
    """Two lines of one copy each (or an original for a copy) make the two copies required."""
    d = receive_with(desk, ORIGINAL_FORM, ONE_COPY, second)
    assert d.status is Status.RECEIVED


def test_an_incomplete_online_dossier_is_sent_back_with_everything_missing(desk: Desk) -> None:
    """An empty online dossier is not accepted, and Mẫu 02 lists both documents without guidance."""
    d = desk.submit_online(submission=submission(procedure=desk.spec, documents=()))
    with pytest.raises(IncompleteDossierError) as raised:
        desk.accept(d)
    assert codes(raised.value) == [FORM, ID_COPY]
    assert version_of(desk, d) == 1
    assert [i.code for i in intake_supplement(desk, d, {}).intake_requests[-1]] == [FORM, ID_COPY]


def test_an_intake_supplement_lists_every_missing_document_and_guidance(desk: Desk) -> None:
    """Mẫu 02 lists the defective form with its guidance and the missing copies, at once."""
    d = intake_supplement(desk, submit_incomplete(desk), {FORM: "Tờ khai chưa ký tên"})
    assert d.status is Status.INTAKE_INCOMPLETE
    (items,) = d.intake_requests
    assert [item.code for item in items] == [FORM, ID_COPY]
    assert items[0].reason == "Tờ khai chưa ký tên"
    assert "thiếu" in items[1].reason


def test_an_intake_supplement_names_only_listed_documents(desk: Desk) -> None:
    """Guidance on a document outside the published list is refused."""
    d = submit_incomplete(desk)
    guidance = {UNLISTED: "Giấy xác nhận cư trú"}
    error = refused(desk, d, "documents_outside_list", lambda: intake_supplement(desk, d, guidance))
    assert error.data["unknown"] == (UNLISTED,)


@pytest.mark.parametrize("guidance", [{}, {FORM: "   "}], ids=["none", "blank"])
def test_an_intake_supplement_needs_something_missing(desk: Desk, guidance: dict[str, str]) -> None:
    """A complete dossier with no guidance is not sent back: receive or reject it."""
    d = desk.submit_online()
    refused(desk, d, "nothing_missing", lambda: intake_supplement(desk, d, guidance))


def test_a_resubmitted_dossier_can_be_received(desk: Desk) -> None:
    """After Mẫu 02 the completed checklist goes back to the check and is received."""
    d = reach(desk, Status.INTAKE_INCOMPLETE)
    d = desk.dossiers.resubmit(c.Resubmit(**desk.on(d, APPLICANT, documents=COMPLETE)))
    assert d.status is Status.SUBMITTED
    d = desk.accept(d)
    assert d.status is Status.RECEIVED
    assert d.code is not None
    assert d.documents == COMPLETE


# ---------------------------------------------------------------- written reasons


@pytest.mark.parametrize("reason", ["", "   ", "\t\n"], ids=["empty", "spaces", "whitespace"])
@pytest.mark.parametrize(("status", "action"), REASONED, ids=["reject", "stop", "stop-in-5"])
def test_reject_and_stop_need_a_written_reason(
    desk: Desk, status: Status, action: str, reason: str
) -> None:
    """Refusing at intake or stopping without a written reason is refused."""
    d = reach(desk, status)

    def act() -> Dossier:
        fields = desk.on(d, LEADER, reason=reason)
        if action == "reject":
            return desk.dossiers.reject(c.RejectAtIntake(**fields))
        return desk.dossiers.stop(c.StopProcessing(**fields))

    refused(desk, d, "reason_required", act)


# ---------------------------------------------------------------- withdrawal


@pytest.mark.parametrize("status", BEFORE_RESULT, ids=str)
def test_withdrawal_before_the_result_is_allowed(desk: Desk, status: Status) -> None:
    """Before the result is issued the applicant may withdraw; the clock stops for good."""
    d = ISSUE["withdraw"](desk, reach(desk, status))
    assert d.status is Status.WITHDRAWN
    assert d.closed_at == desk.clock()
    assert not d.is_paused


def test_no_withdrawal_once_the_result_is_issued(desk: Desk) -> None:
    """After the result, withdrawal is refused: by status, and by rule while a fee is awaited."""
    d = reach(desk, Status.RESULT_READY)
    with pytest.raises(TransitionError):
        ISSUE["withdraw"](desk, d)
    d = ISSUE["request_payment"](desk, d)
    assert d.status is Status.AWAITING_PAYMENT
    refused(desk, d, "withdrawal_after_result", lambda: ISSUE["withdraw"](desk, d))


# ---------------------------------------------------------------- procedure in force


def test_an_abolished_procedure_receives_nothing(desk: Desk) -> None:
    """From the abolition's effective date no dossier is received, walk-in or submitted earlier."""
    desk.clock.set(at(2025, 2, 26, 9))
    online = desk.submit_online()
    decision = evolve(DECISION, signed_on=date(2025, 2, 20), effective=date(2025, 3, 1))
    desk.catalog.abolish(AbolishProcedure(code=desk.spec.local_code, decision=decision))
    desk.clock.set(at(2025, 3, 3, 9))
    with pytest.raises(ProcedureNotInForceError) as raised:
        desk.receive()
    assert raised.value.on == date(2025, 3, 3)
    with pytest.raises(ProcedureNotInForceError):
        desk.accept(online)
    assert desk.dossiers.get(online.id).status is Status.SUBMITTED


# ---------------------------------------------------------------- extension (§4.7)


@pytest.mark.parametrize("most", [1, 2], ids=["default-once", "configured-twice"])
def test_an_appointment_is_rescheduled_at_most_as_often_as_configured(
    policy: CalendarPolicy, most: int
) -> None:
    """Once by default (or as configured) an apology reschedules; one more is refused."""
    desk = open_desk(policy, ExtensionRules(max_extensions=most) if most != 1 else None)
    d = reach(desk, Status.PROCESSING)
    for week in range(most):
        d = extend(desk, d, at(2025, 3, 24 + 7 * week, 9))
    assert d.extensions == most
    error = refused(desk, d, "extension_limit", lambda: extend(desk, d, at(2025, 4, 14, 9)))
    assert error.data["max_extensions"] == most


@pytest.mark.parametrize("new_due", [DUE, at(2025, 3, 14, 9)], ids=["same", "earlier"])
def test_the_new_appointment_must_be_later(desk: Desk, new_due: datetime) -> None:
    """A new appointment not after the current one is refused."""
    d = reach(desk, Status.PROCESSING)
    refused(desk, d, "extension_not_later", lambda: extend(desk, d, new_due))


@pytest.mark.parametrize(
    "new_due", [at(2025, 3, 22, 9), at(2025, 3, 23, 9), at(2025, 4, 30, 9)], ids=str
)
def test_the_new_appointment_must_be_a_working_day(desk: Desk, new_due: datetime) -> None:
    """A new appointment on a weekend or a public holiday is refused."""
    d = reach(desk, Status.PROCESSING)
    refused(desk, d, "extension_on_day_off", lambda: extend(desk, d, new_due))


@pytest.mark.parametrize("now", [at(2025, 3, 17, 10), at(2025, 3, 18, 9)], ids=str)
def test_no_extension_after_the_appointment_passed(desk: Desk, now: datetime) -> None:
    """Once the appointment has passed, the apology comes too late."""
    d = reach(desk, Status.PROCESSING)
    desk.clock.set(now)
    refused(desk, d, "extension_too_late", lambda: extend(desk, d))


def test_an_overdue_dossier_may_be_extended_when_configured(policy: CalendarPolicy) -> None:
    """With ``after_due`` an appointment already passed may still be rescheduled."""
    desk = open_desk(policy, ExtensionRules(after_due=True))
    d = reach(desk, Status.PROCESSING)
    desk.clock.set(at(2025, 3, 18, 9))
    assert extend(desk, d).current_due_at == LATER


@pytest.mark.parametrize(
    ("notice", "now", "allowed"),
    [
        (1, at(2025, 3, 14, 16), True),
        (1, at(2025, 3, 17, 8), False),
        (0, at(2025, 3, 17, 8), True),
    ],
    ids=["notice-friday", "notice-same-day", "no-notice-same-day"],
)
def test_the_notice_is_counted_in_working_days(
    policy: CalendarPolicy, notice: int, now: datetime, *, allowed: bool
) -> None:
    """One working day of notice means Friday at the latest for a Monday appointment."""
    desk = open_desk(policy, ExtensionRules(notice_working_days=notice))
    d = reach(desk, Status.PROCESSING)
    desk.clock.set(now)
    if allowed:
        assert extend(desk, d).extensions == 1
        return
    error = refused(desk, d, "extension_too_late", lambda: extend(desk, d))
    assert error.data["latest"] == "2025-03-14"


def test_no_extension_once_the_result_is_issued(desk: Desk) -> None:
    """A finished dossier is not rescheduled, even while it awaits a fee collected on return."""
    d = reach(desk, Status.RESULT_READY)
    with pytest.raises(TransitionError):
        extend(desk, d)
    d = ISSUE["request_payment"](desk, d)
    version = version_of(desk, d)
    with pytest.raises(DossierError):
        extend(desk, d)
    assert version_of(desk, d) == version


def test_an_extension_moves_the_appointment_not_the_statutory_date(desk: Desk) -> None:
    """The new appointment becomes current; the statutory due date and the receipt stay."""
    d = extend(desk, reach(desk, Status.PROCESSING))
    assert d.current_due_at == LATER
    assert d.statutory_due_date == date(2025, 3, 17)
    assert d.appointment is not None
    assert d.appointment.due_at == DUE
    assert desk.dossiers.get(d.id).current_due_at == LATER


def test_an_extension_gives_the_apology_letter_its_data(desk: Desk) -> None:
    """Mẫu 04 names the dossier, the applicant, both appointments, the reason and the signer."""
    d = reach(desk, Status.PROCESSING)
    before = d.current_due_at
    d = extend(desk, d)
    (letter,) = d.apologies
    assert letter.dossier == str(d.code)
    assert letter.applicant == d.submission.applicant.name
    assert letter.procedure == desk.spec.local_code
    assert letter.received_at == d.received_at
    assert (letter.original_due_at, letter.new_due_at) == (before, LATER)
    assert (letter.reason, letter.signed_by) == ("Chờ xác minh", "PGĐ")
    assert letter.issued_at == desk.clock()
    assert desk.dossiers.get(d.id).apologies == d.apologies


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (at(2025, 2, 10, 9), Timeliness.LATE),
        (at(2025, 2, 6, 9), Timeliness.EARLY),
        (at(2025, 2, 7, 16, 45), Timeliness.ON_TIME),
    ],
    ids=["mon-10-feb", "thu-6-feb", "fri-7-feb-16h45"],
)
def test_timeliness_is_judged_by_the_statutory_date(
    policy: CalendarPolicy, finished: datetime, expected: Timeliness
) -> None:
    """§4.8 example A: rescheduled to 12 Feb, a result on 10 Feb is still late."""
    desk = Desk(OneStop(), policy, procedure=FIVE_DAYS, start=at(2025, 1, 24, 10))
    d = desk.receive()
    assert d.statutory_due_date == date(2025, 2, 7)
    desk.clock.set(at(2025, 2, 5, 9))
    d = extend(desk, desk.assign(d), at(2025, 2, 12, 10))
    desk.clock.set(finished)
    d = desk.issue_result(d)
    assert d.timeliness is expected
    assert d.statutory_due_date == date(2025, 2, 7)
    assert d.current_due_at == at(2025, 2, 12, 10)


# ---------------------------------------------------------------- liên thông


def test_hand_over_only_to_a_listed_partner(desk: Desk) -> None:
    """An agency the procedure does not list as a partner cannot take a step."""
    d = reach(desk, Status.PROCESSING)
    stranger = AgencyCode("000.00.30.H56")
    refused(desk, d, "partner_not_listed", lambda: hand_over(desk, d, stranger))


def test_a_partner_holds_one_step_at_a_time(desk: Desk) -> None:
    """Handing a second step to a partner that already holds one is refused."""
    d = hand_over(desk, reach(desk, Status.PROCESSING))
    refused(desk, d, "partner_holds_step", lambda: hand_over(desk, d))


def test_no_result_while_a_partner_holds_a_step(desk: Desk) -> None:
    """The result waits for the partner's; once it is back, the result can be issued."""
    d = hand_over(desk, reach(desk, Status.PROCESSING))
    error = refused(desk, d, "partner_pending", lambda: desk.issue_result(d))
    assert error.data["partners"] == (TAX.value,)
    d = ISSUE["take_back"](desk, d)
    assert desk.issue_result(d).status is Status.RESULT_READY


def test_take_back_only_from_a_partner_holding_a_step(desk: Desk) -> None:
    """A partner that holds nothing has nothing to send back, not even a second time."""
    d = reach(desk, Status.PROCESSING)
    refused(desk, d, "partner_not_holding", lambda: ISSUE["take_back"](desk, d))
    d = ISSUE["take_back"](desk, hand_over(desk, d))
    refused(desk, d, "partner_not_holding", lambda: ISSUE["take_back"](desk, d))


def test_the_partner_has_its_working_hours(desk: Desk) -> None:
    """The tax office's sub-deadline is 16 working hours after handover: Mon 09:00 to Wed 09:00."""
    d = hand_over(desk, reach(desk, Status.PROCESSING))
    assert d.partners[TAX.value] == at(2025, 3, 5, 9)
    assert desk.dossiers.get(d.id).partners == {TAX.value: at(2025, 3, 5, 9)}


# ---------------------------------------------------------------- payment


@pytest.mark.parametrize("online", [False, True], ids=["counter", "online"])
@pytest.mark.parametrize("amount", [FEE - 10_000, FEE + 10_000], ids=["less", "more"])
def test_a_payment_must_match_the_requested_total(desk: Desk, amount: int, *, online: bool) -> None:
    """Paying less or more than asked is refused, naming both amounts."""
    d = reach(desk, Status.AWAITING_PAYMENT)
    error = refused(desk, d, "amount_mismatch", lambda: pay(desk, d, amount, online=online))
    assert error.data == {"asked": FEE, "paid": amount}


def test_a_fee_on_return_does_not_pause_the_clock(desk: Desk) -> None:
    """A fee asked after the result goes 9 -> 6 -> 9 and leaves the deadline alone."""
    d = reach(desk, Status.RESULT_READY)
    deadline, issued = d.deadline, d.result_issued_at
    d = ISSUE["request_payment"](desk, d)
    assert (d.status.national_code, d.is_paused) == (6, False)
    desk.clock.advance(days=2)
    d = pay(desk, d, FEE, online=True)
    assert (d.status, d.status.national_code) == (Status.RESULT_READY, 9)
    assert (d.pauses, d.deadline, d.result_issued_at, d.paid) == ([], deadline, issued, FEE)


def test_a_fee_on_return_runs_no_clock(desk: Desk) -> None:
    """Awaiting a fee after the result, the dossier is finished: never overdue, no time left."""
    d = ISSUE["request_payment"](desk, reach(desk, Status.RESULT_READY))
    assert d.remaining_working_time(at(2025, 3, 4, 9), desk.dossiers.calendar_for(d)) is None
    assert not d.is_overdue(at(2025, 4, 1, 9))


# ---------------------------------------------------------------- supplement


def test_a_supplement_request_names_only_listed_documents(desk: Desk) -> None:
    """A supplement request for a document outside the published list is refused."""
    d = reach(desk, Status.PROCESSING)
    items = (RequestedDocument(UNLISTED, "Giấy xác nhận", "Cần bổ sung"),)
    command = c.RequestSupplement(**desk.on(d, HANDLER, items=items, reason="Thiếu giấy tờ"))
    refused(desk, d, "documents_outside_list", lambda: desk.dossiers.request_supplement(command))


def test_a_supplement_hands_in_only_listed_documents(desk: Desk) -> None:
    """A supplement with a document outside the published list is refused."""
    d = reach(desk, Status.SUPPLEMENT_REQUESTED)
    documents = (HandedDocument(UNLISTED, Form.COPY, 1),)
    command = c.SubmitSupplement(**desk.on(d, APPLICANT, documents=documents))
    refused(desk, d, "documents_outside_list", lambda: desk.dossiers.submit_supplement(command))


def test_a_supplement_is_accepted_only_once_submitted(desk: Desk) -> None:
    """Accepting a supplement nobody handed in is refused and the clock stays paused."""
    d = reach(desk, Status.SUPPLEMENT_REQUESTED)
    refused(desk, d, "supplement_not_submitted", lambda: ISSUE["accept_supplement"](desk, d))
    assert desk.dossiers.get(d.id).is_paused


# ---------------------------------------------------------------- after the end


@pytest.mark.parametrize(
    ("status", "action", "rule"),
    [
        (Status.RETURNED, "rate", "already_rated"),
        (Status.STOPPED, "return_papers", "papers_already_returned"),
        (Status.WITHDRAWN, "return_papers", "papers_already_returned"),
        (Status.RETURNED, "confirm_delivery", "not_in_post"),
    ],
    ids=["rate", "papers-stopped", "papers-withdrawn", "postal-delivery"],
)
def test_an_after_the_end_command_is_given_once(
    desk: Desk, status: Status, action: str, rule: str
) -> None:
    """Rating, handing papers back and confirming a postal delivery happen at most once."""
    d = ISSUE[action](desk, reach(desk, status))
    refused(desk, d, rule, lambda: ISSUE[action](desk, d))


def test_postal_delivery_needs_a_postal_return(desk: Desk) -> None:
    """A result handed over at the counter has no postal delivery to confirm."""
    d = desk.return_at_counter(reach(desk, Status.RESULT_READY))
    refused(desk, d, "not_in_post", lambda: ISSUE["confirm_delivery"](desk, d))


def test_a_step_goes_back_only_when_there_is_one_before(desk: Desk) -> None:
    """At the first step there is nothing to return to (`no_previous_step`)."""
    d = reach(desk, Status.PROCESSING)
    assert d.step == 0
    command = c.ReturnStep(**desk.on(d, LEADER, reason="Chưa đạt"))
    refused(desk, d, "no_previous_step", lambda: desk.dossiers.return_step(command))


def test_returning_a_step_needs_a_reason(desk: Desk) -> None:
    """A step is sent back with a written reason (`reason_required`)."""
    d = desk.complete_step(reach(desk, Status.PROCESSING))
    command = c.ReturnStep(**desk.on(d, LEADER, reason="  "))
    refused(desk, d, "reason_required", lambda: desk.dossiers.return_step(command))


def test_a_returned_step_runs_again_with_its_allotment(desk: Desk) -> None:
    """Step 2 back to step 1: step 1 is due its 4 working hours after the return."""
    d = desk.complete_step(reach(desk, Status.PROCESSING))
    desk.clock.set(at(2025, 3, 4, 10))
    d = desk.dossiers.return_step(c.ReturnStep(**desk.on(d, LEADER, reason="Chưa đạt")))
    assert d.step == 0
    assert d.step_started_at == at(2025, 3, 4, 10)
    assert d.step_due_at == at(2025, 3, 4, 16)  # 1.5 h before lunch, 2.5 h from 13:30
    assert d.status is Status.PROCESSING
    assert d.handler is None


def test_a_walk_in_repeated_after_abolition_returns_the_first_result(desk: Desk) -> None:
    """A retried reception whose procedure was abolished since gets its first result back."""
    command = c.ReceiveDossier(
        command_id="walk-in-1", actor=OFFICER, submission=submission(procedure=desk.spec)
    )
    first = desk.dossiers.receive(command)
    decision = evolve(DECISION, signed_on=date(2025, 3, 1), effective=date(2025, 3, 3))
    desk.catalog.abolish(AbolishProcedure(code=desk.spec.local_code, decision=decision))
    assert desk.dossiers.receive(command) == first
    with pytest.raises(ProcedureNotInForceError):
        desk.receive()
