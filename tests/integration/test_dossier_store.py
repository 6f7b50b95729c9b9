"""Dossiers on real event stores: restarts, concurrent code books, replays and conflicts."""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from adapters.eventstore.config import StoreKind
from application import dossier_commands as c
from application.errors import ConcurrentChangeError
from application.onestop import OneStop
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from domain.dossier_sequence import DailySequence, sequence_id
from domain.dossier_status import Status
from domain.dossier_values import (
    Actor,
    Charge,
    Delivery,
    HandedDocument,
    RequestedDocument,
    Role,
    Satisfaction,
)
from domain.procedure_spec import Form
from tests.dossier_fixtures import (
    APPLICANT,
    CENTRE,
    FORM,
    HANDLER,
    LEADER,
    OFFICER,
    SYSTEM,
    Desk,
    at,
    submission,
)
from tests.integration.stores import MakeApp, store

DURABLE = [StoreKind.SQLITE, StoreKind.POSTGRES]
EVERY = [StoreKind.MEMORY, *DURABLE]
MONDAY = at(2025, 3, 3, 9)
DAY = MONDAY.date()


@pytest.fixture
def make_app(kind: StoreKind, tmp_path: Path) -> Iterator[MakeApp]:
    """Applications over one new, empty store of ``kind`` (the same one, for memory)."""
    with store(kind, tmp_path) as make:
        yield make


def book_of(app: OneStop, day: date = DAY) -> DailySequence:
    """The centre's code book of ``day``, as stored."""
    book: DailySequence = app.repository.get(sequence_id(CENTRE, day))
    return book


def code(number: int, day: date = DAY) -> str:
    """The centre's dossier code with ``number`` on ``day``."""
    return f"{CENTRE}-{day:%y%m%d}-{number:04d}"


def second_desk(make_app: MakeApp, policy: CalendarPolicy) -> Desk:
    """Another desk over the same store, whose own command ids never repeat the first desk's."""
    desk = Desk(make_app(), policy, start=MONDAY, publish=False)
    desk._ids = itertools.count(1001)
    return desk


def walk_in(command_id: str, desk: Desk, actor: Actor = OFFICER) -> c.ReceiveDossier:
    """A walk-in reception with a chosen command id, for replays and for distinct officers."""
    return c.ReceiveDossier(
        command_id=command_id, actor=actor, submission=submission(procedure=desk.spec)
    )


# ---------------------------------------------------------------- lifecycle and restart


def full_lifecycle(desk: Desk) -> Dossier:
    """Walk one dossier through every stage over two working weeks (from Monday 3 March 2025)."""
    clock, dossiers = desk.clock, desk.dossiers
    clock.set(MONDAY)
    dossier = desk.receive()
    assert dossier.status is Status.RECEIVED
    clock.set(at(2025, 3, 3, 10))
    desk.assign(dossier)
    clock.set(at(2025, 3, 3, 14))
    desk.complete_step(dossier)

    clock.set(at(2025, 3, 4, 9))
    missing = RequestedDocument(FORM, "Tờ khai", "Thiếu chữ ký")
    dossier = dossiers.request_supplement(
        c.RequestSupplement(**desk.on(dossier, HANDLER, items=(missing,), reason="Thiếu chữ ký"))
    )
    assert dossier.is_paused
    clock.set(at(2025, 3, 5, 9))
    signed = HandedDocument(FORM, Form.ORIGINAL, 1)
    dossiers.submit_supplement(
        c.SubmitSupplement(**desk.on(dossier, APPLICANT, documents=[signed]))
    )
    clock.set(at(2025, 3, 5, 10))
    dossier = dossiers.accept_supplement(c.AcceptSupplement(**desk.on(dossier)))
    assert not dossier.is_paused
    assert dossier.status is Status.PROCESSING

    clock.set(at(2025, 3, 6, 9))
    fee = Charge("LP.01", "Lệ phí", 50_000)
    dossier = dossiers.request_payment(c.RequestPayment(**desk.on(dossier, HANDLER, charges=[fee])))
    assert dossier.status is Status.AWAITING_PAYMENT
    clock.set(at(2025, 3, 6, 11))
    payment = desk.on(
        dossier,
        SYSTEM,
        payment_ref="MTC-0001",
        transaction_id="GD-0001",
        bank_code="VCB",
        amount=50_000,
        paid_at=clock.now,
    )
    dossier = dossiers.confirm_online_payment(c.ConfirmOnlinePayment(**payment))
    assert dossier.status is Status.PROCESSING
    assert len(dossier.pauses) == 2

    clock.set(at(2025, 3, 7, 9))
    due = dossier.current_due_at
    assert due is not None
    later = dossiers.calendar_for(dossier).add_working_time(due, timedelta(hours=8))
    extension = desk.on(
        dossier, LEADER, new_due_at=later, reason="Cần xác minh thêm", signed_by="Lãnh đạo"
    )
    dossier = dossiers.extend(c.ExtendDeadline(**extension))
    assert dossier.current_due_at == later

    clock.set(at(2025, 3, 10, 9))
    desk.issue_result(dossier)
    clock.set(at(2025, 3, 10, 10))
    dossier = dossiers.return_result(
        c.ReturnResult(**desk.on(dossier, delivery=Delivery.POSTAL, reference="EB123456789VN"))
    )
    assert dossier.status is Status.RETURNED
    clock.set(at(2025, 3, 11, 15))
    dossiers.confirm_postal_delivery(
        c.ConfirmPostalDelivery(**desk.on(dossier, SYSTEM, receiver_name="Nguyễn Thị Hoa"))
    )
    clock.set(at(2025, 3, 12, 8))
    return dossiers.rate(
        c.RateService(**desk.on(dossier, APPLICANT, satisfaction=Satisfaction.SATISFIED))
    )


