"""A database that cannot be reached: 503 problem+json with Retry-After, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from adapters.eventstore.config import StoreConfig, StoreKind
from adapters.tokens import TokenSettings
from domain.calendar_policy import CalendarPolicy
from domain.dossier_values import Role
from entrypoints.bootstrap import Settings, bootstrap
from entrypoints.http.app import create_app

NOWHERE = "postgresql://postgres@127.0.0.1:1/postgres"  # nothing listens on port 1


@pytest.fixture
def client(policy: CalendarPolicy, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """The API over a PostgreSQL server that is not there (giving up after one second)."""
    monkeypatch.setenv("POSTGRES_CONNECT_TIMEOUT", "1")
    settings = Settings(
        store=StoreConfig(kind=StoreKind.POSTGRES, database_url=NOWHERE),
        tokens=TokenSettings(dev_key_file=None),
    )
    return TestClient(create_app(bootstrap(settings, policy=policy)), raise_server_exceptions=False)


def test_a_read_answers_503_with_retry_after(client: TestClient) -> None:
    """Reading a dossier while the database is down: 503, store-unavailable, Retry-After."""
    container = client.app.state.container  # type: ignore[attr-defined]  # a FastAPI app
    token = container.tokens.issue(subject="u", roles=[Role.AUDITOR])
    response = client.get(
        "/api/v1/dossiers/000.00.12.H56-250303-0001",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:motcua:problem:store-unavailable"


def test_readiness_answers_503(client: TestClient) -> None:
    """/readyz says the store is not reachable; /healthz still answers."""
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 200


def test_a_keyed_command_answers_503_too(client: TestClient) -> None:
    """A POST with an Idempotency-Key: its records cannot be opened either, so 503 too."""
    container = client.app.state.container  # type: ignore[attr-defined]  # a FastAPI app
    token = container.tokens.issue(subject="u", roles=[Role.INTAKE_OFFICER])
    response = client.post(
        "/api/v1/dossiers",
        json={"channel": "counter"},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k-1"},
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"] == "urn:motcua:problem:store-unavailable"
