"""Deadlines on the dossier: the appointment, pauses, step deadlines, time left and timeliness."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application import dossier_commands as c
from application.onestop import OneStop
from domain.calendar import WorkingCalendar
from domain.calendar_policy import CalendarPolicy
from domain.deadline import Deadline, Pause
from domain.dossier import Dossier
from domain.dossier_values import Charge, HandedDocument, RequestedDocument
from domain.procedure_spec import Form
from domain.time_limit import ClockPolicy, TimeLimit, Timeliness
from tests.dossier_fixtures import APPLICANT, HANDLER, ID_COPY, LEADER, SYSTEM, Desk, at, spec

RESTART_CODE = "1.000002.000.00.00.H56"
HOURS = timedelta(hours=1)
FEE = Charge("LP.01", "Lệ phí", 50_000)

# Example H (domain-vn.md §4.8): received Mon 3 Mar 2025 08:00 under 10 working days.
RECEIVED = at(2025, 3, 3, 8)
DUE = at(2025, 3, 17, 8)
REQUESTED = at(2025, 3, 6, 14)  # 28 working hours used
SUBMITTED = at(2025, 3, 17, 8)
ACCEPTED = at(2025, 3, 17, 9)


@pytest.fixture
def desk(policy: CalendarPolicy) -> Desk:
    """A desk whose procedure pauses the clock for a supplement, opening on 3 Mar 2025 08:00."""
    return Desk(OneStop(), policy)


def desk_with(policy: CalendarPolicy, supplement_policy: ClockPolicy) -> Desk:
    """A desk whose procedure (another local code) follows ``supplement_policy``."""
    return Desk(OneStop(), policy, procedure=spec(policy=supplement_policy, code=RESTART_CODE))


def received(desk: Desk, moment: datetime = RECEIVED) -> Dossier:
    """A walk-in dossier received at ``moment`` and given to the handler."""
    desk.clock.set(moment)
    return desk.assign(desk.receive())


def step_done(desk: Desk, dossier: Dossier, moment: datetime) -> Dossier:
    """Finish the current step at ``moment``."""
    desk.clock.set(moment)
    return desk.complete_step(dossier)


def ask_supplement(desk: Desk, dossier: Dossier, moment: datetime = REQUESTED) -> Dossier:
    """The handler asks for a clearer ID copy at ``moment``: the clock pauses."""
    item = RequestedDocument(ID_COPY, "Bản sao CCCD", "bản sao mờ")
    desk.clock.set(moment)
    return desk.dossiers.request_supplement(
        c.RequestSupplement(**desk.on(dossier, HANDLER, items=(item,), reason="bản sao mờ"))
    )


def hand_in(desk: Desk, dossier: Dossier, moment: datetime = SUBMITTED) -> Dossier:
    """The applicant hands the supplement in at ``moment``."""
    desk.clock.set(moment)
    documents = (HandedDocument(ID_COPY, Form.COPY, 2),)
    return desk.dossiers.submit_supplement(
        c.SubmitSupplement(**desk.on(dossier, APPLICANT, documents=documents))
    )


def supplement(
    desk: Desk, dossier: Dossier, requested: datetime = REQUESTED, accepted: datetime = ACCEPTED
) -> Dossier:
    """Ask for a supplement at ``requested``; it is handed in and accepted at ``accepted``."""
    hand_in(desk, ask_supplement(desk, dossier, requested), accepted)
    return desk.dossiers.accept_supplement(c.AcceptSupplement(**desk.on(dossier)))


def ask_payment(desk: Desk, dossier: Dossier, moment: datetime) -> Dossier:
    """Ask for the fee at ``moment``."""
    desk.clock.set(moment)
    return desk.dossiers.request_payment(
        c.RequestPayment(**desk.on(dossier, HANDLER, charges=(FEE,)))
    )


def pay(desk: Desk, dossier: Dossier, moment: datetime, *, online: bool = True) -> Dossier:
    """The fee is paid at ``moment``: confirmed by the payment platform or at the counter."""
    desk.clock.set(moment)
    if online:
        return desk.dossiers.confirm_online_payment(
            c.ConfirmOnlinePayment(
                **desk.on(dossier, SYSTEM, payment_ref="REF-1", transaction_id="TX-1"),
                amount=FEE.amount,
                paid_at=moment,
            )
        )
    return desk.dossiers.record_counter_payment(
        c.RecordCounterPayment(**desk.on(dossier, receipt_number="BL-0001", amount=FEE.amount))
    )


def issued(desk: Desk, dossier: Dossier, moment: datetime) -> Dossier:
    """Issue the result at ``moment``."""
    desk.clock.set(moment)
    return desk.issue_result(dossier)


def resumed(desk: Desk, dossier: Dossier) -> Dossier.ClockResumed:
    """The last ClockResumed event of ``dossier``."""
    events = [e for e in desk.dossiers.history(dossier.id) if isinstance(e, Dossier.ClockResumed)]
    return events[-1]


# ---------------------------------------------------------------- reception


def test_reception_decides_the_appointment_of_example_h(desk: Desk) -> None:
    """Received Mon 3 Mar 2025 08:00 under 10 working days, it is due Mon 17 Mar 08:00."""
    dossier = desk.receive()
    expected = Deadline(RECEIVED, DUE, date(2025, 3, 17))
    assert dossier.received_at == RECEIVED
    assert dossier.appointment == expected
    assert dossier.deadline == expected
    assert dossier.current_due_at == DUE
    assert dossier.statutory_due_date == date(2025, 3, 17)
    assert not dossier.is_paused


def test_a_walk_in_after_hours_starts_the_clock_at_the_next_opening(policy: CalendarPolicy) -> None:
    """Received Fri 24 Jan 2025 20:00 (eve of Tết), the clock starts Mon 3 Feb 07:00 (example I)."""
    five_days = spec(limit=TimeLimit.working_days(5), steps=(Decimal(4), Decimal(16)))
    desk = Desk(OneStop(), policy, procedure=five_days)
    dossier = received(desk, at(2025, 1, 24, 20))
    assert dossier.received_at == at(2025, 1, 24, 20)
    assert dossier.code is not None
    assert dossier.code.day == date(2025, 1, 24)
    assert dossier.appointment == Deadline(at(2025, 2, 3, 7), at(2025, 2, 10, 7), date(2025, 2, 10))
    assert dossier.step_due_at == at(2025, 2, 3, 11)


# ---------------------------------------------------------------- pauses


def test_the_clock_stays_paused_until_the_supplement_is_accepted(desk: Desk) -> None:
    """Handing the supplement in does not resume the clock; only accepting it does."""
    waiting = hand_in(desk, ask_supplement(desk, received(desk)))
    assert waiting.is_paused
    assert waiting.paused_since == REQUESTED
    assert waiting.pauses == []
    assert waiting.current_due_at == DUE


def test_an_accepted_supplement_adds_the_paused_working_time(desk: Desk) -> None:
    """PAUSE: 52 of 80 working hours remain on 17 Mar 09:00, so it is due Tue 25 Mar 15:00."""
    dossier = supplement(desk, received(desk))
    assert dossier.current_due_at == at(2025, 3, 25, 15)
    assert dossier.statutory_due_date == date(2025, 3, 25)
    assert dossier.appointment == Deadline(RECEIVED, DUE, date(2025, 3, 17))
    assert dossier.pauses == [Pause(REQUESTED, ACCEPTED)]
    assert dossier.paused_time == ACCEPTED - REQUESTED
    assert not dossier.is_paused
    assert not resumed(desk, dossier).restarted


def test_an_accepted_supplement_under_restart_grants_the_full_limit(policy: CalendarPolicy) -> None:
    """RESTART: 80 working hours from 17 Mar 09:00, due Mon 31 Mar 09:00, and back to step 0."""
    desk = desk_with(policy, ClockPolicy.RESTART)
    dossier = step_done(desk, received(desk), at(2025, 3, 4, 9))
    assert dossier.step == 1
    dossier = supplement(desk, dossier)
    assert dossier.current_due_at == at(2025, 3, 31, 9)
    assert dossier.statutory_due_date == date(2025, 3, 31)
    assert dossier.appointment == Deadline(RECEIVED, DUE, date(2025, 3, 17))
    assert dossier.pauses == [Pause(REQUESTED, ACCEPTED)]
    assert dossier.paused_time == ACCEPTED - REQUESTED
    assert resumed(desk, dossier).restarted
    assert dossier.step == 0
    assert dossier.step_started_at == ACCEPTED
    assert dossier.step_due_at == at(2025, 3, 17, 15)  # 4 h: 09:00-11:30, 13:30-15:00


@pytest.mark.parametrize("supplement_policy", [ClockPolicy.PAUSE, ClockPolicy.RESTART])
@pytest.mark.parametrize("online", [True, False], ids=["online", "counter"])
def test_a_payment_wait_pauses_the_clock(
    policy: CalendarPolicy, supplement_policy: ClockPolicy, *, online: bool
) -> None:
    """Waiting for a payment always pauses, even when supplements restart the clock."""
    desk = desk_with(policy, supplement_policy)
    dossier = step_done(desk, received(desk), at(2025, 3, 4, 9))
    waiting = ask_payment(desk, dossier, REQUESTED)
    assert waiting.is_paused
    assert waiting.current_due_at == DUE
    dossier = pay(desk, dossier, ACCEPTED, online=online)
    assert not dossier.is_paused
    assert dossier.current_due_at == at(2025, 3, 25, 15)
    assert dossier.pauses == [Pause(REQUESTED, ACCEPTED)]
    assert not resumed(desk, dossier).restarted
    assert dossier.step == 1
    assert dossier.step_due_at == at(2025, 3, 19, 16)  # 11 Mar 09:00 + 53 paused working hours


def test_two_pauses_add_up(desk: Desk, calendar: WorkingCalendar) -> None:
    """A supplement pause and a payment pause both add their working time to the appointment."""
    dossier = supplement(desk, received(desk))
    ask_payment(desk, dossier, at(2025, 3, 18, 9))
    dossier = pay(desk, dossier, at(2025, 3, 19, 9))
    pauses = [Pause(REQUESTED, ACCEPTED), Pause(at(2025, 3, 18, 9), at(2025, 3, 19, 9))]
    assert dossier.pauses == pauses
    assert dossier.paused_time == sum((p.end - p.start for p in pauses), timedelta(0))
    assert dossier.current_due_at == at(2025, 3, 26, 15)
    paused = sum((calendar.working_time_between(p.start, p.end) for p in pauses), timedelta(0))
    assert paused == 61 * HOURS
    assert calendar.working_time_between(RECEIVED, at(2025, 3, 26, 15)) == 80 * HOURS + paused


def figures(dossier: Dossier) -> tuple[datetime, date]:
    """The current appointment and statutory due date of a received dossier."""
    assert dossier.current_due_at is not None
    assert dossier.statutory_due_date is not None
    return dossier.current_due_at, dossier.statutory_due_date


PAUSE_PLANS = st.lists(
    st.tuples(st.booleans(), st.integers(0, 120), st.integers(0, 200)), min_size=1, max_size=3
)
"""Pauses as (for a payment?, hours after the previous event, hours paused)."""


@settings(max_examples=30)
@given(restart=st.booleans(), plan=PAUSE_PLANS)
def test_due_dates_never_move_earlier(
    policy: CalendarPolicy, *, restart: bool, plan: list[tuple[bool, int, int]]
) -> None:
    """Through pauses of either kind, the appointment and the statutory date only move later."""
    desk = desk_with(policy, ClockPolicy.RESTART if restart else ClockPolicy.PAUSE)
    seen = [received(desk)]
    moment = RECEIVED
    for payment, gap, length in plan:
        start, moment = moment + gap * HOURS, moment + (gap + length) * HOURS
        if payment:
            ask_payment(desk, seen[0], start)
            seen.append(pay(desk, seen[0], moment))
        else:
            seen.append(supplement(desk, seen[0], start, moment))
    for before, after in itertools.pairwise(figures(d) for d in seen):
        assert after[0] >= before[0]
        assert after[1] >= before[1]


# ---------------------------------------------------------------- steps


def test_step_zero_is_due_four_working_hours_after_the_clock_start(desk: Desk) -> None:
    """The first step starts with the clock and skips the lunch break: 08:00 to 14:00."""
    dossier = desk.receive()
    assert dossier.step == 0
    assert dossier.step_started_at == RECEIVED
    assert dossier.step_due_at == at(2025, 3, 3, 14)


def test_each_step_gets_its_allotment_from_the_previous_step_s_end(desk: Desk) -> None:
    """A completed step starts the next with its hours of working time; none after the last."""
    dossier = received(desk)
    plan = [
        (at(2025, 3, 7, 16), 1, at(2025, 3, 14, 16)),  # 40 h over a weekend
        (at(2025, 3, 14, 16), 2, at(2025, 3, 17, 16)),  # 8 h over a weekend and lunch
        (at(2025, 3, 17, 10), 3, at(2025, 3, 17, 16)),  # 4 h over lunch
    ]
    for done, step, due in plan:
        dossier = step_done(desk, dossier, done)
        assert (dossier.step, dossier.step_started_at, dossier.step_due_at) == (step, done, due)
    dossier = step_done(desk, dossier, at(2025, 3, 18, 9))
    assert dossier.step is None
    assert dossier.step_started_at is None
    assert dossier.step_due_at is None


def test_a_pause_shifts_the_current_step_by_the_paused_working_time(
    desk: Desk, calendar: WorkingCalendar
) -> None:
    """Step 1, due 11 Mar 09:00, moves by the 53 working hours paused to 19 Mar 16:00."""
    dossier = step_done(desk, received(desk), at(2025, 3, 4, 9))
    assert dossier.step_due_at == at(2025, 3, 11, 9)
    dossier = supplement(desk, dossier)
    assert dossier.step == 1
    assert dossier.step_due_at == at(2025, 3, 19, 16)
    paused = calendar.working_time_between(REQUESTED, ACCEPTED)
    assert paused == 53 * HOURS
    assert dossier.step_due_at == calendar.add_working_time(at(2025, 3, 11, 9), paused)


# ---------------------------------------------------------------- time left and lateness


def remaining(desk: Desk, dossier: Dossier, now: datetime) -> timedelta | None:
    """The working time ``dossier`` has left at ``now``, on its receiving unit's calendar."""
    return dossier.remaining_working_time(now, desk.dossiers.calendar_for(dossier, now))


