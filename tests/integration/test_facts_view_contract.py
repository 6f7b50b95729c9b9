"""What every facts view must do: one abstract contract, run on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from abc import abstractmethod
from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from attrs import evolve
from psycopg import sql

from adapters.eventstore.config import StoreKind
from adapters.views import facts_sql as f
from adapters.views.facts_factory import FactsViewAdapter, facts_view_from_env
from adapters.views.postgres_facts import PostgresFactsView
from adapters.views.sqlite_facts import SqliteFactsView
from application.errors import StalePositionError
from application.queue import DOSSIER_TOPICS
from application.report06a import CountingRules, Report06a, ReportQuery, report06a
from application.statistics import FactsBatch, FactsRow
from application.statistics_ports import FactsView
from application.statistics_projector import FactsProjector, replay
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from tests import facts_fixtures as ff
from tests import queue_fixtures as qf
from tests.dossier_fixtures import CENTRE, Desk, at
from tests.integration.poison import UNWRITABLE, PoisonedError
from tests.integration.stores import MakeApp
from tests.integration.view_contract import Crashing, ViewContract

RULES = [
    CountingRules(stopped_on_time=s, withdrawn_on_time=w, waiting_supplement_on_time=p)
    for s, w, p in itertools.product((True, False), repeat=3)
]
MARCH_DEFAULT = {3: 13, 4: 1, 5: 10, 6: 2, 7: 8, 8: 2, 9: 4, 10: 2, 11: 5, 12: 2, 13: 3}
MARCH_ALL_OFF = {3: 13, 4: 1, 5: 10, 6: 2, 7: 7, 8: 4, 9: 1, 10: 2, 11: 6, 12: 2, 13: 4}
WAITING_ON = {5: True, 7: True, 12: False, 14: False, 17: True, 19: True, 24: False, 26: False}
"""For periods from 1 March ending on these days: was the dossier of ``paused_twice`` waiting?"""
NOT_WAITING = CountingRules(waiting_supplement_on_time=False)


def holds_invariants(report: Report06a) -> bool:
    """3 = 4 + 5 + 6, 7 = 8 + 9 + 10, 11 = 12 + 13 and 3 = 7 + 11."""
    c = report.columns()
    return (
        c[3] == c[4] + c[5] + c[6]
        and c[7] == c[8] + c[9] + c[10]
        and c[11] == c[12] + c[13]
        and c[3] == c[7] + c[11]
    )


def paused_twice(desk: Desk) -> Dossier:
    """A dossier received on 3 March 2025, paused for supplements 5-12 and 17-24 March."""
    desk.clock.set(at(2025, 3, 3, 9))
    dossier = qf.processing(desk)
    for requested, accepted in ((5, 12), (17, 24)):
        desk.clock.set(at(2025, 3, requested, 10))
        qf.supplement_requested(desk, dossier)
        desk.clock.set(at(2025, 3, accepted, 10))
        dossier = qf.supplemented(desk, dossier)
    return dossier


def until(end: int) -> ReportQuery:
    """The centre's report from 1 March 2025 to ``end`` March."""
    return ReportQuery(unit=str(CENTRE), start=date(2025, 3, 1), end=date(2025, 3, end))


class Scenario:
    """A desk over a fresh store, a facts view and its projector."""

    def __init__(self, desk: Desk, view: FactsViewAdapter) -> None:
        self.desk = desk
        self.view = view
        self.projector = FactsProjector(desk.app, view)


class CrashingView(Crashing[FactsBatch]):
    """The real facts view; the chosen batch gets a row no store accepts, and notes what it had."""

    def __init__(self, inner: FactsView, crash_on: int) -> None:
        super().__init__(inner, crash_on)
        self.before: dict[UUID, FactsRow] = {}
        self.touched: list[UUID] = []

    def poisoned(self, batch: FactsBatch) -> FactsBatch:
        """The batch with an unwritable row after its real ones; notes the rows it touches."""
        if not batch.upserts:
            return batch
        self.touched = [row.dossier_id for row in batch.upserts] + list(batch.deletes)
        self.before = self.inner.get_many(self.touched)
        poison = evolve(batch.upserts[-1], dossier_id=UNWRITABLE)
        return evolve(batch, upserts=(*batch.upserts, poison))


