"""Catalog import throughput on SQLite and PostgreSQL, beside the library's raw save rate.

The file holds 2,000 procedures made from the demo catalog's items under new
codes. One round imports it into a new, empty store, parsing included. The
baseline saves 2,000 minimal aggregates (one small creation event each) into
another new store of the same kind, in batches of the same size as the
import's, so the ratio is what parsing, validation and our events cost beyond
the library itself. Figures are medians of a few rounds.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from adapters.catalog.dvcqg import read_catalog
from adapters.eventstore.config import StoreKind
from application.catalog import Catalog
from application.catalog_import import BATCH, Outcome, import_catalog
from tests.integration.stores import MakeApp, store

PROCEDURES = 2_000
ROUNDS = 3
DEMO = Path(__file__).parent.parent.parent / "data" / "catalog" / "demo.json"


class Marker(Aggregate):
    """A minimal aggregate: one creation event with one short field."""

    def __init__(self, label: str) -> None:
        self.label = label


def synthetic_catalog(folder: Path) -> Path:
    """A catalog file of ``PROCEDURES`` items, the demo's items under fresh codes."""
    demo: dict[str, Any] = json.loads(DEMO.read_text(encoding="utf-8"))
    templates = demo["procedures"]
    items = []
    for n in range(PROCEDURES):
        item = json.loads(json.dumps(templates[n % len(templates)]))
        national = f"3.{100_000 + n:06d}"
        item["MATTHC"], item["MATTHCDP"] = national, f"{national}.000.00.00.H56"
        items.append(item)
    path = folder / "catalog-2000.json"
    path.write_text(json.dumps({**demo, "procedures": items}, ensure_ascii=False), "utf-8")
    return path


def _stores(kind: StoreKind, folder: Path) -> Iterator[AbstractContextManager[MakeApp]]:
    for round_number in range(ROUNDS):
        round_folder = folder / f"{kind}-{round_number}"
        round_folder.mkdir(parents=True)
        yield store(kind, round_folder)


def _timed(body: Callable[[MakeApp], None], kind: StoreKind, folder: Path) -> float:
    seconds = []
    for opened in _stores(kind, folder / body.__qualname__.split(".")[0]):
        with opened as make_app:
            started = time.perf_counter()
            body(make_app)
            seconds.append(time.perf_counter() - started)
    return PROCEDURES / statistics.median(seconds)


def import_rate(path: Path, kind: StoreKind, folder: Path) -> float:
    """Procedures imported per second (median)."""

    def body(make_app: MakeApp) -> None:
        report = import_catalog(Catalog(make_app()), read_catalog(path)[1])
        if report.count(Outcome.CREATED) != PROCEDURES:
            raise RuntimeError(f"the synthetic catalog did not import cleanly: {report.items[:3]}")

    return _timed(body, kind, folder)


def raw_save_rate(kind: StoreKind, folder: Path) -> float:
    """Minimal aggregates saved per second by the library, in import-sized batches (median)."""

    def body(make_app: MakeApp) -> None:
        app = make_app()
        for start in range(0, PROCEDURES, BATCH):
            app.save(*(Marker(f"m{n}") for n in range(start, start + BATCH)))

    return _timed(body, kind, folder)


def render() -> str:
    """Run the catalog benches on SQLite and PostgreSQL and format the report."""
    lines = [f"Catalog import of {PROCEDURES:,} procedures (median of {ROUNDS} rounds)"]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = synthetic_catalog(folder)
        for kind in (StoreKind.SQLITE, StoreKind.POSTGRES):
            try:
                imported = import_rate(path, kind, folder)
                raw = raw_save_rate(kind, folder)
            # pytest's skip and fail (from the store helper) are not Exceptions.
            except (Exception, pytest.skip.Exception, pytest.fail.Exception) as error:  # noqa: BLE001 (a missing server is reported, not fatal)
                lines.append(f"  {kind:<9}  not measured: {type(error).__name__}: {error}")
                continue
            lines.append(
                f"  {kind:<9}  import {imported:>8,.0f} /s   raw save {raw:>8,.0f} /s   "
                f"ratio {imported / raw:.2f}"
            )
    return "\n".join(lines) + "\n"
