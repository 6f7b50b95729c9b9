"""The views over HTTP refuse: 401 without a token, 403 out of scope, 422 naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from domain.calendar_policy import CalendarPolicy
from domain.dossier_values import Role
from domain.values import AgencyCode
from tests.dossier_fixtures import CENTRE, OFFICE, ManualClock, at
from tests.e2e.http_views_world import API, ELSEWHERE, World, build_world, get


@pytest.fixture(scope="module")
def world(policy: CalendarPolicy, tmp_path_factory: pytest.TempPathFactory) -> World:
    """The dossiers of the first week of March 2025."""
    return build_world(policy, tmp_path_factory.mktemp("keys") / "dev.pem")


@pytest.fixture
def client(world: World) -> TestClient:
    """A client of a fresh app over the world, on Monday 17 March 2025."""
    return world.client(ManualClock(at(2025, 3, 17, 10)))


@pytest.mark.parametrize(
    "path",
    [
        "/queue",
        "/deadlines",
        "/register?agency=000.00.12.H56&from=2025-03-01&to=2025-03-31",
        "/stats/report-06a?agency=000.00.12.H56&from=2025-03-01&to=2025-03-31",
        "/dossiers/000.00.12.H56-250303-0001/control-sheet",
    ],
)
def test_views_need_a_token(client: TestClient, path: str) -> None:
    """Without a bearer token every staff view answers 401 with a challenge."""
    response = client.get(f"{API}{path}")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("path", "roles", "agencies"),
    [
        ("/queue?receiving_unit=000.00.99.H56", (Role.INTAKE_OFFICER,), (CENTRE,)),
        ("/deadlines?competent_agency=000.01.40.H56", (Role.HANDLER,), (ELSEWHERE,)),
        (
            "/register?agency=000.00.99.H56&from=2025-03-01&to=2025-03-31",
            (Role.AUDITOR,),
            (CENTRE,),
        ),
        (
            "/stats/report-06a?agency=000.00.99.H56&from=2025-03-01&to=2025-03-02",
            (Role.LEADER,),
            (CENTRE,),
        ),
        ("/dossiers/{done}/control-sheet", (Role.INTAKE_OFFICER,), (ELSEWHERE,)),
        ("/queue", (Role.APPLICANT,), ()),
        (
            "/stats/report-06a?agency=000.00.12.H56&from=2025-03-01&to=2025-03-02",
            (Role.HANDLER,),
            (CENTRE,),
        ),
        (
            "/register?agency=000.00.12.H56&from=2025-03-01&to=2025-03-31",
            (Role.CATALOG_ADMIN,),
            (CENTRE,),
        ),
    ],
)
def test_an_agency_not_held_or_a_role_without_the_view_is_forbidden(
    client: TestClient,
    world: World,
    path: str,
    roles: tuple[Role, ...],
    agencies: tuple[AgencyCode, ...],
) -> None:
    """Another agency's rows, or a view the role lacks, answer 403 forbidden."""
    url = API + path.format(done=world.dossiers["done"].code)
    response = client.get(url, headers=world.headers(*roles, agencies=agencies))
    assert response.status_code == 403, response.text
    assert response.json()["type"] == "urn:motcua:problem:forbidden"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/queue?status=lost", "status"),
        ("/queue?receiving_unit=H56", "receiving_unit"),
        ("/queue?limit=201", "limit"),
        ("/queue?after=not-a-cursor", "after"),
        ("/queue?after=WyIyMDI1Il0", "after"),
        ("/deadlines?window=within", "days"),
        ("/deadlines?window=soon", "window"),
        ("/register?agency=000.00.12.H56&from=2025-03-31&to=2025-03-01", "to"),
        ("/stats/report-06a?agency=000.00.12.H56&from=March&to=2025-03-01", "from"),
        ("/stats/report-06a?agency=000.00.12.H56&from=2025-03-31&to=2025-03-01", "to"),
    ],
)
def test_a_bad_filter_is_422_naming_the_field(
    client: TestClient, world: World, path: str, field: str
) -> None:
    """Bad filters, cursors, windows and periods answer 422 with the field named."""
    response = client.get(API + path, headers=world.headers(Role.INTAKE_OFFICER, Role.LEADER))
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_several_agencies_must_choose_one(client: TestClient, world: World) -> None:
    """A handler of two agencies who names none gets 422 asking for competent_agency."""
    headers = world.headers(Role.HANDLER, agencies=(OFFICE, ELSEWHERE))
    refused = client.get(f"{API}/queue", headers=headers)
    chosen = get(client, "/queue", headers, competent_agency=str(OFFICE))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "competent_agency"
    assert len(chosen["items"]) == 5