class FactsViewContract(ViewContract[FactsViewAdapter]):
    """The contract; subclasses choose the store."""

    def open_view(self, env: Mapping[str, str]) -> FactsViewAdapter:
        """The facts view beside the event store."""
        return facts_view_from_env(env)

    @pytest.fixture
    def scenario(
        self, make_app: MakeApp, policy: CalendarPolicy, opened: list[FactsViewAdapter]
    ) -> Scenario:
        """The February-to-April history, projected in batches of seven."""
        app = make_app()
        view = self.view_of(app, opened)
        scenario = Scenario(Desk(app, policy), view)
        ff.history(scenario.desk)
        assert scenario.projector.catch_up(batch_size=7) > 0
        return scenario

    def test_rows_equal_a_fold_of_the_whole_log(self, scenario: Scenario) -> None:
        """The view holds one row per dossier not refused at intake, as a replay folds it."""
        rows = scenario.view.rows()
        assert len(rows) == 16
        assert rows == sorted(replay(scenario.desk.app).values(), key=lambda r: r.dossier_id)

    def test_march_report_has_the_expected_columns(self, scenario: Scenario) -> None:
        """March under the default rules and with every rule off, column for column."""
        view = scenario.view
        assert view.report06a(ff.MARCH, CountingRules()).columns() == MARCH_DEFAULT
        off = CountingRules(
            stopped_on_time=False, withdrawn_on_time=False, waiting_supplement_on_time=False
        )
        assert view.report06a(ff.MARCH, off).columns() == MARCH_ALL_OFF

    def test_march_side_figures_count_payments_returns_and_ratings(
        self, scenario: Scenario
    ) -> None:
        """One of one payment was online, one of two returns by post, one rating each way."""
        report = scenario.view.report06a(ff.MARCH, CountingRules())
        assert (report.paid, report.paid_online) == (1, 1)
        assert (report.returned, report.returned_via_post) == (2, 1)
        assert (report.very_satisfied, report.satisfied, report.not_satisfied) == (1, 0, 1)

    @pytest.mark.parametrize("rules", RULES, ids=repr)
    def test_reports_equal_the_python_reference(
        self, scenario: Scenario, rules: CountingRules
    ) -> None:
        """Every query under every rule setting gives the reference figures and the invariants."""
        rows = scenario.view.rows()
        for query in ff.QUERIES:
            report = scenario.view.report06a(query, rules)
            assert report == report06a(rows, query, rules), query
            assert holds_invariants(report), query

    def test_an_old_batch_is_refused_and_changes_nothing(self, scenario: Scenario) -> None:
        """Re-applying a position already reached raises and writes no row."""
        before, position = scenario.view.rows(), scenario.view.position()
        for stale in (position, position - 1):
            batch = FactsBatch(
                position=stale,
                upserts=(evolve(before[0], paid=not before[0].paid),),
                deletes=(before[1].dossier_id,),
            )
            with pytest.raises(StalePositionError):
                scenario.view.apply(batch)
        assert scenario.view.rows() == before
        assert scenario.view.position() == position
        assert scenario.projector.catch_up() == 0

    def test_a_crash_mid_batch_resumes_without_missing_or_doubled_rows(
        self, scenario: Scenario, opened: list[FactsViewAdapter]
    ) -> None:
        """A batch that fails mid-write leaves nothing behind; a restarted projector completes."""
        desk = scenario.desk
        crashing = CrashingView(scenario.view, crash_on=2)
        desk.issue_result(qf.processing(desk))
        for make in (qf.supplemented, qf.returned, qf.withdrawn):
            make(desk)
        desk.receive()
        before = scenario.view.position()
        with pytest.raises(PoisonedError):
            FactsProjector(desk.app, crashing).catch_up(batch_size=5)
        head = desk.app.recorder.select_notifications(
            start=None, limit=10_000, topics=DOSSIER_TOPICS
        )[-1].id
        reached = scenario.view.position()
        assert before < reached < head
        assert crashing.touched
        assert scenario.view.get_many(crashing.touched) == crashing.before
        restarted = self.reopen(scenario, opened)
        assert restarted.position() == reached
        FactsProjector(desk.app, restarted).catch_up(batch_size=5)
        rows = restarted.rows()
        assert rows == sorted(replay(desk.app).values(), key=lambda row: row.dossier_id)
        assert len({row.dossier_id for row in rows}) == len(rows) == restarted.count() == 21
        assert restarted.report06a(ff.MARCH, CountingRules()) == report06a(
            rows, ff.MARCH, CountingRules()
        )
        assert restarted.position() == head

    def test_a_rebuild_equals_the_live_view(
        self, scenario: Scenario, opened: list[FactsViewAdapter]
    ) -> None:
        """Dropping the view and replaying the whole log gives the same rows and reports."""
        live = scenario.view.rows()
        scenario.view.drop()
        rebuilt = self.reopen(scenario, opened)
        assert rebuilt.position() == 0
        FactsProjector(scenario.desk.app, rebuilt).catch_up()
        assert rebuilt.rows() == live
        assert rebuilt.report06a(ff.MARCH, CountingRules()).columns() == MARCH_DEFAULT

    @pytest.fixture
    def paused(
        self, make_app: MakeApp, policy: CalendarPolicy, opened: list[FactsViewAdapter]
    ) -> Scenario:
        """One dossier paused twice for supplements, projected in batches of three events."""
        app = make_app()
        scenario = Scenario(Desk(app, policy), self.view_of(app, opened))
        paused_twice(scenario.desk)
        assert scenario.projector.catch_up(batch_size=3) > 0
        return scenario

    def stored_pauses(self, view: FactsViewAdapter) -> int:
        """How many supplement pauses the view stores (in memory: those of its rows)."""
        return sum(len(row.supplement_pauses) for row in view.rows())

    def test_a_dossier_paused_twice_waits_inside_either_pause(self, paused: Scenario) -> None:
        """Periods ending inside the first or the second pause count it on time, others not."""
        view = paused.view
        rows = view.rows()
        for end, waiting in WAITING_ON.items():
            report = view.report06a(until(end), CountingRules())
            expected = (1, 1, 0) if waiting else (0, 0, 1)
            assert (report.processed, report.on_time, report.in_progress) == expected, end
            assert report == report06a(rows, until(end), CountingRules()), end
            strict = view.report06a(until(end), NOT_WAITING)
            assert (strict.processed, strict.in_progress) == (0, 1), end

    def test_pauses_are_kept_replaced_with_their_row_and_deleted_with_it(
        self, paused: Scenario
    ) -> None:
        """Both pauses are stored; rewriting the row replaces them; deleting it removes them."""
        view = paused.view
        [row] = view.rows()
        assert [row] == list(replay(paused.desk.app).values())
        assert len(row.supplement_pauses) == self.stored_pauses(view) == 2
        assert view.get_many([row.dossier_id]) == {row.dossier_id: row}
        first_only = evolve(row, supplement_pauses=row.supplement_pauses[:1])
        view.apply(FactsBatch(position=view.position() + 1, upserts=(first_only,)))
        assert view.rows() == [first_only]
        assert self.stored_pauses(view) == 1
        assert view.report06a(until(19), CountingRules()).in_progress == 1
        view.apply(FactsBatch(position=view.position() + 1, deletes=(row.dossier_id,)))
        assert view.rows() == []
        assert self.stored_pauses(view) == 0


