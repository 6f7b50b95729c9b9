"""Lịch làm việc (calendars): deadlines and working days per agency, under the calendar policy."""

from __future__ import annotations

from datetime import timedelta

from application.queries import ComputeDeadline, ListDays
from domain.calendar import CalendarDay, WorkingCalendar
from domain.calendar_policy import CalendarPolicy
from domain.deadline import Deadline, compute_deadline
from domain.errors import InvalidValueError
from domain.time_limit import local
from domain.values import AgencyCode

MAX_DAYS_LISTED = 732
"""At most two years of days in one listing."""


class Calendars:
    """Lịch làm việc: answers deadline and working-day questions for every agency."""

    def __init__(self, policy: CalendarPolicy) -> None:
        self.policy = policy

    def calendar(self, agency: AgencyCode | None = None) -> WorkingCalendar:
        """The calendar of ``agency`` under every rule known (for listings and views)."""
        return self.policy.calendar(agency)

    def compute_deadline(self, query: ComputeDeadline) -> Deadline:
        """Clock start, appointment and statutory due date, under the rules in force on receipt."""
        received_on = local(query.received_at).date()
        calendar = self.policy.calendar(query.agency, as_of=received_on)
        return compute_deadline(
            calendar, query.received_at, query.limit, same_day_cutoff=query.same_day_cutoff
        )

    def list_days(self, query: ListDays) -> list[CalendarDay]:
        """Each day of the range with its kind: working day, weekend, holiday, working weekend."""
        if query.end < query.start:
            raise InvalidValueError(
                field="to", value=query.end.isoformat(), reason="must not be before 'from'"
            )
        if query.end - query.start >= timedelta(days=MAX_DAYS_LISTED):
            raise InvalidValueError(
                field="to",
                value=query.end.isoformat(),
                reason=f"at most {MAX_DAYS_LISTED} days at a time",
            )
        return list(self.calendar(query.agency).days(query.start, query.end))
