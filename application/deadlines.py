"""Hạn xử lý (deadlines): what is due today, due within N working days, or already late.

A query on the queue view: the rows whose clock runs (received, not paused,
no result yet), with the working time left until each one's appointment,
measured with the receiving unit's calendar, never in calendar days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from attrs import evolve, frozen

from application.calendars import Calendars
from application.ports import QueueView
from application.queue import QueueQuery, QueueRow
from domain.calendar import WorkingCalendar
from domain.time_limit import local
from domain.values import AgencyCode


@frozen
class DeadlineItem:
    """One dossier on the deadline list, and the working time left (negative: late)."""

    row: QueueRow
    remaining: timedelta


class Deadlines:
    """Danh sách đến hạn, quá hạn: reads the queue, measures in working time."""

    def __init__(self, view: QueueView, calendars: Calendars) -> None:
        self.view = view
        self.calendars = calendars

    def due_within(self, query: QueueQuery, days: int, now: datetime) -> list[DeadlineItem]:
        """Appointments by the end of the ``days``-th working day from today (0: today).

        On a day off, "today" is the next working day.
        """
        calendar = self._calendar(query)
        first = calendar.next_working_day(local(now).date())
        last = calendar.nth_working_day_after(first, days) if days else first
        return self._items(evolve(query, due_by=calendar.closing(last)), now)

    def overdue(self, query: QueueQuery, now: datetime) -> list[DeadlineItem]:
        """Dossiers whose statutory due date has passed while their clock runs."""
        return self._items(evolve(query, overdue_on=local(now).date()), now)

    def _items(self, query: QueueQuery, now: datetime) -> list[DeadlineItem]:
        items = []
        for row in self.view.list(query):
            due = row.due_at
            if due is None:
                continue
            calendar = self.calendars.calendar(AgencyCode(row.receiving_unit))
            items.append(DeadlineItem(row, calendar.working_time_between(now, due)))
        return items

    def _calendar(self, query: QueueQuery) -> WorkingCalendar:
        unit = query.receiving_unit
        return self.calendars.calendar(AgencyCode(unit) if unit else None)
