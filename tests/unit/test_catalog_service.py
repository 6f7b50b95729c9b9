"""The catalog service: one procedure per local code, successors must exist, lookups and listing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from attrs import evolve
from eventsourcing.domain import Aggregate

from adapters.catalog.dvcqg import read_catalog
from application.catalog import Catalog
from application.catalog_import import import_catalog
from application.commands import AbolishProcedure, PublishProcedure, ReplaceProcedure
from application.errors import ProcedureNotFoundError
from application.onestop import OneStop
from application.procedure_index import fold
from application.queries import ListProcedures
from domain.errors import ProcedureLifecycleError
from domain.procedure import Standing
from domain.values import LocalCode

SAMPLE = Path(__file__).parent.parent / "data" / "catalog_sample.json"
COPY = LocalCode("2.000815.000.00.00.H56")
JUDICIAL = LocalCode("2.000505.000.00.00.H56")
TODAY = date(2026, 1, 5)


@pytest.fixture
def catalog() -> Catalog:
    """A memory-store catalog with the sample's three procedures."""
    catalog = Catalog(OneStop(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}))
    import_catalog(catalog, read_catalog(SAMPLE)[1])
    return catalog


def test_a_local_code_is_published_once(catalog: Catalog) -> None:
    """Publishing a code the catalog already has is refused: it must be amended instead."""
    current = catalog.load(COPY).current
    with pytest.raises(ProcedureLifecycleError, match="amend it instead") as raised:
        catalog.publish(PublishProcedure(spec=current.spec, decision=current.decision))
    assert raised.value.rule == "local_code_taken"


def test_a_successor_must_be_in_the_catalog(catalog: Catalog) -> None:
    """Replacing a procedure by an unknown code is refused and records nothing."""
    decision = catalog.load(COPY).current.decision
    unknown = LocalCode("2.999999.000.00.00.H56")
    with pytest.raises(ProcedureNotFoundError):
        catalog.replace(ReplaceProcedure(code=COPY, successor=unknown, decision=decision))
    assert catalog.load(COPY).ending is None


def test_a_replaced_procedure_points_to_its_successor(catalog: Catalog) -> None:
    """After replacement the procedure stands replaced, linked to the successor."""
    decision = evolve(catalog.load(COPY).current.decision, effective=date(2026, 1, 1))
    catalog.replace(ReplaceProcedure(code=COPY, successor=JUDICIAL, decision=decision))
    found = catalog.get(COPY.value, TODAY)
    assert found.standing is Standing.REPLACED
    assert found.procedure.ending is not None
    assert found.procedure.ending.successor == JUDICIAL


def test_a_national_code_shared_by_several_is_ambiguous(catalog: Catalog) -> None:
    """A national code with two local codes names both candidates instead of guessing."""
    spec = catalog.load(COPY).current.spec
    twin = evolve(spec, local_code=LocalCode("2.000815.H56"))
    catalog.publish(PublishProcedure(spec=twin, decision=catalog.load(COPY).current.decision))
    with pytest.raises(ProcedureNotFoundError) as raised:
        catalog.get("2.000815", TODAY)
    assert raised.value.candidates == ("2.000815.000.00.00.H56", "2.000815.H56")


def test_listing_in_force_leaves_out_abolished_procedures(catalog: Catalog) -> None:
    """Filtering on a day leaves out procedures abolished by then, but not before."""
    decision = evolve(catalog.load(COPY).current.decision, effective=date(2026, 1, 1))
    catalog.abolish(AbolishProcedure(code=COPY, decision=decision))

    def codes(on: date) -> list[str]:
        page = catalog.list(ListProcedures(in_force_on=on), today=TODAY)
        return [item.procedure.local_code.value for item in page.items]

    assert COPY.value in codes(date(2025, 12, 31))
    assert COPY.value not in codes(date(2026, 1, 1))


def test_a_page_never_exceeds_the_maximum(catalog: Catalog) -> None:
    """A page holds at most the limit asked, and at least one item."""
    assert len(catalog.list(ListProcedures(limit=0), today=TODAY).items) == 1
    assert len(catalog.list(ListProcedures(limit=10_000), today=TODAY).items) == 3


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("  CHỨNG   THỰC  ", "chung thuc"),
        ("Lý lịch tư pháp", "ly lich tu phap"),
        ("Đ\u0103ng ky\u0301", "dang ky"),  # decomposed (NFD) input
    ],
)
def test_fold_strips_vietnamese_diacritics(text: str, folded: str) -> None:
    """Folding removes tones and marks, maps đ to d, lower-cases and squeezes spaces."""
    assert fold(text) == folded


class Filler(Aggregate):
    """An aggregate that is not a procedure, as dossiers are not."""


def test_the_catalog_view_stands_at_the_head_past_other_aggregates_events(
    catalog: Catalog,
) -> None:
    """After catching up, the view's position is the log's head, so later reads skip dossiers."""
    catalog.index.catch_up()
    catalog.app.save(*(Filler() for _ in range(3)))
    head = catalog.app.recorder.max_notification_id()
    assert catalog.index.catch_up() == 0
    assert catalog.index.position == head
    assert len(catalog.index.by_national_code("2.000815")) == 1
