"""`motcua serve` (what `make run` starts) answers on a real socket."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx2
import pytest

from tests.e2e.served import DEMO_CATALOG, Served, serve


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A `motcua serve` process on a free port, stopped after the tests."""
    folder = tmp_path_factory.mktemp("server")
    env = {
        "MOTCUA_LOG_FORMAT": "json",
        "MOTCUA_DB": str(folder / "motcua.db"),
        "MOTCUA_DEV_KEY_FILE": str(folder / "dev-signing-key.pem"),
    }
    with serve(folder, env, "--load-catalog", str(DEMO_CATALOG)) as served:
        yield served


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
