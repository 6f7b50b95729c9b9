"""Queue and deadline queries (issue 5, §3): p50 and p99 latency over a full queue view.

The issue's figure is 1,000,000 dossiers of which 200,000 are open; the
queue view holds only open dossiers, so it is filled with
``MOTCUA_BENCH_OPEN_ROWS`` rows (default 200,000) through the view's own
``apply()`` in batches of ``BATCH``. The rows are synthetic but shaped like
a real queue: ``UNITS`` receiving units, ``AGENCIES`` competent agencies,
``HANDLERS`` handlers (each belongs to one unit), the eleven statuses
weighted with most dossiers in processing, appointments spread over
``SPREAD`` working days either side of a fixed "now", about 5% paused, and
statutory due dates that are the appointment's day (an extension moves the
appointment, not the statutory date). A fixed seed makes the same size give
the same rows. The filled view is kept: ``var/bench/queue-<n>.db`` and the
PostgreSQL schema ``motcua_bench_queue_<n>``; a table ``bench_queue`` is
written last, and a view without it was cut short and is filled again.
PostgreSQL's view is ANALYZEd after filling, as autovacuum would; SQLite's
is left as the adapter leaves it (no ANALYZE).

Each query runs ``REPEATS`` times with varied parameters (after a few
untimed warm-up calls) and its p50 and p99 are printed beside the same
run's primary-key lookup (``view.get``), as a ratio of the p99s. A query's
time includes decoding its page into ``QueueRow``s, as the application
sees it.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from uuid import UUID

import psycopg
from attrs import evolve
from psycopg import sql

from adapters.calendar.policy_file import load_policy
from adapters.eventstore.config import StoreConfig, StoreKind, library_env
from adapters.views.postgres_queue import PostgresQueueView
from adapters.views.sqlite_queue import SqliteQueueView
from application.calendars import Calendars
from application.deadlines import Deadlines
from application.queue import Cursor, QueueBatch, QueueQuery, QueueRow
from domain.calendar import WorkingCalendar
from domain.dossier_status import Status
from domain.procedure_spec import Channel
from domain.values import VIETNAM
from tests.bench.dossiers import unreachable
from tests.integration.stores import BASE_URL

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "var" / "bench"
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=VIETNAM)
TODAY = NOW.date()
SEED = 2025
DEFAULT_OPEN_ROWS = 200_000
BATCH = 5_000
UNITS = tuple(f"000.00.{n}.H56" for n in range(10, 30))
AGENCIES = tuple(f"000.00.{n}.H56" for n in range(30, 50))
HANDLERS = tuple(f"handler-{k:03d}" for k in range(500))
PROCEDURES = tuple(f"1.{k:06d}.000.00.00.H56" for k in range(120))
SPREAD = 30  # working days either side of NOW
DAY = 8 * 3600 * 1_000_000  # one working day of 8 hours, in microseconds
REPEATS = 300
WARMUP = 10
PAGE = 50
DEEP_PAGE = 10
TARGET_MS = 10.0
NAMES = {StoreKind.SQLITE: "SQLite", StoreKind.POSTGRES: "PostgreSQL"}
STATUSES: dict[Status, float] = {
    Status.SUBMITTED: 5.0,
    Status.INTAKE_INCOMPLETE: 1.5,
    Status.RECEIVED: 6.0,
    Status.PROCESSING: 62.0,
    Status.SUPPLEMENT_REQUESTED: 3.5,
    Status.AWAITING_PAYMENT: 2.0,
    Status.RESULT_READY: 17.0,
    # Closing statuses leave the queue; a few linger between the event and its fold.
    Status.REJECTED: 0.75,
    Status.WITHDRAWN: 0.75,
    Status.STOPPED: 0.75,
    Status.RETURNED: 0.75,
}
CHANNELS: dict[Channel, float] = {Channel.ONLINE: 55.0, Channel.COUNTER: 40.0, Channel.POSTAL: 5.0}
View = SqliteQueueView | PostgresQueueView


def open_rows() -> int:
    """How many open rows the view holds: ``MOTCUA_BENCH_OPEN_ROWS`` or the default."""
    return int(os.environ.get("MOTCUA_BENCH_OPEN_ROWS", DEFAULT_OPEN_ROWS))


# ---------------------------------------------------------------- the rows


def dossier_ids(n: int) -> list[UUID]:
    """The rows' dossier ids, in generation order (their own stream of the seed)."""
    rng = random.Random(SEED)  # noqa: S311 (a seeded benchmark, not secrets)
    return [UUID(int=rng.getrandbits(128), version=4) for _ in range(n)]


