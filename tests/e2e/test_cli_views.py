"""``motcua rebuild`` and ``motcua project`` over a SQLite store that real commands filled."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import pytest

from adapters.eventstore.config import StoreConfig, StoreKind, library_env
from application.onestop import OneStop
from application.queue import DOSSIER_TOPICS
from domain.calendar_policy import CalendarPolicy
from entrypoints.cli import main
from tests.dossier_fixtures import Desk


@pytest.fixture
def database(
    tmp_path: Path, policy: CalendarPolicy, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Desk]:
    """A SQLite file with three open dossiers and one returned; MOTCUA_DB points at it."""
    path = tmp_path / "motcua.db"
    app = OneStop(env=library_env(StoreConfig(kind=StoreKind.SQLITE, sqlite_path=path)))
    desk = Desk(app, policy)
    for _ in range(3):
        desk.receive()
    desk.lifecycle()
    monkeypatch.setenv("MOTCUA_DB", str(path))
    monkeypatch.setenv("MOTCUA_LOG_LEVEL", "warning")
    return path, desk


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object], str]:
    """Exit code, the JSON document on stdout, and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}, err


def test_project_once_catches_the_queue_up(
    database: tuple[Path, Desk], capsys: pytest.CaptureFixture[str]
) -> None:
    """The first catch-up applies every dossier event to each view; the second finds nothing."""
    _, desk = database
    code, report, _ = run(capsys, "project", "--once")
    events = sum(len(desk.dossiers.history(d)) for d in _dossier_ids(desk))
    assert code == 0
    assert report["events"] == 4 * events + 1  # queue, lookup, register, facts; a procedure name
    code, report, _ = run(capsys, "project", "--once")
    assert (code, report["events"]) == (0, 0)


@pytest.mark.usefixtures("database")
def test_rebuild_builds_the_queue_again_and_checks_it(capsys: pytest.CaptureFixture[str]) -> None:
    """After a rebuild the queue holds the three open dossiers, as a second pass agrees."""
    run(capsys, "project", "--once")
    code, report, _ = run(capsys, "rebuild", "--view", "queue")
    assert code == 0
    assert (report["rows"], report["second_pass_rows"], report["matches"]) == (3, 3, True)
    code, again, _ = run(capsys, "rebuild")
    assert (code, again["rows"], again["events"]) == (0, 3, report["events"])


@pytest.mark.usefixtures("database")
def test_rebuild_refuses_an_unknown_view(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown view name is one line on stderr and exit code 2."""
    code, _, err = run(capsys, "rebuild", "--view", "stats")
    assert code == 2
    assert "unknown view 'stats'" in err


def _dossier_ids(desk: Desk) -> list[UUID]:
    notes = desk.app.recorder.select_notifications(start=None, limit=10_000, topics=DOSSIER_TOPICS)
    return list(dict.fromkeys(desk.app.mapper.to_domain_event(n).originator_id for n in notes))


@pytest.mark.usefixtures("database")
def test_rebuild_builds_the_lookup_again_and_checks_it(capsys: pytest.CaptureFixture[str]) -> None:
    """The lookup holds every received dossier (four here), as a second pass agrees."""
    code, report, _ = run(capsys, "rebuild", "--view", "lookup")
    assert code == 0
    assert (report["view"], report["rows"], report["matches"]) == ("lookup", 4, True)


@pytest.mark.usefixtures("database")
def test_rebuild_builds_the_register_again_and_checks_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The register lists every received dossier (four here), as a second pass agrees."""
    code, report, _ = run(capsys, "rebuild", "--view", "register")
    assert code == 0
    assert (report["view"], report["rows"], report["matches"]) == ("register", 4, True)


@pytest.mark.usefixtures("database")
def test_rebuild_builds_the_facts_again_and_checks_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The facts hold every dossier report 06a may count (four here), as a second pass agrees."""
    code, report, _ = run(capsys, "rebuild", "--view", "facts")
    assert code == 0
    assert (report["view"], report["rows"], report["matches"]) == ("facts", 4, True)
