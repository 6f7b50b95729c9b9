"""Every move of the dossier state machine through the service: allowed, refused, terminal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from application import dossier_commands as c
from application.onestop import OneStop
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from domain.dossier_status import ALLOWED, TERMINAL, Status, allowed_actions
from domain.dossier_values import (
    Charge,
    Delivery,
    ExtensionRules,
    HandedDocument,
    RequestedDocument,
    Satisfaction,
)
from domain.errors import DossierRuleError, TransitionError
from domain.procedure_spec import Form
from domain.values import AgencyCode
from tests.dossier_fixtures import (
    APPLICANT,
    COMPLETE,
    FORM,
    HANDLER,
    ID_COPY,
    LEADER,
    SYSTEM,
    TAX,
    Desk,
    at,
    submission,
)

Issue = Callable[[Desk, Dossier], Dossier]

FEE = 50_000
CHARGE = Charge("LP.01", "Lệ phí cấp giấy phép", FEE)
COPIES = (HandedDocument(ID_COPY, Form.COPY, 2),)
ITEMS = (RequestedDocument(ID_COPY, "Bản sao CCCD", "Bản sao mờ, không đọc được"),)
POSTAL_ITEM = "EB123456789VN"
RECEIVER = "Nguyễn Thị Hoa"
LATER = at(2025, 3, 24, 9)  # a week after the appointment of a dossier received on 3 Mar

NATIONAL_CODE: dict[Status, int] = {
    Status.SUBMITTED: 1,
    Status.INTAKE_INCOMPLETE: 1,
    Status.RECEIVED: 2,
    Status.REJECTED: 3,
    Status.PROCESSING: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.AWAITING_PAYMENT: 6,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.RESULT_READY: 9,
    Status.RETURNED: 10,
}
"""The DVCQG status codes (TrangThaiHoSo, domain reference §3.1), written out by hand."""

ACCEPTS: dict[Status, str] = {
    Status.SUBMITTED: "request_intake_supplement accept reject withdraw",
    Status.INTAKE_INCOMPLETE: "resubmit withdraw",
    Status.RECEIVED: "assign complete_step extend issue_result withdraw",
    Status.PROCESSING: "assign complete_step return_step hand_over take_back request_supplement "
    "request_payment extend issue_result stop withdraw",
    Status.SUPPLEMENT_REQUESTED: "submit_supplement accept_supplement extend stop withdraw",
    Status.AWAITING_PAYMENT: "record_payment extend withdraw",
    Status.RESULT_READY: "request_payment return_result",
    Status.RETURNED: "confirm_delivery rate",
    Status.REJECTED: "rate",
    Status.WITHDRAWN: "return_papers rate",
    Status.STOPPED: "return_papers rate",
}
"""What each status accepts, by §3.2-3.3, written out by hand to pin the ``ALLOWED`` table."""


def open_desk(policy: CalendarPolicy, rules: ExtensionRules | None = None) -> Desk:
    """A desk over a fresh in-memory store, its clock on Mon 3 Mar 2025 09:00."""
    desk = Desk(OneStop(), policy, rules=rules)
    desk.clock.set(at(2025, 3, 3, 9))
    return desk


@pytest.fixture
def desk(policy: CalendarPolicy) -> Desk:
    """A desk under the default rules."""
    return open_desk(policy)


# ---------------------------------------------------------------- one valid command per action


def intake_supplement(desk: Desk, d: Dossier, guidance: dict[str, str] | None = None) -> Dossier:
    """Send an online dossier back for completion (Mẫu 02), with ``guidance``."""
    guidance = {FORM: "Tờ khai chưa ký tên"} if guidance is None else guidance
    command = c.RequestIntakeSupplement(**desk.on(d, guidance=guidance))
    return desk.dossiers.request_intake_supplement(command)


def _resubmit(desk: Desk, d: Dossier) -> Dossier:
    return desk.dossiers.resubmit(c.Resubmit(**desk.on(d, APPLICANT, documents=COMPLETE)))


def _reject(desk: Desk, d: Dossier) -> Dossier:
    command = c.RejectAtIntake(**desk.on(d, reason="Không thuộc thẩm quyền giải quyết"))
    return desk.dossiers.reject(command)


def hand_over(desk: Desk, d: Dossier, partner: AgencyCode = TAX) -> Dossier:
    """Give a step to ``partner`` (liên thông)."""
    return desk.dossiers.hand_over(c.HandOverToPartner(**desk.on(d, HANDLER, partner=partner)))


def _take_back(desk: Desk, d: Dossier) -> Dossier:
    command = c.TakePartnerResult(**desk.on(d, HANDLER, partner=TAX, outcome="Đã xác định thuế"))
    return desk.dossiers.take_back(command)


def _request_supplement(desk: Desk, d: Dossier) -> Dossier:
    command = c.RequestSupplement(**desk.on(d, HANDLER, items=ITEMS, reason="Bản sao không rõ"))
    return desk.dossiers.request_supplement(command)


def _submit_supplement(desk: Desk, d: Dossier) -> Dossier:
    command = c.SubmitSupplement(**desk.on(d, APPLICANT, documents=COPIES))
    return desk.dossiers.submit_supplement(command)


def _accept_supplement(desk: Desk, d: Dossier) -> Dossier:
    return desk.dossiers.accept_supplement(c.AcceptSupplement(**desk.on(d)))


def _request_payment(desk: Desk, d: Dossier) -> Dossier:
    command = c.RequestPayment(**desk.on(d, HANDLER, charges=(CHARGE,)))
    return desk.dossiers.request_payment(command)


def pay(desk: Desk, d: Dossier, amount: int = FEE, *, online: bool = False) -> Dossier:
    """Pay ``amount`` at the counter (receipt) or online (the platform's callback)."""
    if online:
        fields = desk.on(d, SYSTEM, payment_ref="TC-1", transaction_id="GD-1", amount=amount)
        confirmation = c.ConfirmOnlinePayment(**fields, paid_at=desk.clock())
        return desk.dossiers.confirm_online_payment(confirmation)
    receipt = c.RecordCounterPayment(**desk.on(d, receipt_number="BL-1", amount=amount))
    return desk.dossiers.record_counter_payment(receipt)


def extend(desk: Desk, d: Dossier, new_due_at: datetime = LATER) -> Dossier:
    """Apologise and reschedule the appointment to ``new_due_at`` (Mẫu 04)."""
    fields = desk.on(d, LEADER, new_due_at=new_due_at, reason="Chờ xác minh", signed_by="PGĐ")
    return desk.dossiers.extend(c.ExtendDeadline(**fields))


def return_step(desk: Desk, d: Dossier) -> Dossier:
    """Send the current step back to the previous one."""
    command = c.ReturnStep(**desk.on(d, LEADER, reason="Dự thảo chưa đạt"))
    return desk.dossiers.return_step(command)


def _return_by_post(desk: Desk, d: Dossier) -> Dossier:
    command = c.ReturnResult(**desk.on(d, delivery=Delivery.POSTAL, reference=POSTAL_ITEM))
    return desk.dossiers.return_result(command)


def _confirm_delivery(desk: Desk, d: Dossier) -> Dossier:
    command = c.ConfirmPostalDelivery(**desk.on(d, SYSTEM, receiver_name=RECEIVER))
    return desk.dossiers.confirm_postal_delivery(command)


def _stop(desk: Desk, d: Dossier) -> Dossier:
    command = c.StopProcessing(**desk.on(d, LEADER, reason="Không đủ điều kiện cấp phép"))
    return desk.dossiers.stop(command)


def _withdraw(desk: Desk, d: Dossier) -> Dossier:
    command = c.WithdrawDossier(**desk.on(d, APPLICANT, reason="Không còn nhu cầu"))
    return desk.dossiers.withdraw(command)


def _return_papers(desk: Desk, d: Dossier) -> Dossier:
    command = c.ReturnPapers(**desk.on(d, delivery=Delivery.COUNTER, receiver_name=RECEIVER))
    return desk.dossiers.return_papers(command)


def _rate(desk: Desk, d: Dossier) -> Dossier:
    command = c.RateService(**desk.on(d, APPLICANT, satisfaction=Satisfaction.SATISFIED))
    return desk.dossiers.rate(command)


ISSUE: dict[str, Issue] = {
    "request_intake_supplement": intake_supplement,
    "resubmit": _resubmit,
    "accept": lambda desk, d: desk.accept(d),
    "reject": _reject,
    "assign": lambda desk, d: desk.assign(d),
    "complete_step": lambda desk, d: desk.complete_step(d),
    "return_step": return_step,
    "hand_over": hand_over,
    "take_back": _take_back,
    "request_supplement": _request_supplement,
    "submit_supplement": _submit_supplement,
    "accept_supplement": _accept_supplement,
    "request_payment": _request_payment,
    "record_payment": pay,
    "extend": extend,
    "issue_result": lambda desk, d: desk.issue_result(d),
    "return_result": _return_by_post,
    "confirm_delivery": _confirm_delivery,
    "stop": _stop,
    "withdraw": _withdraw,
    "return_papers": _return_papers,
    "rate": _rate,
}
"""A valid command for each action of ``ALLOWED``, issued through the service."""

PREPARE: dict[str, Issue] = {
    "take_back": hand_over,
    "accept_supplement": _submit_supplement,
    "return_step": lambda desk, d: desk.complete_step(d),
}
"""What must happen first, within the same status, for the action to be valid."""

TARGET: dict[str, Status | None] = {
    "request_intake_supplement": Status.INTAKE_INCOMPLETE,
    "resubmit": Status.SUBMITTED,
    "accept": Status.RECEIVED,
    "reject": Status.REJECTED,
    "assign": Status.PROCESSING,
    "complete_step": Status.PROCESSING,
    "return_step": None,
    "hand_over": None,
    "take_back": None,
    "request_supplement": Status.SUPPLEMENT_REQUESTED,
    "submit_supplement": None,
    "accept_supplement": Status.PROCESSING,
    "request_payment": Status.AWAITING_PAYMENT,
    "record_payment": Status.PROCESSING,
    "extend": None,
    "issue_result": Status.RESULT_READY,
    "return_result": Status.RETURNED,
    "confirm_delivery": None,
    "stop": Status.STOPPED,
    "withdraw": Status.WITHDRAWN,
    "return_papers": None,
    "rate": None,
}
"""Where each allowed action leads (``None``: the status does not change)."""


# ---------------------------------------------------------------- reaching every status


def submit_incomplete(desk: Desk) -> Dossier:
    """An online dossier whose checklist lacks the two copies of GT.02."""
    documents = (HandedDocument(FORM, Form.ORIGINAL, 1),)
    return desk.submit_online(submission=submission(procedure=desk.spec, documents=documents))


def reach(desk: Desk, status: Status) -> Dossier:
    """A dossier brought to ``status`` through the service, by the usual road."""
    steps: dict[Status, tuple[Status, Issue]] = {
        Status.PROCESSING: (Status.RECEIVED, ISSUE["assign"]),
        Status.SUPPLEMENT_REQUESTED: (Status.PROCESSING, _request_supplement),
        Status.AWAITING_PAYMENT: (Status.PROCESSING, _request_payment),
        Status.RESULT_READY: (Status.PROCESSING, ISSUE["issue_result"]),
        Status.RETURNED: (Status.RESULT_READY, _return_by_post),
        Status.REJECTED: (Status.SUBMITTED, _reject),
        Status.WITHDRAWN: (Status.RECEIVED, _withdraw),
        Status.STOPPED: (Status.PROCESSING, _stop),
    }
    if status is Status.SUBMITTED:
        return desk.submit_online()
    if status is Status.INTAKE_INCOMPLETE:
        d = submit_incomplete(desk)
        command = c.RequestIntakeSupplement(**desk.on(d, note="Bổ sung bản sao CCCD"))
        return desk.dossiers.request_intake_supplement(command)
    if status is Status.RECEIVED:
        return desk.receive()
    before, step = steps[status]
    return step(desk, reach(desk, before))


def version_of(desk: Desk, d: Dossier) -> int:
    """The dossier's version as stored."""
    return desk.dossiers.get(d.id).version


def receive_with(desk: Desk, *documents: HandedDocument) -> Dossier:
    """A walk-in dossier handed in with ``documents``."""
    return desk.receive(submission=submission(procedure=desk.spec, documents=documents))


def refused(desk: Desk, d: Dossier, rule: str, act: Callable[[], object]) -> DossierRuleError:
    """Run ``act``, expect a refusal under ``rule``, and check that nothing was recorded."""
    version, status = version_of(desk, d), d.status
    with pytest.raises(DossierRuleError) as raised:
        act()
    assert raised.value.rule == rule
    assert version_of(desk, d) == version
    assert desk.dossiers.get(d.id).status is status
    return raised.value


REFUSED = [
    (action, status) for action in ALLOWED for status in Status if status not in ALLOWED[action]
]
PERMITTED = [
    (action, status) for action in ALLOWED for status in Status if status in ALLOWED[action]
]


def test_every_action_has_a_command_and_a_target() -> None:
    """The tables of this module cover exactly the actions of the transition table."""
    assert set(ISSUE) == set(ALLOWED) == set(TARGET)


@pytest.mark.parametrize("status", list(Status), ids=str)
def test_every_status_is_reachable_through_the_service(desk: Desk, status: Status) -> None:
    """The helper brings a dossier to each status, and the store agrees."""
    d = reach(desk, status)
    assert d.status is status
    assert desk.dossiers.get(d.id).status is status


@pytest.mark.parametrize("status", list(Status), ids=str)
def test_each_status_maps_to_its_national_code(status: Status) -> None:
    """Every status carries its DVCQG code; an intake-incomplete dossier still counts as 1."""
    assert status.national_code == NATIONAL_CODE[status]


@pytest.mark.parametrize("status", list(Status), ids=str)
def test_each_status_accepts_the_commands_of_the_reference(status: Status) -> None:
    """The transition table gives each status exactly the commands §3.2 allows in it."""
    assert set(allowed_actions(status)) == set(ACCEPTS[status].split())


@pytest.mark.parametrize(("action", "status"), REFUSED, ids=[f"{a}-{s}" for a, s in REFUSED])
def test_an_action_outside_its_states_is_refused(desk: Desk, action: str, status: Status) -> None:
    """A command given in a status it is not allowed in raises TransitionError, records nothing."""
    d = reach(desk, status)
    version = version_of(desk, d)
    with pytest.raises(TransitionError) as raised:
        ISSUE[action](desk, d)
    assert raised.value.status == status.value
    assert raised.value.action == action
    assert raised.value.allowed == allowed_actions(status)
    assert raised.value.dossier == d.reference
    assert version_of(desk, d) == version
    assert desk.dossiers.get(d.id).status is status


@pytest.mark.parametrize(("action", "status"), PERMITTED, ids=[f"{a}-{s}" for a, s in PERMITTED])
def test_an_allowed_action_moves_to_its_target(desk: Desk, action: str, status: Status) -> None:
    """A command given in an allowed status leads to its target status and national code."""
    d = reach(desk, status)
    if action in PREPARE:
        d = PREPARE[action](desk, d)
    version = version_of(desk, d)
    d = ISSUE[action](desk, d)
    expected = TARGET[action] or status
    stored = desk.dossiers.get(d.id)
    assert d.status is expected
    assert stored.status is expected
    assert stored.status.national_code == NATIONAL_CODE[expected]
    assert stored.version > version


@pytest.mark.parametrize("status", sorted(TERMINAL), ids=str)
def test_a_terminal_status_accepts_only_rating_and_papers(desk: Desk, status: Status) -> None:
    """A terminal dossier takes only a rating, its papers or its postal delivery, and stays put."""
    # Papers go back for a stopped or withdrawn dossier; a returned one may still
    # have its postal delivery confirmed (a delivery sub-state, §3.2).
    papers = ("return_papers",) if status in {Status.STOPPED, Status.WITHDRAWN} else ()
    delivery = ("confirm_delivery",) if status is Status.RETURNED else ()
    expected = ("rate", *papers, *delivery)
    assert set(allowed_actions(status)) == set(expected)
    d = reach(desk, status)
    for action in ALLOWED:
        if action in expected:
            d = ISSUE[action](desk, d)
            continue
        with pytest.raises(TransitionError):
            ISSUE[action](desk, d)
    stored = desk.dossiers.get(d.id)
    assert stored.status is status
    assert stored.status.is_terminal
    assert stored.satisfaction is Satisfaction.SATISFIED
    assert (stored.papers_returned_at is not None) == bool(papers)
    assert (stored.delivered_at is not None) == bool(delivery)
