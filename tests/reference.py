"""A slow reference for working time: it walks the clock one minute at a time.

It reads only the calendar's raw data (holidays, working weekend days, rest
weekdays, office hours, time zone, first and last day) and none of the engine's
arithmetic, so the property tests can hold the fast index against it. Every
function takes minute-aligned aware datetimes; office sessions must start and
end on whole minutes. The walk steps the local wall clock, which is the real
clock in Asia/Ho_Chi_Minh (no daylight saving time since 1975).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from domain.calendar import WorkingCalendar

ONE_MINUTE = timedelta(minutes=1)
ONE_DAY = timedelta(days=1)


def ref_is_working_day(cal: WorkingCalendar, day: date) -> bool:
    """Ngày làm việc: a swapped working day, or a weekday that is not a holiday."""
    if day in cal.working_weekend_days:
        return True
    return day.weekday() not in cal.rest_weekdays and day not in cal.holidays


def ref_sessions(cal: WorkingCalendar, day: date) -> list[tuple[int, int]]:
    """The office sessions of ``day`` as [start, end) minutes after midnight; none on a day off."""
    if not ref_is_working_day(cal, day):
        return []
    in_force = [hours for hours in cal.office_hours if hours.valid_from <= day]
    hours = max(in_force, key=lambda entry: entry.valid_from)
    return [(_minute_of_day(s.start), _minute_of_day(s.end)) for s in hours.sessions]


def ref_is_working_minute(cal: WorkingCalendar, t: datetime) -> bool:
    """Whether the minute [t, t + 1 min) lies inside a session of a working day."""
    t = _local(cal, t)
    return _inside(ref_sessions(cal, t.date()), t)


def ref_normalize(cal: WorkingCalendar, t: datetime) -> datetime:
    """The first working minute at or after ``t``: when the clock really starts."""
    for moment, working in _minutes_from(cal, t):
        if working:
            return moment
    raise AssertionError("unreachable: the walk ends with an error")  # pragma: no cover


def ref_add(cal: WorkingCalendar, t: datetime, minutes: int) -> datetime:
    """Count ``minutes`` working minutes from ``t``, then roll on to the next working minute.

    The roll is §4.5's "an exact boundary rolls to the next opening"; with
    ``minutes == 0`` this is ``ref_normalize``.
    """
    if minutes < 0:
        raise ValueError("the reference adds non-negative working time only")
    remaining = minutes
    for moment, working in _minutes_from(cal, t):
        if not working:
            continue
        if remaining == 0:
            return moment
        remaining -= 1
    raise AssertionError("unreachable: the walk ends with an error")  # pragma: no cover


def ref_between(cal: WorkingCalendar, a: datetime, b: datetime) -> int:
    """The number of working minutes in [a, b), for ``a <= b``."""
    if b < a:
        raise ValueError("the reference measures forward only (a <= b)")
    end = _local(cal, b)
    count = 0
    for moment, working in _minutes_from(cal, a):
        if moment >= end:
            return count
        if working:
            count += 1
    raise AssertionError("unreachable: the walk ends with an error")  # pragma: no cover


def ref_next_working_day(cal: WorkingCalendar, day: date) -> date:
    """The first working day on or after ``day``."""
    while not ref_is_working_day(cal, day):
        day += ONE_DAY
        _check_day(cal, day)
    return day


def ref_nth_working_day_after(cal: WorkingCalendar, day: date, n: int) -> date:
    """The n-th working day after ``day``, which itself is not counted."""
    if n < 1:
        raise ValueError("working days are counted from 1")
    counted = 0
    while counted < n:
        day += ONE_DAY
        _check_day(cal, day)
        if ref_is_working_day(cal, day):
            counted += 1
    return day


def ref_statutory_working_days(cal: WorkingCalendar, received: datetime, n: int) -> date:
    """Model D: the n-th working day after the legal receipt day, which is not counted."""
    return ref_nth_working_day_after(cal, ref_normalize(cal, received).date(), n)


def _minutes_from(cal: WorkingCalendar, t: datetime) -> Iterator[tuple[datetime, bool]]:
    """Each minute from ``t`` on, with whether it is a working minute; stops at the last day."""
    moment = _local(cal, t)
    day = moment.date()
    sessions = ref_sessions(cal, day)
    while True:
        if moment.date() != day:
            day = moment.date()
            _check_day(cal, day)
            sessions = ref_sessions(cal, day)
        yield moment, _inside(sessions, moment)
        moment += ONE_MINUTE


def _inside(sessions: list[tuple[int, int]], t: datetime) -> bool:
    minute = t.hour * 60 + t.minute
    return any(start <= minute < end for start, end in sessions)


def _minute_of_day(t: time) -> int:
    if t.second or t.microsecond:
        raise ValueError(f"the reference needs sessions on whole minutes, got {t}")
    return t.hour * 60 + t.minute


def _check_day(cal: WorkingCalendar, day: date) -> None:
    if day > cal.last_day:
        raise ValueError(f"the walk runs past the calendar's last day {cal.last_day}")


def _local(cal: WorkingCalendar, t: datetime) -> datetime:
    if t.tzinfo is None:
        raise ValueError(f"the reference needs an aware datetime, got {t}")
    if t.second or t.microsecond:
        raise ValueError(f"the reference needs a minute-aligned instant, got {t}")
    local = t.astimezone(cal.tz)
    if not cal.first_day <= local.date() <= cal.last_day:
        raise ValueError(f"{local} is outside the calendar {cal.first_day}..{cal.last_day}")
    return local
