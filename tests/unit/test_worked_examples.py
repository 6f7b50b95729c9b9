"""The worked examples of domain-vn.md §4.8 and the receipts §4.5 requires, as table tests."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from domain.calendar import DayKind, WorkingCalendar
from domain.deadline import Pause, compute_deadline, statutory_due_date
from domain.time_limit import ClockPolicy, TimeLimit, Timeliness, classify
from domain.values import VIETNAM


def at(text: str) -> datetime:
    """A local time in Vietnam from ``YYYY-MM-DD HH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=VIETNAM)


WD, WH = TimeLimit.working_days, TimeLimit.working_hours


@pytest.mark.parametrize(
    ("example", "received", "limit", "due_at", "statutory"),
    [
        ("A", "2025-01-24 10:00", WD(5), "2025-02-07 10:00", date(2025, 2, 7)),
        ("B", "2025-01-24 16:30", WD(5), "2025-02-07 16:30", date(2025, 2, 7)),
        ("C", "2026-02-13 15:30", WD(3), "2026-02-25 15:30", date(2026, 2, 25)),
        ("D", "2025-04-29 09:00", WD(10), "2025-05-16 09:00", date(2025, 5, 16)),
        ("E", "2025-08-29 16:00", WD(2), "2025-09-04 16:00", date(2025, 9, 4)),
        ("F", "2025-03-10 10:00", WH(4), "2025-03-10 16:00", date(2025, 3, 10)),
        ("H", "2025-03-03 08:00", WD(10), "2025-03-17 08:00", date(2025, 3, 17)),
        ("I", "2025-01-24 20:00", WD(5), "2025-02-10 07:00", date(2025, 2, 10)),
    ],
)
def test_worked_example(
    calendar: WorkingCalendar,
    example: str,
    received: str,
    limit: TimeLimit,
    due_at: str,
    statutory: date,
) -> None:
    """Each worked example of §4.8 gives the published appointment and statutory due date."""
    deadline = compute_deadline(calendar, at(received), limit)
    assert deadline.due_at == at(due_at), example
    assert deadline.statutory_due_date == statutory, example
    assert statutory_due_date(calendar, at(received), limit) == statutory, example


def test_example_i_clock_starts_at_the_next_opening(calendar: WorkingCalendar) -> None:
    """An online dossier received after hours on the eve of Tết starts its clock on 3 Feb 07:00."""
    deadline = compute_deadline(calendar, at("2025-01-24 20:00"), WD(5))
    assert deadline.clock_start == at("2025-02-03 07:00")


def test_example_g_same_day_after_cutoff(calendar: WorkingCalendar) -> None:
    """A same-day procedure received at 15:30, after the 15:00 cut-off, is due the next day."""
    deadline = compute_deadline(calendar, at("2025-03-10 15:30"), TimeLimit.same_day())
    assert deadline.statutory_due_date == date(2025, 3, 11)
    assert deadline.clock_start == at("2025-03-11 07:00")
    assert deadline.due_at == at("2025-03-11 17:00")


@pytest.mark.parametrize(
    ("clock_policy", "due_at"),
    [(ClockPolicy.PAUSE, "2025-03-25 15:00"), (ClockPolicy.RESTART, "2025-03-31 09:00")],
)
def test_example_h_supplement_policies(
    calendar: WorkingCalendar, clock_policy: ClockPolicy, due_at: str
) -> None:
    """Example H's supplement: PAUSE keeps the 28 h used, RESTART grants 80 h again (§4.8)."""
    pause = Pause(at("2025-03-06 14:00"), at("2025-03-17 09:00"))
    deadline = compute_deadline(
        calendar, at("2025-03-03 08:00"), WD(10), pauses=[pause], policy=clock_policy
    )
    assert deadline.due_at == at(due_at)
    assert deadline.statutory_due_date == at(due_at).date()
    assert deadline.clock_start == at("2025-03-03 08:00")


@pytest.mark.parametrize(
    ("received", "clock_start", "due_at"),
    [
        ("2025-03-10 16:59", "2025-03-10 16:59", "2025-03-11 16:59"),
        ("2025-03-10 17:00", "2025-03-11 07:00", "2025-03-12 07:00"),
        ("2025-03-10 17:01", "2025-03-11 07:00", "2025-03-12 07:00"),
        ("2025-03-10 11:29", "2025-03-10 11:29", "2025-03-11 11:29"),
        ("2025-03-10 11:31", "2025-03-10 13:30", "2025-03-11 13:30"),
        ("2025-03-10 07:00", "2025-03-10 07:00", "2025-03-11 07:00"),
        ("2025-03-10 06:15", "2025-03-10 07:00", "2025-03-11 07:00"),
        ("2025-03-08 10:00", "2025-03-10 07:00", "2025-03-11 07:00"),
        ("2025-01-24 16:00", "2025-01-24 16:00", "2025-02-03 16:00"),
        ("2025-01-24 17:30", "2025-02-03 07:00", "2025-02-04 07:00"),
        ("2025-01-28 09:00", "2025-02-03 07:00", "2025-02-04 07:00"),
    ],
    ids=[
        "16:59",
        "17:00-closing",
        "17:01",
        "11:29",
        "11:31-lunch",
        "07:00-opening",
        "before-opening",
        "saturday",
        "eve-of-tet",
        "eve-of-tet-after-hours",
        "giao-thua-holiday",
    ],
)
def test_receipt_times_one_working_day(
    calendar: WorkingCalendar, received: str, clock_start: str, due_at: str
) -> None:
    """A one-working-day limit starts and ends where §4.5 says for each awkward receipt time."""
    deadline = compute_deadline(calendar, at(received), WD(1))
    assert deadline.clock_start == at(clock_start)
    assert deadline.due_at == at(due_at)
    assert deadline.statutory_due_date == at(due_at).date()


