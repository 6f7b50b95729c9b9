"""Operations over HTTP: liveness, readiness, metrics, the body limit and CORS."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from anyio import to_thread
from eventsourcing.persistence import OperationalError
from fastapi import FastAPI
from fastapi.testclient import TestClient

from domain.calendar_policy import CalendarPolicy
from entrypoints.bootstrap import Container, HttpSettings, Settings, SettingsError, bootstrap
from entrypoints.http.app import create_app
from entrypoints.http.metrics import count_command, metrics_of
from tests.dossier_fixtures import Desk

LIMIT = 1024
PORTAL = "https://dichvucong.thanhhoa.gov.vn"
ROOT = Path(__file__).parents[2]


@pytest.fixture
def container(policy: CalendarPolicy) -> Container:
    """A fresh system on a memory store, with a small body limit and one CORS origin."""
    http = HttpSettings(max_body_bytes=LIMIT, cors_origins=(PORTAL,))
    return bootstrap(Settings(http=http), policy=policy)


@pytest.fixture
def app(container: Container) -> FastAPI:
    """The app over ``container``, plus a route that reads a JSON body and counts a command."""
    created = create_app(container)

    def echo(payload: dict[str, Any]) -> dict[str, int]:
        count_command("echo", "ok")
        return {"keys": len(payload)}

    created.add_api_route("/test/echo", echo, methods=["POST"])
    return created


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client of ``app``."""
    with TestClient(app) as test_client:
        yield test_client


def test_the_routes_thread_pool_has_the_configured_size(policy: CalendarPolicy) -> None:
    """Once started, the app runs blocking routes on MOTCUA_HTTP_THREADS threads."""
    app = create_app(bootstrap(Settings(http=HttpSettings(threads=3)), policy=policy))

    @app.get("/test/threads")
    async def threads() -> dict[str, float]:
        return {"tokens": to_thread.current_default_thread_limiter().total_tokens}

    with TestClient(app) as client:
        assert client.get("/test/threads").json() == {"tokens": 3}


def record_a_dossier(container: Container, policy: CalendarPolicy) -> None:
    """Publish a procedure and receive a dossier, leaving the views behind."""
    Desk(container.app, policy).receive()


def metric_lines(client: TestClient, name: str) -> list[str]:
    """The sample lines of ``name`` on /metrics."""
    return [line for line in client.get("/metrics").text.splitlines() if line.startswith(name)]


def chunks(size: int, count: int) -> Iterator[bytes]:
    """A JSON body streamed in ``count`` chunks of ``size`` bytes, without Content-Length."""
    yield b'{"a": "'
    for _ in range(count):
        yield b"x" * size
    yield b'"}'


def test_healthz_answers_while_the_process_lives(client: TestClient) -> None:
    """GET /healthz is 200 {"status": "ok"} without a token."""
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_is_ready_when_views_are_caught_up(
    client: TestClient, container: Container, policy: CalendarPolicy
) -> None:
    """With every view at the head of the log, /readyz reports zero lag per view."""
    record_a_dossier(container, policy)
    container.projections.catch_up()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": "ok",
        "projections": {"queue": 0, "lookup": 0, "register": 0, "facts": 0},
        "lag_seconds": 0.0,
    }


def test_readyz_stays_ready_a_moment_behind(
    client: TestClient, container: Container, policy: CalendarPolicy
) -> None:
    """Views behind by events recorded just now are still ready: only lag over 5 s counts."""
    record_a_dossier(container, policy)
    body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["projections"]["queue"] > 0
    assert 0 <= body["lag_seconds"] <= 5


