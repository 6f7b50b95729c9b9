"""Shared Hypothesis strategies: instants in Vietnam time, time limits and pauses.

Instants are minute-aligned and aware (Asia/Ho_Chi_Minh). By default they run
from 2015-01-01 to 2027-10-31, so that thirty working days added to any of them
stay inside the national calendar, which ends on 2027-12-31.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from hypothesis import strategies as st

from domain.deadline import Pause
from domain.values import VIETNAM

FIRST_DAY = date(2015, 1, 1)
LAST_DAY = date(2027, 10, 31)
LAST_PAUSED_DAY = date(2027, 6, 30)
"""Receptions with pauses stop earlier: pauses and the time they add back need room."""

MINUTES_PER_DAY = 24 * 60
SATURDAY, SUNDAY = 5, 6
ONE_MINUTE = timedelta(minutes=1)

STANDARD_BOUNDARIES = (time(7), time(11, 30), time(13, 30), time(17))
"""Session starts and ends of the default office hours, 07:00-11:30 and 13:30-17:00."""

NIGHTS = (time(0), time(3), time(5, 59), time(12, 30), time(19), time(22, 45), time(23, 59))
"""Times outside office hours: the night, early morning, the lunch break, evening."""

WORKING_SATURDAYS = (
    date(2015, 2, 14),
    date(2015, 4, 25),
    date(2019, 1, 5),
    date(2019, 5, 4),
    date(2024, 5, 4),
    date(2025, 4, 26),
    date(2026, 8, 22),
)
"""Saturdays made working days (làm bù) in the national calendar."""

_TET_WINDOWS = ((date(2025, 1, 18), 24), (date(2026, 2, 7), 24))
"""Tết 2025 (25 Jan - 2 Feb) and Tết 2026 (14-22 Feb), with a week either side."""

_YEARLY_WINDOWS = ((4, 22, 17), (8, 26, 14), (12, 27, 9))
"""(month, day, length): around 30/4 and 1/5, around 2/9, around New Year."""


def minutes_of_day() -> st.SearchStrategy[time]:
    """Any minute of a day."""
    return st.integers(0, MINUTES_PER_DAY - 1).map(lambda m: time(m // 60, m % 60))


def uniform_instants(first: date = FIRST_DAY, last: date = LAST_DAY) -> st.SearchStrategy[datetime]:
    """Any minute of any day from ``first`` to ``last``, in Vietnam time."""
    return st.builds(_at, st.dates(first, last), minutes_of_day())


def focused_times(boundaries: Sequence[time] = STANDARD_BOUNDARIES) -> st.SearchStrategy[time]:
    """Session boundaries and one minute either side, nights, or any minute."""
    near = sorted({_shift(b, delta) for b in boundaries for delta in (-1, 0, 1)})
    return st.one_of(st.sampled_from(near), st.sampled_from(NIGHTS), minutes_of_day())


def focused_days(
    first: date = FIRST_DAY, last: date = LAST_DAY, anchors: Sequence[date] = ()
) -> st.SearchStrategy[date]:
    """Weekends, working Saturdays, and days around Tết, 30/4, 2/9, New Year and ``anchors``."""
    windows = list(_TET_WINDOWS)
    windows += [
        (date(year, month, day), length)
        for year in range(first.year, last.year + 1)
        for month, day, length in _YEARLY_WINDOWS
    ]
    windows += [(anchor - timedelta(days=7), 15) for anchor in anchors]
    days = sorted(
        {
            start + timedelta(days=k)
            for start, length in windows
            for k in range(length)
            if first <= start + timedelta(days=k) <= last
        }
    )
    saturdays = [day for day in WORKING_SATURDAYS if first <= day <= last]
    choices = [weekend_days(first, last)]
    if days:
        choices.append(st.sampled_from(days))
    if saturdays:
        choices.append(st.sampled_from(saturdays))
    return st.one_of(choices)


@st.composite
def weekend_days(draw: st.DrawFn, first: date = FIRST_DAY, last: date = LAST_DAY) -> date:
    """A Saturday or a Sunday between ``first`` and ``last`` (the range must span a week)."""
    day = draw(st.dates(first, last))
    ahead = (SATURDAY - day.weekday()) % 7 + draw(st.integers(0, 1))
    weekend = day + timedelta(days=ahead)
    return weekend if weekend <= last else weekend - timedelta(weeks=1)


def focused_instants(
    first: date = FIRST_DAY,
    last: date = LAST_DAY,
    *,
    boundaries: Sequence[time] = STANDARD_BOUNDARIES,
    anchors: Sequence[date] = (),
) -> st.SearchStrategy[datetime]:
    """Interesting instants: boundary minutes, nights, weekends and days around holidays."""
    days = st.one_of(focused_days(first, last, anchors), st.dates(first, last))
    return st.builds(_at, days, focused_times(boundaries))


def instants(
    first: date = FIRST_DAY,
    last: date = LAST_DAY,
    *,
    boundaries: Sequence[time] = STANDARD_BOUNDARIES,
    anchors: Sequence[date] = (),
) -> st.SearchStrategy[datetime]:
    """Uniform instants mixed with focused ones."""
    return st.one_of(
        uniform_instants(first, last),
        focused_instants(first, last, boundaries=boundaries, anchors=anchors),
    )


def working_day_limits() -> st.SearchStrategy[int]:
    """N ngày làm việc: 1 to 30 working days."""
    return st.integers(1, 30)


def working_hour_limits() -> st.SearchStrategy[int]:
    """N giờ làm việc: 1 to 240 working hours."""
    return st.integers(1, 240)


@st.composite
def received_with_pauses(
    draw: st.DrawFn, first: date = FIRST_DAY, last: date = LAST_PAUSED_DAY
) -> tuple[datetime, tuple[Pause, ...]]:
    """A reception instant and one or two ordered pauses after it, each up to ten days long.

    A pause starts within ten days of reception (or of the previous pause's
    end) and ends after it starts; starts and ends often sit on boundaries.
    """
    received = draw(instants(first, last))
    pauses: list[Pause] = []
    previous = received
    for _ in range(draw(st.integers(1, 2))):
        start = max(previous, draw(_later_instant(previous)))
        end = max(start + ONE_MINUTE, draw(_later_instant(start)))
        pauses.append(Pause(start, end))
        previous = end
    return received, tuple(pauses)


def _later_instant(after: datetime) -> st.SearchStrategy[datetime]:
    """An instant on the day of ``after`` or up to ten days later (possibly before ``after``)."""
    days = st.integers(0, 10).map(lambda k: after.date() + timedelta(days=k))
    return st.builds(_at, days, focused_times())


def _at(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=VIETNAM)


def _shift(at: time, minutes: int) -> time:
    total = (at.hour * 60 + at.minute + minutes) % MINUTES_PER_DAY
    return time(total // 60, total % 60)
