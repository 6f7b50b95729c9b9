"""Hạn giải quyết (deadlines): when the clock starts, the appointment and the statutory due date.

Two models run side by side (domain reference §4.4):

- Model H, the appointment printed on the receipt (``due_at``): working time
  added from the clock start, eight hours a working day;
- Model D, the statutory due date (``statutory_due_date``): Civil Code counting,
  where the day of receipt is not counted and the period ends with the N-th
  working day.

For limits in whole working days both land on the same day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from attrs import frozen

from domain.calendar import WorkingCalendar
from domain.errors import InvalidPauseError
from domain.time_limit import ClockPolicy, TimeLimit, TimeUnit, local

_MICROSECONDS_PER_HOUR = 3_600_000_000

DEFAULT_SAME_DAY_CUTOFF = time(15)
"""Hồ sơ trong ngày received after 15:00 is handled the next working day (§4.2)."""


@frozen
class Pause:
    """Tạm dừng tính thời gian: the clock stood still from ``start`` until ``end``.

    A supplement request (yêu cầu bổ sung) or a wait for payment opens a pause;
    accepting the supplement or confirming the payment closes it.
    """

    start: datetime
    end: datetime

    def __attrs_post_init__(self) -> None:
        if local(self.end) < local(self.start):
            raise InvalidPauseError(f"a pause ends before it starts: {self.start} > {self.end}")


@frozen
class Deadline:
    """The three figures decided at reception (or recomputed when a paused clock resumes)."""

    clock_start: datetime
    due_at: datetime
    statutory_due_date: date


def compute_deadline(  # noqa: PLR0913 (each argument is one rule of §4)
    calendar: WorkingCalendar,
    received_at: datetime,
    limit: TimeLimit,
    *,
    same_day_cutoff: time = DEFAULT_SAME_DAY_CUTOFF,
    pauses: Sequence[Pause] = (),
    policy: ClockPolicy = ClockPolicy.PAUSE,
) -> Deadline:
    """The deadline of a dossier received at ``received_at`` under ``limit``.

    ``pauses`` are the closed intervals in which the clock stood still; under
    PAUSE the working time they cover is added back, under RESTART the full
    limit runs again from the end of the last one.
    """
    _check_pauses(received_at, pauses)
    if limit.unit is TimeUnit.SAME_DAY:
        return _same_day(calendar, received_at, same_day_cutoff, pauses)
    if limit.unit is TimeUnit.CALENDAR_DAYS:
        start = calendar.normalize(received_at)
        return _calendar_days(calendar, start, limit, pauses, policy)
    return _working_time(calendar, received_at, limit, pauses, policy)


def statutory_due_date(calendar: WorkingCalendar, received_at: datetime, limit: TimeLimit) -> date:
    """Model D: the legal due date, counted as the Civil Code counts (Arts. 147-148).

    The day of receipt, taken after normalization, is not counted. A working-day
    limit ends with the N-th working day after it. A calendar-day limit that ends
    on a day off ends on the next working day.
    """
    receipt = calendar.normalize(received_at).date()
    if limit.unit is TimeUnit.WORKING_DAYS:
        return calendar.nth_working_day_after(receipt, limit.value)
    if limit.unit is TimeUnit.CALENDAR_DAYS:
        return calendar.next_working_day(receipt + timedelta(days=limit.value))
    return compute_deadline(calendar, received_at, limit).statutory_due_date


def _check_pauses(received_at: datetime, pauses: Sequence[Pause]) -> None:
    previous_end = local(received_at)
    for pause in pauses:
        if local(pause.start) < previous_end:
            raise InvalidPauseError(
                "pauses must start after reception and after the previous pause ends"
            )
        previous_end = local(pause.end)


def _working_time(
    calendar: WorkingCalendar,
    received_at: datetime,
    limit: TimeLimit,
    pauses: Sequence[Pause],
    policy: ClockPolicy,
) -> Deadline:
    # Positions on the working-time line: normalize(t) is instant(position(t)).
    position = calendar.position(received_at)
    start = calendar.instant(position)
    amount = limit.as_working_hours * _MICROSECONDS_PER_HOUR
    if pauses and policy is ClockPolicy.RESTART:
        restart = calendar.position(pauses[-1].end)
        due = calendar.instant(restart + amount)
        return Deadline(start, due, _model_d(calendar, calendar.instant(restart), limit, due))
    paused = sum(calendar.position(p.end) - calendar.position(p.start) for p in pauses)
    due = calendar.instant(position + amount + paused)
    statutory = due.date() if pauses else _model_d(calendar, start, limit, due)
    return Deadline(start, due, statutory)


def _model_d(calendar: WorkingCalendar, start: datetime, limit: TimeLimit, due: datetime) -> date:
    if limit.unit is TimeUnit.WORKING_DAYS:
        return calendar.nth_working_day_after(start.date(), limit.value)
    # A period in hours runs from the stated moment: it ends on the appointment's day.
    return due.date()


def _calendar_days(
    calendar: WorkingCalendar,
    start: datetime,
    limit: TimeLimit,
    pauses: Sequence[Pause],
    policy: ClockPolicy,
) -> Deadline:
    if pauses and policy is ClockPolicy.RESTART:
        counted_from = calendar.normalize(pauses[-1].end).date()
        paused_days = 0
    else:
        counted_from = start.date()
        paused_days = sum((local(p.end).date() - local(p.start).date()).days for p in pauses)
    end = counted_from + timedelta(days=limit.value + paused_days)
    statutory = calendar.next_working_day(end)
    return Deadline(start, calendar.closing(statutory), statutory)


def _same_day(
    calendar: WorkingCalendar,
    received_at: datetime,
    cutoff: time,
    pauses: Sequence[Pause],
) -> Deadline:
    start = _same_day_start(calendar, received_at, cutoff)
    handled = _same_day_start(calendar, pauses[-1].end, cutoff) if pauses else start
    day = handled.date()
    return Deadline(start, calendar.closing(day), day)


def _same_day_start(calendar: WorkingCalendar, moment: datetime, cutoff: time) -> datetime:
    start = calendar.normalize(moment)
    if start.time() >= cutoff:
        return calendar.normalize(calendar.closing(start.date()))
    return start
