"""Views (issue 5, §3): rebuild throughput and live lag, on SQLite and PostgreSQL.

History: ``MOTCUA_BENCH_DOSSIERS`` dossiers (default 5,000, about 45k
events) made by ``DemoGenerator`` through the real application, with the
demo catalog, a fixed "today" and a fixed seed, so the same size makes the
same history. It is generated once and kept: a SQLite file under
``var/bench/`` and a PostgreSQL schema ``motcua_bench_<n>_<seed>``. A table
``bench_history`` is written last; a store without it was cut short and is
made again from scratch.

Rebuild, of the queue, lookup, register and facts views: each of ``ROUNDS`` rounds
first reads and decodes the view's events the way the library replays them
(``select_notifications`` in batches of 500, topics filtered in SQL,
``mapper.to_domain_event``: the baseline), then ``drop()`` + ``catch_up()`` of
the view; a round's ratio is its two rates divided. Figures are medians over
the rounds. The baseline stays the library's whole decoding, although the
projectors decode only the fields their folds read and read the next batch in
a worker thread: those savings are part of what the rebuild figure measures,
beside an unchanged reference.

Live lag: a new, empty store with one published procedure; walk-in receptions
(``Dossiers.receive``) paced at ``LAG_RATE`` per second for ``LAG_SECONDS``
by ``LAG_THREADS`` threads (one receiving unit each; when they fall behind
the schedule they send as fast as they can and the achieved rate is
printed), while ``Projections([queue, lookup]).follow(stop, 0.05)`` runs in
its own thread. The queue view is wrapped so that, right after each batch's
transaction commits, the follower notes the time for every row in it: no
third thread polls the database, so the measure does not slow what it
measures. A command's lag is that time minus the moment its ``receive()``
returned; when the follower committed first (it read the event between the
save's commit and its return) the lag counts as 0.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from uuid import UUID

import psycopg
from attrs import evolve
from psycopg import sql

from adapters.calendar.policy_file import load_policy
from adapters.catalog.dvcqg import read_catalog
from adapters.eventstore.config import StoreConfig, StoreKind, library_env
from adapters.views import QueueViewAdapter, queue_view_from_env
from adapters.views.facts_factory import facts_view_from_env
from adapters.views.lookup_factory import lookup_view_from_env
from adapters.views.register_factory import register_view_from_env
from application import dossier_commands as c
from application.calendars import Calendars
from application.catalog import Catalog
from application.catalog_import import import_catalog
from application.demo import DemoGenerator, SimulatedClock, window
from application.dossiers import Dossiers
from application.lookup import LOOKUP_TOPICS
from application.lookup_projector import LookupProjector
from application.onestop import OneStop
from application.projections import Projections
from application.projector import QueueProjector
from application.queue import DOSSIER_TOPICS, QueueBatch, QueueQuery, QueueRow
from application.register import REGISTER_TOPICS
from application.register_projector import RegisterProjector
from application.statistics_projector import FactsProjector
from domain.dossier_values import Actor, Role
from domain.values import VIETNAM, AgencyCode
from tests.bench.dossiers import MOMENT, quiet_service_logs, unreachable
from tests.dossier_fixtures import Desk, submission
from tests.integration.stores import BASE_URL, store

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "var" / "bench"
CATALOG = ROOT / "data" / "catalog" / "demo.json"
TODAY = date(2026, 11, 20)
SEED = 2025
YEARS = 2
AGENCIES = 20
DEFAULT_DOSSIERS = 5_000
TARGET_DOSSIERS = 110_000
ROUNDS = 3
READ_BATCH = 500
TARGET_PG_RATE = 30_000.0
TARGET_SHARE = 0.40
LAG_RATE = 200.0
LAG_SECONDS = 10.0
LAG_THREADS = 4
LAG_TARGET = 1.0
LAG_UNITS = tuple(AgencyCode(f"000.00.{n}.H56") for n in range(12, 12 + LAG_THREADS))
NAMES = {StoreKind.SQLITE: "SQLite", StoreKind.POSTGRES: "PostgreSQL"}
Catcher = Callable[[], int]


def dossier_count() -> int:
    """The history's size in dossiers: ``MOTCUA_BENCH_DOSSIERS`` or the default."""
    return int(os.environ.get("MOTCUA_BENCH_DOSSIERS", DEFAULT_DOSSIERS))


# ---------------------------------------------------------------- the history


