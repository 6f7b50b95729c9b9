"""What every lookup view must do: one abstract contract, run on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from attrs import evolve

from adapters.eventstore.config import StoreConfig, StoreKind
from adapters.views.lookup_factory import LookupViewAdapter, lookup_view_for, lookup_view_from_env
from adapters.views.memory_lookup import InMemoryLookupView
from adapters.views.sqlite_lookup import SqliteLookupView
from application.commands import AmendProcedure
from application.errors import StalePositionError
from application.lookup import LOOKUP_TOPICS, LookupAnswer, LookupBatch, LookupRow
from application.lookup_ports import LookupView
from application.lookup_projector import LookupProjector, replay
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from tests import lookup_fixtures as lf
from tests import queue_fixtures as qf
from tests.dossier_fixtures import DECISION, Desk, at
from tests.integration.stores import MakeApp
from tests.integration.view_contract import Crashing, ViewContract


class Scenario:
    """A desk with dossiers in many public states, a view and its projector."""

    def __init__(self, desk: Desk, view: LookupViewAdapter) -> None:
        self.desk = desk
        self.view = view
        self.projector = LookupProjector(desk.app, view)
        self.ids: list[UUID] = []

    def keep(self, *dossiers: Dossier) -> None:
        """Remember dossiers the view must answer for (or not)."""
        self.ids.extend(dossier.id for dossier in dossiers)

    def received(self) -> list[Dossier]:
        """The kept dossiers that have a code, as they stand now."""
        dossiers = (self.desk.dossiers.get(key) for key in self.ids)
        return [dossier for dossier in dossiers if dossier.code is not None]

    def rows(self, view: LookupView | None = None) -> dict[UUID, LookupRow]:
        """Every kept dossier's row in ``view`` (default: the scenario's)."""
        return (view or self.view).get_many(self.ids)

    def answers(self, view: LookupView | None = None) -> list[LookupAnswer | None]:
        """What ``view`` answers for each received dossier's own code and secret."""
        return [(view or self.view).find(*lf.credentials(d)) for d in self.received()]


def play(scenario: Scenario) -> None:
    """Drive real commands over several days, catching up halfway as a live view would."""
    desk = scenario.desk
    scenario.keep(desk.receive(), qf.processing(desk), desk.submit_online())
    desk.clock.set(at(2025, 3, 4, 10))
    scenario.keep(qf.supplement_requested(desk), qf.returned(desk), qf.withdrawn(desk))
    scenario.keep(qf.rejected(desk), lf.withdrawn_before_reception(desk))
    assert scenario.projector.catch_up(batch_size=7) > 0
    desk.clock.set(at(2025, 3, 6, 14))
    scenario.keep(qf.supplemented(desk), qf.extended(desk), qf.stopped(desk))
    scenario.keep(lf.paid_after_result(desk), desk.accept(desk.submit_online()))
    scenario.projector.catch_up(batch_size=7)


class CrashingView(Crashing[LookupBatch]):
    """The real lookup view; the chosen batch gets a row whose due time is not a moment."""

    def poisoned(self, batch: LookupBatch) -> LookupBatch:
        """The batch with an unwritable copy of its first row after the real ones."""
        if not batch.upserts:
            return batch
        poison = evolve(batch.upserts[0], due_at="not a moment")  # type: ignore[arg-type]  # the poison
        return evolve(batch, upserts=(*batch.upserts, poison))


