"""The tracking register over HTTP, per agency: receiving unit, competent agency and partner."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from adapters.tokens import TokenSettings
from domain.calendar_policy import CalendarPolicy
from domain.dossier_values import Role
from entrypoints.bootstrap import Settings, bootstrap
from tests import register_fixtures as rf
from tests.dossier_fixtures import CENTRE, HANDLER, OFFICE, TAX, Desk, ManualClock, at
from tests.e2e.http_views_world import API, World, get

MARCH = {"from": "2025-03-01", "to": "2025-03-31"}


@pytest.fixture(scope="module")
def world(policy: CalendarPolicy, tmp_path_factory: pytest.TempPathFactory) -> World:
    """Two dossiers received at the centre for the office; the first handed to the tax office."""
    key_file = tmp_path_factory.mktemp("keys") / "dev.pem"
    container = bootstrap(Settings(tokens=TokenSettings(dev_key_file=key_file)), policy=policy)
    desk = Desk(container.app, policy, start=at(2025, 3, 3, 8))
    made = {"handed": rf.with_partner(desk)}
    desk.clock.advance(days=1)
    made["kept"] = desk.receive()
    container.projections.catch_up()
    return World(container, made)


@pytest.fixture
def client(world: World) -> TestClient:
    """A client of a fresh app over the world."""
    return world.client(ManualClock(at(2025, 3, 17, 10)))


def test_a_competent_agency_officer_reads_their_register(client: TestClient, world: World) -> None:
    """The office's handler sees both dossiers as competent agency, with its hand-overs."""
    handler = world.headers(Role.HANDLER, agencies=(OFFICE,))
    items = get(client, "/register", handler, agency=str(OFFICE), **MARCH)["items"]
    handed = items[0]
    assert [item["code"] for item in items] == [world.code("handed"), world.code("kept")]
    assert {(item["agency"], tuple(item["roles"])) for item in items} == {
        (str(OFFICE), ("competent",))
    }
    assert [(t["kind"], t["from_agency"], t["to_agency"]) for t in handed["transfers"]] == [
        ("assigned", str(OFFICE), str(OFFICE)),
        ("to_partner", str(OFFICE), str(TAX)),
    ]
    assert (handed["transfers"][0]["unit"], handed["transfers"][1]["by"]) == (
        "Phòng",
        HANDLER.user_id,
    )
    assert (handed["receiving_unit"], handed["received_at"]) == (
        str(CENTRE),
        "2025-03-03T08:00:00+07:00",
    )


def test_a_partner_reads_only_what_was_handed_to_it(client: TestClient, world: World) -> None:
    """The tax office lists the one dossier handed to it, as partner, with its allotted time."""
    tax = world.headers(Role.HANDLER, agencies=(TAX,))
    (item,) = get(client, "/register", tax, agency=str(TAX), **MARCH)["items"]
    (handover,) = item["transfers"]
    assert (item["code"], item["roles"]) == (world.code("handed"), ["partner"])
    assert (handover["kind"], handover["from_agency"], handover["to_agency"]) == (
        "to_partner",
        str(OFFICE),
        str(TAX),
    )
    assert handover["due_at"] > handover["at"]


def test_the_receiving_unit_reads_its_role_and_no_other_register(
    client: TestClient, world: World
) -> None:
    """The centre's officer sees both dossiers as receiving unit; the office's register is 403."""
    officer = world.headers(Role.INTAKE_OFFICER, agencies=(CENTRE,))
    items = get(client, "/register", officer, agency=str(CENTRE), **MARCH)["items"]
    refused = client.get(
        f"{API}/register", params={"agency": str(OFFICE), **MARCH}, headers=officer
    )
    assert [(item["roles"], item["transfers"]) for item in items] == [(["receiving"], [])] * 2
    assert refused.status_code == 403