@pytest.mark.parametrize("kind", EVERY)
def test_a_full_lifecycle_reloads_equal_after_a_restart(
    make_app: MakeApp, policy: CalendarPolicy
) -> None:
    """A dossier walked through every stage reloads equal, and by its code, in a new app."""
    desk = Desk(make_app(), policy, start=MONDAY)
    finished = full_lifecycle(desk)
    assert finished.status is Status.RETURNED
    assert finished.delivered_at is not None
    assert finished.satisfaction is Satisfaction.SATISFIED
    assert finished.extensions == 1
    assert len(finished.pauses) == 2
    assert str(finished.code) == code(1)

    restarted = Desk(make_app(), policy, start=MONDAY, publish=False).dossiers
    assert restarted.get(finished.id) == finished
    assert restarted.get_by_code(code(1)) == finished
    assert len(restarted.history(finished.id)) == finished.version


@pytest.mark.parametrize("kind", EVERY)
def test_an_online_dossier_accepted_reloads_equal_after_a_restart(
    make_app: MakeApp, policy: CalendarPolicy
) -> None:
    """A dossier submitted online and accepted reloads equal, and by its code, in a new app."""
    desk = Desk(make_app(), policy, start=MONDAY)
    submitted = desk.submit_online()
    assert submitted.status is Status.SUBMITTED
    assert submitted.code is None
    desk.clock.advance(hours=1)
    accepted = desk.accept(submitted)
    assert accepted.status is Status.RECEIVED
    assert str(accepted.code) == code(1)

    restarted = Desk(make_app(), policy, start=MONDAY, publish=False).dossiers
    assert restarted.get(accepted.id) == accepted
    assert restarted.get_by_code(code(1)) == accepted
    assert restarted.find_id(code(2)) is None


# ---------------------------------------------------------------- concurrent code allocation


def receive_at_once(
    make_app: MakeApp, policy: CalendarPolicy, *, threads: int, each: int
) -> list[Dossier]:
    """``threads`` officers, each with their own app, receive ``each`` walk-ins at the same time."""
    Desk(make_app(), policy, start=MONDAY)  # publishes the procedure once
    # Apps are opened up front (tables are created once); the threads then start together.
    desks = [Desk(make_app(), policy, start=MONDAY, publish=False) for _ in range(threads)]
    barrier = threading.Barrier(threads, timeout=60)

    def officer(index: int) -> list[Dossier]:
        desk = desks[index]
        actor = Actor(f"officer-{index}", Role.INTAKE_OFFICER, CENTRE)
        barrier.wait()
        return [desk.dossiers.receive(walk_in(f"walk-in-{n}", desk, actor)) for n in range(each)]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        batches = list(pool.map(officer, range(threads)))
    return [dossier for batch in batches for dossier in batch]


@pytest.mark.parametrize(
    ("kind", "threads", "each"),
    [(StoreKind.POSTGRES, 8, 15), (StoreKind.SQLITE, 4, 8)],
)
def test_concurrent_receptions_take_every_number_once(
    make_app: MakeApp, policy: CalendarPolicy, threads: int, each: int
) -> None:
    """Officers in separate apps receiving at once get codes 1..n with no duplicate and no gap."""
    received = receive_at_once(make_app, policy, threads=threads, each=each)
    count = threads * each
    codes = [str(dossier.code) for dossier in received]
    assert sorted(codes) == [code(n) for n in range(1, count + 1)]
    assert len({dossier.id for dossier in received}) == count

    reader = Desk(make_app(), policy, start=MONDAY, publish=False).dossiers
    for dossier in received:
        assert reader.find_id(str(dossier.code)) == dossier.id
        assert reader.get(dossier.id).code == dossier.code
    assert book_of(reader.app).version == count


