"""Shared fixtures: Hypothesis profiles and one national calendar per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date

import pytest
import structlog
from hypothesis import HealthCheck, settings

from adapters.calendar.policy_file import load_policy
from domain.calendar import WorkingCalendar
from domain.calendar_policy import CalendarPolicy

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

TODAY = date(2026, 11, 22)
"""The tests' fixed 'today': the calendar covers 2015 through 2027."""


@pytest.fixture(scope="session")
def policy() -> CalendarPolicy:
    """The built-in policy over the national base, as `make run` loads it."""
    return load_policy(None, today=TODAY)


@pytest.fixture(scope="session")
def calendar(policy: CalendarPolicy) -> WorkingCalendar:
    """The national calendar, 2015-2027, with default office hours."""
    return policy.calendar()


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """A command that configures logging (the CLI does) leaves no trace on the next test."""
    before = structlog.get_config()
    yield
    structlog.configure(**before)
