"""The calendar over HTTP: the same figures as the CLI, and problem+json for bad input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

DUE = "/api/v1/calendar/due"
DAYS = "/api/v1/calendar/working-days"


def test_healthz(client: TestClient) -> None:
    """/healthz answers that the process is alive."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_due_example_a(client: TestClient) -> None:
    """Example A over HTTP gives the same JSON as the CLI."""
    response = client.get(
        DUE, params={"received_at": "2025-01-24T10:00", "limit": 5, "unit": "working_days"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "clock_start": "2025-01-24T10:00:00+07:00",
        "due_at": "2025-02-07T10:00:00+07:00",
        "statutory_due_date": "2025-02-07",
    }


def test_due_survives_an_unencoded_plus(client: TestClient) -> None:
    """An offset whose '+' became a space in the query string is still read as +07:00."""
    response = client.get(f"{DUE}?received_at=2025-01-24T10:00+07:00&limit=5&unit=working_days")
    assert response.status_code == 200
    assert response.json()["due_at"] == "2025-02-07T10:00:00+07:00"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"received_at": "soon", "limit": 5, "unit": "working_days"}, "received_at"),
        ({"limit": 5, "unit": "working_days"}, "received_at"),
        ({"received_at": "2025-01-24T10:00", "limit": -5, "unit": "working_days"}, "limit"),
        ({"received_at": "2025-01-24T10:00", "limit": "x", "unit": "working_days"}, "limit"),
        ({"received_at": "2025-01-24T10:00", "limit": 5, "unit": "fortnights"}, "unit"),
        ({"received_at": "2025-01-24T10:00", "unit": "calendar_days"}, "limit"),
        (
            {"received_at": "2025-01-24T10:00", "limit": 5, "unit": "working_days", "agency": "1"},
            "agency",
        ),
        ({"received_at": "2025-01-24T10:00", "unit": "same_day", "cutoff": "25:00"}, "cutoff"),
    ],
)  # fmt: skip
def test_bad_input_is_a_422_problem_naming_the_field(
    client: TestClient, params: dict[str, str | int], field: str
) -> None:
    """Each bad parameter gives 422 application/problem+json with the field's name."""
    response = client.get(DUE, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:motcua:problem:invalid-input"
    assert body["status"] == 422
    assert field in [error["field"] for error in body["errors"]]


def test_a_date_outside_the_calendar_is_a_422_with_the_range(client: TestClient) -> None:
    """A receipt outside the calendar is refused with the covered range in the problem."""
    response = client.get(
        DUE, params={"received_at": "2031-01-02T10:00", "limit": 5, "unit": "working_days"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "urn:motcua:problem:outside-calendar"
    assert (body["first_day"], body["last_day"]) == ("2015-01-01", "2027-12-31")


def test_problem_titles_follow_accept_language(client: TestClient) -> None:
    """Titles are Vietnamese by default and English when asked for."""
    params: dict[str, str | int] = {"received_at": "soon", "limit": 5, "unit": "working_days"}
    assert client.get(DUE, params=params).json()["title"] == "Dữ liệu không hợp lệ"
    english = client.get(DUE, params=params, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.json()["title"] == "Invalid input"


def test_working_days_lists_kinds_and_names(client: TestClient) -> None:
    """24 Apr - 3 May 2025: a working Saturday, named holidays, and the working-day count."""
    response = client.get(DAYS, params={"from": "2025-04-24", "to": "2025-05-03"})
    assert response.status_code == 200
    body = response.json()
    kinds = {d["date"]: (d["kind"], d["name"]) for d in body["days"]}
    assert kinds["2025-04-26"] == ("working_weekend", None)
    assert kinds["2025-04-30"] == ("holiday", "Ngày Chiến thắng")
    assert kinds["2025-05-02"][0] == "holiday"
    assert kinds["2025-05-03"] == ("weekend", None)
    assert body["working_days"] == 5
    assert body["days"][0]["sessions"] == ["07:00-11:30", "13:30-17:00"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-05-01", "to": "2025-04-01"}, "to"),
        ({"from": "2020-01-01", "to": "2025-04-01"}, "to"),
        ({"from": "2025-02-30", "to": "2025-04-01"}, "from"),
        ({"from": "2025-01-01"}, "to"),
    ],
)
def test_working_days_bad_ranges(client: TestClient, params: dict[str, str], field: str) -> None:
    """Reversed, too long, impossible or missing dates give 422 naming the field."""
    response = client.get(DAYS, params=params)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


def test_unknown_routes_are_problems_too(client: TestClient) -> None:
    """An unknown path is a 404 problem document, not an HTML page."""
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_each_request_is_logged_with_a_request_id(client: TestClient) -> None:
    """The request id is returned in X-Request-ID and bound to the request's log line."""
    with capture_logs(processors=[merge_contextvars]) as logs:
        response = client.get("/healthz", headers={"X-Request-ID": "counter-7.42"})
    assert response.headers["x-request-id"] == "counter-7.42"
    [entry] = [e for e in logs if e["event"] == "http.request"]
    assert entry["request_id"] == "counter-7.42"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/healthz", 200)


def test_request_ids_are_generated_and_unsafe_ones_replaced(client: TestClient) -> None:
    """Without a usable X-Request-ID the server makes one up."""
    first = client.get("/healthz").headers["x-request-id"]
    second = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert len(first) == 32
    assert second.headers["x-request-id"] != "bad id\twith spaces"


def test_query_strings_stay_out_of_the_logs(client: TestClient) -> None:
    """Only the path is logged: query strings may carry personal data."""
    with capture_logs() as logs:
        client.get(
            DUE, params={"received_at": "2025-01-24T10:00", "limit": 5, "unit": "working_days"}
        )
    assert all("2025-01-24" not in str(entry) for entry in logs)


def test_openapi_describes_the_calendar(client: TestClient) -> None:
    """The OpenAPI document lists both calendar endpoints and /healthz."""
    paths = client.get("/openapi.json").json()["paths"]
    assert {DUE, DAYS, "/healthz"} <= set(paths)
