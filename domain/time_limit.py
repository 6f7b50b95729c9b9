"""Thời hạn giải quyết (time limits) and the words used to judge them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from attrs import field, frozen

from domain.errors import InvalidTimeLimitError, NaiveDatetimeError
from domain.values import VIETNAM

HOURS_PER_WORKING_DAY = 8
"""Một ngày làm việc = 8 giờ: the unit Model H converts working days with."""


class TimeUnit(StrEnum):
    """Đơn vị thời gian (time unit) of a procedure's limit."""

    WORKING_DAYS = "working_days"  # ngày làm việc
    WORKING_HOURS = "working_hours"  # giờ làm việc
    CALENDAR_DAYS = "calendar_days"  # ngày (Civil Code counting)
    SAME_DAY = "same_day"  # trong ngày (with a cut-off time)


MAX_LIMIT: dict[TimeUnit, int] = {
    TimeUnit.WORKING_DAYS: 365,
    TimeUnit.WORKING_HOURS: 365 * HOURS_PER_WORKING_DAY,
    TimeUnit.CALENDAR_DAYS: 730,
    TimeUnit.SAME_DAY: 0,
}
"""The largest limit each unit accepts; anything longer is a typing error, not a procedure."""


def _check_value(instance: TimeLimit, _attribute: object, value: int) -> None:
    unit = instance.unit
    if unit is TimeUnit.SAME_DAY:
        if value != 0:
            raise InvalidTimeLimitError(
                value=value, unit=unit, reason="a same_day limit takes no amount (use 0)"
            )
        return
    if value < 1:
        raise InvalidTimeLimitError(value=value, unit=unit, reason="must be at least 1")
    if value > MAX_LIMIT[unit]:
        raise InvalidTimeLimitError(
            value=value, unit=unit, reason=f"must be at most {MAX_LIMIT[unit]}"
        )


@frozen
class TimeLimit:
    """Thời hạn giải quyết (time limit): an amount in a unit, as the procedure publishes it."""

    unit: TimeUnit = field(converter=TimeUnit)
    value: int = field(validator=_check_value)

    @classmethod
    def working_days(cls, value: int) -> TimeLimit:
        """N ngày làm việc."""
        return cls(unit=TimeUnit.WORKING_DAYS, value=value)

    @classmethod
    def working_hours(cls, value: int) -> TimeLimit:
        """N giờ làm việc."""
        return cls(unit=TimeUnit.WORKING_HOURS, value=value)

    @classmethod
    def calendar_days(cls, value: int) -> TimeLimit:
        """N ngày (calendar days, counted as the Civil Code counts)."""
        return cls(unit=TimeUnit.CALENDAR_DAYS, value=value)

    @classmethod
    def same_day(cls) -> TimeLimit:
        """Trong ngày: handled the day it is received, or the next working day after the cut-off."""
        return cls(unit=TimeUnit.SAME_DAY, value=0)

    @property
    def is_working_time(self) -> bool:
        """Whether Model H adds this limit as working time."""
        return self.unit in (TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS)

    @property
    def as_working_hours(self) -> int:
        """The limit in working hours (8 h a working day); only for working-time units."""
        if self.unit is TimeUnit.WORKING_DAYS:
            return self.value * HOURS_PER_WORKING_DAY
        if self.unit is TimeUnit.WORKING_HOURS:
            return self.value
        raise InvalidTimeLimitError(
            value=self.value, unit=self.unit, reason="is not counted in working time"
        )

    @property
    def ceiling_hours(self) -> int:
        """The most working hours the limit can hold: 8 a day, and one day for same_day."""
        if self.unit is TimeUnit.WORKING_HOURS:
            return self.value
        if self.unit is TimeUnit.SAME_DAY:
            return HOURS_PER_WORKING_DAY
        return self.value * HOURS_PER_WORKING_DAY

    @property
    def working_time(self) -> timedelta:
        """The limit as working time (8 h a working day); only for working-time units."""
        return timedelta(hours=self.as_working_hours)

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


class ClockPolicy(StrEnum):
    """How a paused clock resumes after a supplement or a payment wait (§4.6)."""

    PAUSE = "pause"  # time already used counts; the rest continues from the resume
    RESTART = "restart"  # the full limit is granted again from the resume


class Timeliness(StrEnum):
    """Trước hạn / đúng hạn / quá hạn: completion judged by date against the statutory due date."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


def local(moment: datetime, tz: ZoneInfo = VIETNAM) -> datetime:
    """The moment in local time; a moment without a time zone is refused, never guessed."""
    if moment.tzinfo is tz:
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(value=moment)
    return moment.astimezone(tz)


def classify(
    completed_at: datetime, statutory_due_date: date, tz: ZoneInfo = VIETNAM
) -> Timeliness:
    """Early, on time or late, by the local date of completion (§5.2), never by the hour."""
    completed_on = local(completed_at, tz).date()
    if completed_on < statutory_due_date:
        return Timeliness.EARLY
    if completed_on == statutory_due_date:
        return Timeliness.ON_TIME
    return Timeliness.LATE
