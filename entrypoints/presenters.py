"""How results look on the outside: the same JSON shapes from the CLI and the HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.calendar import CalendarDay, WorkingCalendar
from domain.deadline import Deadline
from domain.values import VIETNAM


def moment(value: datetime) -> str:
    """ISO-8601 in Vietnam time, with its +07:00 offset."""
    return value.astimezone(VIETNAM).isoformat()


def deadline_document(deadline: Deadline) -> dict[str, str]:
    """``{"clock_start", "due_at", "statutory_due_date"}``."""
    return {
        "clock_start": moment(deadline.clock_start),
        "due_at": moment(deadline.due_at),
        "statutory_due_date": deadline.statutory_due_date.isoformat(),
    }


def day_document(calendar: WorkingCalendar, day: CalendarDay) -> dict[str, Any]:
    """One listed day: its date, weekday, kind, holiday name and office sessions."""
    sessions = (
        [str(s) for s in calendar.office_hours_on(day.day).sessions] if day.kind.is_working else []
    )
    return {
        "date": day.day.isoformat(),
        "weekday": day.day.strftime("%a"),
        "kind": day.kind.value,
        "is_working": day.kind.is_working,
        "name": day.name,
        "sessions": sessions,
    }
