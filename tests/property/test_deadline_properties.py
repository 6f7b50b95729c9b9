from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from domain.calendar import OfficeHours, Session, WorkingCalendar
from domain.deadline import Deadline, Pause, compute_deadline, statutory_due_date
from domain.time_limit import ClockPolicy, TimeLimit, Timeliness, classify
from domain.values import VIETNAM
from tests.reference import (
    ref_add,
    ref_between,
    ref_is_working_day,
    ref_is_working_minute,
    ref_next_working_day,
    ref_normalize,
    ref_nth_working_day_after,
    ref_sessions,
    ref_statutory_working_days,
)
from tests.strategies import (
    FIRST_DAY,
    LAST_DAY,
    focused_days,
    instants,
    minutes_of_day,
    received_with_pauses,
    working_day_limits,
    working_hour_limits,
)

MAX_REFERENCE_MINUTES = 20 * 8 * 60
"""Reference walks stay within twenty working days, so one example takes a few milliseconds."""

MAX_REFERENCE_SPAN = 30 * 24 * 60
"""Intervals measured by the reference span at most thirty calendar days."""

# ---------------------------------------------------------------- a calendar with other hours

CUSTOM_FIRST, CUSTOM_LAST = date(2025, 1, 1), date(2026, 12, 31)
SUMMER_HOURS_FROM, THREE_SESSIONS_FROM = date(2025, 7, 1), date(2026, 3, 1)
CUSTOM_BOUNDARIES = (
    time(7),
    time(7, 30),
    time(10),
    time(10, 15),
    time(11, 30),
    time(11, 45),
    time(13),
    time(13, 30),
    time(14),
    time(17),
    time(17, 15),
)


def _custom_calendar() -> WorkingCalendar:
    """2025-2026 with a few holidays, three working Saturdays and office hours changed twice."""
    holidays = {
        date(2025, 1, 1): "Tết Dương lịch",
        **{date(2025, 1, d): "Tết Nguyên Đán" for d in range(27, 32)},
        date(2025, 2, 1): "Tết Nguyên Đán (thứ Bảy)",
        date(2025, 4, 30): "Ngày Chiến thắng",
        date(2025, 5, 1): "Ngày Quốc tế Lao động",
        date(2025, 5, 2): "Ngày nghỉ (thay cho ngày 26/04/2025)",
        date(2025, 7, 2): "Nghỉ theo quyết định địa phương",
        date(2025, 9, 1): "Quốc khánh",
        date(2025, 9, 2): "Quốc khánh",
        **{date(2026, 2, d): "Tết Nguyên Đán" for d in range(16, 21)},
        date(2026, 3, 2): "Nghỉ theo quyết định địa phương",
        date(2026, 4, 30): "Ngày Chiến thắng",
        date(2026, 5, 1): "Ngày Quốc tế Lao động",
        date(2026, 9, 2): "Quốc khánh",
    }
    return WorkingCalendar(
        first_day=CUSTOM_FIRST,
        last_day=CUSTOM_LAST,
        holidays=holidays,
        working_weekend_days={date(2025, 4, 26), date(2025, 7, 5), date(2026, 2, 28)},
        office_hours=(
            OfficeHours.standard(CUSTOM_FIRST),
            OfficeHours(
                SUMMER_HOURS_FROM,
                (Session(time(7, 30), time(11, 30)), Session(time(13), time(17))),
            ),
            OfficeHours(
                THREE_SESSIONS_FROM,
                (
                    Session(time(14), time(17, 15)),
                    Session(time(7), time(10)),
                    Session(time(10, 15), time(11, 45)),
                ),
            ),
        ),
    )


@pytest.fixture(scope="module")
def custom_calendar() -> WorkingCalendar:
    """The small calendar with non-default, changing office hours."""
    return _custom_calendar()


CUSTOM_ANCHORS = (SUMMER_HOURS_FROM, THREE_SESSIONS_FROM)
CUSTOM_LAST_START = date(2026, 10, 31)
"""Custom-calendar inputs stop two months before its end, leaving room for the limits."""
custom_instants = instants(
    CUSTOM_FIRST, CUSTOM_LAST_START, boundaries=CUSTOM_BOUNDARIES, anchors=CUSTOM_ANCHORS
)


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


