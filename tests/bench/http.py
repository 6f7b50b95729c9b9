"""HTTP throughput and latency of motcua on PostgreSQL, beside a bare FastAPI endpoint.

``make bench-http`` (``python -m tests.bench.http``). One run makes a fresh
PostgreSQL schema (dropped at the end), imports the demo catalog into it once
(``motcua catalog import``), and serves the bare app of
``tests/bench/bare_app.py`` (our ``NewDossierIn`` validation and nothing
else) with ``WORKERS`` uvicorn workers. Then each of ``ROUNDS`` rounds:

- measures the bare endpoint at each of ``CONNECTIONS`` (first in odd
  rounds, last in even ones, so a slow phase of the machine weighs on both
  sides of every ratio);
- starts ``motcua serve --workers 2`` with ``MOTCUA_GROUP_COMMIT=yes``, warms
  it up, runs the receptions at each connection count, and stops it; then
  the same with ``=no`` (the default), followed by the 70/30 mix. One motcua server runs
  at a time, so their connection pools never crowd PostgreSQL together, and
  every start begins with cold caches, as a deployment does.

Each load runs in its own process (``tests/bench/http_load.py``) for
``SECONDS`` or ``MAX_REQUESTS`` requests, whichever comes first.

- Receptions: ``POST /api/v1/dossiers``, walk-ins of "Thủ tục đăng ký khai
  sinh" with its complete checklist, spread round-robin over the 20
  receiving units ``000.00.10.H56`` to ``000.00.29.H56``, a fresh
  Idempotency-Key each, by one intake officer holding all 20 units.
- 70/30 mix: 70% ``GET /api/v1/dossiers/{code}`` of dossiers received in
  the same round, 30% commands: receptions, and ``assign`` and
  ``complete-step`` on those dossiers by a unit head (and handler) of the
  competent agency. The reads load aggregates from the event store, so no
  ``motcua project`` runs: a projector on the same two cores would tax both
  sides of the comparison, and the views' latency is ``make bench``'s.

Figures are medians over the rounds; each ratio is the median of the rounds'
ratios to the bare endpoint at the same connection count. Beside them, the
CPU time spent per answered request: by the server's processes (the server
and its workers, read from ``/proc`` by process group) and by the whole
machine (``/proc/stat``: the servers, PostgreSQL and the load generator).
They tell whether a scenario is bound by CPU or by waiting. Targets:
receptions reach ``RATIO_TARGET`` of the bare req/s; p99 stays under
``P99_TARGET_MS`` at 64 connections.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from functools import partial
from pathlib import Path

from adapters.tokens import Tokens, TokenSettings
from domain.dossier_values import Role
from domain.values import AgencyCode
from tests.bench.dossiers import unreachable
from tests.bench.http_load import Load, Outcome, drive
from tests.integration.stores import BASE_URL, postgres_schema

ROUNDS = int(os.environ.get("MOTCUA_BENCH_HTTP_ROUNDS", "3"))
SECONDS = float(os.environ.get("MOTCUA_BENCH_HTTP_SECONDS", "8"))
MAX_REQUESTS = 40_000
WARMUP_SECONDS = 1.5
CONNECTIONS = (16, 64)
WORKERS = 2
RATIO_TARGET = 0.40
P99_TARGET_MS = 100.0
START_TIMEOUT = 60.0

ROOT = Path(__file__).resolve().parents[2]
UNITS = tuple(f"000.00.{n}.H56" for n in range(10, 30))
COMPETENT = "000.01.40.H56"
SUBMISSION = {
    "procedure": "1.001193.000.00.00.H56",  # Thủ tục đăng ký khai sinh
    "case": "Trường hợp chung",
    "applicant": {
        "kind": "citizen",
        "name": "Nguyễn Thị Hoa",
        "id_number": "038190000123",
        "phone": "0912345678",
        "address": "Phường Hạc Thành, Thanh Hóa",
    },
    "documents": [{"code": f"GT.1001193.0{n}", "form": "original"} for n in (1, 2, 3)],
    "receiving_unit": UNITS[0],
    "competent_agency": COMPETENT,
    "delivery": "counter",
}
CLI = [sys.executable, "-m", "entrypoints.cli"]

BARE = "bare POST (baseline)"
OFF = "receptions, group commit off"
ON = "receptions, group commit on"
MIX = "70/30 mix, group commit off"
Results = dict[tuple[str, int], list[Outcome]]


class ServerFailedError(RuntimeError):
    """A server did not come up; the message carries its output."""


# ---------------------------------------------------------------- processes

TICKS = os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(group: int) -> float:
    """CPU seconds (user + system) used so far by the processes of process group ``group``."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime are at 11 and 12
            ticks += int(fields[11]) + int(fields[12])
    return ticks / TICKS


