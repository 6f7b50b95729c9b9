"""`motcua serve` (what `make run` starts) answers on a real socket."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from attrs import frozen


@frozen
class Served:
    """A running server: where it answers and where it logs."""

    base: str
    log: Path


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A `motcua serve` process on a free port, stopped after the tests."""
    port = free_port()
    script = Path(sys.executable).with_name("motcua")
    folder = tmp_path_factory.mktemp("server")
    log_path = folder / "stderr.log"
    demo = Path(__file__).parent.parent.parent / "data" / "catalog" / "demo.json"
    command = [str(script), "serve", "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "MOTCUA_LOG_FORMAT": "json", "MOTCUA_DB": str(folder / "motcua.db")}
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own console script)
            [*command, "--load-catalog", str(demo)], stderr=log, env=env
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx2.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.1)
        else:
            log_text = log_path.read_text(encoding="utf-8", errors="replace")
            pytest.fail(f"motcua serve did not answer /healthz within 30 s:\n{log_text}")
        yield Served(base, log_path)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_served_due_date(server: Served) -> None:
    """The served API computes example C across Tết 2026."""
    response = httpx2.get(
        f"{server.base}/api/v1/calendar/due",
        params={"received_at": "2026-02-13T15:30", "limit": 3, "unit": "working_days"},
    )
    assert response.status_code == 200
    assert response.json()["due_at"] == "2026-02-25T15:30:00+07:00"


def test_served_docs(server: Served) -> None:
    """The interactive documentation is served at /docs."""
    assert httpx2.get(f"{server.base}/docs").status_code == 200


def test_served_requests_are_logged_as_json(server: Served) -> None:
    """With MOTCUA_LOG_FORMAT=json each request is one JSON line with its request id."""
    response = httpx2.get(f"{server.base}/healthz", headers={"X-Request-ID": "served-1"})
    assert response.headers["x-request-id"] == "served-1"
    entries: list[dict[str, object]] = []
    for _ in range(50):
        lines = server.log.read_text(encoding="utf-8").splitlines()
        entries = [json.loads(line) for line in lines if "served-1" in line]
        if entries:
            break
        time.sleep(0.1)
    assert [(e["event"], e["path"], e["status"]) for e in entries] == [
        ("http.request", "/healthz", 200)
    ]


def test_served_demo_catalog(server: Served) -> None:
    """`make run` serves the demo catalog, imported on first start, found without diacritics."""
    response = httpx2.get(f"{server.base}/api/v1/procedures", params={"q": "khai sinh"})
    assert response.status_code == 200
    names = [item["name"] for item in response.json()["items"]]
    assert any("khai sinh" in name.lower() for name in names)