def test_readyz_is_503_when_a_view_lags_over_five_seconds(
    client: TestClient, app: FastAPI, container: Container, policy: CalendarPolicy
) -> None:
    """Events left unapplied for 10 s make /readyz a 503 problem with Retry-After."""
    record_a_dossier(container, policy)
    metrics_of(app).lag.clock = lambda: datetime.now(UTC) + timedelta(seconds=10)
    response = client.get("/readyz", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert (body["type"], body["title"]) == ("urn:motcua:problem:not-ready", "Not ready")
    assert body["lag_seconds"] > 5
    assert body["projections"]["queue"] > 0
    container.projections.catch_up()
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_when_the_store_does_not_answer(
    client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An event store that fails the trivial read makes /readyz a 503 store-unavailable problem."""

    def unreachable() -> int:
        raise OperationalError("connection refused")

    monkeypatch.setattr(container.app.recorder, "max_notification_id", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"] == "urn:motcua:problem:store-unavailable"
    assert client.get("/metrics").status_code == 200  # the lag gauges are left out


def test_metrics_label_requests_with_the_route_template(client: TestClient) -> None:
    """A request for a procedure is counted under /api/v1/procedures/{code}, never its code."""
    client.get("/api/v1/procedures/9.999999.000.00.00.H56")
    client.get("/no/such/path")
    response = client.get("/metrics")
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    labels = 'method="GET",route="/api/v1/procedures/{code}",status="404"'
    assert f"motcua_http_requests_total{{{labels}}} 1.0" in response.text
    assert 'route="unmatched",status="404"' in response.text
    assert "9.999999" not in response.text
    assert "/no/such/path" not in response.text
    assert 'motcua_http_request_duration_seconds_bucket{le="0.001",method="GET"' in response.text


def test_metrics_report_projection_lag_per_view(
    client: TestClient, container: Container, policy: CalendarPolicy
) -> None:
    """Unapplied events show in the lag gauges, which fall to zero once the views catch up."""
    record_a_dossier(container, policy)
    behind = metric_lines(client, "motcua_projection_lag_events")
    assert any(line.startswith('motcua_projection_lag_events{view="queue"}') for line in behind)
    assert not any(line.endswith(" 0.0") for line in behind)
    container.projections.catch_up()
    assert all(line.endswith(" 0.0") for line in metric_lines(client, "motcua_projection_lag"))


def test_commands_are_counted_in_the_serving_app(client: TestClient, container: Container) -> None:
    """count_command in a route counts in that app's registry only, with its outcome."""
    assert client.post("/test/echo", json={"a": 1}).status_code == 200
    expected = 'motcua_commands_total{command="echo",outcome="ok"} 1.0'
    assert expected in metric_lines(client, "motcua_commands_total")
    with TestClient(create_app(container)) as other:
        assert metric_lines(other, "motcua_commands_total") == []


@pytest.mark.slow
def test_multiprocess_metrics_add_up_every_worker(
    container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With PROMETHEUS_MULTIPROC_DIR, /metrics sums the files that other processes wrote."""
    worker = (
        "from fastapi.testclient import TestClient\n"
        "from entrypoints.bootstrap import Settings, bootstrap\n"
        "from entrypoints.http.app import create_app\n"
        "with TestClient(create_app(bootstrap(Settings()))) as client:\n"
        "    assert client.get('/healthz').status_code == 200\n"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    workers = [
        subprocess.Popen([sys.executable, "-c", worker], env=env, cwd=ROOT)  # noqa: S603 (our own interpreter and script)
        for _ in range(2)
    ]
    assert [process.wait(timeout=60) for process in workers] == [0, 0]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    with TestClient(create_app(container)) as client:
        text = client.get("/metrics").text
    assert 'motcua_http_requests_total{method="GET",route="/healthz",status="200"} 2.0' in text
    assert "motcua_projection_lag_seconds 0.0" in text


@pytest.mark.parametrize(
    ("language", "title"),
    [("vi", "Dữ liệu gửi lên quá lớn"), ("en", "Request body too large")],
)
def test_a_declared_oversized_body_is_refused_at_once(
    client: TestClient, language: str, title: str
) -> None:
    """A Content-Length over the limit is a 413 problem in the client's language."""
    response = client.post(
        "/test/echo",
        content=b"x" * (LIMIT + 1),
        headers={"Accept-Language": language, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:motcua:problem:payload-too-large"
    assert (body["title"], body["status"], body["max_bytes"]) == (title, 413, LIMIT)
    assert metric_lines(client, 'motcua_http_requests_total{method="POST",route="unmatched"')


@pytest.mark.parametrize(
    ("language", "title"),
    [("vi", "Dữ liệu gửi lên quá lớn"), ("en", "Request body too large")],
)
def test_a_streamed_oversized_body_is_refused_once_over(
    client: TestClient, language: str, title: str
) -> None:
    """A chunked body without Content-Length is a 413 problem as soon as it passes the limit."""
    headers = {"Accept-Language": language, "Content-Type": "application/json"}
    response = client.post("/test/echo", content=chunks(400, 3), headers=headers)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert (response.json()["type"], response.json()["title"]) == (
        "urn:motcua:problem:payload-too-large",
        title,
    )
    assert metric_lines(client, 'motcua_commands_total{command="echo"') == []


def test_a_streamed_body_within_the_limit_goes_through(client: TestClient) -> None:
    """A chunked body under the limit reaches the route whole."""
    headers = {"Content-Type": "application/json"}
    response = client.post("/test/echo", content=chunks(400, 2), headers=headers)
    assert (response.status_code, response.json()) == (200, {"keys": 1})


def test_cors_preflight_is_allowed_for_a_listed_origin(client: TestClient) -> None:
    """A listed origin gets its preflight allowed, with the API's request headers."""
    response = client.options(
        "/api/v1/procedures",
        headers={
            "Origin": PORTAL,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, idempotency-key, if-match",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PORTAL
    allowed = response.headers["access-control-allow-headers"].lower()
    assert {"authorization", "idempotency-key", "if-match"} <= set(allowed.split(", "))
    exposed = client.get("/healthz", headers={"Origin": PORTAL}).headers
    assert "ETag" in exposed["access-control-expose-headers"]
    assert "Idempotent-Replayed" in exposed["access-control-expose-headers"]


def test_cors_gives_nothing_to_an_unlisted_origin(client: TestClient) -> None:
    """An origin not on the list gets no access-control-allow-origin, preflight or not."""
    evil = "https://evil.example"
    preflight = client.options(
        "/api/v1/procedures",
        headers={"Origin": evil, "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert (
        "access-control-allow-origin"
        not in client.get("/healthz", headers={"Origin": evil}).headers
    )


def test_no_cors_without_origins_and_no_wildcard(policy: CalendarPolicy) -> None:
    """An empty list adds no CORS at all; a wildcard is refused when the app is made."""
    with TestClient(create_app(bootstrap(Settings(), policy=policy))) as client:
        response = client.get("/healthz", headers={"Origin": PORTAL})
        assert "access-control-allow-origin" not in response.headers
    wildcard = Settings(http=HttpSettings(cors_origins=("*",)))
    with pytest.raises(SettingsError, match="wildcard"):
        create_app(bootstrap(wildcard, policy=policy))