@pytest.mark.parametrize(
    ("now", "left"),
    [
        (RECEIVED, 80 * HOURS),
        (at(2025, 3, 10, 8), 40 * HOURS),
        (at(2025, 3, 14, 17), 1 * HOURS),
        (DUE, timedelta(0)),
        (at(2025, 3, 18, 8), -8 * HOURS),
    ],
)
def test_remaining_working_time_counts_down_past_the_appointment(
    desk: Desk, now: datetime, left: timedelta
) -> None:
    """The time left is working time to the appointment, negative once it has passed."""
    assert remaining(desk, desk.receive(), now) == left


@pytest.mark.parametrize("now", [REQUESTED, at(2025, 3, 12, 10), at(2025, 4, 30, 9)])
def test_remaining_working_time_stands_still_while_paused(desk: Desk, now: datetime) -> None:
    """While waiting for a supplement, the 52 working hours left do not run down."""
    paused = ask_supplement(desk, received(desk))
    assert remaining(desk, paused, now) == 52 * HOURS


def test_no_time_is_left_to_count_before_reception_or_after_the_result(desk: Desk) -> None:
    """Before reception and once the result is issued, no clock runs, even awaiting a fee."""
    online = desk.submit_online()
    assert remaining(desk, online, RECEIVED) is None
    assert online.current_due_at is None
    dossier = issued(desk, received(desk), at(2025, 3, 10, 9))
    assert remaining(desk, dossier, at(2025, 3, 11, 9)) is None
    dossier = ask_payment(desk, dossier, at(2025, 3, 11, 9))
    assert not dossier.is_paused
    assert remaining(desk, dossier, at(2025, 3, 11, 10)) is None
    assert not dossier.is_overdue(at(2025, 4, 30, 9))
    dossier = desk.return_at_counter(pay(desk, dossier, at(2025, 3, 12, 9)))
    assert remaining(desk, dossier, at(2025, 3, 12, 10)) is None
    assert dossier.pauses == []