def _closing(cal: WorkingCalendar, day: date) -> datetime:
    """The end of the last session of a working ``day``, from the reference's sessions."""
    end = max(end for _, end in ref_sessions(cal, day))
    return datetime.combine(day, time(end // 60, end % 60), tzinfo=cal.tz)


def _in_office_hours(cal: WorkingCalendar, moment: datetime) -> bool:
    """Whether ``moment`` is a session start or lies strictly inside a session of a working day."""
    local = moment.astimezone(cal.tz)
    if not cal.is_working_day(local.date()):
        return False
    at = local.timetz().replace(tzinfo=None)
    return any(s.start <= at < s.end for s in cal.office_hours_on(local.date()).sessions)


# ---------------------------------------------------------------- Model H: where the due lands


@given(start=instants(), hours=working_hour_limits())
def test_due_lies_in_office_hours_after_the_clock_start(
    calendar: WorkingCalendar, start: datetime, hours: int
) -> None:
    """The appointment comes after the clock start and lies in office hours, never at a close."""
    due = calendar.add_working_time(start, timedelta(hours=hours))
    assert due > calendar.normalize(start)
    assert _in_office_hours(calendar, due)
    assert ref_is_working_minute(calendar, due)


@given(first=instants(), second=instants(), hours=working_hour_limits())
def test_due_is_monotonic_in_the_start(
    calendar: WorkingCalendar, first: datetime, second: datetime, hours: int
) -> None:
    """A later reception never gets an earlier appointment for the same limit."""
    early, late = sorted((first, second))
    limit = timedelta(hours=hours)
    assert calendar.add_working_time(early, limit) <= calendar.add_working_time(late, limit)


@given(start=instants(), first=working_hour_limits(), second=working_hour_limits())
def test_due_is_strictly_monotonic_in_the_limit(
    calendar: WorkingCalendar, start: datetime, first: int, second: int
) -> None:
    """A longer limit gives a strictly later appointment, an equal one the same."""
    small, large = sorted((first, second))
    due_small = calendar.add_working_time(start, timedelta(hours=small))
    due_large = calendar.add_working_time(start, timedelta(hours=large))
    assert due_small < due_large if small < large else due_small == due_large


@given(
    start=instants(),
    first=st.integers(0, 120 * 60),
    second=st.integers(0, 120 * 60),
)
def test_adding_working_time_is_additive(
    calendar: WorkingCalendar, start: datetime, first: int, second: int
) -> None:
    """Adding a then b working minutes lands where adding a + b does."""
    a, b = timedelta(minutes=first), timedelta(minutes=second)
    in_two_steps = calendar.add_working_time(calendar.add_working_time(start, a), b)
    assert in_two_steps == calendar.add_working_time(start, a + b)


@given(start=instants(), minutes=st.integers(0, 240 * 60))
def test_working_time_between_measures_what_was_added(
    calendar: WorkingCalendar, start: datetime, minutes: int
) -> None:
    """The working time from a start to start + h is exactly h, and minus h backwards."""
    amount = timedelta(minutes=minutes)
    due = calendar.add_working_time(start, amount)
    assert calendar.working_time_between(start, due) == amount
    assert calendar.working_time_between(due, start) == -amount


@given(start=instants())
def test_normalize_is_idempotent_and_never_earlier(
    calendar: WorkingCalendar, start: datetime
) -> None:
    """Normalizing moves forward only, twice is once, and equals adding no working time."""
    clock_start = calendar.normalize(start)
    assert clock_start >= start
    assert calendar.normalize(clock_start) == clock_start
    assert calendar.add_working_time(start, timedelta(0)) == clock_start
    assert (clock_start == start) is ref_is_working_minute(calendar, start)


@given(start=instants(), minutes=st.integers(0, 240 * 60))
def test_results_do_not_depend_on_the_zone_of_the_input(
    calendar: WorkingCalendar, start: datetime, minutes: int
) -> None:
    """The same instant written in UTC normalizes and adds to the same instants."""
    in_utc = start.astimezone(UTC)
    amount = timedelta(minutes=minutes)
    assert calendar.normalize(in_utc) == calendar.normalize(start)
    assert calendar.add_working_time(in_utc, amount) == calendar.add_working_time(start, amount)


# ---------------------------------------------------------------- Model H against Model D


@given(received=instants(), days=working_day_limits())
@example(received=_at(2025, 1, 24, 10), days=5)  # §4.8 A
@example(received=_at(2025, 1, 24, 20), days=5)  # §4.8 I: after hours before Tết
@example(received=_at(2026, 2, 13, 15, 30), days=3)  # §4.8 C
@example(received=_at(2025, 4, 29, 9), days=10)  # §4.8 D
@example(received=_at(2025, 8, 29, 16), days=2)  # §4.8 E
@example(received=_at(2025, 3, 3, 16, 59), days=1)
@example(received=_at(2025, 3, 3, 17), days=1)
@example(received=_at(2025, 3, 3, 17, 1), days=1)
@example(received=_at(2025, 3, 3, 11, 29), days=1)
@example(received=_at(2025, 3, 3, 11, 31), days=1)
@example(received=_at(2025, 3, 3, 7), days=1)
@example(received=_at(2025, 3, 8, 10), days=1)  # a Saturday
def test_model_h_falls_on_the_model_d_date(
    calendar: WorkingCalendar, received: datetime, days: int
) -> None:
    """For whole working days the appointment's date is the statutory due date (§4.5 invariant)."""
    limit = TimeLimit.working_days(days)
    deadline = compute_deadline(calendar, received, limit)
    statutory = statutory_due_date(calendar, received, limit)
    assert deadline.statutory_due_date == statutory
    assert deadline.due_at.date() == statutory
    assert statutory == ref_statutory_working_days(calendar, received, days)


# ---------------------------------------------------------------- pauses (§4.6)


def _three_ways(
    calendar: WorkingCalendar, plan: tuple[datetime, tuple[Pause, ...]], days: int
) -> tuple[Deadline, Deadline, Deadline]:
    """The deadline of ``days`` working days without pauses, under PAUSE, and under RESTART."""
    received, pauses = plan
    limit = TimeLimit.working_days(days)
    return (
        compute_deadline(calendar, received, limit),
        compute_deadline(calendar, received, limit, pauses=pauses),
        compute_deadline(calendar, received, limit, pauses=pauses, policy=ClockPolicy.RESTART),
    )


@given(plan=received_with_pauses(), days=working_day_limits())
def test_pause_never_brings_the_due_earlier(
    calendar: WorkingCalendar, plan: tuple[datetime, tuple[Pause, ...]], days: int
) -> None:
    """Under PAUSE a dossier with pauses is never due before the same dossier without them."""
    plain, paused, _ = _three_ways(calendar, plan, days)
    assert paused.due_at >= plain.due_at
    assert paused.statutory_due_date >= plain.statutory_due_date
    assert paused.clock_start == plain.clock_start


@given(plan=received_with_pauses(), days=working_day_limits())
def test_pause_moves_the_due_by_the_paused_working_time(
    calendar: WorkingCalendar, plan: tuple[datetime, tuple[Pause, ...]], days: int
) -> None:
    """Under PAUSE the appointment moves by exactly the working time inside the pauses."""
    _, pauses = plan
    plain, paused, _ = _three_ways(calendar, plan, days)
    stood_still = sum((calendar.working_time_between(p.start, p.end) for p in pauses), timedelta(0))
    assert calendar.working_time_between(plain.due_at, paused.due_at) == stood_still
    assert paused.statutory_due_date == paused.due_at.date()


@given(plan=received_with_pauses(), hours=working_hour_limits())
def test_pause_matches_the_remaining_time_formula(
    calendar: WorkingCalendar, plan: tuple[datetime, tuple[Pause, ...]], hours: int
) -> None:
    """With one pause, PAUSE is the acceptance plus the limit less the time used before it."""
    received, pauses = plan
    limit = TimeLimit.working_hours(hours)
    (pause, *_) = pauses
    used = calendar.working_time_between(received, pause.start)
    assume(used < limit.working_time)
    paused = compute_deadline(calendar, received, limit, pauses=(pause,))
    assert paused.due_at == calendar.add_working_time(pause.end, limit.working_time - used)


@given(plan=received_with_pauses(), days=working_day_limits())
def test_restart_is_never_earlier_than_pause(
    calendar: WorkingCalendar, plan: tuple[datetime, tuple[Pause, ...]], days: int
) -> None:
    """RESTART grants the full limit again, so it is never due before PAUSE."""
    _, paused, restarted = _three_ways(calendar, plan, days)
    assert restarted.due_at >= paused.due_at
    assert restarted.statutory_due_date >= paused.statutory_due_date


@given(plan=received_with_pauses(), days=working_day_limits())
def test_restart_counts_the_full_limit_from_the_last_resume(
    calendar: WorkingCalendar, plan: tuple[datetime, tuple[Pause, ...]], days: int
) -> None:
    """RESTART is the deadline of a dossier received when the last pause ends, Model D included."""
    _, pauses = plan
    _, _, restarted = _three_ways(calendar, plan, days)
    limit = TimeLimit.working_days(days)
    fresh = compute_deadline(calendar, pauses[-1].end, limit)
    assert restarted.due_at == fresh.due_at
    assert restarted.statutory_due_date == fresh.statutory_due_date == fresh.due_at.date()


# ---------------------------------------------------------------- classification (§5.2)


@given(
    received=instants(),
    days=working_day_limits(),
    shift=st.integers(1, 30),
    at=minutes_of_day(),
)
def test_classify_judges_the_completion_date_against_the_statutory_date(
    calendar: WorkingCalendar, received: datetime, days: int, shift: int, at: time
) -> None:
    """Completion on the due date is on time, on an earlier date early, on a later date late."""
    deadline = compute_deadline(calendar, received, TimeLimit.working_days(days))
    due_day = deadline.statutory_due_date
    assert classify(deadline.due_at, due_day) is Timeliness.ON_TIME
    cases = {
        Timeliness.ON_TIME: due_day,
        Timeliness.EARLY: due_day - timedelta(days=shift),
        Timeliness.LATE: due_day + timedelta(days=shift),
    }
    for expected, day in cases.items():
        completed = datetime.combine(day, at, tzinfo=VIETNAM)
        assert classify(completed, due_day) is expected
        assert classify(completed.astimezone(UTC), due_day) is expected


# ---------------------------------------------------------------- against the reference


@given(start=instants())
def test_normalize_matches_the_reference(calendar: WorkingCalendar, start: datetime) -> None:
    """Normalize gives the first working minute at or after the start, as the minute walk does."""
    assert calendar.normalize(start) == ref_normalize(calendar, start)


@given(start=instants(), minutes=st.integers(0, MAX_REFERENCE_MINUTES))
def test_add_working_time_matches_the_reference(
    calendar: WorkingCalendar, start: datetime, minutes: int
) -> None:
    """Adding working minutes lands where counting them one by one does, boundary roll included."""
    due = calendar.add_working_time(start, timedelta(minutes=minutes))
    assert due == ref_add(calendar, start, minutes)


@given(start=instants(), span=st.integers(0, MAX_REFERENCE_SPAN))
def test_working_time_between_matches_the_reference(
    calendar: WorkingCalendar, start: datetime, span: int
) -> None:
    """The working time in [a, b) is the number of working minutes the walk counts there."""
    end = start + timedelta(minutes=span)
    assert calendar.working_time_between(start, end) == timedelta(
        minutes=ref_between(calendar, start, end)
    )


@given(received=instants(), days=working_day_limits())
def test_statutory_due_date_matches_the_reference(
    calendar: WorkingCalendar, received: datetime, days: int
) -> None:
    """Model D is the n-th working day after the legal receipt day, as a day-by-day walk finds."""
    statutory = statutory_due_date(calendar, received, TimeLimit.working_days(days))
    assert statutory == ref_statutory_working_days(calendar, received, days)


@given(received=instants(), days=st.integers(1, 45))
def test_calendar_day_limit_matches_the_reference(
    calendar: WorkingCalendar, received: datetime, days: int
) -> None:
    """N calendar days end N days after the receipt day, moved on to a working day, at closing."""
    receipt = ref_normalize(calendar, received).date()
    expected = ref_next_working_day(calendar, receipt + timedelta(days=days))
    limit = TimeLimit.calendar_days(days)
    deadline = compute_deadline(calendar, received, limit)
    assert statutory_due_date(calendar, received, limit) == expected
    assert deadline.statutory_due_date == expected
    assert deadline.due_at == _closing(calendar, expected)


@given(
    day=st.one_of(st.dates(FIRST_DAY, LAST_DAY), focused_days()),
    n=working_day_limits(),
)
def test_working_days_match_the_reference(calendar: WorkingCalendar, day: date, n: int) -> None:
    """Working days, the next one on or after a day and the n-th after it match a day walk."""
    assert calendar.is_working_day(day) is ref_is_working_day(calendar, day)
    assert calendar.next_working_day(day) == ref_next_working_day(calendar, day)
    assert calendar.nth_working_day_after(day, n) == ref_nth_working_day_after(calendar, day, n)
    if ref_is_working_day(calendar, day):
        assert calendar.closing(day) == _closing(calendar, day)


def test_next_working_day_of_the_first_calendar_day(calendar: WorkingCalendar) -> None:
    """The calendar's first day has a next working day like any other day it covers.

    Regression: ``next_working_day(first_day)`` once raised OutsideCalendarError
    for the day before the calendar instead of answering 2015-01-05.
    """
    first = calendar.first_day
    assert calendar.next_working_day(first) == ref_next_working_day(calendar, first)


@given(
    day=st.one_of(
        st.dates(CUSTOM_FIRST, CUSTOM_LAST_START),
        focused_days(CUSTOM_FIRST, CUSTOM_LAST_START, CUSTOM_ANCHORS),
    ),
    n=working_day_limits(),
)
def test_working_days_match_the_reference_under_changed_hours(
    custom_calendar: WorkingCalendar, day: date, n: int
) -> None:
    """With custom days off and working Saturdays, day counting and closing match a day walk."""
    cal = custom_calendar
    assert cal.is_working_day(day) is ref_is_working_day(cal, day)
    assert cal.next_working_day(day) == ref_next_working_day(cal, day)
    assert cal.nth_working_day_after(day, n) == ref_nth_working_day_after(cal, day, n)
    if ref_is_working_day(cal, day):
        assert cal.closing(day) == _closing(cal, day)


@given(start=custom_instants)
def test_normalize_matches_the_reference_under_changed_hours(
    custom_calendar: WorkingCalendar, start: datetime
) -> None:
    """With changing office hours, normalize still gives the first working minute."""
    assert custom_calendar.normalize(start) == ref_normalize(custom_calendar, start)


@given(start=custom_instants, minutes=st.integers(0, MAX_REFERENCE_MINUTES))
def test_add_working_time_matches_the_reference_under_changed_hours(
    custom_calendar: WorkingCalendar, start: datetime, minutes: int
) -> None:
    """With changing office hours, adding working minutes matches counting them one by one."""
    due = custom_calendar.add_working_time(start, timedelta(minutes=minutes))
    assert due == ref_add(custom_calendar, start, minutes)


@given(start=custom_instants, span=st.integers(0, MAX_REFERENCE_SPAN))
def test_working_time_between_matches_the_reference_under_changed_hours(
    custom_calendar: WorkingCalendar, start: datetime, span: int
) -> None:
    """With changing office hours, the working time in [a, b) matches the minute count."""
    end = start + timedelta(minutes=span)
    assert custom_calendar.working_time_between(start, end) == timedelta(
        minutes=ref_between(custom_calendar, start, end)
    )


@given(received=custom_instants, days=working_day_limits())
def test_statutory_due_date_matches_the_reference_under_changed_hours(
    custom_calendar: WorkingCalendar, received: datetime, days: int
) -> None:
    """With changing office hours and custom days off, Model D matches the day-by-day walk."""
    statutory = statutory_due_date(custom_calendar, received, TimeLimit.working_days(days))
    assert statutory == ref_statutory_working_days(custom_calendar, received, days)
