"""Idempotency-Key is settled by the POST route itself, in the route's own worker thread."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from application.idempotency import StoredResponse
from domain.calendar_policy import CalendarPolicy
from entrypoints.bootstrap import Container
from entrypoints.http.app import create_app
from entrypoints.http.idempotency import IdempotentRoute
from tests.http_fixtures import API, client_of, staff, submission_body, wired


class Threads:
    """Idempotency records that remember which thread found and kept, around the real ones."""

    def __init__(self, records: Any) -> None:
        self.records = records
        self.found_in: list[int] = []
        self.kept_in: list[int] = []

    def find(self, scope: str, key: str) -> StoredResponse | None:
        """The real find, noting the thread."""
        self.found_in.append(threading.get_ident())
        found: StoredResponse | None = self.records.find(scope, key)
        return found

    def keep(self, scope: str, key: str, response: StoredResponse) -> StoredResponse:
        """The real keep, noting the thread."""
        self.kept_in.append(threading.get_ident())
        kept: StoredResponse = self.records.keep(scope, key, response)
        return kept

    def purge(self, before: datetime) -> int:
        """The real purge."""
        purged: int = self.records.purge(before)
        return purged


@pytest.fixture
def container(policy: CalendarPolicy) -> Container:
    """A fresh system for each test."""
    return wired(policy)


def test_every_post_route_of_the_api_settles_its_key(container: Container) -> None:
    """No POST route escapes: each is an IdempotentRoute, so each answers a retry the first way."""
    posts = [
        route
        for route in _walk(create_app(container).routes)
        if isinstance(route, APIRoute) and "POST" in (route.methods or ())
    ]
    assert len(posts) > 20
    assert all(isinstance(route, IdempotentRoute) for route in posts), [
        route.path for route in posts if not isinstance(route, IdempotentRoute)
    ]


def _walk(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, also inside included routers (FastAPI keeps them as routers of their own)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from _walk(included.routes) if included is not None else (route,)


def test_the_first_answer_is_looked_for_and_kept_in_the_routes_thread(
    container: Container,
) -> None:
    """One worker thread does the look-up, the command and the keep: no extra thread hops."""
    threads = Threads(container.idempotency)
    container.__dict__["idempotency"] = threads
    ran_in: list[int] = []
    receive = container.dossiers.receive

    def receive_noting_the_thread(command: Any) -> Any:
        ran_in.append(threading.get_ident())
        return receive(command)

    container.dossiers.receive = receive_noting_the_thread  # type: ignore[method-assign]
    client = client_of(container)
    headers = {**staff(container)["officer"], "Idempotency-Key": "desk-1-0001"}
    body = {"channel": "counter", "submission": submission_body()}
    first = client.post(f"{API}/dossiers", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert threads.found_in == ran_in == threads.kept_in
    assert threads.found_in[0] != threading.get_ident()

    again = client.post(f"{API}/dossiers", json=body, headers=headers)
    assert (again.status_code, again.content) == (201, first.content)
    assert len(ran_in) == 1  # the retry was answered without running the command
    assert {name: again.headers[name] for name in ("etag", "location", "content-type")} == {
        name: first.headers[name] for name in ("etag", "location", "content-type")
    }


def test_a_refused_command_is_not_kept_so_the_key_may_be_retried(container: Container) -> None:
    """A 4xx is not the first answer: the same key, sent again once fixed, is a new attempt."""
    client = client_of(container)
    headers = {**staff(container)["officer"], "Idempotency-Key": "desk-1-0002"}
    unknown = submission_body(procedure="9.999999.000.00.00.H56")
    refused = client.post(
        f"{API}/dossiers", json={"channel": "counter", "submission": unknown}, headers=headers
    )
    assert refused.status_code == 404, refused.text
    assert container.idempotency.find("officer-1", "desk-1-0002") is None
    fixed = {"channel": "counter", "submission": submission_body()}
    assert client.post(f"{API}/dossiers", json=fixed, headers=headers).status_code == 201


def test_without_a_key_nothing_is_looked_for_or_kept(container: Container) -> None:
    """A POST without Idempotency-Key runs as itself; the records are not touched."""
    threads = Threads(container.idempotency)
    container.__dict__["idempotency"] = threads
    client = TestClient(create_app(container))
    body = {"channel": "counter", "submission": submission_body()}
    response = client.post(f"{API}/dossiers", json=body, headers=staff(container)["officer"])
    assert response.status_code == 201, response.text
    assert threads.found_in == threads.kept_in == []
