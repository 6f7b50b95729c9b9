"""The production shape on a real server: PostgreSQL, two API workers and a projection process.

One throwaway schema for the module, dropped afterwards; `motcua serve
--workers 2` and `motcua project` are configured only through the
environment, as an operator would. Under ``CI=true`` an unreachable
PostgreSQL fails this test; elsewhere it skips it. One test walks one
dossier through everything, so that pytest-xdist never splits the module
over two servers, and every count in the views is exact.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from attrs import frozen

from tests.e2e.served import (
    DEMO_CATALOG,
    Served,
    demo_token,
    eventually,
    example,
    example_steps,
    expect,
    logs_on_failure,
    project,
    serve,
)
from tests.integration.stores import BASE_URL, postgres_schema

pytestmark = pytest.mark.slow

AGENCY = "000.01.40.H56"
KEY = "quay-1-khai-sinh-0001"
PROJECTION_SECONDS = 5.0  # the readiness bound: views within 5 s of the log
REPORT_COLUMN = {"early": "8", "on_time": "9", "late": "10"}


@frozen
class Stack:
    """The API (two workers), the projection process's log, and a client with the demo token."""

    server: Served
    projector: Path
    client: httpx2.Client

    @property
    def logs(self) -> tuple[Path, Path]:
        """Both processes' logs, quoted by every failure."""
        return (self.server.log, self.projector)

    def post(self, path: str, body: Any, status: int, **headers: str) -> httpx2.Response:
        """POST with the demo token; fail unless the answer has ``status``."""
        response = self.client.post(path, json=body, headers=headers)
        expect(response, status, *self.logs)
        return response

    def get(self, path: str, **params: str) -> Any:
        """GET with the demo token; fail on anything but 200."""
        return expect(self.client.get(path, params=params), 200, *self.logs)

    def eventually(self, path: str, done: Any, **params: str) -> Any:
        """GET ``path`` until ``done`` holds of its answer, for at most the readiness bound."""
        return eventually(
            lambda: self.get(path, **params), done, *self.logs, seconds=PROJECTION_SECONDS
        )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Serve and project over one fresh schema; both stopped, then the schema dropped."""
    folder = tmp_path_factory.mktemp("postgres")
    metrics = folder / "metrics"
    metrics.mkdir()
    with postgres_schema() as schema:
        env = {
            "MOTCUA_DATABASE_URL": f"{BASE_URL}?schema={schema}",
            "MOTCUA_DEV_KEY_FILE": str(folder / "dev-signing-key.pem"),
            "MOTCUA_LOG_FORMAT": "json",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
        }
        arguments = ("--workers", "2", "--load-catalog", str(DEMO_CATALOG))
        with serve(folder, env, *arguments) as server, project(folder, env) as projector:
            headers = {"Authorization": f"Bearer {demo_token(server)}"}
            with httpx2.Client(base_url=server.api, headers=headers, timeout=10) as client:
                yield Stack(server, projector, client)


def test_a_dossier_walks_through_two_workers_and_the_projection_process(stack: Stack) -> None:
    """Retry, key reuse and a write conflict are refused cleanly; the views follow within 5 s."""
    body = example("1-receive.json")
    received = stack.post("/dossiers", body, 201, **{"Idempotency-Key": KEY})
    code, etag = received.json()["code"], received.headers["etag"]
    _a_retry_is_the_first_answer(stack, body, received)
    _the_key_with_another_body_is_refused(stack, body)
    queued = stack.eventually("/queue", lambda page: len(page["items"]) > 0)["items"]
    with logs_on_failure(*stack.logs):
        assert [(row["code"], row["status_code"]) for row in queued] == [(code, 2)]
    _one_of_two_writes_on_one_etag_wins(stack, code, etag)
    answers = [
        stack.post(f"/dossiers/{code}/{action}", step, 200).json()
        for action, step in example_steps()
    ]
    with logs_on_failure(*stack.logs):
        assert (answers[-1]["status_code"], answers[-1]["timeliness"]) in (
            (10, "early"),
            (10, "on_time"),
        )
    secret = stack.get(f"/dossiers/{code}/receipt")["lookup_secret"]
    _the_views_follow(stack, code, secret, answers[-1])
    expect(httpx2.get(f"{stack.server.base}/readyz", timeout=10), 200, *stack.logs)


def _a_retry_is_the_first_answer(stack: Stack, body: Any, first: httpx2.Response) -> None:
    """The same key and body: the first answer again, marked as a replay."""
    again = stack.post("/dossiers", body, 201, **{"Idempotency-Key": KEY})
    with logs_on_failure(*stack.logs):
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert again.headers["location"] == first.headers["location"]


def _the_key_with_another_body_is_refused(stack: Stack, body: Any) -> None:
    """The same key on a different request: a 422 problem."""
    other = {**body, "submission": {**body["submission"], "case": "Có yếu tố nước ngoài"}}
    refused = stack.post("/dossiers", other, 422, **{"Idempotency-Key": KEY})
    with logs_on_failure(*stack.logs):
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"] == "urn:motcua:problem:idempotency-key-reused"


def _one_of_two_writes_on_one_etag_wins(stack: Stack, code: str, etag: str) -> None:
    """Two clients assign at once with the same If-Match: one 200, one 412 (or 409)."""
    start = threading.Barrier(2)
    answers: list[httpx2.Response] = []

    def assign(handler: str) -> None:
        with httpx2.Client(headers=stack.client.headers, timeout=10) as client:
            start.wait(timeout=10)
            answers.append(
                client.post(
                    f"{stack.server.api}/dossiers/{code}/assign",
                    json={"handler": handler, "unit": "Tư pháp - Hộ tịch"},
                    headers={"If-Match": etag},
                )
            )

    threads = [threading.Thread(target=assign, args=(user,)) for user in ("hotich-1", "hotich-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    dossier = stack.get(f"/dossiers/{code}")
    with logs_on_failure(*stack.logs):
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses in ([200, 409], [200, 412]), [answer.text for answer in answers]
        (winner,) = [answer.json() for answer in answers if answer.status_code == 200]
        assert (dossier["version"], dossier["handler"]) == (
            int(etag.strip('"')) + 1,
            winner["handler"],
        )


def _the_views_follow(stack: Stack, code: str, secret: str, returned: Any) -> None:
    """Queue, register, public lookup and report 06a show the returned dossier within 5 s."""
    day = datetime.fromisoformat(returned["received_at"]).date()
    period = {"agency": AGENCY, "from": day.isoformat(), "to": (day + timedelta(1)).isoformat()}
    stack.eventually("/queue", lambda page: page["items"] == [])
    rows = stack.eventually(
        "/register", lambda page: any(r["returned_at"] for r in page["items"]), **period
    )["items"]
    lookup = f"{stack.server.api}/lookup/{code}"
    found = eventually(
        lambda: httpx2.get(lookup, params={"secret": secret}, timeout=10),
        lambda answer: answer.status_code == 200 and answer.json()["status_code"] == 10,
        *stack.logs,
        seconds=PROJECTION_SECONDS,
    )
    timeliness = REPORT_COLUMN[returned["timeliness"]]
    expected = {"3": 1, "4": 0, "5": 1, "6": 0, "7": 1, timeliness: 1, "11": 0}
    stack.eventually(
        "/stats/report-06a",
        lambda report: {n: report["columns"][n] for n in expected} == expected,
        **period,
    )
    with logs_on_failure(*stack.logs):
        assert [(row["code"], row["returned_by"]) for row in rows] == [(code, "counter")]
        assert found.json()["applicant"] == "N*** T** H**"
        for log in stack.logs:
            text = log.read_text(encoding="utf-8", errors="replace")
            assert '"level": "error"' not in text  # e.g. a projector deadlocked by a worker
            assert "Traceback" not in text
