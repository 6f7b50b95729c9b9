"""Local decisions on top of the national base: dated, scoped per agency, never retroactive."""

from __future__ import annotations

from datetime import date

import pytest

from application.calendars import Calendars
from application.queries import ComputeDeadline, ListDays
from domain.calendar import DayKind, OfficeHours, Session
from domain.calendar_policy import CalendarPolicy, DayOff, OfficeHoursChange, WorkingDay
from domain.errors import InvalidValueError, OutsideCalendarError
from domain.time_limit import TimeLimit
from domain.values import AgencyCode
from tests.unit.test_worked_examples import at

HUE = AgencyCode("000.00.12.H56")
OTHER = AgencyCode("000.00.13.H56")


def policy_with(*changes: DayOff | WorkingDay | OfficeHoursChange) -> CalendarPolicy:
    """2025 with no national holidays, standard hours, and ``changes``."""
    return CalendarPolicy(
        first_day=date(2025, 1, 1),
        last_day=date(2025, 12, 31),
        base_holidays={date(2025, 9, 2): "Quốc khánh"},
        base_working_weekend_days=frozenset(),
        base_office_hours=OfficeHours.standard(date(2025, 1, 1)),
        changes=changes,
    )


def due_date(policy: CalendarPolicy, received: str, agency: AgencyCode | None = None) -> date:
    """The statutory due date of a three-working-day dossier."""
    query = ComputeDeadline(
        received_at=at(received), limit=TimeLimit.working_days(3), agency=agency
    )
    return Calendars(policy).compute_deadline(query).statutory_due_date


DAY_OFF_12_MARCH = DayOff(day=date(2025, 3, 12), name="Nghỉ", effective=date(2025, 3, 11))


def test_a_day_off_moves_deadlines_received_once_it_is_in_force() -> None:
    """Received on 11 March, when the day off of 12 March is in force: due Monday, not Friday."""
    assert due_date(policy_with(DAY_OFF_12_MARCH), "2025-03-11 10:00") == date(2025, 3, 17)
    assert due_date(policy_with(), "2025-03-11 10:00") == date(2025, 3, 14)


def test_a_change_never_moves_a_deadline_computed_before_it() -> None:
    """A dossier received on 10 March keeps Thursday 13 March though 12 March became a day off."""
    assert due_date(policy_with(DAY_OFF_12_MARCH), "2025-03-10 10:00") == date(2025, 3, 13)


def test_agency_changes_touch_only_that_agency() -> None:
    """A day off decided for one agency leaves other agencies and the national calendar alone."""
    local = DayOff(day=date(2025, 3, 12), name="x", effective=date(2025, 1, 1), agencies={HUE})
    policy = policy_with(local)
    assert due_date(policy, "2025-03-11 10:00", HUE) == date(2025, 3, 17)
    assert due_date(policy, "2025-03-11 10:00", OTHER) == date(2025, 3, 14)
    assert due_date(policy, "2025-03-11 10:00") == date(2025, 3, 14)


def test_a_saturday_can_be_made_a_working_day() -> None:
    """A working-day decision turns Saturday 15 March into a working weekend day."""
    saturday = WorkingDay(day=date(2025, 3, 15), reason="làm bù", effective=date(2025, 1, 1))
    calendar = policy_with(saturday).calendar()
    assert calendar.day_kind(date(2025, 3, 15)) is DayKind.WORKING_WEEKEND
    assert due_date(policy_with(saturday), "2025-03-13 10:00") == date(2025, 3, 17)
    assert due_date(policy_with(), "2025-03-13 10:00") == date(2025, 3, 18)


def test_a_national_holiday_can_be_cancelled() -> None:
    """A working-day decision on a national holiday makes it an ordinary working day."""
    worked = WorkingDay(day=date(2025, 9, 2), reason="x", effective=date(2025, 1, 1))
    assert policy_with(worked).calendar().day_kind(date(2025, 9, 2)) is DayKind.WORKING_DAY
    assert policy_with().calendar().day_kind(date(2025, 9, 2)) is DayKind.HOLIDAY


def test_office_hours_change_from_their_effective_date() -> None:
    """Summer hours from 1 June are used for dossiers received from then on only."""
    summer = OfficeHours(
        date(2025, 6, 1), (Session.parse("07:30-11:30"), Session.parse("13:00-17:00"))
    )
    policy = policy_with(OfficeHoursChange(hours=summer, effective=date(2025, 5, 20)))
    query = ComputeDeadline(received_at=at("2025-06-02 07:10"), limit=TimeLimit.working_hours(1))
    assert Calendars(policy).compute_deadline(query).clock_start == at("2025-06-02 07:30")
    before = ComputeDeadline(received_at=at("2025-05-19 07:10"), limit=TimeLimit.working_hours(1))
    assert Calendars(policy).compute_deadline(before).clock_start == at("2025-05-19 07:10")


def test_listing_uses_every_known_rule() -> None:
    """The listing of days shows decisions whatever their effective date."""
    days = Calendars(policy_with(DAY_OFF_12_MARCH)).list_days(
        ListDays(start=date(2025, 3, 12), end=date(2025, 3, 12))
    )
    assert [(d.kind, d.name) for d in days] == [(DayKind.HOLIDAY, "Nghỉ")]


@pytest.mark.parametrize(
    ("start", "end"), [(date(2025, 3, 2), date(2025, 3, 1)), (date(2025, 1, 1), date(2027, 1, 3))]
)
def test_listing_refuses_reversed_or_huge_ranges(start: date, end: date) -> None:
    """A listing must run forwards and cover at most two years."""
    with pytest.raises(InvalidValueError) as raised:
        Calendars(policy_with()).list_days(ListDays(start=start, end=end))
    assert raised.value.field == "to"


def test_rule_sets_outside_the_range_are_refused() -> None:
    """Asking for the rules in force on a day outside the calendar raises."""
    with pytest.raises(OutsideCalendarError):
        policy_with().calendar(as_of=date(2026, 1, 1))


def test_agency_codes_follow_qcvn_102() -> None:
    """Agency identifiers have the form LLL.LL.LL.Xnn."""
    with pytest.raises(InvalidValueError):
        AgencyCode("H56.14")
