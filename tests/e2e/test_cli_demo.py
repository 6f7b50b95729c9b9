"""``motcua demo generate``: histories through the application, then the views caught up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from entrypoints.cli import main

DEMO = Path(__file__).parent.parent.parent / "data" / "catalog" / "demo.json"


@pytest.fixture(autouse=True)
def memory_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each run gets a fresh in-memory store and quiet logs."""
    monkeypatch.setenv("MOTCUA_DB", ":memory:")
    monkeypatch.setenv("MOTCUA_LOG_LEVEL", "warning")


def test_generate_reports_what_it_made(capsys: pytest.CaptureFixture[str]) -> None:
    """Thirty dossiers, none refused, over the window the catalog allows; views updated."""
    code = main(
        ["demo", "generate", "--dossiers", "30", "--seed", "3", "--load-catalog", str(DEMO)]
    )
    out, _ = capsys.readouterr()
    report = json.loads(out)
    assert code == 0
    assert (report["dossiers"], report["refused"]) == (30, 0)
    assert sum(report["statuses"].values()) == 30
    assert report["from"] == "2025-07-01"
    assert report["view_events_applied"] >= report["events"]


def test_generate_needs_a_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    """With an empty catalog and no file to load, one line on stderr and exit code 2."""
    code = main(["demo", "generate", "--dossiers", "5"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "the catalog is empty" in err
