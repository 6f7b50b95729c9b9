"""Lịch làm việc (working calendar): office hours over working days, and time measured in them.

Working time is a line. Each instant ``t`` has a position ``W(t)``: the working
microseconds from the calendar's first day up to ``t``. ``W`` stands still over
lunch breaks, nights, weekends and holidays. An index of cumulative working time
per day makes ``W`` and its inverse two bisections, so adding working time and
measuring it between two instants never loops over days or minutes.

The inverse picks the *latest* instant at a position. That single choice gives
§4.5's rules: a time outside office hours normalizes to the next opening, and a
due time that lands exactly on a session's end rolls to the next session start.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

from attrs import field, frozen

from domain.errors import InvalidCalendarError, OutsideCalendarError
from domain.time_limit import local
from domain.values import VIETNAM

_US_PER_SECOND = 1_000_000


def _microseconds(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_SECOND + t.microsecond


@frozen(order=True)
class Session:
    """Buổi làm việc (office session): one stretch of office hours within a day."""

    start: time
    end: time

    def __attrs_post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise InvalidCalendarError("office sessions are local wall-clock times, without zone")
        if self.start >= self.end:
            raise InvalidCalendarError(f"a session must end after it starts: {self}")

    @classmethod
    def parse(cls, text: str) -> Session:
        """A session from ``"HH:MM-HH:MM"``."""
        try:
            start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError:
            raise InvalidCalendarError(
                f"a session is written HH:MM-HH:MM, e.g. 07:00-11:30 (got {text!r})"
            ) from None
        return cls(start=start, end=end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def _sessions(value: tuple[Session, ...]) -> tuple[Session, ...]:
    return tuple(sorted(value))


@frozen
class OfficeHours:
    """Giờ làm việc (office hours): the sessions of every working day from ``valid_from`` on."""

    valid_from: date
    sessions: tuple[Session, ...] = field(converter=_sessions)

    def __attrs_post_init__(self) -> None:
        if not self.sessions:
            raise InvalidCalendarError("office hours need at least one session")
        for before, after in zip(self.sessions, self.sessions[1:], strict=False):
            if after.start < before.end:
                raise InvalidCalendarError(f"office sessions overlap: {before} and {after}")

    @classmethod
    def standard(cls, valid_from: date) -> OfficeHours:
        """07:00-11:30 and 13:30-17:00: eight working hours a day."""
        return cls(valid_from, (Session(time(7), time(11, 30)), Session(time(13, 30), time(17))))

    @property
    def length(self) -> timedelta:
        """Working time in one day."""
        total = sum(_microseconds(s.end) - _microseconds(s.start) for s in self.sessions)
        return timedelta(microseconds=total)


class DayKind(StrEnum):
    """What a day is in the calendar."""

    WORKING_DAY = "working_day"  # ngày làm việc
    WEEKEND = "weekend"  # ngày nghỉ hằng tuần
    HOLIDAY = "holiday"  # ngày nghỉ lễ, Tết, nghỉ bù
    WORKING_WEEKEND = "working_weekend"  # thứ Bảy/Chủ nhật làm bù

    @property
    def is_working(self) -> bool:
        """Whether offices are open on such a day."""
        return self in (DayKind.WORKING_DAY, DayKind.WORKING_WEEKEND)


@frozen
class CalendarDay:
    """One day of the calendar, as listed to people: its kind and, for a holiday, its name."""

    day: date
    kind: DayKind
    name: str | None = None


def to_dates(value: Iterable[date]) -> frozenset[date]:
    """Converter: a frozen set of days."""
    return frozenset(value)


def to_weekdays(value: Iterable[int]) -> frozenset[int]:
    """Converter: a frozen set of weekday numbers (Monday is 0)."""
    return frozenset(value)


def to_day_names(value: Mapping[date, str]) -> Mapping[date, str]:
    """Converter: a read-only copy of days and their names."""
    return MappingProxyType(dict(value))


def _count_days(days: Iterable[date]) -> str:
    return f"<{len(list(days))} days>"


def _schedule(value: Iterable[OfficeHours]) -> tuple[OfficeHours, ...]:
    return tuple(value)


@frozen
class WorkingCalendar:
    """Lịch làm việc (working calendar) of one agency under one rule set.

    ``holidays`` maps each day off that is not a plain weekend day (public
    holidays, Tết, nghỉ bù, swapped days off) to its name. ``working_weekend_days``
    are rest days made working days (làm bù). ``office_hours`` is a schedule:
    each entry applies from its ``valid_from`` until the next one.
    """

    first_day: date
    last_day: date
    # A read-only mapping cannot be hashed: it takes part in equality, not in the hash.
    holidays: Mapping[date, str] = field(
        converter=to_day_names, factory=dict, hash=False, repr=_count_days
    )
    working_weekend_days: frozenset[date] = field(
        converter=to_dates, factory=frozenset, repr=_count_days
    )
    office_hours: tuple[OfficeHours, ...] = field(
        converter=_schedule, factory=lambda: (OfficeHours.standard(date.min),)
    )
    rest_weekdays: frozenset[int] = field(converter=to_weekdays, default=frozenset({5, 6}))
    tz: ZoneInfo = VIETNAM
    _index: _Index = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._check()
        object.__setattr__(self, "_index", _Index(self))

    def _check(self) -> None:
        if self.first_day > self.last_day:
            raise InvalidCalendarError("the calendar's first day is after its last day")
        starts = [hours.valid_from for hours in self.office_hours]
        if not starts or starts != sorted(set(starts)) or starts[0] > self.first_day:
            raise InvalidCalendarError(
                "office hours must be ordered by date, one entry a date, the first on or "
                "before the calendar's first day"
            )
        both = self.working_weekend_days & self.holidays.keys()
        if both:
            raise InvalidCalendarError(f"days both off and worked: {sorted(both)}")
        weekdays = [d for d in self.working_weekend_days if d.weekday() not in self.rest_weekdays]
        if weekdays:
            raise InvalidCalendarError(f"working weekend days that are weekdays: {weekdays}")

    # ------------------------------------------------------------------ days

    def day_kind(self, day: date) -> DayKind:
        """Working day, weekend, holiday, or working weekend day; outside the range is an error."""
        self._index.ordinal(day)
        return self._kind(day)

    def _kind(self, day: date) -> DayKind:
        if day in self.holidays:
            return DayKind.HOLIDAY
        if day in self.working_weekend_days:
            return DayKind.WORKING_WEEKEND
        if day.weekday() in self.rest_weekdays:
            return DayKind.WEEKEND
        return DayKind.WORKING_DAY

    def is_working_day(self, day: date) -> bool:
        """Whether offices are open on ``day``."""
        return self.day_kind(day).is_working

    def days(self, start: date, end: date) -> Iterator[CalendarDay]:
        """Each day from ``start`` to ``end`` inclusive, with its kind."""
        self._index.ordinal(start)
        self._index.ordinal(end)
        for offset in range((end - start).days + 1):
            day = start + timedelta(days=offset)
            yield CalendarDay(day, self.day_kind(day), self.holidays.get(day))

    def office_hours_on(self, day: date) -> OfficeHours:
        """The office hours in force on ``day``."""
        starts = [hours.valid_from for hours in self.office_hours]
        return self.office_hours[bisect_right(starts, day) - 1]

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (``day`` itself not counted)."""
        return self._index.nth_working_day_after(day, n)

    def next_working_day(self, day: date) -> date:
        """The first working day on or after ``day``."""
        return self._index.next_working_day(day)

    def closing(self, day: date) -> datetime:
        """The end of the last session of a working ``day``: where a day-counted period ends."""
        index = self._index
        sessions = index.sessions[index.ordinal(day)]
        if not sessions:
            raise InvalidCalendarError(f"{day.isoformat()} is not a working day: it has no closing")
        return index.instant_at(index.ordinal(day), sessions[-1][1])

    # ------------------------------------------------------------------ working time

    def normalize(self, moment: datetime) -> datetime:
        """When the clock really starts: ``moment`` in office hours, else the next opening."""
        index = self._index
        return index.instant(index.position(local(moment, self.tz)))

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """Model H: the instant ``amount`` of working time after ``start`` (normalized first).

        An exact session end rolls to the next session start, so a limit of whole
        days always ends on the working day that Model D names.
        """
        if amount < timedelta(0):
            raise InvalidCalendarError("working time to add must not be negative")
        index = self._index
        return index.instant(index.position(local(start, self.tz)) + _us(amount))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end``; negative when ``end`` comes first."""
        index = self._index
        tz = self.tz
        return timedelta(
            microseconds=index.position(local(end, tz)) - index.position(local(start, tz))
        )

    def position(self, moment: datetime) -> int:
        """Working microseconds from the calendar's start to ``moment`` (for fast arithmetic)."""
        return self._index.position(local(moment, self.tz))

    def instant(self, position: int) -> datetime:
        """The latest instant at a working-time ``position``: the inverse of ``position``."""
        return self._index.instant(position)