class LookupViewContract(ViewContract[LookupViewAdapter]):
    """The contract; subclasses choose the store."""

    def open_view(self, env: Mapping[str, str]) -> LookupViewAdapter:
        """The lookup view beside the event store."""
        return lookup_view_from_env(env)

    @pytest.fixture
    def scenario(
        self, make_app: MakeApp, policy: CalendarPolicy, opened: list[LookupViewAdapter]
    ) -> Scenario:
        """A fresh store, desk and view, before any command."""
        app = make_app()
        view = self.view_of(app, opened)
        return Scenario(Desk(app, policy), view)

    def test_each_code_and_secret_gives_the_dossiers_public_answer(
        self, scenario: Scenario
    ) -> None:
        """After catching up, every received dossier answers exactly what its aggregate says."""
        play(scenario)
        expected = [lf.expected_answer(scenario.desk, d.id) for d in scenario.received()]
        assert scenario.answers() == expected
        assert {a.status_code for a in expected} == {2, 4, 5, 7, 8, 9, 10}

    def test_a_wrong_secret_and_an_unknown_code_give_the_same_none(
        self, scenario: Scenario
    ) -> None:
        """A wrong secret, another dossier's secret and an unknown code all give ``None``."""
        play(scenario)
        first, second = scenario.received()[:2]
        code, secret = lf.credentials(first)
        other_code, other_secret = lf.credentials(second)
        for guess in [(code, "wrong"), (code, other_secret), (other_code, secret)]:
            assert scenario.view.find(*guess) is None
        assert scenario.view.find("000.00.12.H56-250303-9999", secret) is None
        assert scenario.view.find(code, "") is None

    def test_only_received_dossiers_can_be_found_and_unreceived_closed_ones_vanish(
        self, scenario: Scenario
    ) -> None:
        """A pending submission has a row without a code; refused or withdrawn ones have none."""
        play(scenario)
        rows = scenario.rows()
        pending = [k for k in scenario.ids if scenario.desk.dossiers.get(k).code is None]
        assert len(pending) == 3
        assert [rows[k].code for k in pending if k in rows] == [None]
        assert len(rows) == len(scenario.received()) + 1

    def test_rows_keep_a_digest_and_a_masked_name_only(self, scenario: Scenario) -> None:
        """No stored row holds a lookup secret or the applicant's full name."""
        play(scenario)
        secrets = [lf.credentials(d)[1] for d in scenario.received()]
        for row in scenario.rows().values():
            assert row.applicant == lf.MASKED
            assert not any(secret in repr(row) for secret in secrets)

    def test_the_answer_follows_the_procedures_amended_name(self, scenario: Scenario) -> None:
        """Amending the procedure's name changes the name every answer shows."""
        play(scenario)
        desk = scenario.desk
        renamed = evolve(desk.spec, name="Thủ tục đã sửa tên")
        decision = evolve(DECISION, number="2/QĐ-UBND", effective=date(2025, 6, 1))
        desk.catalog.amend(AmendProcedure(spec=renamed, decision=decision))
        scenario.projector.catch_up()
        names = {a.procedure_name for a in scenario.answers() if a is not None}
        assert names == {"Thủ tục đã sửa tên"}

    def test_a_caught_up_view_has_nothing_more_to_apply(self, scenario: Scenario) -> None:
        """A second catch-up applies nothing; the position is the last relevant event's."""
        play(scenario)
        position = scenario.view.position()
        assert scenario.projector.catch_up() == 0
        relevant = scenario.desk.app.recorder.select_notifications(
            start=None, limit=10_000, topics=LOOKUP_TOPICS
        )
        assert scenario.view.position() == position == relevant[-1].id

    def test_an_old_batch_is_refused_and_changes_nothing(self, scenario: Scenario) -> None:
        """Re-applying a position already reached raises and writes no row."""
        play(scenario)
        before, answers, position = scenario.rows(), scenario.answers(), scenario.view.position()
        row = next(iter(before.values()))
        for stale in (position, position - 1):
            batch = LookupBatch(
                position=stale,
                upserts=(evolve(row, applicant="X"),),
                deletes=(scenario.received()[0].id,),
            )
            with pytest.raises(StalePositionError):
                scenario.view.apply(batch)
        assert (scenario.rows(), scenario.answers()) == (before, answers)
        assert scenario.view.position() == position

    def test_a_crash_mid_batch_resumes_without_missing_or_doubled_rows(
        self, scenario: Scenario, opened: list[LookupViewAdapter]
    ) -> None:
        """A batch that fails mid-write leaves nothing behind; a restarted projector completes."""
        crashing = LookupProjector(scenario.desk.app, CrashingView(scenario.view, crash_on=2))
        desk = scenario.desk
        scenario.keep(desk.receive(), qf.processing(desk), qf.supplemented(desk))
        scenario.keep(qf.returned(desk), qf.extended(desk), desk.receive())
        before = scenario.view.position()
        with pytest.raises(AttributeError):
            crashing.catch_up(batch_size=5)
        reached = scenario.view.position()
        assert before < reached < (desk.app.recorder.max_notification_id() or 0)
        restarted = LookupProjector(desk.app, self.reopen(scenario, opened))
        restarted.catch_up(batch_size=5)
        expected = [lf.expected_answer(desk, d.id) for d in scenario.received()]
        assert scenario.answers(restarted.view) == expected
        assert len(scenario.rows(restarted.view)) == 6

    def test_a_rebuild_equals_the_live_view(
        self, scenario: Scenario, opened: list[LookupViewAdapter]
    ) -> None:
        """Dropping the view and replaying the whole log gives the same rows and answers."""
        play(scenario)
        live, answers = scenario.rows(), scenario.answers()
        scenario.view.drop()
        rebuilt = self.reopen(scenario, opened)
        assert rebuilt.position() == 0
        assert rebuilt.find(*lf.credentials(scenario.received()[0])) is None
        applied = LookupProjector(scenario.desk.app, rebuilt).catch_up()
        dossier_events = sum(len(scenario.desk.dossiers.history(k)) for k in scenario.ids)
        assert applied == dossier_events + 1  # and the procedure's publication
        assert (scenario.rows(rebuilt), scenario.answers(rebuilt)) == (live, answers)

    def test_the_second_pass_agrees_with_the_view(self, scenario: Scenario) -> None:
        """Folding the whole log in memory gives the view's rows, count and names."""
        play(scenario)
        rows, names = replay(scenario.desk.app)
        assert scenario.view.count() == len(rows) == len(scenario.rows())
        assert rows == scenario.rows()
        assert names == {str(scenario.desk.spec.local_code): scenario.desk.spec.name}


