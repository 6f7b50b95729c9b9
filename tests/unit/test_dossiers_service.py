"""The Dossiers service: idempotent commands, conflicts, dossier codes, secrets, history, logs."""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import attrs
import pytest
import structlog
from eventsourcing.persistence import IntegrityError
from hypothesis import example, given

from application import dossier_commands as c
from application.calendars import Calendars
from application.catalog import Catalog
from application.dossiers import Dossiers, new_lookup_secret
from application.errors import ConcurrentChangeError, DossierNotFoundError, StaleVersionError
from application.onestop import OneStop
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from domain.dossier_sequence import DailySequence, sequence_id
from domain.dossier_values import (
    Actor,
    Charge,
    Delivery,
    DossierCode,
    Envelope,
    HandedDocument,
    RequestedDocument,
    Role,
    Satisfaction,
)
from domain.procedure_spec import Form
from domain.values import AgencyCode
from tests.dossier_fixtures import (
    APPLICANT,
    CENTRE,
    HANDLER,
    ID_COPY,
    LEADER,
    OFFICE,
    OFFICER,
    SYSTEM,
    Desk,
    at,
    submission,
)
from tests.dossier_strategies import dossier_codes

Repeat = Callable[[], Dossier]
"""Issues one and the same command object each time it is called."""

HANDLER_2 = Actor("handler-2", Role.HANDLER, OFFICE)
OFFICER_2 = Actor("officer-2", Role.INTAKE_OFFICER, CENTRE)
SUBURB = AgencyCode("000.00.13.H56")  # another receiving unit
FEE = Charge("LP.01", "Lệ phí", 50_000)
UNAMBIGUOUS = set(string.digits + string.ascii_uppercase) - set("01IO")


@pytest.fixture
def desk(policy: CalendarPolicy) -> Desk:
    """A desk over an in-memory store, opening on Mon 3 Mar 2025 08:00."""
    return Desk(OneStop(), policy)


def numbers_issued(desk: Desk, agency: AgencyCode = CENTRE, day: date = date(2025, 3, 3)) -> int:
    """How many codes the agency's daily code book has issued (0 if none)."""
    return len(list(desk.app.events.get(sequence_id(agency, day))))


def in_processing(desk: Desk) -> Dossier:
    """A received dossier the handler is working on."""
    return desk.assign(desk.receive())


# ---------------------------------------------------------------- idempotency

ITEM = RequestedDocument(ID_COPY, "Bản sao CCCD", "mờ")


def handed_in(desk: Desk) -> Dossier:
    """A dossier paused for a supplement the applicant has just handed in."""
    command = c.RequestSupplement(**desk.on(in_processing(desk), items=(ITEM,), reason="mờ"))
    dossier = desk.dossiers.request_supplement(command)
    documents = (HandedDocument(ID_COPY, Form.COPY, 2),)
    return desk.dossiers.submit_supplement(
        c.SubmitSupplement(**desk.on(dossier, APPLICANT, documents=documents))
    )


def awaiting_fee(desk: Desk) -> Dossier:
    """A dossier paused for its fee."""
    command = c.RequestPayment(**desk.on(in_processing(desk), charges=(FEE,)))
    return desk.dossiers.request_payment(command)


