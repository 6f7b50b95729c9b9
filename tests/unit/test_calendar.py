"""The working calendar's own rules: its range, its sessions, its days and its refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.calendar import DayKind, OfficeHours, Session, WorkingCalendar
from domain.deadline import Pause, compute_deadline
from domain.errors import (
    InvalidCalendarError,
    InvalidPauseError,
    InvalidTimeLimitError,
    NaiveDatetimeError,
    OutsideCalendarError,
)
from domain.time_limit import TimeLimit, TimeUnit
from domain.values import VIETNAM
from tests.unit.test_worked_examples import at


def small_calendar(**changes: object) -> WorkingCalendar:
    """March 2025 only, no holidays, default office hours, unless changed."""
    fields: dict[str, object] = {"first_day": date(2025, 3, 1), "last_day": date(2025, 3, 31)}
    return WorkingCalendar(**{**fields, **changes})  # type: ignore[arg-type]


def test_calendar_covers_2015_through_next_year(calendar: WorkingCalendar) -> None:
    """The national calendar runs from 1 January 2015 to 31 December of next year (2027 here)."""
    assert calendar.first_day == date(2015, 1, 1)
    assert calendar.last_day == date(2027, 12, 31)


@pytest.mark.parametrize("day", [date(2014, 12, 31), date(2028, 1, 1)])
def test_days_outside_the_range_are_refused(calendar: WorkingCalendar, day: date) -> None:
    """Asking about a day outside the calendar raises, naming the day and the range."""
    with pytest.raises(OutsideCalendarError) as raised:
        calendar.day_kind(day)
    assert raised.value.requested == day
    assert raised.value.first_day == date(2015, 1, 1)


def test_a_deadline_past_the_range_is_refused(calendar: WorkingCalendar) -> None:
    """A limit that runs past the last day is an error, never a silent guess."""
    with pytest.raises(OutsideCalendarError):
        compute_deadline(calendar, at("2027-12-20 10:00"), TimeLimit.working_days(30))


def test_the_last_moment_of_the_range_is_refused_not_wrapped() -> None:
    """Adding exactly the rest of the range's working time needs the day after it: an error."""
    cal = small_calendar()
    rest = cal.working_time_between(at("2025-03-03 07:00"), at("2025-03-31 16:00")) + timedelta(
        hours=1
    )
    with pytest.raises(OutsideCalendarError):
        cal.add_working_time(at("2025-03-03 07:00"), rest)


def test_naive_datetimes_are_refused(calendar: WorkingCalendar) -> None:
    """A time without a zone is refused rather than guessed."""
    with pytest.raises(NaiveDatetimeError):
        calendar.normalize(datetime(2025, 3, 10, 10))  # noqa: DTZ001 (the point of the test)


def test_other_offsets_are_read_in_vietnam_time(calendar: WorkingCalendar) -> None:
    """03:00 UTC is 10:00 in Hà Nội; results come back in Asia/Ho_Chi_Minh."""
    start = datetime(2025, 3, 10, 3, tzinfo=UTC)
    assert calendar.normalize(start) == at("2025-03-10 10:00")
    assert calendar.normalize(start).tzinfo is VIETNAM


def test_working_time_between_is_signed(calendar: WorkingCalendar) -> None:
    """Working time from a later to an earlier instant is negative (overdue by that much)."""
    a, b = at("2025-03-10 10:00"), at("2025-03-11 10:00")
    assert calendar.working_time_between(a, b) == timedelta(hours=8)
    assert calendar.working_time_between(b, a) == timedelta(hours=-8)


def test_negative_working_time_is_refused(calendar: WorkingCalendar) -> None:
    """Adding negative working time is an error."""
    with pytest.raises(InvalidCalendarError):
        calendar.add_working_time(at("2025-03-10 10:00"), timedelta(hours=-1))


def test_days_lists_kinds_and_names(calendar: WorkingCalendar) -> None:
    """30 April 2025 is a named holiday, 3 May a weekend, 5 May a working day."""
    days = {d.day: d for d in calendar.days(date(2025, 4, 30), date(2025, 5, 5))}
    assert days[date(2025, 4, 30)].kind is DayKind.HOLIDAY
    assert days[date(2025, 4, 30)].name == "Ngày Chiến thắng"
    assert days[date(2025, 5, 3)].kind is DayKind.WEEKEND
    assert days[date(2025, 5, 5)].kind is DayKind.WORKING_DAY
    assert len(days) == 6


def test_vietnam_culture_day_2026_is_a_holiday(calendar: WorkingCalendar) -> None:
    """24 November 2026 (Ngày Văn hóa Việt Nam) is off, from the holidays package."""
    assert calendar.day_kind(date(2026, 11, 24)) is DayKind.HOLIDAY


@pytest.mark.parametrize("text", ["7-11", "11:30-07:00", "07:00", "noon-13:00", "07:00-07:00"])
def test_bad_sessions_are_refused(text: str) -> None:
    """A session is HH:MM-HH:MM and ends after it starts."""
    with pytest.raises(InvalidCalendarError):
        Session.parse(text)


