"""Catalog decisions over HTTP: publish, amend, replace, abolish, for catalog admins only."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.tokens import TokenSettings
from domain.calendar_policy import CalendarPolicy
from domain.dossier_values import Role
from entrypoints.bootstrap import Container, Settings, bootstrap
from entrypoints.http.app import create_app

SAMPLE = json.loads(
    (Path(__file__).parent.parent / "data" / "catalog_sample.json").read_text(encoding="utf-8")
)
PROCEDURES = "/api/v1/procedures"
CERTIFY, BIRTH, RECORD, OVER_LIMIT = (SAMPLE["procedures"][i] for i in (0, 1, 2, 4))
DECISION = SAMPLE["decision"]  # effective 2025-07-01


@pytest.fixture(scope="module")
def wired(policy: CalendarPolicy, tmp_path_factory: pytest.TempPathFactory) -> Container:
    """A system of its own, on an empty memory store, with a throwaway signing key."""
    key_file = tmp_path_factory.mktemp("keys") / "dev.pem"
    return bootstrap(Settings(tokens=TokenSettings(dev_key_file=key_file)), policy=policy)


@pytest.fixture(scope="module")
def api(wired: Container) -> Iterator[TestClient]:
    """The app over it, signed in as a catalog admin."""
    admin = wired.tokens.issue(subject="admin", roles=[Role.CATALOG_ADMIN])
    with TestClient(create_app(wired)) as client:
        client.headers["Authorization"] = f"Bearer {admin}"
        yield client


def item(base: dict[str, Any], suffix: str, **decision: str) -> dict[str, Any]:
    """``base`` under a local code of its own (``...H<suffix>``), with its own decision."""
    new = copy.deepcopy(base)
    new["MATTHCDP"] = f"{new['MATTHC']}.000.00.00.H{suffix}"
    new["motcua"]["decision"] = {**DECISION, **decision}
    return new


def publish(api: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    """Publish ``body``, insisting on success."""
    response = api.post(PROCEDURES, json=body)
    assert response.status_code == 201, response.text
    published: dict[str, Any] = response.json()
    return published


def test_publish_answers_201_with_location_and_is_readable(api: TestClient) -> None:
    """A published item answers 201 with its Location, and reads back there."""
    response = api.post(PROCEDURES, json=item(CERTIFY, "01"), headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 201
    assert response.headers["location"] == f"{PROCEDURES}/2.000815.000.00.00.H01"
    body = response.json()
    assert (body["local_code"], body["version"], body["standing"]) == (
        "2.000815.000.00.00.H01",
        1,
        "in_force",
    )
    assert body["decision"]["number"] == "1234/QĐ-UBND"
    assert api.get(response.headers["location"]).json()["name"] == CERTIFY["TENTTHC"]


def test_amend_adds_a_version_visible_as_of_its_date(api: TestClient) -> None:
    """An amendment is version 2 from its effective date; earlier days still read version 1."""
    code = publish(api, item(RECORD, "02"))["local_code"]
    amended = item(RECORD, "02", number="77/QĐ-UBND", effective="2025-09-01")
    amended["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["THOIGIANGIAIQUYET"] = "12"
    response = api.post(f"{PROCEDURES}/{code}/amend", json=amended)
    assert response.status_code == 200, response.text
    assert (response.json()["version"], response.json()["decision"]["number"]) == (2, "77/QĐ-UBND")

    def limit_on(day: str) -> object:
        body = api.get(f"{PROCEDURES}/{code}", params={"at": day}).json()
        return body["version"], body["content"]["cases"][0]["channels"][0]["limit"]["value"]

    assert limit_on("2025-08-31") == (1, 10)
    assert limit_on("2025-09-01") == (2, 12)


def test_replace_makes_the_procedure_replaced_from_the_decision_date(api: TestClient) -> None:
    """A replaced procedure stands replaced, with its successor, from the decision's date."""
    old = publish(api, item(BIRTH, "03"))["local_code"]
    new = publish(api, item(BIRTH, "04"))["local_code"]
    decision = {**DECISION, "number": "88/QĐ-UBND", "effective": "2026-01-01"}
    response = api.post(
        f"{PROCEDURES}/{old}/replace", json={"successor": new, "decision": decision}
    )
    assert response.status_code == 200, response.text
    assert response.json()["ending"]["successor"] == new
    before = api.get(f"{PROCEDURES}/{old}", params={"at": "2025-12-31"}).json()
    after = api.get(f"{PROCEDURES}/{old}", params={"at": "2026-01-01"}).json()
    assert (before["standing"], after["standing"]) == ("in_force", "replaced")