# ---------------------------------------------------------------- idempotent replays


@pytest.mark.parametrize("kind", DURABLE)
def test_a_repeated_reception_in_another_app_takes_no_second_number(
    make_app: MakeApp, policy: CalendarPolicy
) -> None:
    """A walk-in reception repeated through another app returns the first dossier and code."""
    first_desk = Desk(make_app(), policy, start=MONDAY)
    other_desk = Desk(make_app(), policy, start=MONDAY, publish=False)
    first = first_desk.dossiers.receive(walk_in("walk-in-1", first_desk))
    history = len(first_desk.dossiers.history(first.id))

    other_desk.clock.advance(minutes=5)
    again = other_desk.dossiers.receive(walk_in("walk-in-1", other_desk))
    assert again == first
    assert str(again.code) == code(1)
    assert len(other_desk.dossiers.history(first.id)) == history
    assert book_of(other_desk.app).version == 1

    following = other_desk.dossiers.receive(walk_in("walk-in-2", other_desk))
    assert str(following.code) == code(2)


@pytest.mark.parametrize("kind", DURABLE)
def test_a_repeated_acceptance_in_another_app_takes_no_second_number(
    make_app: MakeApp, policy: CalendarPolicy
) -> None:
    """Accepting an online dossier again, same id and user, elsewhere keeps the first code."""
    first_desk = Desk(make_app(), policy, start=MONDAY)
    other_desk = Desk(make_app(), policy, start=MONDAY, publish=False)
    submitted = first_desk.submit_online()
    command = c.AcceptSubmission(command_id="accept-1", actor=OFFICER, dossier_id=submitted.id)
    first = first_desk.dossiers.accept(command)

    again = other_desk.dossiers.accept(command)
    assert again == first
    assert str(again.code) == code(1)
    assert len(other_desk.dossiers.history(first.id)) == first.version
    assert book_of(other_desk.app).version == 1


@pytest.mark.parametrize("kind", DURABLE)
def test_a_repeated_command_in_another_app_returns_the_first_result(
    make_app: MakeApp, policy: CalendarPolicy
) -> None:
    """A command repeated through another app, even after later changes, records nothing new."""
    first_desk = Desk(make_app(), policy, start=MONDAY)
    dossier = first_desk.receive()
    assign = c.AssignHandler(
        command_id="assign-1",
        actor=HANDLER,
        dossier_id=dossier.id,
        handler="handler-1",
        unit="Phòng",
    )
    assigned = first_desk.dossiers.assign(assign)
    first_desk.clock.advance(hours=1)
    later = first_desk.complete_step(dossier)
    assert later.version == assigned.version + 1

    restarted = Desk(make_app(), policy, start=MONDAY, publish=False)
    restarted.clock.advance(hours=2)
    again = restarted.dossiers.assign(assign)
    assert again == assigned
    assert again.version == assigned.version
    assert len(restarted.dossiers.history(dossier.id)) == later.version
    assert restarted.dossiers.get(dossier.id) == later

    # The same command id from another user is another command.
    other_handler = Actor("handler-2", Role.HANDLER, HANDLER.agency)
    theirs = restarted.dossiers.assign(
        c.AssignHandler(
            command_id="assign-1",
            actor=other_handler,
            dossier_id=dossier.id,
            handler="handler-2",
            unit="Phòng",
        )
    )
    assert theirs.version == later.version + 1
    assert theirs.handler == "handler-2"


# ---------------------------------------------------------------- conflicting writes


def assign_to_another(desk: Desk, dossier_id: UUID) -> Dossier:
    """The head of unit hands the dossier to another handler."""
    return desk.dossiers.assign(
        c.AssignHandler(**desk.on(dossier_id, HANDLER, handler="handler-2", unit="Phòng"))
    )


def ask_for_supplement(desk: Desk, dossier_id: UUID) -> Dossier:
    """The handler asks the applicant for a signed form."""
    missing = RequestedDocument(FORM, "Tờ khai", "Thiếu chữ ký")
    return desk.dossiers.request_supplement(
        c.RequestSupplement(**desk.on(dossier_id, HANDLER, items=(missing,), reason="Thiếu ký"))
    )


Action = Callable[[Desk, UUID], Dossier]