def _row(rng: random.Random, key: UUID, index: int, calendar: WorkingCalendar) -> QueueRow:
    """One open dossier as the queue shows it, consistent in itself."""
    status = rng.choices(list(STATUSES), weights=list(STATUSES.values()))[0]
    unit_no = rng.randrange(len(UNITS))
    unit = UNITS[unit_no]
    base = QueueRow(
        dossier_id=key,
        procedure=rng.choice(PROCEDURES),
        channel=rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0],
        receiving_unit=unit,
        competent_agency=AGENCIES[(unit_no + rng.randrange(3)) % len(AGENCIES)],
        status=status,
        version=rng.randint(1, 4),
    )
    if status in {Status.SUBMITTED, Status.INTAKE_INCOMPLETE}:
        return base  # not received: no code, no deadlines
    now = calendar.position(NOW)
    due_pos = now + rng.randint(-SPREAD * DAY, SPREAD * DAY)
    received_pos = due_pos - rng.randint(3, 20) * DAY
    due_at = calendar.instant(due_pos)
    received_at = calendar.instant(received_pos)
    statutory = due_at.date()
    rescheduled = None
    if rng.random() < 0.02:  # extended: the appointment moves, the statutory date stays
        rescheduled = calendar.instant(due_pos + rng.randint(1, 10) * DAY)
        due_at = rescheduled
    handler = None
    step = step_due_at = result_at = None
    if status in {Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_PAYMENT}:
        handler = HANDLERS[unit_no + len(UNITS) * rng.randrange(len(HANDLERS) // len(UNITS))]
        step = rng.randrange(3)
        step_due_at = calendar.instant(received_pos + (due_pos - received_pos) * (step + 1) // 3)
    elif status in {Status.RESULT_READY, Status.RETURNED}:
        result_at = calendar.instant(min(due_pos, now) - rng.randint(1, 2 * DAY))
    paused = status is Status.SUPPLEMENT_REQUESTED or (
        status is Status.AWAITING_PAYMENT and result_at is None
    )
    return evolve(
        base,
        version=rng.randint(3, 18),
        code=f"{unit}-{received_at:%y%m%d}-{index:06d}",
        handler=handler,
        step=step,
        step_due_at=step_due_at,
        due_at=due_at,
        rescheduled_due_at=rescheduled,
        statutory_due_date=statutory,
        received_at=received_at,
        result_issued_at=result_at,
        paused=paused,
    )


def batches(n: int, calendar: WorkingCalendar) -> Iterator[QueueBatch]:
    """The rows in batches of ``BATCH``, positions 1, 2, ..."""
    rng = random.Random(SEED + 1)  # noqa: S311 (a seeded benchmark, not secrets)
    ids = dossier_ids(n)
    for number, start in enumerate(range(0, n, BATCH), start=1):
        chunk = range(start, min(n, start + BATCH))
        rows = tuple(_row(rng, ids[i], i, calendar) for i in chunk)
        yield QueueBatch(position=number, upserts=rows)


# ---------------------------------------------------------------- the kept view


def _path(n: int) -> Path:
    return CACHE / f"queue-{n}.db"


def _schema(n: int) -> str:
    return f"motcua_bench_queue_{n}"


def _pg_env(n: int) -> dict[str, str]:
    config = StoreConfig(kind=StoreKind.POSTGRES, database_url=f"{BASE_URL}?schema={_schema(n)}")
    return library_env(config)


def _complete(kind: StoreKind, n: int) -> bool:
    """Whether a fill of ``n`` rows finished (its marker table exists)."""
    if kind is StoreKind.SQLITE:
        if not _path(n).exists():
            return False
        with sqlite3.connect(_path(n)) as db:
            found = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'bench_queue'")
            return found.fetchone() is not None
    with psycopg.connect(BASE_URL, autocommit=True) as pg:
        record = pg.execute(
            "SELECT to_regclass(%s) IS NOT NULL", (f"{_schema(n)}.bench_queue",)
        ).fetchone()
        return bool(record and record[0])


def _discard(kind: StoreKind, n: int) -> None:
    if kind is StoreKind.SQLITE:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{_path(n)}{suffix}").unlink(missing_ok=True)
        return
    with psycopg.connect(BASE_URL, autocommit=True) as pg:
        pg.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(_schema(n))))


def _mark(kind: StoreKind, n: int) -> None:
    """Record that the fill finished; PostgreSQL's table is analyzed first."""
    if kind is StoreKind.SQLITE:
        with sqlite3.connect(_path(n)) as db:
            db.execute("CREATE TABLE bench_queue (rows INTEGER NOT NULL)")
            db.execute("INSERT INTO bench_queue VALUES (?)", (n,))
        return
    with psycopg.connect(BASE_URL, autocommit=True) as pg:
        schema = sql.Identifier(_schema(n))
        pg.execute(sql.SQL("ANALYZE {}.dossier_queue").format(schema))
        table = sql.SQL("{}.bench_queue").format(schema)
        pg.execute(sql.SQL("CREATE TABLE {} (rows integer NOT NULL)").format(table))
        pg.execute(sql.SQL("INSERT INTO {} VALUES (%s)").format(table), (n,))


def _open(kind: StoreKind, n: int) -> View:
    if kind is StoreKind.SQLITE:
        return SqliteQueueView(_path(n))
    return PostgresQueueView(_pg_env(n))


def queue_view(kind: StoreKind, n: int, calendar: WorkingCalendar) -> tuple[View, float | None]:
    """The filled view, and the seconds its fill took (``None``: reused)."""
    if _complete(kind, n):
        return _open(kind, n), None
    _discard(kind, n)
    CACHE.mkdir(parents=True, exist_ok=True)
    sys.stderr.write(f"queries bench: filling {n:,} queue rows on {NAMES[kind]} (once)...\n")
    began = time.perf_counter()
    view = _open(kind, n)
    try:
        for batch in batches(n, calendar):
            view.apply(batch)
    except BaseException:
        view.close()
        raise
    _mark(kind, n)
    return view, time.perf_counter() - began


# ---------------------------------------------------------------- the measures


def latencies(call: Callable[[int], object]) -> tuple[float, float]:
    """p50 and p99 in ms of ``call(i)`` for i in 0..REPEATS-1, after untimed warm-up calls."""
    for i in range(WARMUP):
        call(i)
    times: list[float] = []
    for i in range(REPEATS):
        began = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - began) * 1000)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[98]


