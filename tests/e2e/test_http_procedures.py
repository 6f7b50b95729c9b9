"""The catalog over HTTP: listing with filters and cursor, search, and reading as of a date."""

from __future__ import annotations

from fastapi.testclient import TestClient

PROCEDURES = "/api/v1/procedures"


def test_listing_is_ordered_by_local_code_with_a_cursor(client: TestClient) -> None:
    """Pages follow each other through `next` until it is null, without repeats."""
    first = client.get(PROCEDURES, params={"limit": 2}).json()
    assert [i["local_code"] for i in first["items"]] == [
        "2.000505.000.00.00.H56",
        "2.000815.000.00.00.H56",
    ]
    second = client.get(PROCEDURES, params={"limit": 2, "after": first["next"]}).json()
    assert [i["local_code"] for i in second["items"]] == ["2.001193.000.00.00.H56"]
    assert second["next"] is None


def test_search_matches_with_or_without_diacritics(client: TestClient) -> None:
    """Plain, upper-case and accented queries all find "Đăng ký khai sinh"."""
    for text in ("khai sinh", "DANG KY KHAI SINH", "đăng ký khai sinh"):
        items = client.get(PROCEDURES, params={"q": text}).json()["items"]
        assert [i["name"] for i in items] == ["Đăng ký khai sinh"], text


def test_filters_by_agency_sector_and_level(client: TestClient) -> None:
    """Agency, sector and level filters narrow the listing."""

    def codes(**params: str) -> list[str]:
        return [i["local_code"] for i in client.get(PROCEDURES, params=params).json()["items"]]

    assert codes(level="province") == ["2.000505.000.00.00.H56"]
    assert codes(agency="000.01.02.H56") == ["2.001193.000.00.00.H56"]
    assert codes(sector="CT") == ["2.000815.000.00.00.H56"]
    assert codes(level="commune", sector="LLTP") == []


def test_bad_filters_are_422_problems(client: TestClient) -> None:
    """An unknown level or a malformed agency is refused naming the field."""
    for params, field in (({"level": "county"}, "level"), ({"agency": "H56"}, "agency")):
        response = client.get(PROCEDURES, params=params)
        assert response.status_code == 422
        assert field in [e["field"] for e in response.json()["errors"]]


def test_a_procedure_by_local_or_national_code(client: TestClient) -> None:
    """A procedure reads by its local code, or by a national code only it has."""
    by_local = client.get(f"{PROCEDURES}/2.000505.000.00.00.H56").json()
    by_national = client.get(f"{PROCEDURES}/2.000505").json()
    assert by_local == by_national
    assert by_local["content"]["cases"][0]["channels"][0]["limit"] == {
        "value": 10,
        "unit": "working_days",
    }
    assert by_local["decision"]["number"] == "1234/QĐ-UBND"
    assert by_local["history"] == [
        {"version": 1, "decision": "1234/QĐ-UBND", "effective": "2025-07-01"}
    ]


def test_a_procedure_as_it_was_before_it_took_effect(client: TestClient) -> None:
    """Asked as of a day before its decision took effect, the procedure is not yet in force."""
    body = client.get(f"{PROCEDURES}/2.001193.000.00.00.H56", params={"at": "2025-06-30"}).json()
    assert (body["standing"], body["in_effect"]) == ("not_yet_in_force", False)
    on_the_day = client.get(f"{PROCEDURES}/2.001193.000.00.00.H56", params={"at": "2025-07-01"})
    assert on_the_day.json()["standing"] == "in_force"
    assert on_the_day.json()["cut_percent"] == 66.7


def test_an_unknown_code_is_a_404_problem(client: TestClient) -> None:
    """An unknown code answers 404 application/problem+json with the code."""
    response = client.get(f"{PROCEDURES}/9.999999")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:motcua:problem:procedure-not-found"