class TestInMemoryLookupView(LookupViewContract):
    """The contract on the in-memory view."""

    kind = StoreKind.MEMORY

    def reopen(self, scenario: Scenario, opened: list[LookupViewAdapter]) -> LookupViewAdapter:  # noqa: ARG002 (the contract's signature)
        """The in-memory view is its own storage: reopening it is the same object."""
        return scenario.view


class TestSqliteLookupView(LookupViewContract):
    """The contract on the SQLite view, in the event store's file."""

    kind = StoreKind.SQLITE

    def test_the_stored_table_holds_no_secret_or_full_name(self, scenario: Scenario) -> None:
        """Read raw, the view's tables contain neither a lookup secret nor the applicant's name."""
        play(scenario)
        assert isinstance(scenario.view, SqliteLookupView)
        dump = "\n".join(
            line
            for line in scenario.view.connection.iterdump()
            if "dossier_lookup" in line or "lookup_procedure" in line
        )
        assert "INSERT INTO" in dump
        assert "Nguyễn" not in dump
        assert not any(lf.credentials(d)[1] in dump for d in scenario.received())


class TestPostgresLookupView(LookupViewContract):
    """The contract on the PostgreSQL view, in the event store's schema."""

    kind = StoreKind.POSTGRES


def test_the_factory_puts_a_sqlite_view_in_the_event_store_file(tmp_path: Path) -> None:
    """``lookup_view_for`` opens the SQLite view in the configured event-store file."""
    path = tmp_path / "motcua.db"
    view = lookup_view_for(StoreConfig(kind=StoreKind.SQLITE, sqlite_path=path))
    assert isinstance(view, SqliteLookupView)
    view.close()
    with sqlite3.connect(path) as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    assert {"dossier_lookup", "lookup_procedure", "projection_tracking"} <= tables


def test_the_factory_gives_the_memory_store_an_in_memory_view() -> None:
    """The in-memory store gets the in-memory view, empty at position 0."""
    view = lookup_view_for(StoreConfig(kind=StoreKind.MEMORY))
    assert isinstance(view, InMemoryLookupView)
    assert view.position() == 0
