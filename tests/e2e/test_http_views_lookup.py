"""The public lookup over HTTP: no token, one answer for every miss, and a rate per address."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from entrypoints.bootstrap import Container, HttpSettings, Settings, bootstrap
from entrypoints.http.app import create_app
from tests.dossier_fixtures import Desk, at

API = "/api/v1/lookup"


@pytest.fixture(scope="module")
def system(policy: CalendarPolicy) -> tuple[Container, Dossier]:
    """A system with one dossier received, processed and returned at the counter."""
    container = bootstrap(Settings(http=HttpSettings(lookup_rate="3/minute")), policy=policy)
    desk = Desk(container.app, policy, start=at(2025, 3, 3, 8))
    dossier = desk.lifecycle()
    container.projections.catch_up()
    return container, dossier


@pytest.fixture
def container(system: tuple[Container, Dossier]) -> Container:
    """The system."""
    return system[0]


@pytest.fixture
def dossier(system: tuple[Container, Dossier]) -> Dossier:
    """Its returned dossier."""
    return system[1]


def test_the_right_secret_shows_the_public_document(container: Container, dossier: Dossier) -> None:
    """Code and secret give status, procedure, dates and history, with the name masked only."""
    client = TestClient(create_app(container))
    response = client.get(f"{API}/{dossier.code}", params={"secret": dossier.lookup_secret})
    document = response.json()
    assert response.status_code == 200, response.text
    assert (document["status_code"], document["status_label"]) == (10, "Đã trả kết quả")
    assert document["applicant"] == "N*** T** H**"
    assert document["procedure_name"] == "Thủ tục thử nghiệm"
    assert document["received_at"] == "2025-03-03T08:00:00+07:00"
    assert document["due_at"] == "2025-03-17T08:00:00+07:00"
    assert document["returned_at"] == "2025-03-03T08:00:00+07:00"
    assert [entry["status_code"] for entry in document["history"]] == [1, 2, 4, 9, 10]
    for secret in ("038190000123", "0912345678", "Nguyễn", "Hạc Thành", str(dossier.id)):
        assert secret not in response.text


def test_a_wrong_secret_and_an_unknown_code_get_the_same_404(
    container: Container, dossier: Dossier
) -> None:
    """Apart from ``instance``, the two problems are byte for byte the same."""
    client = TestClient(create_app(container))
    known, unknown = str(dossier.code), "000.00.12.H56-250303-0999"
    wrong = client.get(f"{API}/{known}", params={"secret": "WRONG234"})
    missing = client.get(f"{API}/{unknown}", params={"secret": "WRONG234"})
    assert (wrong.status_code, missing.status_code) == (404, 404)
    assert wrong.headers["content-type"] == "application/problem+json"
    assert wrong.content.replace(known.encode(), b"") == missing.content.replace(
        unknown.encode(), b""
    )
    assert known not in wrong.json()["detail"]


def test_lookup_needs_no_token_but_a_secret(container: Container, dossier: Dossier) -> None:
    """Without the secret the answer is 422 naming it, never 401."""
    response = TestClient(create_app(container)).get(f"{API}/{dossier.code}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "secret"


def test_too_many_lookups_from_one_address_are_429_with_retry_after(
    container: Container, dossier: Dossier
) -> None:
    """The fourth lookup in a minute is refused; another address and another app are not."""
    app = create_app(container)
    busy = TestClient(app, client=("10.0.0.8", 123))
    answers = [busy.get(f"{API}/{dossier.code}", params={"secret": "X2345678"}) for _ in range(4)]
    other = TestClient(app, client=("10.0.0.9", 123))
    fresh = TestClient(create_app(container), client=("10.0.0.8", 123))
    refused = answers[-1]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:motcua:problem:rate-limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert other.get(f"{API}/{dossier.code}", params={"secret": "X2345678"}).status_code == 404
    assert fresh.get(f"{API}/{dossier.code}", params={"secret": "X2345678"}).status_code == 404