REPEATABLE: dict[str, Callable[[Desk], Repeat]] = {
    "receive": lambda d: partial(
        d.dossiers.receive,
        c.ReceiveDossier(command_id="r-1", actor=OFFICER, submission=submission()),
    ),
    "submit_online": lambda d: partial(
        d.dossiers.submit_online,
        c.SubmitOnline(command_id="s-1", actor=APPLICANT, submission=submission()),
    ),
    "accept": lambda d: partial(d.dossiers.accept, c.AcceptSubmission(**d.on(d.submit_online()))),
    "assign": lambda d: partial(
        d.dossiers.assign, c.AssignHandler(**d.on(d.receive(), HANDLER, handler="h", unit="P"))
    ),
    "complete_step": lambda d: partial(
        d.dossiers.complete_step, c.CompleteStep(**d.on(in_processing(d), HANDLER, outcome="Đạt"))
    ),
    "request_supplement": lambda d: partial(
        d.dossiers.request_supplement,
        c.RequestSupplement(**d.on(in_processing(d), items=(ITEM,), reason="mờ")),
    ),
    "accept_supplement": lambda d: partial(
        d.dossiers.accept_supplement, c.AcceptSupplement(**d.on(handed_in(d)))
    ),
    "confirm_online_payment": lambda d: partial(
        d.dossiers.confirm_online_payment,
        c.ConfirmOnlinePayment(
            **d.on(awaiting_fee(d), SYSTEM, payment_ref="R-1", transaction_id="T-1"),
            amount=FEE.amount,
            paid_at=at(2025, 3, 3, 10),
        ),
    ),
    "record_counter_payment": lambda d: partial(
        d.dossiers.record_counter_payment,
        c.RecordCounterPayment(**d.on(awaiting_fee(d), receipt_number="BL-1", amount=FEE.amount)),
    ),
    "extend": lambda d: partial(
        d.dossiers.extend,
        c.ExtendDeadline(
            **d.on(in_processing(d), LEADER, reason="Cần xác minh", signed_by="Lãnh đạo"),
            new_due_at=at(2025, 3, 20),
        ),
    ),
    "issue_result": lambda d: partial(
        d.dossiers.issue_result,
        c.IssueResult(**d.on(in_processing(d), LEADER, result_number="1", signed_by="L")),
    ),
    "return_result": lambda d: partial(
        d.dossiers.return_result,
        c.ReturnResult(
            **d.on(d.issue_result(in_processing(d)), delivery=Delivery.COUNTER, reference="Hoa")
        ),
    ),
}
"""For each command: build it once on a fresh dossier; each call issues it again."""


def later(desk: Desk, dossier: Dossier) -> None:
    """Another command after ``dossier``'s: a withdrawal, a result's return, or a rating."""
    if "withdraw" in dossier.allowed():
        desk.dossiers.withdraw(c.WithdrawDossier(**desk.on(dossier, APPLICANT, reason="Thôi")))
    elif "return_result" in dossier.allowed():
        desk.return_at_counter(dossier)
    else:
        rating = Satisfaction.SATISFIED
        desk.dossiers.rate(c.RateService(**desk.on(dossier, APPLICANT, satisfaction=rating)))


@pytest.mark.parametrize("command", REPEATABLE)
def test_a_repeated_command_returns_the_first_result(desk: Desk, command: str) -> None:
    """Repeating a command id, even after later commands, returns the dossier as it left it."""
    run = REPEATABLE[command](desk)
    first = run()
    events, numbers = len(desk.dossiers.history(first.id)), numbers_issued(desk)
    desk.clock.advance(hours=2)
    again = run()
    assert again.version == first.version
    assert again == first
    assert len(desk.dossiers.history(first.id)) == events
    later(desk, first)
    late = run()
    assert late.version == first.version
    assert late == first
    assert len(desk.dossiers.history(first.id)) == events + 1
    assert numbers_issued(desk) == numbers


def test_the_same_command_id_from_another_user_is_another_command(desk: Desk) -> None:
    """A command id is scoped to its user: two officers' 'cmd-x' are two commands."""
    dossier = desk.receive()
    first, second = (
        desk.dossiers.assign(
            c.AssignHandler(**desk.on(dossier, actor, command_id="x", handler=name, unit="P"))
        )
        for actor, name in ((HANDLER, "h-1"), (HANDLER_2, "h-2"))
    )
    assert second.version == first.version + 1
    assert second.handler == "h-2"
    one, two = (
        desk.dossiers.receive(
            c.ReceiveDossier(command_id="x", actor=actor, submission=submission())
        )
        for actor in (OFFICER, OFFICER_2)
    )
    assert one.id != two.id
    assert [str(one.code)[-4:], str(two.code)[-4:]] == ["0002", "0003"]


