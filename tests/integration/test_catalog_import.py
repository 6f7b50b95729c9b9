"""Catalog import from DVCQG-shaped files: round trip, broken items, idempotence, amendments."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.catalog.dvcqg import CatalogFileError, read_catalog
from adapters.eventstore.config import StoreKind
from application.catalog import Catalog
from application.catalog_import import ImportReport, Outcome, import_catalog
from application.onestop import OneStop
from application.queries import ListProcedures
from domain.procedure_spec import Channel, Collection, FeeKind, Form
from domain.time_limit import TimeLimit
from domain.values import AgencyCode, LocalCode
from entrypoints.cli import main
from tests.integration.stores import store

SAMPLE = Path(__file__).parent.parent / "data" / "catalog_sample.json"
DEMO = Path(__file__).parent.parent.parent / "data" / "catalog" / "demo.json"


@pytest.fixture
def catalog() -> Catalog:
    """A catalog on a fresh memory store."""
    return Catalog(OneStop(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}))


def run_import(catalog: Catalog, path: Path = SAMPLE) -> ImportReport:
    """Import ``path`` and return the report."""
    return import_catalog(catalog, read_catalog(path)[1])


def sample() -> dict[str, Any]:
    """The sample file as JSON, to change."""
    document: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return document


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    """``document`` as a catalog file."""
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_round_trip_keeps_every_figure(catalog: Catalog) -> None:
    """Limits, fees, documents, cases, steps and decision come back as the file states them."""
    run_import(catalog)
    judicial = catalog.load(LocalCode("2.000505.000.00.00.H56")).current
    spec = judicial.spec
    assert spec.name == "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
    assert spec.agencies == (AgencyCode("000.00.12.H56"),)
    [case] = spec.cases
    [counter] = case.channels
    assert counter.channel is Channel.COUNTER
    assert counter.limit == TimeLimit.working_days(10)
    [fee] = counter.fees
    assert (fee.amount, fee.kind, fee.collected) == (200_000, FeeKind.FEE, Collection.AT_RECEPTION)
    assert [step.hours for step in case.steps] == [Decimal(4), Decimal(56), Decimal(16), Decimal(4)]
    assert judicial.decision.number == "1234/QĐ-UBND"
    assert judicial.decision.effective == date(2025, 7, 1)


def test_cases_come_from_truonghop_and_charges_from_their_description(catalog: Catalog) -> None:
    """Each TRUONGHOP is a case; "Lệ phí" marks a charge; a zero fee is exempt."""
    run_import(catalog)
    birth = catalog.load(LocalCode("2.001193.000.00.00.H56")).current.spec
    assert [case.name for case in birth.cases] == ["Đúng hạn", "Quá hạn"]
    late = birth.case("Quá hạn")
    assert [(d.name, d.form) for d in late.documents] == [
        ("Tờ khai đăng ký khai sinh", Form.ORIGINAL),
        ("Giấy tờ chứng minh nơi cư trú", Form.COPY),
    ]
    [fee] = late.channels[0].fees
    assert (fee.kind, fee.collected) == (FeeKind.CHARGE, Collection.EXEMPT)
    assert birth.statutory_limit == TimeLimit.working_days(3)
    assert birth.cut_percent == Decimal("66.7")
    copy = catalog.load(LocalCode("2.000815.000.00.00.H56")).current.spec
    assert copy.cases[0].channels[0].limit == TimeLimit.same_day()
    assert copy.same_day_cutoff == time(15)


def test_broken_items_are_rejected_alone(catalog: Catalog) -> None:
    """Each broken item is reported with its index and reason; the good ones are created."""
    report = run_import(catalog)
    outcomes = [(item.index, item.outcome) for item in report.items]
    assert outcomes == [
        (0, Outcome.CREATED),
        (1, Outcome.CREATED),
        (2, Outcome.CREATED),
        (3, Outcome.REJECTED),
        (4, Outcome.REJECTED),
        (5, Outcome.REJECTED),
    ]
    reasons = {item.index: item.reason or "" for item in report.items}
    assert "national procedure code" in reasons[3]
    assert "steps allot 24 working hours" in reasons[4]
    assert "object" in reasons[5]
    assert catalog.index.count() == 3


def test_a_second_import_changes_nothing(catalog: Catalog) -> None:
    """Unchanged procedures are reported unchanged and record no event."""
    run_import(catalog)
    head = catalog.app.recorder.max_notification_id()
    report = run_import(catalog)
    assert report.count(Outcome.UNCHANGED) == 3
    assert catalog.app.recorder.max_notification_id() == head


def test_a_changed_procedure_is_amended(catalog: Catalog, tmp_path: Path) -> None:
    """A changed fee in a later decision records an amendment; version 1 stays as it was."""
    run_import(catalog)
    document = sample()
    document["decision"] = {
        **document["decision"],
        "number": "99/QĐ-UBND",
        "effective": "2026-01-01",
    }
    document["procedures"][2]["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["PHILEPHI"][0]["SOTIEN"] = (
        "100000"
    )
    report = run_import(catalog, write(tmp_path, document))
    assert [item.outcome for item in report.items[:3]] == [
        Outcome.UNCHANGED,
        Outcome.UNCHANGED,
        Outcome.AMENDED,
    ]
    judicial = catalog.load(LocalCode("2.000505.000.00.00.H56"))
    assert judicial.pinned(1).spec.cases[0].channels[0].fees[0].amount == 200_000
    assert judicial.pinned(2).spec.cases[0].channels[0].fees[0].amount == 100_000
    assert judicial.pinned(2).decision.number == "99/QĐ-UBND"


def test_a_code_twice_in_one_file_is_rejected_the_second_time(
    catalog: Catalog, tmp_path: Path
) -> None:
    """Two items with one local code: the first counts, the second is rejected naming the first."""
    document = sample()
    document["procedures"] = [document["procedures"][0], document["procedures"][0]]
    report = run_import(catalog, write(tmp_path, document))
    assert [item.outcome for item in report.items] == [Outcome.CREATED, Outcome.REJECTED]
    assert "first at item 0" in (report.items[1].reason or "")


def test_a_block_of_the_wrong_shape_is_rejected_alone(catalog: Catalog, tmp_path: Path) -> None:
    """A ``motcua`` block that is not an object rejects its item, not the whole file."""
    document = sample()
    document["procedures"][0]["motcua"] = ["not", "an", "object"]
    report = run_import(catalog, write(tmp_path, document))
    assert report.items[0].outcome == Outcome.REJECTED
    assert report.items[1].outcome == Outcome.CREATED


def test_an_item_without_a_decision_is_rejected(catalog: Catalog, tmp_path: Path) -> None:
    """Without a file-level or item decision, nothing can be published."""
    document = sample()
    del document["decision"]
    report = run_import(catalog, write(tmp_path, document))
    assert report.count(Outcome.REJECTED) == 6
    assert "publication decision" in (report.items[0].reason or "")


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "not JSON"), ('{"items": []}', "a list 'procedures'"), ("[]", "procedures")],
)
def test_unreadable_files_are_refused_whole(tmp_path: Path, content: str, message: str) -> None:
    """A file that is not a catalog is refused before anything is imported."""
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogFileError, match=message):
        read_catalog(path)


def test_progress_is_reported_for_every_item(catalog: Catalog) -> None:
    """The progress callback adds up to the number of items in the file."""
    total, items = read_catalog(SAMPLE)
    seen: list[int] = []
    import_catalog(catalog, items, progress=seen.append)
    assert sum(seen) == total == 6


def test_cli_import_reports_each_item_and_exits_1_on_rejections(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`motcua catalog import` prints one line per item and a summary; rejections exit 1."""
    monkeypatch.setenv("MOTCUA_DB", str(tmp_path / "motcua.db"))
    code = main(["catalog", "import", str(SAMPLE)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0] == "item 0\t2.000815.000.00.00.H56\tcreated"
    assert out[-1] == "6 items: created 3, amended 0, unchanged 0, rejected 3"
    assert main(["catalog", "import", str(SAMPLE)]) == 1
    assert capsys.readouterr().out.splitlines()[-1].endswith("unchanged 3, rejected 3")


def test_cli_import_of_a_missing_file_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing file is exit code 2 and one line on stderr."""
    monkeypatch.setenv("MOTCUA_DB", str(tmp_path / "motcua.db"))
    assert main(["catalog", "import", str(tmp_path / "absent.json")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_demo_catalog_imports_cleanly(catalog: Catalog) -> None:
    """data/catalog/demo.json: at least 25 procedures, province and commune, none rejected."""
    report = run_import(catalog, DEMO)
    rejected = [
        (item.index, item.reason) for item in report.items if item.outcome is Outcome.REJECTED
    ]
    assert rejected == []
    assert report.count(Outcome.CREATED) >= 25
    levels = {level for p, _ in catalog.index.all() for level in p.current.spec.levels}
    assert {"province", "commune"} <= levels


def test_the_catalog_view_serves_readers_during_an_import(tmp_path: Path) -> None:
    """Eight threads list and count while another process imports: no errors, all found after."""
    with store(StoreKind.SQLITE, tmp_path) as make_app:
        writer, reader = Catalog(make_app()), Catalog(make_app())
        done = threading.Event()

        def read() -> int:
            reads = 0
            while not done.is_set():
                reader.list(ListProcedures(text="khai sinh"), today=date(2026, 1, 5))
                reader.index.count()
                reads += 1
            return reads

        with ThreadPoolExecutor(max_workers=8) as pool:
            readers = [pool.submit(read) for _ in range(8)]
            run_import(writer)
            done.set()
            assert all(future.result() > 0 for future in readers)
        assert reader.index.count() == 3
