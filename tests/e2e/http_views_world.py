"""The world the view tests read: dossiers made through the application, tokens, an app clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
from fastapi.testclient import TestClient

from adapters.tokens import TokenSettings
from application import dossier_commands as c
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from domain.dossier_values import Role, Satisfaction
from domain.values import AgencyCode
from entrypoints.bootstrap import Container, Settings, bootstrap
from entrypoints.http.app import create_app
from entrypoints.http.routes import views
from tests.dossier_fixtures import CENTRE, Desk, ManualClock, at

API = "/api/v1"
ELSEWHERE = AgencyCode("000.00.99.H56")


@attrs.frozen
class World:
    """The system and the dossiers made through it, by name."""

    container: Container
    dossiers: dict[str, Dossier]

    def code(self, name: str) -> str:
        """The code of the dossier called ``name``."""
        return str(self.dossiers[name].code)

    def headers(self, *roles: Role, agencies: tuple[AgencyCode, ...] = (CENTRE,)) -> dict[str, str]:
        """The Authorization header of a development token with these roles and agencies."""
        token = self.container.tokens.issue(subject="user-1", roles=roles, agencies=agencies)
        return {"Authorization": f"Bearer {token}"}

    def client(self, clock: ManualClock) -> TestClient:
        """A client of a fresh app over the world, whose "now" is ``clock``'s."""
        app = create_app(self.container)
        app.dependency_overrides[views.now] = clock
        return TestClient(app)


def build_world(policy: CalendarPolicy, key_file: Path) -> World:
    """A system with six dossiers at the centre, for the office, made through the application.

    Four open dossiers received Monday to Thursday 3-6 March 2025 at 08:00 (the
    fourth online; the first assigned), one received, finished, returned and
    rated on Friday 7 March, and one submitted online and not yet received.
    """
    container = bootstrap(Settings(tokens=TokenSettings(dev_key_file=key_file)), policy=policy)
    desk = Desk(container.app, policy, start=at(2025, 3, 3, 8))
    made = {"first": desk.receive()}
    desk.assign(made["first"])
    for name in ("second", "third"):
        desk.clock.advance(days=1)
        made[name] = desk.receive()
    desk.clock.advance(days=1)
    made["online"] = desk.accept(desk.submit_online())
    desk.clock.advance(days=1)
    made["done"] = _returned_and_rated(desk)
    made["pending"] = desk.submit_online()
    container.projections.catch_up()
    return World(container, made)


def _returned_and_rated(desk: Desk) -> Dossier:
    dossier = desk.receive()
    desk.assign(dossier)
    desk.clock.advance(hours=1)
    desk.issue_result(dossier)
    desk.return_at_counter(dossier)
    rating = c.RateService(**desk.on(dossier, satisfaction=Satisfaction.VERY_SATISFIED))
    return desk.dossiers.rate(rating)


def get(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> Any:
    """GET a view, asserting 200, and return its JSON."""
    response = client.get(f"{API}{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()