@pytest.mark.parametrize("cache", ["5000", ""], ids=["cached", "uncached"])
def test_a_repeat_is_recognised_after_a_restart(policy: CalendarPolicy, cache: str) -> None:
    """A new service over the same store still knows the command ids already applied."""
    desk = Desk(OneStop(env={"AGGREGATE_CACHE_MAXSIZE": cache}), policy)
    receive, assign = REPEATABLE["receive"](desk), REPEATABLE["assign"](desk)
    received, assigned = receive(), assign()
    events = [len(desk.dossiers.history(d.id)) for d in (received, assigned)]
    desk.dossiers = Dossiers(desk.app, Catalog(desk.app), Calendars(policy), clock=desk.clock)
    assert receive() == received
    assert assign() == assigned
    assert [len(desk.dossiers.history(d.id)) for d in (received, assigned)] == events
    assert numbers_issued(desk) == 2


# ---------------------------------------------------------------- versions and conflicts


def test_a_stale_expected_version_is_refused(desk: Desk) -> None:
    """A client behind the stored version is refused; a retry of an applied command is not."""
    dossier = in_processing(desk)
    stale = c.CompleteStep(**desk.on(dossier, HANDLER, outcome="Đạt"), expected_version=2)
    with pytest.raises(StaleVersionError) as raised:
        desk.dossiers.complete_step(stale)
    assert (raised.value.expected, raised.value.actual) == (2, dossier.version)
    assert desk.dossiers.get(dossier.id).version == dossier.version
    fresh = c.CompleteStep(**desk.on(dossier, HANDLER, outcome="Đạt"), expected_version=3)
    first = desk.dossiers.complete_step(fresh)
    assert (first.version, first.step) == (4, 1)
    assert desk.dossiers.complete_step(fresh) == first  # version 3 is stale now, but a repeat


def test_saving_a_stale_copy_collides_in_the_store(desk: Desk) -> None:
    """Two copies loaded at one version cannot both be saved: the second one collides."""
    dossier = desk.receive()
    stale: Dossier = desk.app.repository.get(dossier.id)
    desk.assign(dossier)
    stale.assign(Envelope(HANDLER_2, at(2025, 3, 3, 9), "late"), handler="h-2", unit="P")
    with pytest.raises(IntegrityError):
        desk.app.save(stale)
    assert desk.dossiers.get(dossier.id).handler == "handler-1"


def race(monkeypatch: pytest.MonkeyPatch, rival: Callable[[Dossiers], object]) -> None:
    """Make the next ``Dossiers._fresh`` run ``rival`` between loading and returning."""
    load = Dossiers._fresh
    pending = [rival]

    def racing(self: Dossiers, command: c.OnDossier) -> Dossier:
        loaded = load(self, command)
        while pending:
            pending.pop()(self)
        return loaded

    monkeypatch.setattr(Dossiers, "_fresh", racing)


