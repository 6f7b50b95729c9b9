"""The demo generator makes real histories through the application: none refused, all kinds."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from adapters.catalog.dvcqg import read_catalog
from application.calendars import Calendars
from application.catalog import Catalog
from application.catalog_import import import_catalog
from application.demo import DemoGenerator, SimulatedClock, window
from application.dossiers import Dossiers
from application.onestop import OneStop
from domain.calendar_policy import CalendarPolicy
from domain.values import VIETNAM

DEMO = Path(__file__).parent.parent.parent / "data" / "catalog" / "demo.json"
TODAY = date(2026, 11, 20)


def generated(policy: CalendarPolicy, seed: int, count: int) -> tuple[OneStop, Counter[str]]:
    """A memory store with the demo catalog and ``count`` generated dossiers; event kinds."""
    app = OneStop()
    catalog = Catalog(app)
    import_catalog(catalog, read_catalog(DEMO)[1])
    clock = SimulatedClock(datetime(2025, 7, 1, 8, tzinfo=VIETNAM))
    service = Dossiers(app, catalog, Calendars(policy), clock=clock)
    generator = DemoGenerator(service, catalog, clock, agencies=5, seed=seed)
    start, end = window(TODAY, 2, generator.procedures)
    summary = generator.generate(count, start, end)
    assert summary.refused == 0
    assert summary.dossiers == count
    notes = app.recorder.select_notifications(start=None, limit=100_000)
    return app, Counter(n.topic.rsplit(".", 1)[-1] for n in notes)


@pytest.mark.parametrize("seed", [1, 2])
def test_every_generated_command_is_accepted_and_the_mix_is_realistic(
    policy: CalendarPolicy, seed: int
) -> None:
    """Four hundred lives: no command refused; supplements, payments, extensions and returns."""
    _, kinds = generated(policy, seed, 400)
    for kind in ("Received", "SupplementRequested", "ClockResumed", "PaidOnline", "Extended"):
        assert kinds[kind] > 0, kind
    returns = kinds["ReturnedAtCounter"] + kinds["ReturnedViaPost"] + kinds["ReturnedOnline"]
    assert returns > 0.8 * kinds["Received"]


def test_the_same_seed_makes_the_same_histories(policy: CalendarPolicy) -> None:
    """Generation is repeatable: the same seed gives the same events, kind for kind."""
    assert generated(policy, 7, 100)[1] == generated(policy, 7, 100)[1]


def test_the_window_starts_when_the_catalog_does() -> None:
    """Two years back from today, but never before the first procedure was in force."""
    app = OneStop()
    catalog = Catalog(app)
    import_catalog(catalog, read_catalog(DEMO)[1])
    procedures = [p for p, _ in catalog.index.all()]
    assert window(TODAY, 2, procedures) == (date(2025, 7, 1), TODAY)
    assert window(TODAY, 1, procedures) == (date(2025, 11, 20), TODAY)
