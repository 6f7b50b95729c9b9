"""The load generator of ``make bench-http``, run in its own process (asyncio and aiohttp).

``python -m tests.bench.http_load`` reads one ``Load`` as JSON on stdin,
drives it, and writes one ``Outcome`` as JSON on stdout. It opens
``connections`` keep-alive connections, one task each; every task sends its
next request as soon as the last one is answered (a closed loop). The round
is bounded twice: it stops at ``max_requests`` requests or after ``seconds``,
whichever comes first.

Each task sends one untimed request first, so every connection is open
before the clock starts. Latency is measured per request from the moment it
is sent until its body is read. Any answer that is not 2xx is an error,
counted by status, with the first body of each status kept as a sample; a
request that fails without an answer is an error named by its exception.

Plans:

- ``receptions``: ``POST /api/v1/dossiers`` of a walk-in, the receiving unit
  taken round-robin from ``units``, a fresh ``Idempotency-Key`` each; the
  codes of the dossiers received are returned.
- ``mix``: per connection, the repeating pattern ``MIX`` of 7 reads and 3
  commands. A read is ``GET /api/v1/dossiers/{code}`` of a code drawn from
  ``codes``; the commands are a reception, then ``assign`` and
  ``complete-step`` (with the ``staff`` token) on the next dossier of the connection's own share of
  ``codes`` (shares are disjoint, so connections never race for a dossier).
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Coroutine
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

DOSSIERS = "/api/v1/dossiers"
MIX = "GGRGGAGGCG"
"""Reads (G), reception (R), assign (A), complete-step (C): 70% reads, 30% commands."""
SAMPLE_CHARS = 300
TIMEOUT_SECONDS = 30.0


@dataclass
class Load:
    """What one round drives."""

    base: str
    plan: str
    connections: int
    max_requests: int
    seconds: float
    officer: str
    staff: str = ""
    submission: dict[str, Any] = field(default_factory=dict)
    units: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What one round measured; latencies in milliseconds."""

    requests: int = 0
    seconds: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    server_cpu_ms: float = 0.0  # the server processes' CPU per answered request (set by the bench)
    machine_cpu_ms: float = 0.0  # the whole machine's CPU per answered request (set by the bench)


@dataclass
class _Request:
    method: str
    path: str
    token: str
    body: dict[str, Any] | None = None
    keep_code: bool = False


@dataclass
class _State:
    load: Load
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    issued: int = 0
    sent: int = 0  # every request, the untimed first ones too (the round-robin counter)
    last: float = 0.0


class _Plan:
    """The requests of one connection, in order."""

    def __init__(self, load: Load, index: int) -> None:
        self.load = load
        self.index = index
        self.random = random.Random(index)  # noqa: S311 (spreading reads, not secrets)
        self.share = load.codes[index :: load.connections] or load.codes  # fewer than connections
        self.step = 0
        self.next_dossier = 0

    def next(self, state: _State) -> _Request:
        """The connection's next request."""
        kind = "R" if self.load.plan == "receptions" else MIX[self.step % len(MIX)]
        self.step += 1
        state.sent += 1
        if kind == "R":
            return self._reception(state.sent)
        if kind == "G":
            code = self.random.choice(self.load.codes)
            return _Request("GET", f"{DOSSIERS}/{code}", self.load.officer)
        return self._act(kind)

    def _reception(self, count: int) -> _Request:
        units = self.load.units
        body = {**self.load.submission, "receiving_unit": units[count % len(units)]}
        payload = {"channel": "counter", "submission": body}
        return _Request("POST", DOSSIERS, self.load.officer, payload, keep_code=True)

    def _act(self, kind: str) -> _Request:
        code = self.share[self.next_dossier % len(self.share)]
        if kind == "A":
            body = {"handler": f"handler-{self.index}", "unit": "Tư pháp - Hộ tịch"}
            return _Request("POST", f"{DOSSIERS}/{code}/assign", self.load.staff, body)
        self.next_dossier += 1
        body = {"outcome": "Đã kiểm tra, chuyển bước sau"}
        return _Request("POST", f"{DOSSIERS}/{code}/complete-step", self.load.staff, body)


async def _send(session: aiohttp.ClientSession, state: _State, request: _Request) -> float:
    """Send ``request``; record its outcome; return its latency in milliseconds."""
    headers = {"Authorization": f"Bearer {request.token}"}
    if request.method == "POST":
        headers["Idempotency-Key"] = uuid.uuid4().hex
    began = time.perf_counter()
    try:
        async with session.request(
            request.method, state.load.base + request.path, json=request.body, headers=headers
        ) as response:
            text = await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as error:
        _failed(state, type(error).__name__, str(error))
        return (time.perf_counter() - began) * 1000
    elapsed = (time.perf_counter() - began) * 1000
    if not 200 <= status < 300:
        _failed(state, str(status), text.decode("utf-8", "replace"))
    elif request.keep_code:
        code = json.loads(text).get("code")
        if code:
            state.codes.append(code)
    return elapsed


def _failed(state: _State, kind: str, sample: str) -> None:
    state.errors[kind] += 1
    state.samples.setdefault(kind, sample[:SAMPLE_CHARS])


async def _connection(
    session: aiohttp.ClientSession, state: _State, index: int, start: asyncio.Barrier
) -> None:
    """One keep-alive connection: an untimed first request, then requests until the bound."""
    plan = _Plan(state.load, index)
    await _send(session, state, plan.next(state))
    await start.wait()
    deadline = time.perf_counter() + state.load.seconds
    while state.issued < state.load.max_requests and time.perf_counter() < deadline:
        state.issued += 1
        state.latencies.append(await _send(session, state, plan.next(state)))
        state.last = time.perf_counter()


async def _run(load: Load) -> Outcome:
    """Run one round of ``load`` and measure it."""
    state = _State(load)
    connector = aiohttp.TCPConnector(limit=load.connections, force_close=False)
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = asyncio.Barrier(load.connections + 1)
        tasks: list[Coroutine[Any, Any, None]] = [
            _connection(session, state, index, start) for index in range(load.connections)
        ]
        running = [asyncio.create_task(task) for task in tasks]
        # The first requests' errors are counted too, but not their latencies.
        await start.wait()
        began = time.perf_counter()
        await asyncio.gather(*running)
    return _outcome(state, (state.last or time.perf_counter()) - began)


def _outcome(state: _State, seconds: float) -> Outcome:
    ordered = sorted(state.latencies)
    return Outcome(
        requests=len(ordered),
        seconds=seconds,
        p50=_percentile(ordered, 0.50),
        p99=_percentile(ordered, 0.99),
        errors=dict(state.errors),
        samples=state.samples,
        codes=state.codes,
    )


def _percentile(ordered: list[float], fraction: float) -> float:
    """The nearest-rank percentile of sorted values (0 when there are none)."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def drive(load: Load) -> Outcome:
    """Run ``load`` in a new process of this module (how the bench calls it)."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.http_load"],
        input=json.dumps(asdict(load)),
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
        timeout=load.seconds + 120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed:\n{done.stderr[-4000:]}")
    return Outcome(**json.loads(done.stdout))


def main() -> None:
    """Read a ``Load`` on stdin, drive it, write its ``Outcome`` on stdout."""
    load = Load(**json.load(sys.stdin))
    try:
        import uvloop  # noqa: PLC0415 (optional: a faster loop for the client, when installed)
    except ImportError:  # pragma: no cover (uvicorn[standard] installs it)
        outcome = asyncio.run(_run(load))
    else:
        outcome = uvloop.run(_run(load))
    json.dump(asdict(outcome), sys.stdout)


if __name__ == "__main__":
    main()
