"""Reading what people type (CLI options, query parameters) into domain values.

Every failure is an ``InputError`` that names the field, so the CLI can print
one line and the HTTP API can answer 422 with the field's name.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from domain.errors import InvalidTimeLimitError, InvalidValueError
from domain.time_limit import TimeLimit, TimeUnit
from domain.values import VIETNAM, AgencyCode

_UNITS = ", ".join(unit.value for unit in TimeUnit)
# In a URL query a '+' turns into a space: "10:00 07:00" meant "10:00+07:00".
_LOST_PLUS = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


class InputError(ValueError):
    """What someone typed cannot be used; ``field`` says where."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def parse_moment(text: str, field: str) -> datetime:
    """An ISO-8601 date and time; without an offset it is local time (+07:00)."""
    text = _LOST_PLUS.sub(r"\1+\2", text.strip())
    try:
        date.fromisoformat(text)
    except ValueError:
        pass
    else:
        raise InputError(field, f"needs a time as well as a date, e.g. {text}T10:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            field, f"is not an ISO-8601 date and time such as 2025-01-24T10:00 (got {text!r})"
        ) from None
    return moment.replace(tzinfo=VIETNAM) if moment.tzinfo is None else moment


def parse_date(text: str, field: str) -> date:
    """An ISO-8601 date, YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(field, f"is not a date YYYY-MM-DD (got {text!r})") from None


def parse_clock_time(text: str, field: str) -> time:
    """A local wall-clock time, HH:MM."""
    try:
        parsed = time.fromisoformat(text.strip())
    except ValueError:
        raise InputError(field, f"is not a time HH:MM (got {text!r})") from None
    if parsed.tzinfo is not None:
        raise InputError(field, "is a local time and takes no offset")
    return parsed


def parse_agency(text: str | None, field: str = "agency") -> AgencyCode | None:
    """An agency identifier (QCVN 102) typed in ``field``, or none."""
    if text is None or not text.strip():
        return None
    try:
        return AgencyCode(text.strip())
    except InvalidValueError:
        raise InputError(
            field,
            f"must have the QCVN 102 form LLL.LL.LL.Xnn, e.g. 000.00.12.H56 (got {text!r})",
        ) from None


def parse_unit(text: str) -> TimeUnit:
    """One of the time units."""
    try:
        return TimeUnit(text.strip())
    except ValueError:
        raise InputError("unit", f"must be one of {_UNITS} (got {text!r})") from None


def make_limit(value: int | None, unit: TimeUnit) -> TimeLimit:
    """The time limit; ``same_day`` needs no value, the other units do."""
    if value is None:
        if unit is not TimeUnit.SAME_DAY:
            raise InputError("limit", f"is required for {unit}")
        value = 0
    try:
        return TimeLimit(unit=unit, value=value)
    except InvalidTimeLimitError as error:
        raise InputError("limit", f"{error.reason} for {unit} (got {value})") from None
