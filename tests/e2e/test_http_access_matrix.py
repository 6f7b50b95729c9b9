"""Who may do what: every endpoint against every role and agency, allowed or denied as intended.

The table below is the intended policy, written out by hand (not derived from
``application.access``), so a change to the rules shows up here as a failing
cell. "Allowed" means the request got past authorisation (anything but 401 and
403; the domain may still refuse it with 409 or 422); "denied" means 403. No
cell may answer 5xx. Without a token, every non-public endpoint answers 401.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.calendar_policy import CalendarPolicy
from domain.dossier_values import Role
from domain.values import AgencyCode
from entrypoints.bootstrap import Container
from tests.dossier_fixtures import CENTRE, OFFICE, TAX
from tests.http_fixtures import API, bearer, client_of, submission_body, wired

OTHER = AgencyCode("000.00.99.H56")
WHERE = {"centre": CENTRE, "office": OFFICE, "tax": TAX, "other": OTHER}
STAFF_ROLES = {
    "officer": Role.INTAKE_OFFICER,
    "handler": Role.HANDLER,
    "head": Role.UNIT_HEAD,
    "leader": Role.LEADER,
    "clerk": Role.RECORDS_CLERK,
}
PRINCIPALS = [f"{name}@{where}" for name in STAFF_ROLES for where in WHERE]
PRINCIPALS += ["auditor@office", "auditor@other", "catalog_admin", "owner", "stranger", "system"]


def _staff(where: str) -> set[str]:
    return {f"{name}@{where}" for name in STAFF_ROLES}


READERS = _staff("centre") | _staff("office") | {"auditor@office", "owner", "system"}
DOC = {"code": "GT.01", "form": "original", "count": 1}
DOSSIER = "{dossier}"

# (method, path, body or query, principals allowed)
ENDPOINTS: list[tuple[str, str, dict[str, Any], set[str]]] = [
    ("POST", "/dossiers", {"channel": "counter"}, {"officer@centre"}),
    ("POST", "/dossiers", {"channel": "online"}, {"owner", "stranger", "system"}),
    ("POST", "/dossiers", {"channel": "post"}, {"officer@centre", "system"}),
    ("POST", "accept", {}, {"officer@centre"}),
    ("POST", "reject", {"reason": "Sai mẫu"}, {"officer@centre"}),
    ("POST", "request-intake-supplement", {}, {"officer@centre"}),
    ("POST", "resubmit", {"documents": [DOC]}, {"officer@centre", "owner"}),
    ("POST", "assign", {"handler": "h", "unit": "Phòng"}, {"head@office", "leader@office"}),
    (
        "POST",
        "complete-step",
        {"outcome": "Đạt"},
        {"handler@office", "head@office", "leader@office"},
    ),
    ("POST", "return-step", {"reason": "Thiếu"}, {"head@office", "leader@office"}),
    ("POST", "hand-over", {"partner": TAX.value}, {"handler@office", "head@office"}),
    (
        "POST",
        "partner-result",
        {"partner": TAX.value, "outcome": "Xong"},
        {"handler@office", "head@office", "system"},
    ),
    (
        "POST",
        "request-supplement",
        {"items": [{"code": "GT.01", "name": "Tờ khai", "reason": "Mờ"}], "reason": "Bổ sung"},
        {"handler@office", "head@office", "officer@centre"},
    ),
    ("POST", "supplement", {"documents": [DOC]}, {"officer@centre", "owner"}),
    ("POST", "accept-supplement", {}, {"officer@centre"}),
    (
        "POST",
        "request-payment",
        {"charges": [{"code": "LP", "name": "Lệ phí", "amount": 50000}]},
        {"handler@office", "head@office", "officer@centre"},
    ),
    ("POST", "record-payment", {"receipt_number": "BL-1", "amount": 50000}, {"officer@centre"}),
    (
        "POST",
        "confirm-online-payment",
        {
            "payment_ref": "R1",
            "transaction_id": "T1",
            "amount": 50000,
            "paid_at": "2025-03-03T10:00",
        },
        {"system"},
    ),
    (
        "POST",
        "extend",
        {"new_due_at": "2025-03-20T09:00", "reason": "Xác minh", "signed_by": "PCT"},
        {"head@office", "leader@office"},
    ),
    (
        "POST",
        "issue-result",
        {"result_number": "1/GP", "signed_by": "PCT"},
        {"leader@office", "clerk@office"},
    ),
    ("POST", "return", {"delivery": "counter", "reference": "Hoa"}, {"officer@centre", "system"}),
    ("POST", "confirm-delivery", {"receiver_name": "Hoa"}, {"officer@centre", "system"}),
    ("POST", "stop", {"reason": "Không đủ điều kiện"}, {"head@office", "leader@office"}),
    ("POST", "withdraw", {}, {"officer@centre", "owner"}),
    (
        "POST",
        "return-papers",
        {"delivery": "counter", "receiver_name": "Hoa"},
        {"officer@centre"},
    ),
    ("POST", "rate", {"satisfaction": "satisfied"}, {"officer@centre", "owner"}),
    ("GET", "", {}, READERS),
    ("GET", "history", {}, READERS),
    ("GET", "receipt", {}, READERS),
    ("GET", "control-sheet", {}, READERS),
    ("GET", "/queue", {"receiving_unit": CENTRE.value}, _staff("centre")),
    ("GET", "/deadlines", {"window": "overdue", "receiving_unit": CENTRE.value}, _staff("centre")),
    # Each agency reads its own register: receiving unit, competent agency or partner (liên thông).
    (
        "GET",
        "/register",
        {"agency": OFFICE.value, "from": "2025-03-01", "to": "2025-03-31"},
        _staff("office") | {"auditor@office"},
    ),
    (
        "GET",
        "/register",
        {"agency": CENTRE.value, "from": "2025-03-01", "to": "2025-03-31"},
        _staff("centre"),
    ),
    (
        "GET",
        "/register",
        {"agency": TAX.value, "from": "2025-03-01", "to": "2025-03-31"},
        _staff("tax"),
    ),
    # Hồ sơ của tôi: applicants only, each listing their own (the stranger's list is empty);
    # staff and systems read dossiers through their agencies, not as owners.
    ("GET", "/my/dossiers", {}, {"owner", "stranger"}),
    (
        "GET",
        "/stats/report-06a",
        {"agency": OFFICE.value, "from": "2025-03-01", "to": "2025-03-31"},
        {"head@office", "leader@office", "auditor@office", "system"},
    ),
    ("POST", "/procedures/1.000001.000.00.00.H56/abolish", {"decision": {}}, {"catalog_admin"}),
]


def _label(endpoint: tuple[str, str, dict[str, Any], set[str]]) -> str:
    method, path, data, _ = endpoint
    channel = data.get("channel") or data.get("agency", "")
    return f"{method} {path or 'dossier'} {channel}".strip()


@pytest.fixture(scope="module")
def world(policy: CalendarPolicy) -> tuple[Container, TestClient, str, dict[str, dict[str, str]]]:
    """One system, one dossier received at the centre for the office, and a token per principal."""
    container = wired(policy)
    headers = {
        f"{name}@{where}": bearer(container, f"{name}-{where}", role, agencies=[agency])
        for name, role in STAFF_ROLES.items()
        for where, agency in WHERE.items()
    }
    headers |= {
        f"auditor@{where}": bearer(container, f"auditor-{where}", Role.AUDITOR, agencies=[agency])
        for where, agency in WHERE.items()
    }
    headers["catalog_admin"] = bearer(container, "admin", Role.CATALOG_ADMIN)
    headers["owner"] = bearer(container, "citizen-1", Role.APPLICANT, id_number="038190000123")
    headers["stranger"] = bearer(container, "citizen-2", Role.APPLICANT, id_number="001099000777")
    headers["system"] = bearer(container, "platform", Role.SYSTEM)
    client = client_of(container)
    received = client.post(
        f"{API}/dossiers",
        json={"channel": "counter", "submission": submission_body()},
        headers=headers["officer@centre"],
    )
    assert received.status_code == 201, received.text
    return container, client, received.json()["code"], headers


def _send(
    client: TestClient, code: str, endpoint: tuple[str, str, dict[str, Any], set[str]], **kw: Any
) -> Any:
    method, path, data, _ = endpoint
    if path == "/dossiers":
        body = {**data, "submission": submission_body(), "postal_item_code": "EMS1"}
        if data["channel"] == "online":
            body.pop("postal_item_code")
        return client.post(f"{API}/dossiers", json=body, **kw)
    if path.startswith("/"):
        url = f"{API}{path}"
        if method == "GET":
            return client.get(url, params=data, **kw)
        return client.post(url, json=data, **kw)
    url = f"{API}/dossiers/{code}" + (f"/{path}" if path else "")
    return client.get(url, **kw) if method == "GET" else client.post(url, json=data, **kw)


CELLS = [(e, p) for e in ENDPOINTS for p in PRINCIPALS]


@pytest.mark.parametrize(
    ("endpoint", "principal"), CELLS, ids=[f"{_label(e)}|{p}" for e, p in CELLS]
)
def test_each_cell_is_allowed_or_denied_as_intended(
    world: tuple[Container, TestClient, str, dict[str, dict[str, str]]],
    endpoint: tuple[str, str, dict[str, Any], set[str]],
    principal: str,
) -> None:
    """An allowed principal gets past authorisation; any other gets 403; nobody gets 5xx."""
    _, client, code, headers = world
    response = _send(client, code, endpoint, headers=headers[principal])
    assert response.status_code < 500, response.text
    if principal in endpoint[3]:
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["type"] == "urn:motcua:problem:forbidden"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[_label(e) for e in ENDPOINTS])
def test_without_a_token_every_endpoint_is_401(
    world: tuple[Container, TestClient, str, dict[str, dict[str, str]]],
    endpoint: tuple[str, str, dict[str, Any], set[str]],
) -> None:
    """No bearer token: 401 with a Bearer challenge, whatever the endpoint."""
    _, client, code, _ = world
    response = _send(client, code, endpoint)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_forged_token_is_401(
    world: tuple[Container, TestClient, str, dict[str, dict[str, str]]],
) -> None:
    """A token signed with another key is refused as invalid, not trusted."""
    _, client, code, _ = world
    other = wired(world[0].calendars.policy)  # another system: its own development key
    forged = bearer(other, "intruder", Role.LEADER, agencies=[OFFICE])
    response = client.get(f"{API}/dossiers/{code}", headers=forged)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