def stale_loads(desk: Desk, stale: Dossier, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``desk`` act on copies of ``stale``, as if it had loaded just before the other save."""

    def fresh(_command: c.OnDossier) -> Dossier:
        return copy.deepcopy(stale)

    monkeypatch.setattr(desk.dossiers, "_fresh", fresh)


@pytest.mark.parametrize("kind", EVERY)
@pytest.mark.parametrize(
    ("winner", "loser", "won"),
    [
        (assign_to_another, ask_for_supplement, Dossier.Assigned),
        (ask_for_supplement, assign_to_another, Dossier.SupplementRequested),
    ],
    ids=["assign-wins", "supplement-wins"],
)
def test_of_two_officers_acting_at_once_exactly_one_wins(
    make_app: MakeApp,
    policy: CalendarPolicy,
    monkeypatch: pytest.MonkeyPatch,
    winner: Action,
    loser: Action,
    won: type[Dossier.Event],
) -> None:
    """Two apps act on the same loaded version: the later save is refused and nothing is lost."""
    first = Desk(make_app(), policy, start=MONDAY)
    second = second_desk(make_app, policy)
    dossier = first.assign(first.receive())
    both_loaded = second.dossiers.get(dossier.id)
    assert both_loaded == first.dossiers.get(dossier.id)
    stale_loads(second, both_loaded, monkeypatch)

    kept = winner(first, dossier.id)
    with pytest.raises(ConcurrentChangeError):
        loser(second, dossier.id)

    history = Desk(make_app(), policy, publish=False).dossiers.history(dossier.id)
    assert len(history) == dossier.version + 1 == kept.version
    assert isinstance(history[-1], won)
    assert second.dossiers.get(dossier.id) == kept


@pytest.mark.parametrize("kind", EVERY)
def test_a_conflicting_acceptance_takes_no_number(
    make_app: MakeApp, policy: CalendarPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two officers accepting the same online dossier at once: one code, the other refused."""
    first = Desk(make_app(), policy, start=MONDAY)
    second = second_desk(make_app, policy)
    submitted = first.submit_online()
    stale_loads(second, second.dossiers.get(submitted.id), monkeypatch)

    accepted = first.accept(submitted)
    with pytest.raises(ConcurrentChangeError):
        second.accept(submitted)

    reader = Desk(make_app(), policy, publish=False).dossiers
    assert reader.get(submitted.id) == accepted
    assert len(reader.history(submitted.id)) == accepted.version
    assert book_of(reader.app).version == 1
    assert reader.find_id(code(1)) == submitted.id
    assert reader.find_id(code(2)) is None


def late_check(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> list[Dossier | None]:
    """Make ``desk``'s first idempotency check miss, as if it ran just before the original saved.

    Returns what each check answered, so a test can see the second check (after the conflict).
    """
    replay = desk.dossiers._replay
    answers: list[Dossier | None] = []

    def check(dossier: Dossier, command: c.DossierCommand) -> Dossier | None:
        answers.append(None if not answers else replay(dossier, command))
        return answers[-1]

    monkeypatch.setattr(desk.dossiers, "_replay", check)
    return answers


def spy_known(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> list[Dossier | None]:
    """Record what ``desk``'s look-up after a collision answers."""
    known = desk.dossiers._known
    answers: list[Dossier | None] = []

    def check(
        dossier_id: UUID, command: c.DossierCommand, dossier: Dossier | None = None
    ) -> Dossier | None:
        answers.append(known(dossier_id, command, dossier))
        return answers[-1]

    monkeypatch.setattr(desk.dossiers, "_known", check)
    return answers


@pytest.mark.parametrize("kind", EVERY)
def test_a_reception_retry_racing_its_original_returns_the_first_dossier(
    make_app: MakeApp, policy: CalendarPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client's retry that just missed its original gets the original's code, not another."""
    first = Desk(make_app(), policy, start=MONDAY)
    retry = second_desk(make_app, policy)
    answers = spy_known(retry, monkeypatch)
    command = walk_in("walk-in-1", first)

    original = first.dossiers.receive(command)
    assert retry.dossiers.receive(command) == original
    assert answers == [original]  # it collided with its original on save, then found it
    assert book_of(retry.app).version == 1
    assert len(retry.dossiers.history(original.id)) == original.version


@pytest.mark.parametrize("kind", EVERY)
def test_a_command_retry_racing_its_original_returns_the_first_result(
    make_app: MakeApp, policy: CalendarPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A retried command that lost the race to its own original returns the original's result."""
    first = Desk(make_app(), policy, start=MONDAY)
    retry = second_desk(make_app, policy)
    dossier = first.receive()
    stale_loads(retry, retry.dossiers.get(dossier.id), monkeypatch)
    answers = late_check(retry, monkeypatch)
    command = c.AssignHandler(
        command_id="assign-1", actor=HANDLER, dossier_id=dossier.id, handler="h-1", unit="Phòng"
    )

    original = first.dossiers.assign(command)
    assert retry.dossiers.assign(command) == original
    assert answers == [None, original]  # it collided, then found its original
    assert len(retry.dossiers.history(dossier.id)) == original.version == dossier.version + 1