@pytest.mark.parametrize(
    ("now", "overdue"),
    [
        (at(2025, 3, 14, 16), False),
        (at(2025, 3, 17, 9), False),  # past the appointment's hour, not its date
        (at(2025, 3, 17, 16, 59), False),
        (at(2025, 3, 18, 7), True),
        (at(2025, 4, 1, 9), True),
    ],
)
def test_overdue_is_judged_by_date(desk: Desk, now: datetime, *, overdue: bool) -> None:
    """A dossier is overdue from the day after its statutory due date, whatever the hour."""
    assert desk.receive().is_overdue(now) is overdue


def test_a_paused_dossier_is_not_overdue(desk: Desk) -> None:
    """While the clock stands still the dossier is not overdue; once resumed it can be."""
    dossier = ask_payment(desk, received(desk), REQUESTED)
    assert not dossier.is_overdue(at(2025, 4, 30, 9))
    dossier = pay(desk, dossier, ACCEPTED)
    assert not dossier.is_overdue(at(2025, 3, 25, 16))
    assert dossier.is_overdue(at(2025, 3, 26, 7))


def test_a_finished_dossier_is_not_overdue(desk: Desk) -> None:
    """Once the result is issued, even late, the dossier is no longer overdue."""
    dossier = issued(desk, received(desk), at(2025, 3, 20, 9))
    assert not dossier.is_overdue(at(2025, 3, 25, 9))
    assert dossier.timeliness is Timeliness.LATE