def _config(kind: StoreKind, n: int) -> StoreConfig:
    if kind is StoreKind.SQLITE:
        return StoreConfig(kind=kind, sqlite_path=CACHE / f"history-{n}-{SEED}.db")
    return StoreConfig(kind=kind, database_url=f"{BASE_URL}?schema={_schema(n)}")


def _schema(n: int) -> str:
    return f"motcua_bench_{n}_{SEED}"


def _marker(kind: StoreKind, n: int) -> int | None:
    """The dossiers a finished generation recorded, or ``None`` if it never finished."""
    if kind is StoreKind.SQLITE:
        path = CACHE / f"history-{n}-{SEED}.db"
        if not path.exists():
            return None
        with sqlite3.connect(path) as db:
            found = db.execute("SELECT name FROM sqlite_master WHERE name='bench_history'")
            if found.fetchone() is None:
                return None
            return int(db.execute("SELECT dossiers FROM bench_history").fetchone()[0])
    with psycopg.connect(BASE_URL, autocommit=True) as pg:
        table = f"{_schema(n)}.bench_history"
        record = pg.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()
        if not record or not record[0]:
            return None
        query = sql.SQL("SELECT dossiers FROM {}.bench_history").format(sql.Identifier(_schema(n)))
        row = pg.execute(query).fetchone()
        return int(row[0]) if row else None


def _mark(kind: StoreKind, n: int, dossiers: int) -> None:
    if kind is StoreKind.SQLITE:
        with sqlite3.connect(CACHE / f"history-{n}-{SEED}.db") as db:
            db.execute("CREATE TABLE bench_history (dossiers INTEGER NOT NULL)")
            db.execute("INSERT INTO bench_history VALUES (?)", (dossiers,))
        return
    with psycopg.connect(BASE_URL, autocommit=True) as pg:
        table = sql.SQL("{}.bench_history").format(sql.Identifier(_schema(n)))
        pg.execute(sql.SQL("CREATE TABLE {} (dossiers integer NOT NULL)").format(table))
        pg.execute(sql.SQL("INSERT INTO {} VALUES (%s)").format(table), (dossiers,))


def _discard(kind: StoreKind, n: int) -> None:
    """Remove a store whose generation was cut short."""
    if kind is StoreKind.SQLITE:
        for suffix in ("", "-wal", "-shm"):
            (CACHE / f"history-{n}-{SEED}.db{suffix}").unlink(missing_ok=True)
        return
    with psycopg.connect(BASE_URL, autocommit=True) as pg:
        pg.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(_schema(n))))


def history(kind: StoreKind, n: int) -> tuple[OneStop, int, float | None]:
    """The app over the kept history; its dossiers; seconds spent generating it (None: reused)."""
    dossiers = _marker(kind, n)
    if dossiers is not None:
        return OneStop(env=library_env(_config(kind, n))), dossiers, None
    _discard(kind, n)
    CACHE.mkdir(parents=True, exist_ok=True)
    sys.stderr.write(f"views bench: generating {n:,} dossiers on {NAMES[kind]} (once)...\n")
    began = time.perf_counter()
    app = OneStop(env=library_env(_config(kind, n)))
    catalog = Catalog(app)
    import_catalog(catalog, read_catalog(CATALOG)[1])
    clock = SimulatedClock(datetime(2025, 7, 1, 8, tzinfo=VIETNAM))
    service = Dossiers(app, catalog, Calendars(load_policy(None, today=TODAY)), clock=clock)
    generator = DemoGenerator(service, catalog, clock, agencies=AGENCIES, seed=SEED)
    start, end = window(TODAY, YEARS, generator.procedures)
    summary = generator.generate(n, start, end)
    _mark(kind, n, summary.dossiers)
    return app, summary.dossiers, time.perf_counter() - began


# ---------------------------------------------------------------- rebuild


def raw_read(app: OneStop, topics: tuple[str, ...]) -> tuple[int, float]:
    """Events read and decoded, and the seconds it took: the library's replay, nothing else."""
    began = time.perf_counter()
    position = read = 0
    while notifications := app.recorder.select_notifications(
        start=position, limit=READ_BATCH, topics=topics, inclusive_of_start=False
    ):
        for notification in notifications:
            app.mapper.to_domain_event(notification)
        read += len(notifications)
        position = notifications[-1].id
    return read, time.perf_counter() - began


