"""The calendar policy file (TOML): local decisions on top of the national base.

See ``default.toml`` beside this module for the format, with comments.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from adapters.calendar.national import national_days
from application.errors import InvalidPolicyFileError
from domain.calendar import OfficeHours, Session
from domain.calendar_policy import CalendarPolicy, Change, DayOff, OfficeHoursChange, WorkingDay
from domain.errors import DomainError
from domain.values import AgencyCode

DEFAULT_POLICY = "default.toml"
EARLIEST_YEAR = 2015
_TOP_KEYS = {
    "first_year",
    "last_year",
    "office_hours",
    "day_off",
    "working_day",
    "office_hours_change",
}
_COMMON = {"effective", "decision", "agencies"}

Table = Mapping[str, Any]
T = TypeVar("T")


def load_policy(path: Path | None, *, today: date) -> CalendarPolicy:
    """The policy in ``path`` (or the packaged default) over the national base.

    The calendar covers ``first_year`` (at most 2015) through ``last_year``
    (default: the year after ``today``).
    """
    name = str(path) if path else f"(built-in) {DEFAULT_POLICY}"
    try:
        text = path.read_text(encoding="utf-8") if path else _default_text()
        return _policy(tomllib.loads(text), today)
    except OSError as error:
        raise InvalidPolicyFileError(path=name, reason=error.strerror or str(error)) from None
    except (tomllib.TOMLDecodeError, _EntryError, DomainError) as error:
        raise InvalidPolicyFileError(path=name, reason=str(error)) from None


def _default_text() -> str:
    return resources.files(__package__).joinpath(DEFAULT_POLICY).read_text(encoding="utf-8")


class _EntryError(Exception):
    """One entry of the file is wrong; the message names it."""


def _policy(data: Table, today: date) -> CalendarPolicy:
    _only(data, _TOP_KEYS, "the top level")
    first_year = _get(data, "first_year", int, "the top level", EARLIEST_YEAR)
    last_year = _get(data, "last_year", int, "the top level", today.year + 1)
    if first_year > EARLIEST_YEAR or last_year < today.year + 1 or first_year > last_year:
        where = f"first_year {first_year}, last_year {last_year}"
        raise _EntryError(f"the calendar must cover {EARLIEST_YEAR} through next year ({where})")
    national = national_days(first_year, last_year)
    first_day = date(first_year, 1, 1)
    sessions = _get(data, "office_hours", list, "the top level", ["07:00-11:30", "13:30-17:00"])
    return CalendarPolicy(
        first_day=first_day,
        last_day=date(last_year, 12, 31),
        base_holidays=national.holidays,
        base_working_weekend_days=national.working_weekend_days,
        base_office_hours=OfficeHours(first_day, tuple(Session.parse(s) for s in sessions)),
        changes=_changes(data),
        rest_weekdays=national.rest_weekdays,
    )


def _changes(data: Table) -> tuple[Change, ...]:
    readers: dict[str, Callable[[Table, str], Change]] = {
        "day_off": _day_off,
        "working_day": _working_day,
        "office_hours_change": _office_hours_change,
    }
    changes: list[Change] = []
    for key, read in readers.items():
        entries = _get(data, key, list, "the top level", [])
        for number, entry in enumerate(entries, start=1):
            where = f"[[{key}]] #{number}"
            if not isinstance(entry, dict):
                raise _EntryError(f"{where} must be a table")
            changes.append(read(entry, where))
    return tuple(changes)


def _day_off(entry: Table, where: str) -> Change:
    _only(entry, {"date", "name"} | _COMMON, where)
    return DayOff(
        day=_get(entry, "date", date, where),
        name=_get(entry, "name", str, where),
        **_common(entry, where),
    )


def _working_day(entry: Table, where: str) -> Change:
    _only(entry, {"date", "reason"} | _COMMON, where)
    return WorkingDay(
        day=_get(entry, "date", date, where),
        reason=_get(entry, "reason", str, where),
        **_common(entry, where),
    )


def _office_hours_change(entry: Table, where: str) -> Change:
    _only(entry, {"from", "sessions"} | _COMMON, where)
    valid_from = _get(entry, "from", date, where)
    sessions = tuple(Session.parse(s) for s in _get(entry, "sessions", list, where))
    common = _common(entry, where, default_effective=valid_from)
    return OfficeHoursChange(hours=OfficeHours(valid_from, sessions), **common)


def _common(entry: Table, where: str, default_effective: date | None = None) -> dict[str, Any]:
    agencies = _get(entry, "agencies", list, where, [])
    return {
        "effective": _get(entry, "effective", date, where, default_effective),
        "decision": _get(entry, "decision", str, where, ""),
        "agencies": frozenset(AgencyCode(code) for code in agencies),
    }


def _only(table: Table, allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _EntryError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _get(table: Table, key: str, kind: type[T], where: str, default: T | None = None) -> T:
    value = table.get(key, default)
    if value is None:
        raise _EntryError(f"{where}: '{key}' is required")
    exact = kind in (date, int)  # a datetime is a date, a bool is an int: both refused
    if not isinstance(value, kind) or (exact and type(value) is not kind):
        raise _EntryError(f"{where}: '{key}' must be a {kind.__name__}, got {value!r}")
    return value
