"""The views over HTTP: queue, deadlines, register, control sheet and report 06a."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from domain.calendar_policy import CalendarPolicy
from domain.dossier_values import Role
from tests.dossier_fixtures import CENTRE, HANDLER, OFFICE, ManualClock, at
from tests.e2e.http_views_world import World, build_world, get


@pytest.fixture(scope="module")
def world(policy: CalendarPolicy, tmp_path_factory: pytest.TempPathFactory) -> World:
    """The dossiers of the first week of March 2025."""
    return build_world(policy, tmp_path_factory.mktemp("keys") / "dev.pem")


@pytest.fixture
def clock() -> ManualClock:
    """The app's clock: Monday 17 March 2025, 10:00."""
    return ManualClock(at(2025, 3, 17, 10))


@pytest.fixture
def client(world: World, clock: ManualClock) -> TestClient:
    """A client of a fresh app over the world."""
    return world.client(clock)


def test_queue_lists_the_centres_open_dossiers_by_appointment(
    client: TestClient, world: World
) -> None:
    """An intake officer's queue defaults to their centre, by due time, unreceived last."""
    items = get(client, "/queue", world.headers(Role.INTAKE_OFFICER))["items"]
    codes = [item["code"] for item in items]
    first = items[0]
    assert codes == [
        str(world.dossiers[n].code) for n in ("first", "second", "third", "online")
    ] + [None]
    assert first["status"] == "processing"
    assert (first["status_code"], first["status_label"]) == (4, "Đang xử lý")
    assert first["handler"] == "handler-1"
    assert first["due_at"] == "2025-03-17T08:00:00+07:00"
    assert first["received_at"] == "2025-03-03T08:00:00+07:00"
    assert first["statutory_due_date"] == "2025-03-17"
    assert (first["paused"], first["overdue"]) == (False, False)
    assert items[3]["channel"] == "online"


def test_queue_filters_overdue_and_status(
    client: TestClient, world: World, clock: ManualClock
) -> None:
    """overdue=true keeps the dossiers past their statutory date today; status filters too."""
    clock.set(at(2025, 3, 19, 10))
    officer = world.headers(Role.INTAKE_OFFICER)
    late = get(client, "/queue", officer, overdue="true")["items"]
    received = get(client, "/queue", officer, status="received")["items"]
    assert [item["code"] for item in late] == [
        str(world.dossiers[n].code) for n in ("first", "second")
    ]
    assert all(item["overdue"] for item in late)
    assert len(received) == 3


def test_queue_cursor_walks_every_row_once(client: TestClient, world: World) -> None:
    """Pages of two, following ``next``, list all five rows without a repeat."""
    officer, seen, after = world.headers(Role.INTAKE_OFFICER), [], None
    while True:
        params = {"limit": 2} | ({"after": after} if after else {})
        page = get(client, "/queue", officer, **params)
        seen += [item["dossier_id"] for item in page["items"]]
        after = page["next"]
        if after is None:
            break
    assert len(seen) == len(set(seen)) == 5


def test_deadlines_carry_the_working_time_left(client: TestClient, world: World) -> None:
    """Due today and within two working days, with remaining working hours and minutes."""
    handler = world.headers(Role.HANDLER, agencies=(OFFICE,))
    today = get(client, "/deadlines", handler, window="today")
    within = get(client, "/deadlines", handler, window="within", days=2)
    first = today["items"][0]
    assert [item["code"] for item in today["items"]] == [str(world.dossiers["first"].code)]
    assert (first["remaining_hours"], first["remaining_minutes"]) == (-2.0, -120)
    assert [item["remaining_minutes"] for item in within["items"]] == [-120, 360, 840]
    assert within["days"] == 2


def test_deadlines_list_the_overdue(client: TestClient, world: World, clock: ManualClock) -> None:
    """On 19 March the dossiers due on the 17th and 18th are overdue, late by working time."""
    clock.set(at(2025, 3, 19, 10))
    page = get(client, "/deadlines", world.headers(Role.INTAKE_OFFICER), window="overdue")
    assert [item["remaining_hours"] for item in page["items"]] == [-18.0, -10.0]


def test_register_lists_received_dossiers_a_page_at_a_time(
    client: TestClient, world: World
) -> None:
    """Mẫu 06 of the centre for March: five received rows, in reception order, over three pages."""
    officer, rows, after = world.headers(Role.INTAKE_OFFICER), [], None
    while True:
        params = {"agency": str(CENTRE), "from": "2025-03-01", "to": "2025-03-31", "limit": 2}
        page = get(client, "/register", officer, **params | ({"after": after} if after else {}))
        rows += page["items"]
        after = page["next"]
        if after is None:
            break
    done = rows[4]
    names = ("first", "second", "third", "online", "done")
    assert [row["code"] for row in rows] == [str(world.dossiers[n].code) for n in names]
    assert (rows[0]["handovers"], rows[0]["handover_by"]) == (1, HANDLER.user_id)
    assert done["result_issued_at"] == "2025-03-07T09:00:00+07:00"
    assert (done["returned_by"], done["appointment_at"]) == ("counter", "2025-03-21T08:00:00+07:00")


def test_control_sheet_judges_each_step(client: TestClient, world: World) -> None:
    """Mẫu 05 of the returned dossier: its one step ended by the result, early."""
    code = str(world.dossiers["done"].code)
    sheet = get(
        client, f"/dossiers/{code}/control-sheet", world.headers(Role.LEADER, agencies=(OFFICE,))
    )
    assert sheet["code"] == code
    assert [(s["step"], s["ending"], s["timeliness"]) for s in sheet["steps"]] == [
        (0, "result", "early")
    ]
    assert sheet["steps"][0]["started_at"] == "2025-03-07T08:00:00+07:00"


def test_report_06a_counts_the_centres_month(client: TestClient, world: World) -> None:
    """Columns 3-13, rates and satisfaction of the centre for 1-10 March 2025."""
    params = {"agency": str(CENTRE), "from": "2025-03-01", "to": "2025-03-10"}
    report = get(client, "/stats/report-06a", world.headers(Role.LEADER), **params)
    columns = [report["columns"][str(n)] for n in range(3, 14)]
    assert (report["from"], report["to"], report["by"]) == (
        "2025-03-01",
        "2025-03-10",
        "receiving_unit",
    )
    assert columns == [5, 1, 4, 0, 1, 1, 0, 0, 4, 4, 0]
    assert report["rates"] == {
        "on_time": "100.00",
        "late": "0.00",
        "online": "20.00",
        "online_payment": None,
        "postal": "0.00",
    }
    assert report["satisfaction"] == {"very_satisfied": 1, "satisfied": 0, "not_satisfied": 0}


def test_openapi_documents_the_views(client: TestClient) -> None:
    """/openapi.json names the view responses and describes every parameter of every view."""
    spec = client.get("/openapi.json").json()
    paths = ("queue", "deadlines", "register", "stats/report-06a", "lookup/{code}")
    operations = [spec["paths"][f"/api/v1/{path}"]["get"] for path in paths]
    schemas = set(spec["components"]["schemas"])
    assert {"QueuePage", "DeadlinePage", "RegisterPage", "Report06aOut", "LookupOut"} <= schemas
    assert all(p.get("description") for op in operations for p in op["parameters"])
    assert "security" not in operations[-1]
