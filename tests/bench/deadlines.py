"""Due-date throughput: the engine against the minute-walking reference, in the same run.

Each figure is the median of several timed rounds over the same random,
minute-aligned reception instants in 2025-2026, all with a limit of ten working
days. The engine computes a full ``compute_deadline`` (normalize, Model H and
Model D); the reference computes ``ref_add`` and ``ref_statutory_working_days``.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from attrs import frozen

from adapters.calendar.policy_file import load_policy
from domain.calendar import WorkingCalendar
from domain.deadline import compute_deadline
from domain.time_limit import TimeLimit
from domain.values import VIETNAM
from tests.reference import ref_add, ref_statutory_working_days

TODAY = date(2026, 11, 22)
"""The same fixed 'today' as tests/conftest.py: the calendar covers 2015 through 2027."""

DAYS = 10
TARGET_PER_SECOND = 100_000
SEED = 20_251_122

ENGINE_ROUNDS, ENGINE_BATCH = 7, 20_000
REFERENCE_ROUNDS, REFERENCE_BATCH = 3, 40

_FIRST = datetime(2025, 1, 1, tzinfo=VIETNAM)
_MINUTES_IN_2025_2026 = (date(2027, 1, 1) - date(2025, 1, 1)).days * 24 * 60

Outcome = tuple[datetime, date]


@frozen
class Rate:
    """Computations per second: the median of ``rounds`` timed rounds of ``batch`` each."""

    per_second: float
    rounds: int
    batch: int


@frozen
class Report:
    """The figures the bench prints."""

    engine: Rate
    reference: Rate
    agreed: int
    compared: int

    @property
    def ratio(self) -> float:
        """How many times faster the engine is than the reference."""
        return self.engine.per_second / self.reference.per_second

    @property
    def passed(self) -> bool:
        """Whether the engine meets the target."""
        return self.engine.per_second >= TARGET_PER_SECOND


def national_calendar() -> WorkingCalendar:
    """The calendar the tests use: the national base with default office hours."""
    return load_policy(None, today=TODAY).calendar()


def random_starts(count: int, rng: random.Random) -> list[datetime]:
    """``count`` minute-aligned instants in Vietnam time, uniform over 2025-2026."""
    return [_FIRST + timedelta(minutes=rng.randrange(_MINUTES_IN_2025_2026)) for _ in range(count)]


def engine_due(calendar: WorkingCalendar, start: datetime) -> Outcome:
    """The engine's appointment and statutory due date for ten working days."""
    deadline = compute_deadline(calendar, start, TimeLimit.working_days(DAYS))
    return deadline.due_at, deadline.statutory_due_date


def reference_due(calendar: WorkingCalendar, start: datetime) -> Outcome:
    """The reference's appointment and statutory due date for ten working days."""
    due = ref_add(calendar, start, DAYS * 8 * 60)
    return due, ref_statutory_working_days(calendar, start, DAYS)


def measure(
    compute: Callable[[WorkingCalendar, datetime], Outcome],
    calendar: WorkingCalendar,
    starts: Sequence[datetime],
    rounds: int,
) -> Rate:
    """The median rate of ``compute`` over ``rounds`` passes through ``starts``."""
    rates = []
    for _ in range(rounds):
        began = time.perf_counter()
        for start in starts:
            compute(calendar, start)
        rates.append(len(starts) / (time.perf_counter() - began))
    return Rate(statistics.median(rates), rounds, len(starts))


def run() -> Report:
    """Measure both implementations on the same calendar, and check that they agree."""
    calendar = national_calendar()
    rng = random.Random(SEED)  # noqa: S311 (reproducible inputs, not secrets)
    engine_starts = random_starts(ENGINE_BATCH, rng)
    reference_starts = random_starts(REFERENCE_BATCH, rng)
    engine = measure(engine_due, calendar, engine_starts, ENGINE_ROUNDS)
    reference = measure(reference_due, calendar, reference_starts, REFERENCE_ROUNDS)
    agreed = sum(
        engine_due(calendar, start) == reference_due(calendar, start) for start in reference_starts
    )
    return Report(engine, reference, agreed, len(reference_starts))


def render(report: Report) -> str:
    """The report as a few aligned lines of plain text."""
    engine, reference = report.engine, report.reference
    verdict = "PASS" if report.passed else "MISS"
    rows = [
        ("engine", "compute_deadline", f"{engine.per_second:,.0f} /s", _rounds(engine)),
        (
            "reference",
            "ref_add + ref_statutory",
            f"{reference.per_second:,.1f} /s",
            _rounds(reference),
        ),
        ("ratio", "engine / reference", f"{report.ratio:,.0f} x", ""),
        ("target", f"engine >= {TARGET_PER_SECOND:,} /s", verdict, ""),
        ("agreement", "same due_at and date", f"{report.agreed} / {report.compared}", ""),
    ]
    title = f"Due dates for {DAYS} working days, random minute-aligned starts in 2025-2026"
    lines = [title] + [
        f"  {name:<10} {what:<24} {figure:>14}  {note}".rstrip()
        for name, what, figure, note in rows
    ]
    return "\n".join(lines) + "\n"


def _rounds(rate: Rate) -> str:
    return f"(median of {rate.rounds} rounds x {rate.batch:,})"