def test_overlapping_sessions_are_refused() -> None:
    """Office sessions of one day may not overlap."""
    with pytest.raises(InvalidCalendarError, match="overlap"):
        OfficeHours(date(2025, 1, 1), (Session.parse("07:00-12:00"), Session.parse("11:00-17:00")))


def test_standard_office_hours_are_eight_hours() -> None:
    """07:00-11:30 and 13:30-17:00 make eight working hours."""
    assert OfficeHours.standard(date(2025, 1, 1)).length == timedelta(hours=8)


def test_calendars_are_values() -> None:
    """Two calendars built from the same data are equal and hash alike; other holidays differ."""
    a = small_calendar(holidays={date(2025, 3, 3): "x"})
    b = small_calendar(holidays={date(2025, 3, 3): "x"})
    assert a == b
    assert hash(a) == hash(b)
    assert a != small_calendar(holidays={date(2025, 3, 4): "x"})


def test_a_day_cannot_be_both_off_and_worked() -> None:
    """The same day as a holiday and as a working weekend day is inconsistent."""
    with pytest.raises(InvalidCalendarError):
        small_calendar(holidays={date(2025, 3, 8): "x"}, working_weekend_days={date(2025, 3, 8)})


def test_a_day_off_has_no_closing_time(calendar: WorkingCalendar) -> None:
    """Asking when a holiday closes is a domain error, not a crash."""
    with pytest.raises(InvalidCalendarError, match="not a working day"):
        calendar.closing(date(2025, 9, 2))


def test_office_hours_change_from_their_date() -> None:
    """New office hours apply from their first day; earlier days keep the old ones."""
    summer = OfficeHours(date(2025, 3, 17), (Session(time(7, 30), time(11, 30)),))
    cal = small_calendar(office_hours=(OfficeHours.standard(date(2025, 1, 1)), summer))
    assert cal.normalize(at("2025-03-14 07:10")) == at("2025-03-14 07:10")
    assert cal.normalize(at("2025-03-17 07:10")) == at("2025-03-17 07:30")
    assert cal.normalize(at("2025-03-17 12:00")) == at("2025-03-18 07:30")
    assert cal.working_time_between(at("2025-03-14 07:00"), at("2025-03-18 07:30")) == timedelta(
        hours=12
    )


def test_office_hours_must_cover_the_first_day() -> None:
    """A schedule that starts after the calendar's first day leaves days undefined: refused."""
    with pytest.raises(InvalidCalendarError):
        small_calendar(office_hours=(OfficeHours.standard(date(2025, 3, 2)),))


@pytest.mark.parametrize(
    ("unit", "value"),
    [
        (TimeUnit.WORKING_DAYS, 0),
        (TimeUnit.WORKING_DAYS, -1),
        (TimeUnit.WORKING_DAYS, 366),
        (TimeUnit.WORKING_HOURS, 10_000),
        (TimeUnit.CALENDAR_DAYS, 731),
        (TimeUnit.SAME_DAY, 1),
    ],
)
def test_absurd_limits_are_refused(unit: TimeUnit, value: int) -> None:
    """Limits below one, above the unit's maximum, or an amount on same_day are refused."""
    with pytest.raises(InvalidTimeLimitError) as raised:
        TimeLimit(unit=unit, value=value)
    assert raised.value.value == value


def test_pauses_must_be_ordered(calendar: WorkingCalendar) -> None:
    """Pauses that overlap or start before reception are refused."""
    first = Pause(at("2025-03-04 08:00"), at("2025-03-06 08:00"))
    overlapping = Pause(at("2025-03-05 08:00"), at("2025-03-07 08:00"))
    with pytest.raises(InvalidPauseError):
        compute_deadline(
            calendar, at("2025-03-03 08:00"), TimeLimit.working_days(5), pauses=[first, overlapping]
        )
    with pytest.raises(InvalidPauseError):
        compute_deadline(
            calendar, at("2025-03-05 08:00"), TimeLimit.working_days(5), pauses=[first]
        )


def test_a_pause_cannot_end_before_it_starts() -> None:
    """A pause whose end comes first is refused."""
    with pytest.raises(InvalidPauseError):
        Pause(at("2025-03-06 08:00"), at("2025-03-05 08:00"))


def test_calendar_day_pauses_add_whole_days(calendar: WorkingCalendar) -> None:
    """Under PAUSE a calendar-day limit is extended by the calendar days paused."""
    pause = Pause(at("2025-03-11 10:00"), at("2025-03-14 10:00"))
    deadline = compute_deadline(
        calendar, at("2025-03-10 10:00"), TimeLimit.calendar_days(3), pauses=[pause]
    )
    assert deadline.statutory_due_date == date(2025, 3, 17)  # 13 + 3 = Sun 16 -> Mon 17