class TestInMemoryFactsView(FactsViewContract):
    """The contract on the in-memory view."""

    kind = StoreKind.MEMORY

    def reopen(self, scenario: Scenario, opened: list[FactsViewAdapter]) -> FactsViewAdapter:  # noqa: ARG002 (the contract's signature)
        """The in-memory view is its own storage: reopening it is the same object."""
        return scenario.view


class SqlFactsViewContract(FactsViewContract):
    """What the SQL views add: pauses in a table of their own, and tables of a past release."""

    @abstractmethod
    def execute(self, view: FactsViewAdapter, statement: str) -> list[Any]:
        """Run ``statement`` (``{facts}`` and ``{pauses}`` name the tables) in a transaction."""

    @abstractmethod
    def columns(self, view: FactsViewAdapter) -> set[str]:
        """The columns of the facts table."""

    def stored_pauses(self, view: FactsViewAdapter) -> int:
        """How many records the pause table holds."""
        return int(self.execute(view, "SELECT count(*) AS n FROM {pauses}")[0]["n"])

    def test_a_facts_table_older_than_its_pause_table_is_rebuilt_from_the_log(
        self, scenario: Scenario, opened: list[FactsViewAdapter]
    ) -> None:
        """An earlier release's table (no pause table, old columns) restarts the view at 0."""
        self.execute(scenario.view, "DROP TABLE {pauses}")
        self.execute(scenario.view, "ALTER TABLE {facts} ADD COLUMN supplement_since text")
        reopened = self.reopen(scenario, opened)
        assert (reopened.position(), reopened.count(), self.stored_pauses(reopened)) == (0, 0, 0)
        assert "supplement_since" not in self.columns(reopened)
        FactsProjector(scenario.desk.app, reopened).catch_up()
        rows = reopened.rows()
        assert rows == sorted(replay(scenario.desk.app).values(), key=lambda r: r.dossier_id)
        assert self.stored_pauses(reopened) == sum(len(r.supplement_pauses) for r in rows) > 0
        assert reopened.report06a(ff.MARCH, CountingRules()).columns() == MARCH_DEFAULT


class TestSqliteFactsView(SqlFactsViewContract):
    """The contract on the SQLite view, in the event store's file."""

    kind = StoreKind.SQLITE

    def execute(self, view: FactsViewAdapter, statement: str) -> list[Any]:
        """Run ``statement`` in a write transaction on the view's connection."""
        assert isinstance(view, SqliteFactsView)
        with view.shared.transaction() as db:
            return db.execute(statement.format(facts=f.TABLE, pauses=f.PAUSES)).fetchall()

    def columns(self, view: FactsViewAdapter) -> set[str]:
        """The columns ``PRAGMA table_info`` lists."""
        return {record["name"] for record in self.execute(view, "PRAGMA table_info({facts})")}


class TestPostgresFactsView(SqlFactsViewContract):
    """The contract on the PostgreSQL view, in the event store's schema."""

    kind = StoreKind.POSTGRES

    def execute(self, view: FactsViewAdapter, statement: str) -> list[Any]:
        """Run ``statement`` in a transaction on the view's connection, tables in its schema."""
        assert isinstance(view, PostgresFactsView)
        composed = sql.SQL(statement).format(facts=view.table, pauses=view.pauses_table)
        with view.connection.transaction():
            cursor = view.connection.execute(composed)
            return cursor.fetchall() if cursor.description else []

    def columns(self, view: FactsViewAdapter) -> set[str]:
        """The columns the catalogue lists."""
        assert isinstance(view, PostgresFactsView)
        with view.connection.transaction():
            records = view.connection.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s",
                (view.schema_name, f.TABLE),
            ).fetchall()
        return {record["column_name"] for record in records}