@pytest.mark.parametrize(
    ("finished", "timeliness"),
    [
        (at(2025, 3, 14, 16), Timeliness.EARLY),
        (at(2025, 3, 17, 16, 45), Timeliness.ON_TIME),
        (at(2025, 3, 18, 7, 30), Timeliness.LATE),
    ],
)
def test_timeliness_is_judged_by_the_date_of_the_result(
    desk: Desk, finished: datetime, timeliness: Timeliness
) -> None:
    """Early, on time or late by the date the result was issued against 17 Mar."""
    dossier = received(desk)
    assert dossier.timeliness is None
    assert issued(desk, dossier, finished).timeliness is timeliness


def test_an_extension_does_not_make_a_late_result_on_time(desk: Desk) -> None:
    """A rescheduled appointment moves the due time, not the statutory date (§4.7)."""
    dossier = received(desk)
    desk.clock.set(at(2025, 3, 14, 9))
    dossier = desk.dossiers.extend(
        c.ExtendDeadline(
            **desk.on(dossier, LEADER),
            new_due_at=at(2025, 3, 20, 9),
            reason="Cần xác minh",
            signed_by="Lãnh đạo",
        )
    )
    assert dossier.current_due_at == at(2025, 3, 20, 9)
    assert dossier.statutory_due_date == date(2025, 3, 17)
    assert issued(desk, dossier, at(2025, 3, 19, 9)).timeliness is Timeliness.LATE


def test_timeliness_after_a_pause_uses_the_resumed_statutory_date(desk: Desk) -> None:
    """After a supplement the result is judged against the new date, 25 Mar."""
    dossier = supplement(desk, received(desk))
    assert issued(desk, dossier, at(2025, 3, 25, 16)).timeliness is Timeliness.ON_TIME