def rebuild(
    app: OneStop, topics: tuple[str, ...], drop: Callable[[], None], catch_up: Catcher
) -> tuple[int, float, float]:
    """Events applied; median rebuild rate; median ratio to the raw rate of the same rounds."""
    rates: list[float] = []
    ratios: list[float] = []
    applied = 0
    for _ in range(ROUNDS):
        read, read_seconds = raw_read(app, topics)
        drop()
        began = time.perf_counter()
        applied = catch_up()
        rate = applied / (time.perf_counter() - began)
        if applied != read:
            raise RuntimeError(f"the view applied {applied} events; the raw read saw {read}")
        rates.append(rate)
        ratios.append(rate / (read / read_seconds))
    return applied, statistics.median(rates), statistics.median(ratios)


def rebuild_lines(kind: StoreKind, app: OneStop) -> list[str]:
    """One line per view: events, rebuild rate, raw rate and ratio, with the verdicts."""
    queue = queue_view_from_env(app.env)
    lookup = lookup_view_from_env(app.env)
    register = register_view_from_env(app.env)
    facts = facts_view_from_env(app.env)
    views: list[tuple[str, tuple[str, ...], Callable[[], None], Catcher]] = [
        ("queue", DOSSIER_TOPICS, queue.drop, QueueProjector(app, queue).catch_up),
        ("lookup", LOOKUP_TOPICS, lookup.drop, LookupProjector(app, lookup).catch_up),
        ("register", REGISTER_TOPICS, register.drop, RegisterProjector(app, register).catch_up),
        ("facts", DOSSIER_TOPICS, facts.drop, FactsProjector(app, facts).catch_up),
    ]
    lines = []
    try:
        for name, topics, drop, catch_up in views:
            events, rate, ratio = rebuild(app, topics, drop, catch_up)
            verdicts = [f">= {TARGET_SHARE:.0%} of raw: {_verdict(ratio >= TARGET_SHARE)}"]
            if kind is StoreKind.POSTGRES:
                verdicts.insert(
                    0, f">= {TARGET_PG_RATE:,.0f}/s: {_verdict(rate >= TARGET_PG_RATE)}"
                )
            lines.append(
                f"    {NAMES[kind]:<10} {name:<8} {events:>9,} events {rate:>8,.0f} /s"
                f"  raw read+decode {rate / ratio:>8,.0f} /s  ratio {ratio:.2f}"
                f"  target {'; '.join(verdicts)}"
            )
    finally:
        _close(queue, lookup, register, facts)
    return lines


# ---------------------------------------------------------------- live lag


class Stamped:
    """A queue view that notes when each row's batch committed (the follower's clock)."""

    def __init__(self, view: QueueViewAdapter) -> None:
        self.view = view
        self.committed: dict[UUID, float] = {}

    def position(self) -> int:
        """The view's position."""
        return self.view.position()

    def apply(self, batch: QueueBatch) -> None:
        """Apply the batch, then note the moment for each of its rows."""
        self.view.apply(batch)
        now = time.perf_counter()
        for row in batch.upserts:
            self.committed.setdefault(row.dossier_id, now)

    def list(self, query: QueueQuery) -> list[QueueRow]:
        """The view's page."""
        return self.view.list(query)

    def get(self, dossier_id: UUID) -> QueueRow | None:
        """The view's row."""
        return self.view.get(dossier_id)

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, QueueRow]:
        """The view's rows."""
        return self.view.get_many(dossier_ids)

    def count(self) -> int:
        """The view's row count."""
        return self.view.count()

    def drop(self) -> None:
        """Drop the view."""
        self.view.drop()


def _send(desk: Desk, index: int, t0: float, returned: dict[UUID, float]) -> None:
    """Thread ``index``'s share of the schedule: command ``i`` is due at ``t0 + i / LAG_RATE``."""
    unit = LAG_UNITS[index]
    officer = Actor(f"officer-{index}", Role.INTAKE_OFFICER, unit)
    form = evolve(submission(procedure=desk.spec), receiving_unit=unit)
    total = int(LAG_RATE * LAG_SECONDS)
    for i in range(index, total, LAG_THREADS):
        due = t0 + i / LAG_RATE
        now = time.perf_counter()
        if now - t0 >= LAG_SECONDS:
            return
        if due > now:
            time.sleep(due - now)
        command = c.ReceiveDossier(command_id=f"lag-{i}", actor=officer, submission=form)
        dossier = desk.dossiers.receive(command)
        returned[dossier.id] = time.perf_counter()