def _deep_cursors(view: View) -> dict[str, Cursor]:
    """Per receiving unit, the cursor after page ``DEEP_PAGE - 1`` (walked untimed)."""
    cursors: dict[str, Cursor] = {}
    for unit in UNITS:
        after: Cursor | None = None
        for _ in range(DEEP_PAGE - 1):
            page = view.list(QueueQuery(receiving_unit=unit, limit=PAGE, after=after))
            after = page[-1].cursor
        if after is not None:
            cursors[unit] = after
    return cursors


def queries(view: View, calendars: Calendars, n: int) -> list[tuple[str, Callable[[int], object]]]:
    """The measured queries, each taking its repetition number to vary its parameters."""
    rng = random.Random(SEED + 2)  # noqa: S311 (a seeded benchmark, not secrets)
    units = [rng.choice(UNITS) for _ in range(REPEATS + WARMUP)]
    handlers = [rng.choice(HANDLERS) for _ in range(REPEATS + WARMUP)]
    ids = dossier_ids(n)
    keys = [rng.choice(ids) for _ in range(REPEATS + WARMUP)]
    deadlines = Deadlines(view, calendars)
    cursors = _deep_cursors(view)
    return [
        ("pk view.get(dossier_id)", lambda i: view.get(keys[i])),
        ("unit first page", lambda i: view.list(QueueQuery(receiving_unit=units[i], limit=PAGE))),
        ("handler page", lambda i: view.list(QueueQuery(handler=handlers[i], limit=PAGE))),
        (
            "unit overdue today",
            lambda i: view.list(QueueQuery(receiving_unit=units[i], overdue_on=TODAY)),
        ),
        (
            "due_within(unit, 3)",
            lambda i: deadlines.due_within(QueueQuery(receiving_unit=units[i]), 3, NOW),
        ),
        (
            f"unit page {DEEP_PAGE} (cursor)",
            lambda i: view.list(
                QueueQuery(receiving_unit=units[i], limit=PAGE, after=cursors[units[i]])
            ),
        ),
    ]