def test_a_write_between_load_and_save_is_a_conflict(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another officer's write in between makes the command fail, and keeps that write."""
    dossier = desk.receive()
    ours = c.AssignHandler(**desk.on(dossier, HANDLER, handler="h-1", unit="P"))
    rival = c.AssignHandler(**desk.on(dossier, HANDLER_2, handler="h-2", unit="P"))
    race(monkeypatch, lambda service: service.assign(rival))
    with pytest.raises(ConcurrentChangeError):
        desk.dossiers.assign(ours)
    history = desk.dossiers.history(dossier.id)
    assert len(history) == 3
    assert isinstance(history[-1], Dossier.Assigned)
    assert history[-1].actor == HANDLER_2
    assert desk.dossiers.get(dossier.id).handler == "h-2"
    retried = desk.dossiers.assign(ours)  # reload and try again: now it applies
    assert (retried.version, retried.handler) == (4, "h-1")


def test_a_dossier_just_loaded_is_not_read_again_by_the_next_command(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside ``starting_from``, the command starts from the handed copy: one read less."""
    dossier = desk.receive()
    handed = desk.dossiers.get(dossier.id)
    reads: list[UUID] = []
    get = desk.app.repository.get

    def counted(aggregate_id: UUID, **options: Any) -> object:
        reads.append(aggregate_id)
        return get(aggregate_id, **options)

    monkeypatch.setattr(desk.app.repository, "get", counted)
    with desk.dossiers.starting_from(handed):
        assigned = desk.assign(dossier)
        assert dossier.id not in reads
        desk.complete_step(dossier)  # the handed copy serves once only
        assert reads.count(dossier.id) == 1
    assert assigned is handed
    assert desk.dossiers.get(dossier.id).version == dossier.version + 2


def test_a_handed_copy_of_another_dossier_or_a_past_block_is_not_used(desk: Desk) -> None:
    """The copy serves only the dossier it is, and only inside its block."""
    first, second = desk.receive(), desk.receive()
    with desk.dossiers.starting_from(desk.dossiers.get(first.id)):
        assert desk.assign(second).id == second.id
        assert (
            desk.assign(first).version == first.version + 1
        )  # the copy went with the first command
    stale = desk.dossiers.get(first.id)
    with desk.dossiers.starting_from(stale):
        pass
    assert desk.complete_step(first).version == first.version + 2


def test_a_stale_handed_copy_is_a_conflict_as_a_stale_read_is(desk: Desk) -> None:
    """A copy handed in, then outdated by another write, collides on save: never a lost update."""
    dossier = desk.receive()
    handed = desk.dossiers.get(dossier.id)
    desk.assign(dossier)
    with desk.dossiers.starting_from(handed), pytest.raises(ConcurrentChangeError):
        desk.dossiers.assign(
            c.AssignHandler(**desk.on(dossier, HANDLER_2, handler="h-2", unit="P"))
        )
    assert desk.dossiers.get(dossier.id).handler == "handler-1"


def test_a_retry_racing_its_original_gets_the_first_result(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the same command lands first in between, the retry returns that result."""
    dossier = desk.receive()
    command = c.AssignHandler(**desk.on(dossier, HANDLER, handler="h-1", unit="P"))
    race(monkeypatch, lambda service: service.assign(command))
    result = desk.dossiers.assign(command)
    assert result.version == dossier.version + 1
    assert len(desk.dossiers.history(dossier.id)) == 3


def test_a_reception_that_loses_the_race_for_a_number_takes_the_next(
    desk: Desk, policy: CalendarPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process taking number 1 first makes this reception retry with number 2."""
    elsewhere = Dossiers(desk.app, desk.catalog, Calendars(policy), clock=desk.clock)
    rival = c.ReceiveDossier(command_id="rival", actor=OFFICER_2, submission=submission())
    take = desk.dossiers._next_number
    rivals: list[Dossier] = []

    def racing(agency: AgencyCode, day: date, dossier_id: UUID) -> DailySequence:
        book = take(agency, day, dossier_id)  # number 1, not saved yet
        if not rivals:
            rivals.append(elsewhere.receive(rival))  # takes and saves number 1 first
        return book

    monkeypatch.setattr(desk.dossiers, "_next_number", racing)
    ours = desk.receive()
    assert [str(d.code)[-4:] for d in (rivals[0], ours)] == ["0001", "0002"]
    assert numbers_issued(desk) == 2
    assert len(desk.dossiers.history(ours.id)) == 2


def test_services_sharing_a_store_never_issue_a_number_twice(
    desk: Desk, policy: CalendarPolicy
) -> None:
    """Receptions alternating between two services (processes) get 1, 2, 3, 4."""
    elsewhere = Dossiers(desk.app, desk.catalog, Calendars(policy), clock=desk.clock)
    dossiers = [
        service.receive(
            c.ReceiveDossier(command_id=f"r-{n}", actor=OFFICER, submission=submission())
        )
        for n, service in enumerate([desk.dossiers, elsewhere] * 2)
    ]
    assert [str(d.code)[-4:] for d in dossiers] == ["0001", "0002", "0003", "0004"]
    assert [desk.dossiers.find_id(str(d.code)) for d in dossiers] == [d.id for d in dossiers]


# ---------------------------------------------------------------- codes and secrets


def test_codes_are_numbered_per_receiving_agency_per_day(desk: Desk) -> None:
    """Numbers run 1, 2, 3 for one agency on one day; the next day and another agency start at 1."""
    codes = [str(desk.receive().code) for _ in range(3)]
    desk.clock.set(at(2025, 3, 4, 8))
    codes.append(str(desk.receive().code))
    suburb = attrs.evolve(submission(), receiving_unit=SUBURB)
    codes.append(str(desk.receive(submission=suburb).code))
    assert codes == [
        "000.00.12.H56-250303-0001",
        "000.00.12.H56-250303-0002",
        "000.00.12.H56-250303-0003",
        "000.00.12.H56-250304-0001",
        "000.00.13.H56-250304-0001",
    ]


def test_an_online_dossier_gets_its_code_when_accepted(desk: Desk) -> None:
    """A submitted dossier has no code or secret; acceptance gives it the day's next number."""
    desk.receive()
    online = desk.submit_online()
    assert (online.code, online.lookup_secret) == (None, None)
    assert str(desk.accept(online).code) == "000.00.12.H56-250303-0002"


def test_a_code_leads_back_to_its_dossier(desk: Desk) -> None:
    """``find_id`` and ``get_by_code`` return the dossier the code was issued to."""
    first, second = desk.receive(), desk.receive()
    assert desk.dossiers.find_id(str(second.code)) == second.id
    assert desk.dossiers.get_by_code(str(first.code)) == desk.dossiers.get(first.id)


def test_a_code_is_looked_up_in_the_store_once_then_remembered(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A found code reads the code book once; a code not issued yet is asked again, and found."""
    first = desk.receive()
    reads: list[object] = []
    get = desk.app.events.get

    def counted(*args: Any, **options: Any) -> object:
        if options.get("lte") is not None:  # a look-up of one number in a code book
            reads.append(args)
        return get(*args, **options)

    monkeypatch.setattr(desk.app.events, "get", counted)
    code = str(first.code)
    assert desk.dossiers.find_id(code) == desk.dossiers.find_id(code) == first.id
    assert len(reads) == 1
    upcoming = code.replace("-0001", "-0002")
    assert desk.dossiers.find_id(upcoming) is None
    second = desk.receive()
    assert desk.dossiers.find_id(upcoming) == second.id
    assert len(reads) == 3


def test_the_oldest_remembered_codes_are_forgotten_first(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``CODES_REMEMBERED`` codes the oldest goes; it is still found, from the store."""
    monkeypatch.setattr("application.dossiers.CODES_REMEMBERED", 2)
    dossiers = [desk.receive() for _ in range(3)]
    for dossier in dossiers:
        assert desk.dossiers.find_id(str(dossier.code)) == dossier.id
    assert list(desk.dossiers._ids_by_code.values()) == [d.id for d in dossiers[1:]]
    assert desk.dossiers.find_id(str(dossiers[0].code)) == dossiers[0].id


@pytest.mark.parametrize(
    "code",
    [
        "000.00.12.H56-250303-0002",  # not issued yet
        "000.00.12.H56-250304-0001",  # no book that day
        "000.00.13.H56-250303-0001",  # another agency
        "000.00.12.H56-250303-0000",
        "000.00.12.H56-251399-0001",  # not a date
        "000.00.12.H56-250303-1",
        "000.00.12.h56-250303-0001",
        "not a code",
        "",
    ],
)
def test_an_unknown_or_malformed_code_finds_nothing(desk: Desk, code: str) -> None:
    """A code no dossier holds gives ``None``, or ``DossierNotFoundError`` when one is required."""
    desk.receive()
    assert desk.dossiers.find_id(code) is None
    with pytest.raises(DossierNotFoundError):
        desk.dossiers.get_by_code(code)


@example(DossierCode(CENTRE, date(2070, 6, 12), 7))
@given(dossier_codes())
def test_a_code_reads_back_as_itself(code: DossierCode) -> None:
    """Parsing a code's text gives the same code."""
    assert DossierCode.parse(str(code)) == code


def test_lookup_secrets_are_unambiguous_distinct_and_kept_by_a_repeat(desk: Desk) -> None:
    """Each secret is 8 characters without 0, 1, I or O; none shared; a repeat returns the same."""
    receive = REPEATABLE["receive"](desk)
    first = receive()
    secrets = [first.lookup_secret] + [desk.receive().lookup_secret for _ in range(20)]
    assert all(s is not None and len(s) == 8 and set(s) <= UNAMBIGUOUS for s in secrets)
    assert len(set(secrets)) == len(secrets)
    assert receive().lookup_secret == first.lookup_secret


def test_every_character_of_the_secret_alphabet_is_drawn_evenly() -> None:
    """Over 4,000 secrets each of the 32 characters comes up near its share (1 in 32)."""
    counts = Counter("".join(new_lookup_secret() for _ in range(4000)))
    assert set(counts) == UNAMBIGUOUS
    assert len(UNAMBIGUOUS) == 32  # bytes map onto it evenly only at a power of two
    share = 4000 * 8 / 32
    assert all(0.8 * share < count < 1.2 * share for count in counts.values()), counts


# ---------------------------------------------------------------- queries and logs


def test_history_lists_events_oldest_first_with_actor_and_time(desk: Desk) -> None:
    """The audit trail names each event's actor and business moment, in order."""
    dossier = desk.receive()
    desk.clock.set(at(2025, 3, 3, 9))
    desk.assign(dossier)
    desk.clock.set(at(2025, 3, 4, 10))
    desk.issue_result(dossier)
    desk.clock.set(at(2025, 3, 5, 11))
    desk.return_at_counter(dossier)
    history = desk.dossiers.history(dossier.id)
    assert [type(e).__name__ for e in history] == [
        "SubmittedAtCounter",
        "Received",
        "Assigned",
        "ResultIssued",
        "ReturnedAtCounter",
    ]
    assert [e.originator_version for e in history] == [1, 2, 3, 4, 5]
    events = [e for e in history if isinstance(e, Dossier.Event)]
    assert [e.actor for e in events] == [OFFICER, OFFICER, HANDLER, LEADER, OFFICER]
    moments = [at(2025, 3, 3, 8), at(2025, 3, 3, 8), at(2025, 3, 3, 9), at(2025, 3, 4, 10)]
    assert [e.at for e in events] == [*moments, at(2025, 3, 5, 11)]


def test_an_unknown_dossier_is_not_found(desk: Desk) -> None:
    """An id no dossier has: ``find`` gives None; ``get`` and ``history`` refuse."""
    unknown = uuid4()
    assert desk.dossiers.find(unknown) is None
    with pytest.raises(DossierNotFoundError):
        desk.dossiers.get(unknown)
    with pytest.raises(DossierNotFoundError):
        desk.dossiers.history(unknown)
    desk.receive()
    book = sequence_id(CENTRE, date(2025, 3, 3))  # an aggregate, but not a dossier
    assert desk.dossiers.find(book) is None
    with pytest.raises(DossierNotFoundError):
        desk.dossiers.get(book)


def test_no_personal_data_is_logged(desk: Desk) -> None:
    """A whole lifecycle, repeats included, logs no applicant name, ID number, phone or address."""
    with structlog.testing.capture_logs() as logs:
        dossier = REPEATABLE["accept_supplement"](desk)()
        desk.dossiers.request_payment(c.RequestPayment(**desk.on(dossier, charges=(FEE,))))
        pay = c.RecordCounterPayment(**desk.on(dossier, receipt_number="BL-1", amount=FEE.amount))
        desk.dossiers.record_counter_payment(pay)
        desk.dossiers.record_counter_payment(pay)
        desk.issue_result(dossier)
        dossier = desk.return_at_counter(dossier)
    kinds = [entry["event"] for entry in logs]
    assert kinds.count("dossier.command_repeated") == 1
    assert kinds.count("dossier.command") == len(kinds) - 1 > 5
    applicant = dossier.submission.applicant
    text = repr(logs)
    private = (applicant.name, applicant.id_number, applicant.phone, applicant.address)
    for value in (*private, dossier.lookup_secret):
        assert value
        assert value not in text
