"""Dossier throughput on PostgreSQL, in the application layer (no HTTP), beside raw saves.

Every figure is the median of ``ROUNDS`` rounds; each round runs in a new,
empty schema, so code books start at 0001 and no round reads another's data.
A round measures each baseline right before the figures compared with it,
and each ratio printed is the median of the rounds' ratios.

- Baseline: the library's raw single-event save rate, measured in the same
  run: minimal aggregates (one small creation event) saved one per ``save()``,
  by 1 thread, then by 4 threads sharing one app.
- Receptions: walk-in ``Dossiers.receive`` with a complete checklist (a new
  dossier and its code-book entry saved in one transaction: 3 events). They
  are spread over 4 receiving agencies, so the code books are not the only
  contention: 1 thread takes the agencies in turn; with 4 threads, thread
  ``t`` takes agency ``(t + n) % 4`` for its ``n``-th reception, so threads
  meet on a book now and then. The 4 threads share one app and one
  ``Dossiers`` service, as one API worker's threadpool does (not 4 processes);
  each thread is its own officer.
- Lifecycles: receive, assign, issue the result and return it at the counter,
  by 1 thread at one agency: 4 commands, 4 saves, 6 events (5 of the dossier,
  1 of the code book).

The service clock stands at a fixed working moment (Monday 3 March 2025, 9:00).
The service's log line per command is rendered as JSON, as in production, but
into ``os.devnull``. PostgreSQL is reached as the integration tests reach it
(``MOTCUA_TEST_DATABASE_URL``); when it cannot be, the section says so.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg
import structlog
from attrs import evolve, frozen

from adapters.calendar.policy_file import load_policy
from adapters.eventstore.config import StoreKind
from application import dossier_commands as c
from application.dossiers import Dossiers
from application.onestop import OneStop
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from domain.dossier_sequence import DailySequence, sequence_id
from domain.dossier_status import Status
from domain.dossier_values import Actor, Role
from domain.values import AgencyCode
from tests.bench.catalog import Marker
from tests.bench.deadlines import TODAY
from tests.dossier_fixtures import Desk, at, submission
from tests.integration.stores import BASE_URL, store

ROUNDS = 5
THREADS = 4
RAW_SAVES = 1_200
"""Saves per round of the baseline, in 1 thread and (split evenly) in 4."""
RECEPTIONS = 600
"""Receptions per round, in 1 thread and (split evenly) in 4."""
LIFECYCLES = 150
EVENTS_PER_LIFECYCLE = 6
SAVES_PER_LIFECYCLE = 4
TARGET = 0.50
"""Receptions per second must reach at least this share of the raw single-event save rate."""

MOMENT = at(2025, 3, 3, 9)
AGENCIES = tuple(AgencyCode(f"000.00.{n}.H56") for n in (12, 13, 14, 15))

Work = Callable[[int], None]
"""One thread's share of a round; its argument is the thread's index."""


@frozen
class Round:
    """What one round runs: each thread's ``work``, then a ``check`` of what it stored."""

    work: Work
    check: Callable[[], None]


Prepare = Callable[[OneStop], Round]
"""Set up a round on a new app, before the clock starts."""


@frozen
class Figures:
    """Per-second medians measured in one run, and the medians of each round's ratios."""

    raw_1: float
    raw_4: float
    receptions_1: float
    receptions_4: float
    lifecycles_1: float
    ratio_1: float
    ratio_4: float
    lifecycle_ratio: float


def timed(threads: int, prepare: Prepare, operations: int) -> float:
    """Operations per second in one round, in a new schema.

    The threads start together; the clock stops when the last one ends.
    """
    with (
        tempfile.TemporaryDirectory() as folder,
        store(StoreKind.POSTGRES, Path(folder)) as make_app,
    ):
        round_ = prepare(make_app())
        start = threading.Barrier(threads + 1, timeout=60)

        def run(index: int, work: Work = round_.work, start: threading.Barrier = start) -> None:
            start.wait()
            work(index)

        with ThreadPoolExecutor(max_workers=threads) as pool:
            futures = [pool.submit(run, index) for index in range(threads)]
            start.wait()
            began = time.perf_counter()
            for future in futures:
                future.result()
            rate = operations / (time.perf_counter() - began)
        round_.check()
    return rate


# ---------------------------------------------------------------- the rounds


def raw_saves(threads: int) -> Prepare:
    """The baseline: ``RAW_SAVES`` minimal aggregates, one per ``save()``, over ``threads``."""
    each = RAW_SAVES // threads

    def prepare(app: OneStop) -> Round:
        def work(index: int) -> None:
            for n in range(each):
                app.save(Marker(f"m{index}-{n}"))

        def check() -> None:
            stored = len(app.recorder.select_notifications(start=None, limit=RAW_SAVES + 1))
            _expect(stored, threads * each, "raw saves")

        return Round(work, check)

    return prepare


def receptions(policy: CalendarPolicy, threads: int) -> Prepare:
    """``RECEPTIONS`` walk-in receptions over ``AGENCIES``, by ``threads`` sharing one service."""
    each = RECEPTIONS // threads

    def prepare(app: OneStop) -> Round:
        desk = Desk(app, policy, start=MOMENT)  # publishes the procedure
        dossiers = desk.dossiers
        walk_in = submission(procedure=desk.spec)
        forms = [evolve(walk_in, receiving_unit=agency) for agency in AGENCIES]

        def work(index: int) -> None:
            officer = Actor(f"officer-{index}", Role.INTAKE_OFFICER, AGENCIES[index % 4])
            for n in range(each):
                form = forms[(index + n) % len(forms)]
                dossiers.receive(
                    c.ReceiveDossier(command_id=f"r-{n}", actor=officer, submission=form)
                )

        return Round(work, lambda: _expect(_issued(dossiers), threads * each, "codes"))

    return prepare


