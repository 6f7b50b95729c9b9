"""How results look on the outside: the same JSON shapes from the CLI and the HTTP API."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs

from application.catalog import ProcedureAt
from domain.calendar import CalendarDay, WorkingCalendar
from domain.deadline import Deadline
from domain.time_limit import TimeLimit
from domain.values import VIETNAM, AgencyCode, LocalCode, NationalCode


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


def plain(value: object) -> object:
    """A value object as plain JSON: codes as strings, limits as {value, unit}, dates as ISO."""
    if isinstance(value, AgencyCode | NationalCode | LocalCode):
        return value.value
    if isinstance(value, TimeLimit):
        return {"value": value.value, "unit": value.unit.value}
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))  # type: ignore[arg-type]  # attrs.has() checked it
        return {f.name: plain(getattr(value, f.name)) for f in fields}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return _scalar(value)


def _scalar(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def procedure_summary(found: ProcedureAt) -> dict[str, Any]:
    """A procedure in a listing: codes, name, sector, agencies, levels, and its standing."""
    version = found.version or found.procedure.current
    spec = version.spec
    return {
        "local_code": spec.local_code.value,
        "national_code": spec.national_code.value,
        "name": spec.name,
        "sector": plain(spec.sector),
        "agencies": plain(spec.agencies),
        "levels": plain(spec.levels),
        "online_level": spec.online_level.value,
        "standing": found.standing.value,
        "on": found.on.isoformat(),
        "version": version.number,
    }


def procedure_document(found: ProcedureAt) -> dict[str, Any]:
    """A procedure as it stood on a day: its version's full content, decision and history."""
    procedure = found.procedure
    version = found.version or procedure.current
    ending = procedure.ending
    return {
        **procedure_summary(found),
        "in_effect": found.version is not None,
        "decision": plain(version.decision),
        "cut_percent": float(version.spec.cut_percent),
        "content": plain(version.spec),
        "history": [
            {
                "version": v.number,
                "decision": v.decision.number,
                "effective": v.decision.effective.isoformat(),
            }
            for v in procedure.versions
        ],
        "ending": plain(ending) if ending else None,
    }