def live_lag(kind: StoreKind) -> str:
    """Receptions at ``LAG_RATE``/s while the follower runs; the lag of each, as percentiles."""
    policy = load_policy(None, today=TODAY)
    with tempfile.TemporaryDirectory() as folder, store(kind, Path(folder)) as make_app:
        app = make_app()
        desk = Desk(app, policy, start=MOMENT)
        queue = Stamped(queue_view_from_env(app.env))
        lookup = lookup_view_from_env(app.env)
        projections = Projections([QueueProjector(app, queue), LookupProjector(app, lookup)])
        projections.catch_up()
        stop = threading.Event()
        follower = threading.Thread(target=projections.follow, args=(stop, 0.05))
        follower.start()
        returned: dict[UUID, float] = {}
        t0 = time.perf_counter()
        senders = [
            threading.Thread(target=_send, args=(desk, index, t0, returned))
            for index in range(LAG_THREADS)
        ]
        try:
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()
            elapsed = max(returned.values()) - t0
            deadline = time.perf_counter() + 30
            while not returned.keys() <= queue.committed.keys() and time.perf_counter() < deadline:
                time.sleep(0.05)
        finally:
            stop.set()
            follower.join()
            _close(queue.view, lookup)
    lags = [max(0.0, queue.committed.get(key, float("inf")) - at) for key, at in returned.items()]
    cuts = statistics.quantiles(lags, n=100, method="inclusive")
    p50, p99 = cuts[49], cuts[98]
    early = sum(queue.committed.get(key, float("inf")) < at for key, at in returned.items())
    missing = sum(key not in queue.committed for key in returned)
    return (
        f"    {NAMES[kind]:<10} {len(returned):,} receptions in {elapsed:.1f} s"
        f" = {len(returned) / elapsed:,.0f}/s (paced at {LAG_RATE:.0f}/s, {LAG_THREADS} threads);"
        f" lag p50 {p50 * 1000:,.0f} ms, p99 {p99 * 1000:,.0f} ms;"
        f" target p99 < {LAG_TARGET:.0f} s: {_verdict(p99 < LAG_TARGET)}"
        f" ({early} committed before receive() returned, counted 0; {missing} never seen)"
    )


# ---------------------------------------------------------------- the report


def _close(*views: object) -> None:
    """Close the views that hold a connection (the memory ones hold none)."""
    for view in views:
        close = getattr(view, "close", None)
        if callable(close):
            close()


def _verdict(met: bool) -> str:  # noqa: FBT001 (a verdict of one condition)
    return "met" if met else "NOT MET"


def _history_line(kind: StoreKind, app: OneStop, dossiers: int, seconds: float | None) -> str:
    events = app.recorder.max_notification_id() or 0
    where = f"var/bench/history-{dossier_count()}-{SEED}.db"
    if kind is StoreKind.POSTGRES:
        where = f"schema {_schema(dossier_count())}"
    how = "reused" if seconds is None else f"generated in {seconds:,.0f} s"
    return (
        f"    {NAMES[kind]:<10} {dossiers:,} dossiers, {events:,} events in the log; {where}, {how}"
    )


def render() -> str:
    """Generate (or reuse) the histories, measure rebuilds and live lag, and format the report."""
    n = dossier_count()
    lines = [
        f"Views: rebuild throughput and live lag (median of {ROUNDS} rounds)",
        (
            f"  history: {n:,} dossiers requested (MOTCUA_BENCH_DOSSIERS), seed {SEED},"
            f" {AGENCIES} agencies, {YEARS} years, demo catalog; the issue's target size is"
            f" >= 1,000,000 events: MOTCUA_BENCH_DOSSIERS={TARGET_DOSSIERS}"
        ),
    ]
    reason = unreachable()
    kinds = [StoreKind.SQLITE] if reason else [StoreKind.SQLITE, StoreKind.POSTGRES]
    rebuilds: list[str] = []
    lags: list[str] = []
    with quiet_service_logs():
        for kind in kinds:
            app, dossiers, seconds = history(kind, n)
            try:
                lines.append(_history_line(kind, app, dossiers, seconds))
                rebuilds += rebuild_lines(kind, app)
            finally:
                app.close()
            lags.append(live_lag(kind))
    if reason:
        skipped = f"    PostgreSQL skipped: unreachable at {BASE_URL}: {reason}"
        lines.append(skipped)
        rebuilds.append(skipped)
        lags.append(skipped)
    lines.append("  rebuild (drop + catch_up) beside the raw read+decode of the same events:")
    lines += rebuilds
    lines.append("  live lag, receive() returned -> queue row committed:")
    lines += lags
    return "\n".join(lines) + "\n"
