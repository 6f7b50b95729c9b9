"""The calendar policy file (TOML) over the `holidays` package: what it reads and refuses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from adapters.calendar.policy_file import load_policy
from application.errors import InvalidPolicyFileError
from domain.calendar import DayKind
from domain.values import AgencyCode

TODAY = date(2026, 11, 22)

GOOD = """
first_year = 2015
office_hours = ["07:30-11:30", "13:00-17:00"]

[[day_off]]
date = 2026-12-31
name = "Nghỉ theo Quyết định 123/QĐ-UBND"
effective = 2026-12-01
decision = "123/QĐ-UBND"
agencies = ["000.00.12.H56"]

[[working_day]]
date = 2026-12-26
reason = "Làm bù"
effective = 2026-12-01
agencies = ["000.00.12.H56"]

[[office_hours_change]]
from = 2027-05-01
sessions = ["07:00-11:00", "13:30-17:30"]
"""


def write(tmp_path: Path, text: str) -> Path:
    """A policy file with ``text`` in a fresh folder."""
    path = tmp_path / "calendar.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_built_in_policy_is_the_national_calendar() -> None:
    """Without a file, the calendar is the `holidays` package's Vietnam, 2015 to next year."""
    calendar = load_policy(None, today=TODAY).calendar()
    assert (calendar.first_day, calendar.last_day) == (date(2015, 1, 1), date(2027, 12, 31))
    assert calendar.holidays[date(2025, 9, 2)] == "Quốc khánh"
    assert date(2025, 4, 26) in calendar.working_weekend_days


def test_a_policy_file_adds_local_decisions(tmp_path: Path) -> None:
    """Office hours, a day off and a working Saturday from the file reach the agency's calendar."""
    policy = load_policy(write(tmp_path, GOOD), today=TODAY)
    agency = policy.calendar(AgencyCode("000.00.12.H56"))
    assert agency.day_kind(date(2026, 12, 31)) is DayKind.HOLIDAY
    assert agency.day_kind(date(2026, 12, 26)) is DayKind.WORKING_WEEKEND
    assert [str(s) for s in agency.office_hours_on(date(2026, 1, 5)).sessions] == [
        "07:30-11:30",
        "13:00-17:00",
    ]
    assert [str(s) for s in agency.office_hours_on(date(2027, 5, 3)).sessions] == [
        "07:00-11:00",
        "13:30-17:30",
    ]
    national = policy.calendar()
    assert national.day_kind(date(2026, 12, 31)) is DayKind.WORKING_DAY


def test_last_year_can_be_set(tmp_path: Path) -> None:
    """``last_year`` extends the calendar beyond next year."""
    policy = load_policy(write(tmp_path, "last_year = 2029\n"), today=TODAY)
    assert policy.calendar().last_day == date(2029, 12, 31)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("first_year = 2016", "must cover 2015"),
        ("last_year = 2026", "must cover 2015 through next year"),
        ("first_year = true", "'first_year' must be a int"),
        ("holiday = 1", "unknown key(s) holiday"),
        ("office_hours = ['7-11']", "HH:MM-HH:MM"),
        ("[[day_off]]\ndate = 2026-12-31\nname = 'x'", "[[day_off]] #1: 'effective' is required"),
        (
            "[[day_off]]\ndate = 2026-12-31T10:00:00\nname = 'x'\neffective = 2026-12-01",
            "'date' must be a date",
        ),
        (
            (
                "[[working_day]]\ndate = 2026-12-26\nreason = 'x'\neffective = 2026-12-01\n"
                "agencies = ['H56']"
            ),
            "QCVN 102",
        ),
        ("[[office_hours_change]]\nsessions = ['07:00-11:00']", "'from' is required"),
        ("first_year = ", "Invalid value"),
    ],
)
def test_bad_files_are_refused_with_the_entry_named(
    tmp_path: Path, text: str, message: str
) -> None:
    """Each mistake in a policy file is refused with the file and the entry in the message."""
    path = write(tmp_path, text)
    with pytest.raises(InvalidPolicyFileError) as raised:
        load_policy(path, today=TODAY)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    """A policy file that does not exist is an error that names it."""
    with pytest.raises(InvalidPolicyFileError, match="No such file"):
        load_policy(tmp_path / "absent.toml", today=TODAY)
