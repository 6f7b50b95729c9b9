"""Real processes for end-to-end tests: `motcua serve` and `motcua project`, started and stopped.

Each process inherits the test run's environment without its own settings
(every ``MOTCUA_*`` and ``POSTGRES_*`` variable is dropped), then takes the
``env`` it is given: a test configures it exactly as an operator would. Its
stderr (and stdout) go to a log file, whose tail every failure here quotes.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx2
import pytest
from attrs import frozen

REPO = Path(__file__).resolve().parents[2]
DEMO_CATALOG = REPO / "data" / "catalog" / "demo.json"
EXAMPLES = REPO / "data" / "examples"
SCRIPT = Path(sys.executable).with_name("motcua")
START_SECONDS = 60.0  # generous: a loaded CI machine starts two PostgreSQL workers slowly
STOP_SECONDS = 10.0
LOG_TAIL_LINES = 40
_OWN_VARIABLES = ("MOTCUA_", "POSTGRES_", "PROMETHEUS_MULTIPROC_DIR")
_TOKEN_LINE = re.compile(r"^\s*export TOKEN=(\S+)\s*$", re.MULTILINE)

T = TypeVar("T")


@frozen
class Served:
    """A running server: where it answers and where it logs."""

    base: str
    log: Path

    @property
    def api(self) -> str:
        """The base of the versioned API."""
        return f"{self.base}/api/v1"


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def environment(env: Mapping[str, str]) -> dict[str, str]:
    """The run's environment without motcua's and PostgreSQL's own settings, plus ``env``."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_VARIABLES)}
    return {**inherited, **env}


def tails(*logs: Path) -> str:
    """The last lines of each process log, headed by its name."""
    parts = []
    for log in logs:
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        tail = "\n".join(text.splitlines()[-LOG_TAIL_LINES:])
        parts.append(f"--- {log.name} (last {LOG_TAIL_LINES} lines) ---\n{tail}")
    return "\n".join(parts)


@contextmanager
def logs_on_failure(*logs: Path) -> Iterator[None]:
    """Add the tail of each process log to a failure raised inside."""
    try:
        yield
    except (AssertionError, httpx2.HTTPError) as error:
        raise AssertionError(f"{error}\n\n{tails(*logs)}") from error


@contextmanager
def running(
    command: Sequence[str], env: Mapping[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A process with stdout and stderr to ``log``, always stopped on the way out."""
    with log.open("ab") as sink:
        process = subprocess.Popen(  # noqa: S603 (our own console script)
            [str(SCRIPT), *command],
            stdout=sink,  # workers that log before configuring logging print to stdout
            stderr=sink,
            env=environment(env),
            start_new_session=True,  # its own process group: its workers go with it
        )
    try:
        yield process
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn stops its own workers); SIGKILL to its whole group if it hangs."""
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        # Not reaped yet, so the group is still the one this test started, and nothing else.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)


@contextmanager
def serve(folder: Path, env: Mapping[str, str], *args: str) -> Iterator[Served]:
    """`motcua serve ARGS` on a free port, once it answers /healthz; stopped afterwards."""
    port = free_port()
    log = folder / "serve.log"
    command = ["serve", "--host", "127.0.0.1", "--port", str(port), *args]
    with running(command, env, log) as process:
        served = Served(f"http://127.0.0.1:{port}", log)
        _wait_until(lambda: _answers(served.base), process, log, "answer /healthz")
        yield served


@contextmanager
def project(folder: Path, env: Mapping[str, str], interval: float = 0.1) -> Iterator[Path]:
    """`motcua project` following the event log, once it says so; yields its log."""
    log = folder / "project.log"
    with running(["project", "--interval", str(interval)], env, log) as process:
        _wait_until(lambda: "following the event log" in _text(log), process, log, "follow")
        yield log


def _text(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")


def _answers(base: str) -> bool:
    try:
        return httpx2.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx2.TransportError:
        return False


def _wait_until(
    ready: Callable[[], bool], process: subprocess.Popen[bytes], log: Path, what: str
) -> None:
    deadline = time.monotonic() + START_SECONDS
    while not ready():
        if process.poll() is not None:
            pytest.fail(
                f"motcua exited with {process.returncode} before it could {what}:\n{tails(log)}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"motcua did not {what} within {START_SECONDS:.0f} s:\n{tails(log)}")
        time.sleep(0.1)


def demo_token(served: Served) -> str:
    """The development token the start-up message offers (`export TOKEN=...`)."""
    found = _TOKEN_LINE.search(_text(served.log))
    if found is None:
        pytest.fail(f"no `export TOKEN=` line on stderr:\n{tails(served.log)}")
    return found.group(1)


def example(name: str) -> Any:
    """The example request body ``data/examples/NAME``."""
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def example_steps() -> list[tuple[str, Any]]:
    """The walk after reception, in order: (action path, body) from ``N-action.json``."""
    files = [path for path in EXAMPLES.glob("*.json") if path.name != "1-receive.json"]
    ordered = sorted(files, key=lambda path: int(path.name.split("-", 1)[0]))
    return [(path.stem.split("-", 1)[1], example(path.name)) for path in ordered]


def expect(response: httpx2.Response, status: int, *logs: Path) -> Any:
    """The JSON of ``response`` if it has ``status``; else fail with request, answer and logs."""
    if response.status_code != status:
        request = response.request
        pytest.fail(
            f"{request.method} {request.url} -> {response.status_code} (expected {status})\n"
            f"request body: {request.content.decode('utf-8', errors='replace')}\n"
            f"response: {response.text}\n{tails(*logs)}"
        )
    return response.json()


def eventually(
    fetch: Callable[[], T], done: Callable[[T], bool], *logs: Path, seconds: float = 5.0
) -> T:
    """Poll ``fetch`` every 0.05 s until ``done`` holds; fail after ``seconds`` with the last."""
    deadline = time.monotonic() + seconds
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds} s; last answer: {value!r}\n{tails(*logs)}")
        time.sleep(0.05)