def _verdict(met: bool) -> str:  # noqa: FBT001 (a verdict of one condition)
    return "met" if met else "NOT MET"


def measure(kind: StoreKind, n: int, calendars: Calendars) -> list[str]:
    """The view line, then one line per query: p50, p99, ratio to the pk p99, verdict."""
    view, seconds = queue_view(kind, n, calendars.calendar())
    try:
        rows = view.count()
        where = f"var/bench/queue-{n}.db" if kind is StoreKind.SQLITE else f"schema {_schema(n)}"
        how = "reused" if seconds is None else f"filled in {seconds:,.0f} s"
        lines = [f"    {NAMES[kind]:<10} {rows:,} rows; {where}, {how}"]
        measured = [(name, *latencies(call)) for name, call in queries(view, calendars, n)]
    finally:
        view.close()
    base = measured[0][2]
    for index, (name, p50, p99) in enumerate(measured):
        line = f"      {name:<26} p50 {p50:>7.3f} ms  p99 {p99:>7.3f} ms"
        if index == 0:
            line += "  (baseline)"
        else:
            line += f"  x{p99 / base:>6.1f} pk p99  target p99 < {TARGET_MS:.0f} ms:"
            line += f" {_verdict(p99 < TARGET_MS)}"
        lines.append(line)
    return lines


def render() -> str:
    """Fill (or reuse) the views, time the queries, and format the report."""
    n = open_rows()
    calendars = Calendars(load_policy(None, today=TODAY))
    lines = [
        f"Queue and deadline queries: p50/p99 of {REPEATS} calls each, beside the pk lookup",
        (
            f"  view: {n:,} open rows (MOTCUA_BENCH_OPEN_ROWS; the issue's 200,000 open of"
            f" 1,000,000), {len(UNITS)} receiving units, {len(AGENCIES)} agencies,"
            f" {len(HANDLERS)} handlers, due within +/-{SPREAD} working days of"
            f" {NOW:%Y-%m-%d %H:%M}, seed {SEED}; page {PAGE}"
        ),
    ]
    reason = unreachable()
    kinds = [StoreKind.SQLITE] if reason else [StoreKind.SQLITE, StoreKind.POSTGRES]
    for kind in kinds:
        lines += measure(kind, n, calendars)
    if reason:
        lines.append(f"    PostgreSQL skipped: unreachable at {BASE_URL}: {reason}")
    return "\n".join(lines) + "\n"