def _us(amount: timedelta) -> int:
    return (amount.days * 86_400 + amount.seconds) * _US_PER_SECOND + amount.microseconds


class _Index:
    """Cumulative working time per day, and the working days in order."""

    __slots__ = (
        "cum",
        "dates",
        "first",
        "first_ordinal",
        "last",
        "midnights",
        "sessions",
        "tz",
        "working",
    )

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.first = calendar.first_day
        self.last = calendar.last_day
        self.first_ordinal = calendar.first_day.toordinal()
        self.tz = calendar.tz
        n = (calendar.last_day - calendar.first_day).days + 1
        self.dates = [calendar.first_day + timedelta(days=i) for i in range(n)]
        self.midnights = [datetime(d.year, d.month, d.day, tzinfo=self.tz) for d in self.dates]
        self.sessions: list[tuple[tuple[int, int], ...]] = []
        self.cum = [0]
        self.working: list[int] = []
        for i, day in enumerate(self.dates):
            sessions = self._day_sessions(calendar, day)
            self.sessions.append(sessions)
            self.cum.append(self.cum[-1] + sum(end - start for start, end in sessions))
            if sessions:
                self.working.append(i)

    @staticmethod
    def _day_sessions(calendar: WorkingCalendar, day: date) -> tuple[tuple[int, int], ...]:
        if not calendar._kind(day).is_working:  # noqa: SLF001 (the index is the calendar's own part)
            return ()
        hours = calendar.office_hours_on(day)
        return tuple((_microseconds(s.start), _microseconds(s.end)) for s in hours.sessions)

    def ordinal(self, day: date) -> int:
        i = day.toordinal() - self.first_ordinal
        if i < 0 or i >= len(self.dates):
            raise OutsideCalendarError(requested=day, first_day=self.first, last_day=self.last)
        return i

    def position(self, moment: datetime) -> int:
        i = self.ordinal(moment.date())
        tod = (
            (moment.hour * 60 + moment.minute) * 60 + moment.second
        ) * _US_PER_SECOND + moment.microsecond
        pos = self.cum[i]
        for start, end in self.sessions[i]:
            if tod <= start:
                break
            pos += (end if tod > end else tod) - start  # noqa: FURB136 (hot path; min() is slower)
        return pos

    def instant(self, position: int) -> datetime:
        cum = self.cum
        n = len(self.dates)
        i = bisect_right(cum, position, 0, n) - 1
        rest = position - cum[i]
        for start, end in self.sessions[i]:
            if rest < end - start:
                return self.instant_at(i, start + rest)
            rest -= end - start
        # The position is the very end of the last day's work: the next opening lies beyond.
        raise OutsideCalendarError(
            requested=self.last + timedelta(days=1), first_day=self.first, last_day=self.last
        )

    def instant_at(self, i: int, tod: int) -> datetime:
        return self.midnights[i] + timedelta(microseconds=tod)

    def next_working_day(self, day: date) -> date:
        k = bisect_left(self.working, self.ordinal(day))
        return self._working_day(k)

    def nth_working_day_after(self, day: date, n: int) -> date:
        if n < 1:
            raise InvalidCalendarError("working days are counted from 1")
        return self._working_day(bisect_right(self.working, self.ordinal(day)) + n - 1)

    def _working_day(self, k: int) -> date:
        if k >= len(self.working):
            raise OutsideCalendarError(
                requested=self.last + timedelta(days=1), first_day=self.first, last_day=self.last
            )
        return self.dates[self.working[k]]