def test_saturday_26_april_2025_is_a_working_day(calendar: WorkingCalendar) -> None:
    """Saturday 26 April 2025 was worked in exchange for Friday 2 May (làm bù)."""
    assert calendar.day_kind(date(2025, 4, 26)) is DayKind.WORKING_WEEKEND
    assert calendar.day_kind(date(2025, 5, 2)) is DayKind.HOLIDAY
    assert calendar.day_kind(date(2025, 4, 19)) is DayKind.WEEKEND


def test_saturday_26_april_2025_counts_toward_deadlines(calendar: WorkingCalendar) -> None:
    """Two working days from Friday 25 April 2025 are Saturday 26 and Monday 28."""
    deadline = compute_deadline(calendar, at("2025-04-25 10:00"), WD(2))
    assert deadline.due_at == at("2025-04-28 10:00")
    assert deadline.statutory_due_date == date(2025, 4, 28)


def test_receipt_on_saturday_26_april_2025_starts_at_once(calendar: WorkingCalendar) -> None:
    """A dossier received on the working Saturday starts its clock that Saturday."""
    deadline = compute_deadline(calendar, at("2025-04-26 09:00"), WD(1))
    assert deadline.clock_start == at("2025-04-26 09:00")
    assert deadline.due_at == at("2025-04-28 09:00")


@pytest.mark.parametrize(
    ("received", "days", "statutory"),
    [
        ("2025-01-24 10:00", 15, date(2025, 2, 10)),  # ends Sat 8 Feb -> Monday
        ("2025-01-20 10:00", 7, date(2025, 2, 3)),  # ends Mon 27 Jan, Tết -> 3 Feb
        ("2025-03-10 10:00", 3, date(2025, 3, 13)),  # ends on a working day
        ("2025-03-08 10:00", 3, date(2025, 3, 13)),  # received Saturday: counted from Monday
    ],
)
def test_calendar_days_end_on_a_working_day(
    calendar: WorkingCalendar, received: str, days: int, statutory: date
) -> None:
    """A calendar-day limit that ends on a day off ends at the close of the next working day."""
    deadline = compute_deadline(calendar, at(received), TimeLimit.calendar_days(days))
    assert deadline.statutory_due_date == statutory
    assert deadline.due_at == datetime.combine(statutory, time(17), VIETNAM)


@pytest.mark.parametrize(
    ("received", "cutoff", "handled_on"),
    [
        ("2025-03-10 14:59", time(15), date(2025, 3, 10)),
        ("2025-03-10 15:00", time(15), date(2025, 3, 11)),
        ("2025-03-10 15:30", time(16), date(2025, 3, 10)),
        ("2025-03-08 09:00", time(15), date(2025, 3, 10)),
        ("2025-01-24 16:30", time(15), date(2025, 2, 3)),
    ],
)
def test_same_day_cutoff(
    calendar: WorkingCalendar, received: str, cutoff: time, handled_on: date
) -> None:
    """Same-day dossiers are due the day they arrive before the cut-off, else the next one."""
    deadline = compute_deadline(
        calendar, at(received), TimeLimit.same_day(), same_day_cutoff=cutoff
    )
    assert deadline.statutory_due_date == handled_on
    assert deadline.due_at == datetime.combine(handled_on, time(17), VIETNAM)


@pytest.mark.parametrize(
    ("completed", "expected"),
    [
        ("2025-02-06 16:00", Timeliness.EARLY),
        ("2025-02-07 16:45", Timeliness.ON_TIME),
        ("2025-02-10 08:00", Timeliness.LATE),
    ],
)
def test_classification_example(completed: str, expected: Timeliness) -> None:
    """Against example A's statutory date (Fri 7 Feb 2025), completion is judged by date (§4.8)."""
    assert classify(at(completed), date(2025, 2, 7)) is expected


def test_classification_uses_the_local_date() -> None:
    """18:00 UTC on 6 Feb is 01:00 on 7 Feb in Vietnam: on time, not early."""
    completed = datetime.fromisoformat("2025-02-06T18:00:00+00:00")
    assert classify(completed, date(2025, 2, 7)) is Timeliness.ON_TIME
