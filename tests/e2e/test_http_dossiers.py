"""Dossiers over HTTP: a walk-in received and walked to "returned", with its history and receipt."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.calendar_policy import CalendarPolicy
from entrypoints.bootstrap import Container
from tests.http_fixtures import API, client_of, staff, submission_body, wired

OFFSET = re.compile(r"\+07:00$")


@pytest.fixture
def container(policy: CalendarPolicy) -> Container:
    """A fresh system for each test."""
    return wired(policy)


@pytest.fixture
def client(container: Container) -> TestClient:
    """An HTTP client of it."""
    return client_of(container)


@pytest.fixture
def tokens(container: Container) -> dict[str, dict[str, str]]:
    """Authorization headers per role."""
    return staff(container)


def receive(client: TestClient, tokens: dict[str, dict[str, str]], **changes: Any) -> Any:
    """A walk-in dossier received at the counter."""
    response = client.post(
        f"{API}/dossiers",
        json={"channel": "counter", "submission": submission_body(**changes)},
        headers=tokens["officer"],
    )
    assert response.status_code == 201, response.text
    return response


def act(client: TestClient, headers: dict[str, str], code: str, action: str, **body: Any) -> Any:
    """POST one action, asserting success."""
    response = client.post(f"{API}/dossiers/{code}/{action}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_walk_in_is_received_with_a_code_an_appointment_and_a_location(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """POST /dossiers at the counter answers 201 with the code, the appointment and an ETag."""
    response = receive(client, tokens)
    document = response.json()
    assert re.fullmatch(r"000\.00\.12\.H56-250303-\d{4}", document["code"])
    assert response.headers["location"] == f"{API}/dossiers/{document['code']}"
    assert response.headers["etag"] == f'"{document["version"]}"'
    assert document["status"] == "received"
    assert document["status_code"] == 2
    assert document["status_label"] == "Được tiếp nhận"
    assert document["appointment"]["due_at"] == "2025-03-17T09:00:00+07:00"
    assert OFFSET.search(document["received_at"])


def test_allowed_actions_are_what_the_reader_may_do_now(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """The same received dossier offers the officer a withdrawal, the unit head the processing."""
    document = receive(client, tokens).json()
    assert document["allowed_actions"] == ["withdraw"]
    seen_by_head = client.get(f"{API}/dossiers/{document['code']}", headers=tokens["head"])
    assert seen_by_head.json()["allowed_actions"] == [
        "assign",
        "complete-step",
        "extend",
    ]


def test_a_dossier_walks_from_reception_to_returned(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """Assign, four steps, issue, return: each by its role, ending at status 10."""
    code = receive(client, tokens).json()["code"]
    act(client, tokens["head"], code, "assign", handler="handler-1", unit="Phòng Tư pháp")
    for _ in range(3):
        act(client, tokens["handler"], code, "complete-step", outcome="Đạt")
    act(client, tokens["clerk"], code, "issue-result", result_number="12/GP", signed_by="PCT")
    done = act(client, tokens["officer"], code, "return", delivery="counter", reference="Hoa")
    assert (done["status"], done["status_code"]) == ("returned", 10)
    assert done["timeliness"] == "early"
    assert "rate" in done["allowed_actions"]


def test_the_history_lists_every_event_with_its_actor_and_time(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """The audit trail names each event, who did it (role and agency) and when, in +07:00."""
    code = receive(client, tokens).json()["code"]
    act(client, tokens["head"], code, "assign", handler="handler-1", unit="Phòng")
    history = client.get(f"{API}/dossiers/{code}/history", headers=tokens["auditor"]).json()
    assert [event["event"] for event in history] == [
        "Dossier.SubmittedAtCounter",
        "Dossier.Received",
        "Dossier.Assigned",
    ]
    assert history[2]["actor"] == {
        "user_id": "head-1",
        "role": "unit_head",
        "agency": "000.01.40.H56",
    }
    assert all(OFFSET.search(event["at"]) for event in history)
    assert history[2]["data"] == {"handler": "handler-1", "unit": "Phòng"}


def test_the_receipt_names_the_documents_and_the_appointment(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """Mẫu 01 carries the code, the secret, each document by name, and the appointment."""
    code = receive(client, tokens).json()["code"]
    receipt = client.get(f"{API}/dossiers/{code}/receipt", headers=tokens["officer"]).json()
    assert receipt["code"] == code
    assert len(receipt["lookup_secret"]) == 8
    assert [(d["name"], d["count"]) for d in receipt["documents"]] == [
        ("Tờ khai", 1),
        ("Bản sao CCCD", 2),
    ]
    assert receipt["appointment"] == "2025-03-17T09:00:00+07:00"
    assert receipt["procedure"]["name"] == "Thủ tục thử nghiệm"


def test_vietnamese_text_round_trips_nfc_normalised(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """A name typed with combining marks comes back precomposed (NFC), and exactly so."""
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hoa")
    applicant = {**submission_body()["applicant"], "name": decomposed}
    document = receive(client, tokens, applicant=applicant).json()
    assert document["applicant"]["name"] == "Nguyễn Thị Hoa"
    assert document["applicant"]["name"] == unicodedata.normalize("NFC", decomposed)


def test_a_retry_with_the_same_key_gets_the_first_response(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """The same Idempotency-Key and body: the first response again, and one dossier only."""
    body = {"channel": "counter", "submission": submission_body()}
    headers = {**tokens["officer"], "Idempotency-Key": "desk-7-0001"}
    first = client.post(f"{API}/dossiers", json=body, headers=headers)
    again = client.post(f"{API}/dossiers", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    other = receive(client, tokens).json()
    assert other["code"].endswith("-0002")


def test_the_same_key_with_another_body_is_refused(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """Reusing a key for a different request is a 422 problem, and nothing is recorded."""
    headers = {**tokens["officer"], "Idempotency-Key": "desk-7-0002"}
    first = {"channel": "counter", "submission": submission_body()}
    client.post(f"{API}/dossiers", json=first, headers=headers)
    second = {"channel": "counter", "submission": submission_body(case="Cấp lại")}
    response = client.post(f"{API}/dossiers", json=second, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:motcua:problem:idempotency-key-reused"


def test_a_stale_if_match_is_refused_with_412(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """An action sent with an old ETag is refused; the current one is accepted."""
    received = receive(client, tokens)
    code, etag = received.json()["code"], received.headers["etag"]
    act(client, tokens["head"], code, "assign", handler="handler-1", unit="Phòng")
    stale = client.post(
        f"{API}/dossiers/{code}/assign",
        json={"handler": "handler-2", "unit": "Phòng"},
        headers={**tokens["head"], "If-Match": etag},
    )
    assert stale.status_code == 412
    assert stale.json()["actual"] == int(etag.strip('"')) + 1
    current = client.get(f"{API}/dossiers/{code}", headers=tokens["head"]).headers["etag"]
    fresh = client.post(
        f"{API}/dossiers/{code}/assign",
        json={"handler": "handler-2", "unit": "Phòng"},
        headers={**tokens["head"], "If-Match": current},
    )
    assert fresh.status_code == 200


def test_an_action_the_status_forbids_is_a_409_with_the_allowed_actions(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """Returning a result not yet issued: 409, the status, its code and what is allowed."""
    code = receive(client, tokens).json()["code"]
    response = client.post(
        f"{API}/dossiers/{code}/return",
        json={"delivery": "counter", "reference": "Hoa"},
        headers=tokens["officer"],
    )
    problem = response.json()
    assert response.status_code == 409
    assert problem["type"] == "urn:motcua:problem:transition-not-allowed"
    assert (problem["status_name"], problem["status_code"]) == ("received", 2)
    assert "assign" in problem["allowed"]
    assert problem["title"] == "Thao tác không hợp lệ ở trạng thái này"
    assert "Không thể trả kết quả" in problem["detail"]


def test_errors_come_in_english_when_asked(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """Accept-Language: en gives the English title and detail of the same problem."""
    code = receive(client, tokens).json()["code"]
    response = client.post(
        f"{API}/dossiers/{code}/return",
        json={"delivery": "counter", "reference": "Hoa"},
        headers={**tokens["officer"], "Accept-Language": "en-GB,en;q=0.8"},
    )
    assert response.json()["title"] == "Not allowed now"
    assert response.json()["detail"].startswith("cannot return_result dossier")


def test_a_missing_field_is_named(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    """A body without a required field is a 422 naming it."""
    code = receive(client, tokens).json()["code"]
    response = client.post(
        f"{API}/dossiers/{code}/assign", json={"unit": "Phòng"}, headers=tokens["head"]
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "handler"


def test_an_incomplete_walk_in_is_a_422_listing_what_is_missing(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """Reception needs every document: the problem lists each missing one (§3.4)."""
    documents = [{"code": "GT.01", "form": "original", "count": 1}]
    response = client.post(
        f"{API}/dossiers",
        json={"channel": "counter", "submission": submission_body(documents=documents)},
        headers=tokens["officer"],
    )
    assert response.status_code == 422
    assert [item.split(":")[0] for item in response.json()["missing"]] == ["GT.02"]


def test_without_a_token_it_is_401_and_out_of_scope_403(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """No token: 401 with a Bearer challenge. Another centre's officer: 403."""
    code = receive(client, tokens).json()["code"]
    anonymous = client.get(f"{API}/dossiers/{code}")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    elsewhere = client.get(f"{API}/dossiers/{code}", headers=tokens["elsewhere"])
    assert elsewhere.status_code == 403
    assert elsewhere.json()["type"] == "urn:motcua:problem:forbidden"


def test_an_applicant_submits_online_and_only_they_see_it(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """An online submission waits for intake; its owner reads it, another citizen may not."""
    response = client.post(
        f"{API}/dossiers",
        json={"channel": "online", "submission": submission_body(), "eid_level": 2},
        headers=tokens["citizen"],
    )
    assert response.status_code == 201
    document = response.json()
    assert (document["status"], document["code"]) == ("submitted", None)
    location = response.headers["location"]
    assert location == f"{API}/dossiers/{document['id']}"
    assert client.get(location, headers=tokens["citizen"]).status_code == 200
    assert client.get(location, headers=tokens["stranger"]).status_code == 403
    accepted = act(client, tokens["officer"], document["id"], "accept")
    assert accepted["status"] == "received"
    assert accepted["code"] is not None


def test_an_unknown_dossier_is_a_404_problem(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """Neither a code nor an id that exists: 404 problem+json naming it."""
    response = client.get(f"{API}/dossiers/000.00.12.H56-250303-0999", headers=tokens["officer"])
    assert response.status_code == 404
    assert response.json()["type"] == "urn:motcua:problem:dossier-not-found"
