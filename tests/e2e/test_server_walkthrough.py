"""The README walk-through on a real server: `make run`, the demo token, the example bodies, curl.

`motcua serve --load-catalog data/catalog/demo.json` on SQLite (its own file
and development key). The walk sends the bodies of ``data/examples`` in order
over HTTP, as a newcomer pastes the curl lines; the views follow the log
inside the server process, so each is polled for a few seconds. Dates are the
server's own today. One test, so that pytest-xdist never splits the module
over two servers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx2
import pytest

from tests.e2e.served import (
    DEMO_CATALOG,
    Served,
    demo_token,
    eventually,
    example,
    example_steps,
    expect,
    logs_on_failure,
    serve,
)

AGENCY = "000.01.40.H56"  # Ủy ban nhân dân phường Hạc Thành: receives and decides
README_KEY = "khai-sinh-0001"  # the Idempotency-Key of data/examples/README.md
REPORT_COLUMN = {"early": "8", "on_time": "9", "late": "10"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`make run` on a fresh SQLite file and development key, on a free port."""
    folder = tmp_path_factory.mktemp("walkthrough")
    env = {
        "MOTCUA_DB": str(folder / "motcua.db"),
        "MOTCUA_DEV_KEY_FILE": str(folder / "dev-signing-key.pem"),
        "MOTCUA_LOG_FORMAT": "json",
    }
    with serve(folder, env, "--load-catalog", str(DEMO_CATALOG)) as served:
        yield served


@pytest.fixture
def client(server: Served) -> Iterator[httpx2.Client]:
    """An HTTP client with the token from the start-up message's `export TOKEN=` line."""
    headers = {"Authorization": f"Bearer {demo_token(server)}"}
    with httpx2.Client(base_url=server.api, headers=headers, timeout=10) as http:
        yield http


def test_the_readme_walkthrough_returns_a_birth_registration(
    server: Served, client: httpx2.Client
) -> None:
    """The example bodies end at "returned", seen in queue, register, lookup and report 06a."""
    received = client.post(
        "/dossiers", json=example("1-receive.json"), headers={"Idempotency-Key": README_KEY}
    )
    answers = [expect(received, 201, server.log)]
    code = answers[0]["code"]
    queued = _queue_row(server, client, code)
    for action, body in example_steps():
        answers.append(
            expect(client.post(f"/dossiers/{code}/{action}", json=body), 200, server.log)
        )
    receipt = expect(client.get(f"/dossiers/{code}/receipt"), 200, server.log)
    with logs_on_failure(server.log):
        assert [answer["status_code"] for answer in answers] == [2, 4, 4, 4, 4, 9, 10]
        assert answers[-1]["status"] == "returned"
        assert answers[-1]["timeliness"] in ("early", "on_time")  # same day, walked in seconds
        assert (queued["status"], queued["status_code"], queued["channel"]) == (
            "received",
            2,
            "counter",
        )
        assert receipt["procedure"]["name"] == "Thủ tục đăng ký khai sinh"
    day = datetime.fromisoformat(answers[0]["received_at"]).date()
    # To the next day: a walk that crosses midnight still falls inside the period.
    period = {"agency": AGENCY, "from": day.isoformat(), "to": (day + timedelta(1)).isoformat()}
    _left_the_queue(server, client, code)
    _in_the_register(server, client, code, period)
    _in_the_public_lookup(server, code, receipt["lookup_secret"])
    _counted_in_report_06a(server, client, period, answers[-1]["timeliness"])
    log = server.log.read_text(encoding="utf-8")
    with logs_on_failure(server.log):
        assert '"level": "error"' not in log
        assert "Traceback" not in log


def _get(server: Served, client: httpx2.Client, path: str, **params: str) -> Any:
    return expect(client.get(path, params=params), 200, server.log)


def _queue_row(server: Served, client: httpx2.Client, code: str) -> Any:
    """The dossier's queue row, as soon as the follower has applied its reception."""
    items = eventually(
        lambda: _get(server, client, "/queue")["items"],
        lambda items: any(item["code"] == code for item in items),
        server.log,
    )
    return next(item for item in items if item["code"] == code)


def _left_the_queue(server: Served, client: httpx2.Client, code: str) -> None:
    """Returned, the dossier is no longer on anyone's desk."""
    eventually(
        lambda: _get(server, client, "/queue")["items"],
        lambda items: all(item["code"] != code for item in items),
        server.log,
    )


def _in_the_register(
    server: Served, client: httpx2.Client, code: str, period: dict[str, str]
) -> None:
    """The tracking register (Mẫu 06) has the one dossier, returned at the counter."""
    rows = eventually(
        lambda: _get(server, client, "/register", **period)["items"],
        lambda rows: any(row["code"] == code and row["returned_at"] for row in rows),
        server.log,
    )
    with logs_on_failure(server.log):
        assert [(r["code"], r["returned_by"], r["applicant"]) for r in rows] == [
            (code, "counter", "Nguyễn Thị Hoa")
        ]


def _in_the_public_lookup(server: Served, code: str, secret: str) -> None:
    """Without a token, the code and the receipt's secret show status 10 and a masked name."""
    url = f"{server.api}/lookup/{code}"
    found = eventually(
        lambda: httpx2.get(url, params={"secret": secret}, timeout=10),
        lambda answer: answer.status_code == 200 and answer.json()["status_code"] == 10,
        server.log,
    ).json()
    with logs_on_failure(server.log):
        assert found["applicant"] == "N*** T** H**"
        assert [entry["status_code"] for entry in found["history"]] == [1, 2, 4, 9, 10]


def _counted_in_report_06a(
    server: Served, client: httpx2.Client, period: dict[str, str], timeliness: str
) -> None:
    """Received (3) at the counter (5), processed (7), early (8) or on time (9); none open."""
    expected = {"3": 1, "4": 0, "5": 1, "6": 0, "7": 1, REPORT_COLUMN[timeliness]: 1, "11": 0}
    eventually(
        lambda: _get(server, client, "/stats/report-06a", **period)["columns"],
        lambda columns: {n: columns[n] for n in expected} == expected,
        server.log,
    )