def test_abolish_makes_the_procedure_abolished_and_final(api: TestClient) -> None:
    """An abolished procedure stands abolished; a second abolition is a 409 naming the rule."""
    code = publish(api, item(CERTIFY, "05"))["local_code"]
    decision = {**DECISION, "number": "99/QĐ-UBND", "effective": "2026-02-01"}
    response = api.post(f"{PROCEDURES}/{code}/abolish", json={"decision": decision})
    assert (response.status_code, response.json()["standing"]) == (200, "abolished")
    again = api.post(f"{PROCEDURES}/{code}/abolish", json={"decision": decision})
    assert (again.status_code, again.json()["rule"]) == (409, "procedure_ended")


def test_publishing_an_existing_code_is_a_409_in_vietnamese_or_english(api: TestClient) -> None:
    """A taken local code is a 409 `local_code_taken` problem, in Vietnamese unless asked."""
    publish(api, item(RECORD, "06"))
    response = api.post(PROCEDURES, json=item(RECORD, "06"))
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:motcua:problem:procedure-lifecycle"
    assert (problem["rule"], problem["action"]) == ("local_code_taken", "publish")
    assert problem["detail"].startswith("Không thể công bố thủ tục 2.000505.000.00.00.H06")
    english = api.post(PROCEDURES, json=item(RECORD, "06"), headers={"Accept-Language": "en"})
    assert english.json()["detail"].startswith("cannot publish procedure 2.000505.000.00.00.H06")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda i: i.pop("TENTTHC"), "TENTTHC"),
        (lambda i: i["CACHTHUCTHUCHIEN"][0].update(KENH="9"), "KENH"),
        (lambda i: i["motcua"].pop("levels"), "motcua.levels"),
        (lambda i: i["motcua"].pop("decision"), "motcua.decision"),
        (lambda i: i["motcua"]["decision"].update(date="30/06/2025"), "motcua.decision.date"),
        (lambda i: i.update(MATTHCDP="1.00.H56"), "local_code"),
    ],
)
def test_a_broken_item_is_a_422_naming_the_field(api: TestClient, change: Any, field: str) -> None:
    """An item the catalog file format refuses is a 422 problem naming the field."""
    broken = item(CERTIFY, "07")
    change(broken)
    response = api.post(PROCEDURES, json=broken)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]


def test_content_breaking_an_invariant_is_a_422_naming_the_rule(api: TestClient) -> None:
    """Steps allotting more hours than the limit are a 422 with the rule and its figures."""
    response = api.post(PROCEDURES, json=item(OVER_LIMIT, "08"))
    assert response.status_code == 422
    problem = response.json()
    assert problem["rule"] == "step_allotments_within_limit"
    assert problem["data"]["allotted_hours"] == "24"


def test_amending_under_another_code_is_a_422_naming_the_field(api: TestClient) -> None:
    """An amendment whose item names another local code than the path is refused."""
    code = publish(api, item(CERTIFY, "09"))["local_code"]
    response = api.post(f"{PROCEDURES}/{code}/amend", json=item(CERTIFY, "10"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "MATTHCDP"


def test_replacing_by_an_unknown_successor_is_a_422(api: TestClient) -> None:
    """A successor that is not in the catalog is refused naming `successor`."""
    code = publish(api, item(BIRTH, "11"))["local_code"]
    body = {"successor": "2.001193.000.00.00.H99", "decision": DECISION}
    response = api.post(f"{PROCEDURES}/{code}/replace", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "successor"


def test_deciding_on_an_unknown_procedure_is_a_404(api: TestClient) -> None:
    """Abolishing a local code nobody published is a 404 procedure-not-found."""
    response = api.post(f"{PROCEDURES}/2.000815.000.00.00.H98/abolish", json={"decision": DECISION})
    assert response.status_code == 404
    assert response.json()["code"] == "2.000815.000.00.00.H98"


def test_without_a_token_it_is_401(api: TestClient) -> None:
    """A decision without a bearer token is refused 401 with a challenge."""
    response = api.post(PROCEDURES, json=item(CERTIFY, "12"), headers={"Authorization": ""})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_handler_is_forbidden(api: TestClient, wired: Container) -> None:
    """A handler's token is refused 403: only catalog admins decide."""
    token = wired.tokens.issue(subject="handler", roles=[Role.HANDLER])
    response = api.post(
        PROCEDURES, json=item(CERTIFY, "13"), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    assert response.json()["roles"] == ["catalog_admin"]
    assert api.get(f"{PROCEDURES}/2.000815.000.00.00.H13").status_code == 404


def test_openapi_documents_the_bodies_and_the_idempotency_key(api: TestClient) -> None:
    """Every decision takes a JSON object body and documents the Idempotency-Key header."""
    paths = api.get("/openapi.json").json()["paths"]
    for path in ("", "/{code}/amend", "/{code}/replace", "/{code}/abolish"):
        operation = paths[f"{PROCEDURES}{path}"]["post"]
        assert "application/json" in operation["requestBody"]["content"], path
        headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert "Idempotency-Key" in headers, path