def machine_cpu_seconds() -> float:
    """CPU seconds all cores spent not idle so far (``/proc/stat``)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return (sum(values[:8]) - idle) / TICKS


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(
    name: str, command: list[str], env: dict[str, str], folder: Path
) -> Iterator[tuple[str, int]]:
    """A server (and its workers) on a free port, stopped however the block ends.

    Yields its URL and its process group (the server's pid: it leads a new session).
    """
    port = free_port()
    output = folder / f"{name}.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and modules)
            [*command, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers stop with it
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(process, base, output, name)
        yield base, process.pid
    finally:
        _stop(process)


def _wait_until_up(process: subprocess.Popen[bytes], base: str, output: Path, name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    text = output.read_text(encoding="utf-8", errors="replace")[-4000:]
    raise ServerFailedError(f"the {name} server did not start; its stderr and stdout:\n{text}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the process group we started (the server and its workers), by its id."""
    for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue
        return


# ---------------------------------------------------------------- the run


class Bench:
    """One run: the schema's environment, the tokens, and every outcome so far."""

    def __init__(self, folder: Path, schema: str) -> None:
        self.folder = folder
        key_file = folder / "dev-signing-key.pem"
        self.env = {
            **os.environ,
            "MOTCUA_DATABASE_URL": f"{BASE_URL}?schema={schema}",
            "MOTCUA_DEV_KEY_FILE": str(key_file),
            "MOTCUA_LOG_FORMAT": "json",
        }
        issuer = Tokens(TokenSettings(dev_key_file=key_file))
        # The head assigns (a handler may not) and completes steps as the handler.
        self.officer, self.staff = (
            issuer.issue(
                subject=subject,
                roles=roles,
                agencies=[AgencyCode(code) for code in agencies],
                lifetime=timedelta(hours=2),
            )
            for subject, roles, agencies in (
                ("bench-officer", [Role.INTAKE_OFFICER], UNITS),
                ("bench-head", [Role.UNIT_HEAD, Role.HANDLER], [COMPETENT]),
            )
        )
        self.results: Results = {}
        self.starts = 0

    def load(self, base: str, connections: int, codes: list[str] | None = None) -> Load:
        """Receptions (or, given ``codes``, the mix) at ``base``."""
        return Load(
            base=base,
            plan="receptions" if codes is None else "mix",
            connections=connections,
            max_requests=MAX_REQUESTS,
            seconds=SECONDS,
            officer=self.officer,
            staff=self.staff,
            submission=SUBMISSION,
            units=list(UNITS),
            codes=codes or [],
        )

    def measure(self, scenario: str, load: Load, group: int) -> Outcome:
        """Drive ``load`` and keep its outcome, with the CPU it cost, under ``scenario``."""
        server, machine = group_cpu_seconds(group), machine_cpu_seconds()
        outcome = drive(load)
        answered = max(outcome.requests, 1)
        outcome = replace(
            outcome,
            server_cpu_ms=1000 * (group_cpu_seconds(group) - server) / answered,
            machine_cpu_ms=1000 * (machine_cpu_seconds() - machine) / answered,
        )
        self.results.setdefault((scenario, load.connections), []).append(outcome)
        return outcome

    @contextmanager
    def motcua(self, group_commit: str) -> Iterator[tuple[str, int]]:
        """``motcua serve --workers 2`` with group commit ``yes`` or ``no``, warmed up."""
        self.starts += 1
        metrics = self.folder / f"metrics-{self.starts}"  # empty at every start
        metrics.mkdir()
        env = {
            **self.env,
            "MOTCUA_GROUP_COMMIT": group_commit,
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
        }
        command = [*CLI, "serve", "--workers", str(WORKERS)]
        with serving(f"motcua-{self.starts}", command, env, self.folder) as server:
            drive(replace(self.load(server[0], 16), seconds=WARMUP_SECONDS))
            yield server

    def bare(self, server: tuple[str, int]) -> None:
        """The baseline at every connection count."""
        base, group = server
        for connections in CONNECTIONS:
            self.measure(BARE, self.load(base, connections), group)

    def motcua_round(self) -> None:
        """Receptions with and without group commit (separate starts), then the mix (default)."""
        received: dict[int, list[str]] = {connections: [] for connections in CONNECTIONS}
        for scenario, group_commit in ((ON, "yes"), (OFF, "no")):
            with self.motcua(group_commit) as (base, group):
                measure = partial(self.measure, group=group)
                for connections in CONNECTIONS:
                    outcome = measure(scenario, self.load(base, connections))
                    received[connections] += outcome.codes
                for connections, codes in received.items():
                    # The mix reads what both servers received; none received: nothing to read.
                    if scenario == OFF and codes:
                        measure(MIX, self.load(base, connections, codes))


def run(folder: Path) -> Results:
    """Import the catalog into a fresh schema, serve the baseline, and run the rounds."""
    with postgres_schema() as schema:
        bench = Bench(folder, schema)
        imported = subprocess.run(  # noqa: S603 (our own CLI)
            [*CLI, "catalog", "import", str(ROOT / "data" / "catalog" / "demo.json")],
            cwd=ROOT,
            env=bench.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if imported.returncode != 0:
            raise ServerFailedError(f"the catalog import failed:\n{imported.stderr}")
        command = [sys.executable, "-m", "tests.bench.bare_app", "--workers", str(WORKERS)]
        with serving("bare", command, bench.env, folder) as bare:
            drive(replace(bench.load(bare[0], 16), seconds=WARMUP_SECONDS))
            for index in range(ROUNDS):
                if index % 2 == 0:
                    bench.bare(bare)
                bench.motcua_round()
                if index % 2 == 1:
                    bench.bare(bare)
        return bench.results


# ---------------------------------------------------------------- the report


def rate(outcome: Outcome) -> float:
    """Requests answered per second in the round."""
    return outcome.requests / outcome.seconds if outcome.seconds else 0.0


def _median_ratio(results: Results, key: tuple[str, int], against: tuple[str, int]) -> float:
    pairs = zip(results[key], results[against], strict=True)
    return statistics.median(rate(a) / rate(b) if rate(b) else 0.0 for a, b in pairs)


def _verdicts(scenario: str, connections: int, ratio: float, p99: float) -> str:
    verdicts = []
    if scenario in {OFF, ON}:
        met = ratio >= RATIO_TARGET
        verdicts.append(f">={RATIO_TARGET:.0%} of bare: {'PASS' if met else 'NOT MET'}")
    if scenario != BARE and connections == max(CONNECTIONS):
        met = p99 < P99_TARGET_MS
        verdicts.append(f"p99<{P99_TARGET_MS:.0f}ms: {'PASS' if met else 'NOT MET'}")
    return "; ".join(verdicts) or "-"


def table(results: Results) -> list[str]:
    """One line per scenario and connection count: medians, errors, ratio, targets."""
    head = f"{'scenario':<29} {'conns':>5} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"
    cpu = f"{'cpu ms/req: server':>18} {'machine':>7}"
    lines = [f"  {head} {'bare req/s':>10} {'ratio':>6} {cpu}  targets"]
    for scenario in (BARE, OFF, ON, MIX):
        for connections in CONNECTIONS:
            outcomes = results.get((scenario, connections), [])
            if len(outcomes) != len(results[(BARE, connections)]):
                lines.append(f"  {scenario:<29} {connections:>5}  (not measured in every round)")
                continue
            ratio = _median_ratio(results, (scenario, connections), (BARE, connections))
            p99 = statistics.median(o.p99 for o in outcomes)
            lines.append(
                f"  {scenario:<29} {connections:>5} "
                f"{statistics.median(rate(o) for o in outcomes):>7,.0f} "
                f"{statistics.median(o.p50 for o in outcomes):>7.1f} {p99:>7.1f} "
                f"{sum(sum(o.errors.values()) for o in outcomes):>6} "
                f"{statistics.median(rate(o) for o in results[(BARE, connections)]):>10,.0f} "
                f"{ratio:>6.2f} "
                f"{statistics.median(o.server_cpu_ms for o in outcomes):>18.2f} "
                f"{statistics.median(o.machine_cpu_ms for o in outcomes):>7.2f}  "
                f"{_verdicts(scenario, connections, ratio, p99)}"
            )
    for connections in CONNECTIONS:
        gain = _median_ratio(results, (ON, connections), (OFF, connections))
        lines.append(
            f"  group commit after/before (on/off), receptions @{connections}: {gain:.2f}x"
        )
    return lines


def errors(results: Results) -> list[str]:
    """Each kind of error in each round, with its count and one sample answer."""
    return [
        f"  {scenario} @{connections}: {count} x {kind}: "
        + " ".join(outcome.samples.get(kind, "").split())
        for (scenario, connections), outcomes in results.items()
        for outcome in outcomes
        for kind, count in outcome.errors.items()
    ]


def render() -> str:
    """Run the HTTP bench and format its report."""
    title = (
        f"HTTP on PostgreSQL, {WORKERS} uvicorn workers per server, beside a bare FastAPI "
        f"endpoint (median of {ROUNDS} rounds of {SECONDS:.0f} s)"
    )
    reason = unreachable()
    if reason is not None:
        return f"{title}\n  skipped: PostgreSQL is unreachable at {BASE_URL}: {reason}\n"
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="motcua-bench-http-") as folder:
        try:
            results = run(Path(folder))
        except ServerFailedError as failure:
            return f"{title}\n  failed: {failure}\n"
    lines = [title, *table(results)]
    problems = errors(results)
    lines += ["  errors (non-2xx or no answer), one sample each:", *problems] if problems else []
    lines.append(
        f"  load: asyncio + aiohttp in its own process, on the same {os.cpu_count()} cores "
        f"as the servers and PostgreSQL; measured in {time.perf_counter() - began:.0f} s"
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
