"""Hồ sơ của tôi over HTTP: an applicant lists their own dossiers, and nobody else's."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.calendar_policy import CalendarPolicy
from domain.dossier_values import Role
from entrypoints.bootstrap import Container
from tests.dossier_fixtures import CENTRE, OFFICE, ManualClock, at
from tests.http_fixtures import API, bearer, client_of, submission_body, wired

MINE = f"{API}/my/dossiers"
HOA_ID = "038190000123"  # the applicant of every submission_body()
STRANGER_ID = "001099000777"


@pytest.fixture(scope="module")
def system(policy: CalendarPolicy) -> tuple[Container, TestClient, dict[str, Any]]:
    """Hoa walked in at the counter at 09:00, then submitting online at 10:00; a stranger's too.

    Returns the system, a client, and the two answers to Hoa's dossiers' creation.
    """
    clock = ManualClock(at(2025, 3, 3, 9))
    container = wired(policy, clock)
    client = client_of(container)
    officer = bearer(container, "officer-1", Role.INTAKE_OFFICER, agencies=[CENTRE])
    walk_in = create(client, officer, "counter", submission_body())
    clock.advance(hours=1)
    online = create(client, citizen(container), "online", submission_body(delivery="online"))
    stranger = bearer(container, "citizen-2", Role.APPLICANT, id_number=STRANGER_ID)
    applicant = submission_body()["applicant"] | {"name": "Trần Văn Bình", "id_number": STRANGER_ID}
    create(client, stranger, "online", submission_body(delivery="online", applicant=applicant))
    container.projections.catch_up()
    return container, client, {"walk_in": walk_in, "online": online}


def create(
    client: TestClient, headers: dict[str, str], channel: str, submission: dict[str, Any]
) -> dict[str, Any]:
    """POST a new dossier and return its document."""
    response = client.post(
        f"{API}/dossiers", json={"channel": channel, "submission": submission}, headers=headers
    )
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()
    return document


def citizen(container: Container) -> dict[str, str]:
    """Hoa's token: the applicant role, her subject and her id number."""
    return bearer(container, "citizen-1", Role.APPLICANT, id_number=HOA_ID)


def test_an_applicant_sees_their_two_dossiers_newest_first_and_opens_each(
    system: tuple[Container, TestClient, dict[str, Any]],
) -> None:
    """The pending online one (by id) above the walk-in (by code), each then readable."""
    container, client, made = system
    response = client.get(MINE, headers=citizen(container))
    assert response.status_code == 200, response.text
    page = response.json()
    online, walk_in = page["items"]
    assert page["next"] is None
    assert (online["ref"], online["code"]) == (made["online"]["id"], None)
    assert (online["status_code"], online["status_label"]) == (1, "Mới đăng ký")
    assert online["submitted_at"] == made["online"]["submitted_at"] == "2025-03-03T10:00:00+07:00"
    assert (online["received_at"], online["due_at"]) == (None, None)
    assert (walk_in["ref"], walk_in["code"]) == (made["walk_in"]["code"],) * 2
    assert walk_in["dossier_id"] == made["walk_in"]["id"]
    assert (walk_in["status_code"], walk_in["status_label"]) == (2, "Được tiếp nhận")
    assert walk_in["submitted_at"] == walk_in["received_at"] == "2025-03-03T09:00:00+07:00"
    assert walk_in["due_at"] == made["walk_in"]["current_due_at"] is not None
    assert (walk_in["result_issued_at"], walk_in["returned_at"]) == (None, None)
    assert walk_in["procedure_name"] == "Thủ tục thử nghiệm"
    assert walk_in["applicant"] == "N*** T** H**"
    for item in (online, walk_in):
        opened = client.get(f"{API}/dossiers/{item['ref']}", headers=citizen(container))
        assert opened.status_code == 200, opened.text
        assert opened.json()["id"] == item["dossier_id"]
    assert HOA_ID not in response.text


