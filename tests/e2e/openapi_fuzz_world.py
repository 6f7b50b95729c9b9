"""The system the OpenAPI fuzz test calls: real dossiers, one token with every power.

Each world is built the same way, so its dossiers get the same codes, ids and
lookup secret every time: ``000.00.12.H56-250303-0001`` to ``-0004`` (received;
assigned; result issued; returned) and one online submission, known by its id.
The token is every staff role's and also the applicant's, with the applicant's
id number, so an applicant's own list (``/my/dossiers``) has all five to page.
"""

from __future__ import annotations

import itertools
from typing import Any

import attrs
from fastapi import FastAPI
from fastapi.testclient import TestClient

from adapters.tokens import TokenSettings
from domain.calendar_policy import CalendarPolicy
from domain.dossier_values import Role
from entrypoints.bootstrap import Container, HttpSettings, Settings, bootstrap
from entrypoints.http.app import create_app
from entrypoints.http.routes import views
from tests.dossier_fixtures import CENTRE, OFFICE, ManualClock, at
from tests.http_fixtures import API, PROCEDURE, submission_body, wired

HTTP = HttpSettings(lookup_rate="100000/minute")
"""Lookups are rate-limited per address; the fuzzer is one address, so the limit is raised."""
SETTINGS = Settings(tokens=TokenSettings(dev_key_file=None), http=HTTP)
"""What the fuzzed app runs with: a key for this process only, and the high lookup rate."""
SECRET = "FUZZ2345"  # noqa: S105 (a lookup code printed on receipts, not a password)
"""Every dossier's lookup secret (the alphabet has no 0, 1, I or O), so lookups can match."""
EVERY_ROLE = (
    Role.INTAKE_OFFICER,
    Role.HANDLER,
    Role.UNIT_HEAD,
    Role.LEADER,
    Role.RECORDS_CLERK,
    Role.AUDITOR,
    Role.CATALOG_ADMIN,
    Role.SYSTEM,
    Role.APPLICANT,
)
APPLICANT_ID = "038190000123"
"""The id number of every submission's applicant (``submission_body``), in the token too."""
NOW = at(2025, 3, 3, 9)
CODES = tuple(f"{CENTRE}-250303-{number:04d}" for number in range(1, 5))
"""The walk-ins' codes: received; assigned; result issued; returned."""
SUBMITTED = "28b60ae0-eb02-5f54-92cf-2a2b1cad7463"
"""The online submission's id: derived from the fuzzer's subject and its Idempotency-Key."""
REFS = (*CODES, SUBMITTED)
PROCEDURE_CODES = (PROCEDURE.local_code.value, PROCEDURE.national_code.value)


class World:
    """A fresh app over a memory store, with its dossiers and the caller's headers."""

    def __init__(self, policy: CalendarPolicy) -> None:
        clock = ManualClock(NOW)
        self.container = wired(policy, clock)
        # wired() keeps the default HTTP settings; the app reads them when it is created.
        self.container.settings = attrs.evolve(self.container.settings, http=HTTP)
        self.container.dossiers.lookup_secret = lambda: SECRET
        self.app: FastAPI = create_app(self.container)
        self.app.dependency_overrides[views.now] = clock
        token = self.container.tokens.issue(
            subject="fuzzer", roles=EVERY_ROLE, agencies=[CENTRE, OFFICE], id_number=APPLICANT_ID
        )
        self.authorization = {"Authorization": f"Bearer {token}"}
        self._keys = itertools.count(1)
        with TestClient(self.app) as client:
            made = _dossiers(self, client)
        if made != REFS:
            raise AssertionError(f"the world's dossiers moved: {made} instead of {REFS}")
        self.container.projections.catch_up()

    def headers(self) -> dict[str, str]:
        """The caller's token and a fresh ``Idempotency-Key`` (numbered, so runs repeat)."""
        return {**self.authorization, "Idempotency-Key": f"fuzz-{next(self._keys)}"}

    def post(self, client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` as the fuzzer; the answer must be a success."""
        response = client.post(f"{API}{path}", json=body, headers=self.headers())
        if not response.is_success:
            raise AssertionError(f"{path}: {response.status_code} {response.text}")
        document: dict[str, Any] = response.json()
        return document


def _dossiers(world: World, client: TestClient) -> tuple[str, ...]:
    """Four walk-ins taken to successive stages, and one online submission; their references."""
    counter, online = valid_openings()[:2]
    codes = [str(world.post(client, "/dossiers", counter)["code"]) for _ in range(4)]
    for code in codes[1:]:
        assign = {"handler": "handler-1", "unit": "Phòng"}
        world.post(client, f"/dossiers/{code}/assign", assign)
    for code in codes[2:]:
        issue = {"result_number": "12/GP", "signed_by": "PCT"}
        world.post(client, f"/dossiers/{code}/issue-result", issue)
    returned = {"delivery": "counter", "reference": "Hoa"}
    world.post(client, f"/dossiers/{codes[3]}/return", returned)
    return (*codes, str(world.post(client, "/dossiers", online)["id"]))


def fuzz_container() -> Container:
    """A container for serving the OpenAPI document only (no store or calendar is touched)."""
    return bootstrap(SETTINGS)


def valid_openings() -> list[dict[str, Any]]:
    """A complete application for the test procedure, at the counter, online and by post."""
    return [
        {"channel": "counter", "submission": submission_body()},
        {"channel": "online", "submission": submission_body(delivery="online")},
        {"channel": "post", "submission": submission_body(), "postal_item_code": "EE1234VN"},
    ]