def lifecycles(policy: CalendarPolicy) -> Prepare:
    """``LIFECYCLES`` dossiers received, assigned, finished and returned, one after another."""

    def prepare(app: OneStop) -> Round:
        desk = Desk(app, policy, start=MOMENT)
        finished: list[Dossier] = []

        def work(_index: int) -> None:
            finished.extend(desk.lifecycle() for _ in range(LIFECYCLES))

        def check() -> None:
            returned = [d for d in finished if d.status is Status.RETURNED]
            _expect(len(returned), LIFECYCLES, "returned dossiers")
            events = len(desk.dossiers.history(finished[-1].id)) + 1  # and its code-book entry
            _expect(events, EVENTS_PER_LIFECYCLE, "events per lifecycle")

        return Round(work, check)

    return prepare


def _issued(dossiers: Dossiers) -> int:
    books: list[DailySequence] = [
        dossiers.app.repository.get(sequence_id(agency, MOMENT.date())) for agency in AGENCIES
    ]
    return sum(book.version for book in books)


def _expect(actual: int, expected: int, what: str) -> None:
    if actual != expected:
        raise RuntimeError(f"the round stored {actual} {what}, not {expected}")


# ---------------------------------------------------------------- the report


def run() -> Figures:
    """Measure every figure on PostgreSQL, the baseline and the measured side by side.

    Each round measures the baseline right before the figure compared with it,
    so a slow phase of the disk (fsync latency drifts tenfold here) weighs on
    both; the ratios are the medians of the rounds' ratios.
    """
    policy = load_policy(None, today=TODAY)
    columns: dict[str, list[float]] = {}
    with quiet_service_logs():
        for _ in range(ROUNDS):
            measured = {
                "raw_1": timed(1, raw_saves(1), RAW_SAVES),
                "receptions_1": timed(1, receptions(policy, 1), RECEPTIONS),
                "lifecycles_1": timed(1, lifecycles(policy), LIFECYCLES),
                "raw_4": timed(THREADS, raw_saves(THREADS), RAW_SAVES),
                "receptions_4": timed(THREADS, receptions(policy, THREADS), RECEPTIONS),
            }
            measured["ratio_1"] = measured["receptions_1"] / measured["raw_1"]
            measured["ratio_4"] = measured["receptions_4"] / measured["raw_4"]
            measured["lifecycle_ratio"] = measured["lifecycles_1"] / measured["raw_1"]
            for name, value in measured.items():
                columns.setdefault(name, []).append(value)
    return Figures(**{name: statistics.median(values) for name, values in columns.items()})


@contextmanager
def quiet_service_logs() -> Iterator[None]:
    """Render the service's logs as JSON, as in production, into ``os.devnull``."""
    before = structlog.get_config()
    with Path(os.devnull).open("w", encoding="utf-8") as sink:
        structlog.configure(
            processors=[
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
            logger_factory=structlog.PrintLoggerFactory(sink),
            cache_logger_on_first_use=False,
        )
        try:
            yield
        finally:
            structlog.configure(**before)


def unreachable() -> str | None:
    """Why PostgreSQL cannot be reached, or ``None`` when it can."""
    try:
        with psycopg.connect(BASE_URL, connect_timeout=5):
            return None
    except psycopg.OperationalError as error:
        return str(error).strip().splitlines()[0]


def _against(ratio: float, threads: int) -> str:
    verdict = "met" if ratio >= TARGET else "NOT MET"
    return f"{ratio:.2f} x raw {threads} thread(s); target >= {TARGET:.2f}: {verdict}"


def render() -> str:
    """Run the dossier benches on PostgreSQL and format the report."""
    title = f"Dossiers on PostgreSQL, application layer, no HTTP (median of {ROUNDS} rounds)"
    reason = unreachable()
    if reason is not None:
        return f"{title}\n  skipped: PostgreSQL is unreachable at {BASE_URL}: {reason}\n"
    began = time.perf_counter()
    f = run()
    per_save = f.lifecycle_ratio * SAVES_PER_LIFECYCLE
    lifecycle_note = (
        f"{f.lifecycle_ratio:.2f} x raw 1 thread "
        f"({SAVES_PER_LIFECYCLE} saves, {EVENTS_PER_LIFECYCLE} events each; "
        f"{per_save:.2f} x raw per save)"
    )
    rows = [
        ("raw save, 1 thread", f.raw_1, "baseline: 1 small event per save()"),
        (f"raw save, {THREADS} threads", f.raw_4, "baseline, one shared app"),
        ("receptions, 1 thread", f.receptions_1, _against(f.ratio_1, 1)),
        (f"receptions, {THREADS} threads", f.receptions_4, _against(f.ratio_4, THREADS)),
        ("lifecycles, 1 thread", f.lifecycles_1, lifecycle_note),
    ]
    lines = [title]
    lines += [f"  {name:<22} {rate:>7,.0f} /s   {note}" for name, rate, note in rows]
    lines.append(
        f"  receptions: {len(AGENCIES)} agencies; {THREADS} threads share one app"
        f" (one API worker); measured in {time.perf_counter() - began:.0f} s"
    )
    return "\n".join(lines) + "\n"