def test_pages_follow_the_next_cursor(
    system: tuple[Container, TestClient, dict[str, Any]],
) -> None:
    """One a page: the online dossier, then the walk-in, then no further cursor."""
    container, client, made = system
    first = client.get(MINE, params={"limit": 1}, headers=citizen(container)).json()
    params = {"limit": 1, "after": first["next"]}
    second = client.get(MINE, params=params, headers=citizen(container)).json()
    assert [item["dossier_id"] for item in first["items"] + second["items"]] == [
        made["online"]["id"],
        made["walk_in"]["id"],
    ]
    assert second["next"] is None


def test_a_cursor_not_from_this_list_is_422(
    system: tuple[Container, TestClient, dict[str, Any]],
) -> None:
    """A made-up cursor is refused as invalid input, naming ``after``."""
    container, client, _ = system
    response = client.get(MINE, params={"after": "bm90LWEtY3Vyc29y"}, headers=citizen(container))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "after"


def test_another_applicant_sees_none_of_them(
    system: tuple[Container, TestClient, dict[str, Any]],
) -> None:
    """The stranger lists his own dossier only; an applicant with none gets an empty page."""
    container, client, made = system
    stranger = bearer(container, "citizen-2", Role.APPLICANT, id_number=STRANGER_ID)
    theirs = client.get(MINE, headers=stranger).json()["items"]
    hoas = {made["online"]["id"], made["walk_in"]["id"]}
    assert len(theirs) == 1
    assert theirs[0]["dossier_id"] not in hoas
    nobody = bearer(container, "citizen-3", Role.APPLICANT, id_number="079099000001")
    assert client.get(MINE, headers=nobody).json() == {"items": [], "next": None}


@pytest.mark.parametrize(
    ("role", "agency"),
    [
        (Role.INTAKE_OFFICER, CENTRE),
        (Role.LEADER, OFFICE),
        (Role.AUDITOR, OFFICE),
        (Role.SYSTEM, None),
    ],
)
def test_staff_and_systems_are_refused_with_403(
    system: tuple[Container, TestClient, dict[str, Any]], role: Role, agency: Any
) -> None:
    """Even with the applicant's id number in the token, only the applicant role lists."""
    container, client, _ = system
    agencies = [agency] if agency else []
    headers = bearer(container, "officer-1", role, agencies=agencies, id_number=HOA_ID)
    response = client.get(MINE, headers=headers)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:motcua:problem:forbidden"
    assert problem["roles"] == ["applicant"]


def test_without_a_token_the_list_is_401(
    system: tuple[Container, TestClient, dict[str, Any]],
) -> None:
    """No bearer token: 401 with a Bearer challenge."""
    _, client, _ = system
    response = client.get(MINE)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_dossier_submitted_for_someone_else_is_listed_and_readable_by_its_submitter(
    policy: CalendarPolicy,
) -> None:
    """Hoa applies online for her mother: it is hers to list, to read and to act on."""
    container = wired(policy, ManualClock(at(2025, 3, 3, 9)))
    client = client_of(container)
    mother = submission_body()["applicant"] | {"name": "Lê Thị Lan", "id_number": STRANGER_ID}
    made = create(
        client, citizen(container), "online", submission_body(delivery="online", applicant=mother)
    )
    container.projections.catch_up()
    listed = client.get(MINE, headers=citizen(container)).json()["items"]
    assert [item["ref"] for item in listed] == [made["id"]]
    read = client.get(f"{API}/dossiers/{made['id']}", headers=citizen(container))
    assert read.status_code == 200, read.text
    other = bearer(container, "citizen-3", Role.APPLICANT, id_number="079088000001")
    assert client.get(f"{API}/dossiers/{made['id']}", headers=other).status_code == 403


def test_staff_are_told_in_vietnamese_that_the_listing_is_for_applicants(
    system: tuple[Container, TestClient, dict[str, Any]],
) -> None:
    """The 403 names the action in Vietnamese words, not its code name."""
    container, client, _ = system
    officer = bearer(container, "officer-1", Role.INTAKE_OFFICER, agencies=[CENTRE])
    problem = client.get(MINE, headers=officer).json()
    assert "xem hồ sơ của tôi" in problem["detail"]
    assert "my_dossiers" not in problem["detail"]
