"""What every queue view must do: one abstract contract, run on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from abc import abstractmethod
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import pytest
from attrs import evolve
from psycopg import sql as psycopg_sql

from adapters.eventstore.config import StoreConfig, StoreKind
from adapters.views import QueueViewAdapter, queue_view_for, queue_view_from_env
from adapters.views.memory_queue import InMemoryQueueView
from adapters.views.postgres_queue import PostgresQueueView
from adapters.views.sqlite_queue import SqliteQueueView
from application.errors import StalePositionError
from application.ports import QueueView
from application.projector import QueueProjector
from application.queue import DOSSIER_TOPICS, QueueBatch, QueueQuery, QueueRow
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from domain.dossier_status import Status
from domain.procedure_spec import Channel
from tests import queue_fixtures as qf
from tests.dossier_fixtures import CENTRE, OFFICE, Desk, at
from tests.integration.stores import MakeApp
from tests.integration.view_contract import Crashing, ViewContract

EVERYTHING = 10_000


def sort_key(row: QueueRow) -> tuple[bool, datetime, UUID]:
    """The contract's order: by due time, rows without one last, then by id."""
    due = row.due_at.astimezone(UTC) if row.due_at else datetime.min.replace(tzinfo=UTC)
    return (row.due_at is None, due, row.dossier_id)


def everything(view: QueueView, **filters: object) -> list[QueueRow]:
    """Every row matching ``filters``, in one page."""
    return view.list(QueueQuery(limit=EVERYTHING, **filters))  # type: ignore[arg-type]  # test kwargs


class Scenario:
    """A desk with dossiers in every queue state, a view and its projector."""

    def __init__(self, desk: Desk, view: QueueViewAdapter) -> None:
        self.desk = desk
        self.view = view
        self.projector = QueueProjector(desk.app, view)
        self.ids: list[UUID] = []

    def keep(self, dossiers: Iterable[Dossier]) -> None:
        """Remember dossiers whose rows the view must show (or not)."""
        self.ids.extend(dossier.id for dossier in dossiers)

    def expected(self) -> list[QueueRow]:
        """The rows the aggregates say the queue holds, in the contract's order."""
        rows = (qf.expected_row(self.desk.dossiers.get(key)) for key in self.ids)
        return sorted((row for row in rows if row is not None), key=sort_key)


def play(scenario: Scenario) -> None:
    """Drive real commands over several days, catching up halfway as a live view would."""
    desk = scenario.desk
    scenario.keep([desk.receive(), qf.processing(desk), desk.submit_online()])
    desk.clock.set(at(2025, 3, 4, 10))
    scenario.keep([desk.complete_step(qf.processing(desk)), qf.supplement_requested(desk)])
    scenario.keep([qf.returned(desk), qf.withdrawn(desk), qf.rejected(desk)])
    assert scenario.projector.catch_up(batch_size=7) > 0
    desk.clock.set(at(2025, 3, 6, 14))
    scenario.keep([qf.supplemented(desk), qf.awaiting_fee(desk), qf.extended(desk)])
    scenario.keep([desk.issue_result(qf.processing(desk)), qf.stopped(desk), qf.paid(desk)])
    scenario.keep([desk.receive(), desk.accept(desk.submit_online())])
    scenario.projector.catch_up(batch_size=7)


class CrashingView(Crashing[QueueBatch]):
    """The real queue view; the chosen batch gets a row whose due time is not a moment."""

    def poisoned(self, batch: QueueBatch) -> QueueBatch:
        """The batch with an unwritable copy of its first row after the real ones."""
        if not batch.upserts:
            return batch
        poison = evolve(batch.upserts[0], due_at="not a moment")  # type: ignore[arg-type]  # the poison
        return evolve(batch, upserts=(*batch.upserts, poison))


class QueueViewContract(ViewContract[QueueViewAdapter]):
    """The contract; subclasses choose the store."""

    def open_view(self, env: Mapping[str, str]) -> QueueViewAdapter:
        """The queue view beside the event store."""
        return queue_view_from_env(env)

    @pytest.fixture
    def scenario(
        self, make_app: MakeApp, policy: CalendarPolicy, opened: list[QueueViewAdapter]
    ) -> Scenario:
        """A fresh store, desk and view, before any command."""
        app = make_app()
        view = self.view_of(app, opened)
        return Scenario(Desk(app, policy), view)

    def test_rows_match_the_dossiers(self, scenario: Scenario) -> None:
        """After catching up, the view holds exactly the open dossiers, as the aggregates say."""
        play(scenario)
        rows = everything(scenario.view)
        assert rows == scenario.expected()
        assert {row.status for row in rows} >= {
            Status.SUBMITTED,
            Status.RECEIVED,
            Status.PROCESSING,
            Status.SUPPLEMENT_REQUESTED,
            Status.AWAITING_PAYMENT,
            Status.RESULT_READY,
        }
        for row in rows:
            assert scenario.view.get(row.dossier_id) == row

    def test_closed_dossiers_have_no_row(self, scenario: Scenario) -> None:
        """Returned, withdrawn, rejected and stopped dossiers are absent."""
        play(scenario)
        closed = [k for k in scenario.ids if scenario.desk.dossiers.get(k).status.is_terminal]
        assert len(closed) == 4
        assert all(scenario.view.get(key) is None for key in closed)

    def test_a_caught_up_view_has_nothing_more_to_apply(self, scenario: Scenario) -> None:
        """A second catch-up applies nothing; the position is the last dossier event's."""
        play(scenario)
        position = scenario.view.position()
        assert scenario.projector.catch_up() == 0
        dossier_events = scenario.desk.app.recorder.select_notifications(
            start=None, limit=EVERYTHING, topics=DOSSIER_TOPICS
        )
        assert scenario.view.position() == position == dossier_events[-1].id

    @pytest.mark.parametrize(
        "filters",
        [
            {"receiving_unit": str(CENTRE)},
            {"competent_agency": str(OFFICE)},
            {"competent_agency": "000.00.99.H56"},
            {"handler": "handler-1"},
            {"status": Status.PROCESSING},
            {"channel": Channel.ONLINE},
            {"procedure": "1.000001.000.00.00.H56"},
            {"status": Status.PROCESSING, "handler": "handler-1"},
        ],
        ids=str,
    )
    def test_filters_select_the_matching_rows(
        self, scenario: Scenario, filters: dict[str, object]
    ) -> None:
        """Each filter keeps exactly the rows whose field equals it, still in due order."""
        play(scenario)
        wanted = [
            row
            for row in scenario.expected()
            if all(getattr(row, name) == value for name, value in filters.items())
        ]
        assert everything(scenario.view, **filters) == wanted

    def test_handler_filter_finds_someone(self, scenario: Scenario) -> None:
        """The scenario has rows with and without a handler, so the handler filter is tested."""
        play(scenario)
        assert 0 < len(everything(scenario.view, handler="handler-1")) < len(scenario.expected())

    @pytest.mark.parametrize("day", [date(2025, 3, 14), date(2025, 3, 20), date(2025, 12, 31)])
    def test_overdue_on_a_day_matches_the_aggregates(self, scenario: Scenario, day: date) -> None:
        """``overdue_on`` keeps the dossiers the aggregate calls overdue on that day."""
        play(scenario)
        moment = at(day.year, day.month, day.day, 12)
        wanted = [
            row
            for row in scenario.expected()
            if scenario.desk.dossiers.get(row.dossier_id).is_overdue(moment)
        ]
        assert everything(scenario.view, overdue_on=day) == wanted

    def test_overdue_splits_the_queue(self, scenario: Scenario) -> None:
        """Some rows are overdue late in March and some are not, so the filter is tested."""
        play(scenario)
        overdue = everything(scenario.view, overdue_on=date(2025, 3, 20))
        assert 0 < len(overdue) < len(scenario.expected())

    @pytest.mark.parametrize("day", [date(2025, 3, 12), date(2025, 3, 18), date(2025, 12, 31)])
    def test_due_by_keeps_running_clocks_due_by_then(self, scenario: Scenario, day: date) -> None:
        """``due_by`` keeps the dossiers whose clock runs and whose appointment is by then."""
        play(scenario)
        moment = at(day.year, day.month, day.day, 17)
        wanted = [
            row
            for row in scenario.expected()
            if row.running_due_date is not None and row.due_at is not None and row.due_at <= moment
        ]
        assert everything(scenario.view, due_by=moment) == wanted

    def test_due_by_splits_the_queue(self, scenario: Scenario) -> None:
        """Some running clocks are due by 18 March and some are not, so the filter is tested."""
        play(scenario)
        due = everything(scenario.view, due_by=at(2025, 3, 18, 17))
        assert 0 < len(due) < len(scenario.expected())

    def test_pages_follow_the_cursor_without_gaps_or_repeats(self, scenario: Scenario) -> None:
        """Walking pages of three with the cursor yields the whole sorted queue once."""
        play(scenario)
        pages: list[QueueRow] = []
        after = None
        while page := scenario.view.list(QueueQuery(limit=3, after=after)):
            assert len(page) <= 3
            pages.extend(page)
            after = page[-1].cursor
        assert pages == scenario.expected()

    def test_an_old_batch_is_refused_and_changes_nothing(self, scenario: Scenario) -> None:
        """Re-applying a position already reached raises and writes no row."""
        play(scenario)
        before, position = everything(scenario.view), scenario.view.position()
        row = before[0]
        for stale in (position, position - 1):
            batch = QueueBatch(
                position=stale,
                upserts=(evolve(row, handler="someone-else"),),
                deletes=(before[1].dossier_id,),
            )
            with pytest.raises(StalePositionError):
                scenario.view.apply(batch)
        assert everything(scenario.view) == before
        assert scenario.view.position() == position

    def test_a_batch_read_before_another_projector_moved_the_view_is_refused(
        self, scenario: Scenario
    ) -> None:
        """A batch built from an older position is refused, even though it goes further."""
        play(scenario)
        before, position = everything(scenario.view), scenario.view.position()
        late = QueueBatch(
            position=position + 10,
            start=position - 1,
            upserts=(evolve(before[0], handler="someone-else"),),
        )
        with pytest.raises(StalePositionError):
            scenario.view.apply(late)
        assert everything(scenario.view) == before
        assert scenario.view.position() == position
        scenario.view.apply(evolve(late, start=position))
        assert scenario.view.position() == position + 10

    def test_a_crash_mid_batch_resumes_without_missing_or_doubled_rows(
        self, scenario: Scenario, opened: list[QueueViewAdapter]
    ) -> None:
        """A batch that fails mid-write leaves nothing behind; a restarted projector completes."""
        crashing = QueueProjector(scenario.desk.app, CrashingView(scenario.view, crash_on=2))
        desk = scenario.desk
        scenario.keep([desk.receive(), qf.processing(desk), qf.supplemented(desk)])
        scenario.keep([qf.returned(desk), qf.extended(desk), desk.receive()])
        before = scenario.view.position()
        with pytest.raises(AttributeError):
            crashing.catch_up(batch_size=5)
        reached = scenario.view.position()
        assert before < reached < (desk.app.recorder.max_notification_id() or 0)
        restarted = QueueProjector(desk.app, self.reopen(scenario, opened))
        restarted.catch_up(batch_size=5)
        assert everything(restarted.view) == scenario.expected()
        assert len({row.dossier_id for row in everything(restarted.view)}) == 5

    def test_a_rebuild_equals_the_live_view(
        self, scenario: Scenario, opened: list[QueueViewAdapter]
    ) -> None:
        """Dropping the view and replaying the whole log gives the same rows, row for row."""
        play(scenario)
        live = everything(scenario.view)
        scenario.view.drop()
        rebuilt = self.reopen(scenario, opened)
        assert rebuilt.position() == 0
        applied = QueueProjector(scenario.desk.app, rebuilt).catch_up()
        assert applied == sum(len(scenario.desk.dossiers.history(k)) for k in scenario.ids)
        assert everything(rebuilt) == live


class TestInMemoryQueueView(QueueViewContract):
    """The contract on the in-memory view."""

    kind = StoreKind.MEMORY

    def reopen(self, scenario: Scenario, opened: list[QueueViewAdapter]) -> QueueViewAdapter:  # noqa: ARG002 (the contract's signature)
        """The in-memory view is its own storage: reopening it is the same object."""
        return scenario.view


class StoredLayout(QueueViewContract):
    """What only views stored in a database do: rebuild a table laid out by another release."""

    @abstractmethod
    def add_stray_column(self, view: QueueViewAdapter) -> None:
        """Give the stored queue table a column this release does not have."""

    def test_a_table_laid_out_otherwise_is_dropped_and_rebuilt_from_the_log(
        self, scenario: Scenario, opened: list[QueueViewAdapter]
    ) -> None:
        """Another release's columns: the view starts at 0 again, then catches up the same rows."""
        play(scenario)
        live = everything(scenario.view)
        assert live
        self.add_stray_column(scenario.view)
        reopened = self.reopen(scenario, opened)
        assert (reopened.position(), reopened.count()) == (0, 0)
        QueueProjector(scenario.desk.app, reopened).catch_up()
        assert everything(reopened) == live == scenario.expected()
        again = self.reopen(scenario, opened)
        assert again.position() == reopened.position() > 0  # this release's layout is kept


class TestSqliteQueueView(StoredLayout):
    """The contract on the SQLite view, in the event store's file."""

    kind = StoreKind.SQLITE

    def add_stray_column(self, view: QueueViewAdapter) -> None:
        """``ALTER TABLE`` through the view's own connection."""
        assert isinstance(view, SqliteQueueView)
        with view.shared.transaction() as db:
            db.execute("ALTER TABLE dossier_queue ADD COLUMN stray TEXT")


class TestPostgresQueueView(StoredLayout):
    """The contract on the PostgreSQL view, in the event store's schema."""

    kind = StoreKind.POSTGRES

    def add_stray_column(self, view: QueueViewAdapter) -> None:
        """``ALTER TABLE`` through the view's own connection."""
        assert isinstance(view, PostgresQueueView)
        with view.connection.transaction():
            view.connection.execute(
                psycopg_sql.SQL("ALTER TABLE {} ADD COLUMN stray text").format(view.table)
            )


def test_the_factory_puts_a_sqlite_view_in_the_event_store_file(tmp_path: Path) -> None:
    """``queue_view_for`` opens the SQLite view in the configured event-store file."""
    path = tmp_path / "motcua.db"
    view = queue_view_for(StoreConfig(kind=StoreKind.SQLITE, sqlite_path=path))
    assert isinstance(view, SqliteQueueView)
    view.close()
    with sqlite3.connect(path) as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    assert {"dossier_queue", "projection_tracking"} <= tables


def test_the_factory_gives_the_memory_store_an_in_memory_view() -> None:
    """The in-memory store gets the in-memory view, empty at position 0."""
    view = queue_view_for(StoreConfig(kind=StoreKind.MEMORY))
    assert isinstance(view, InMemoryQueueView)
    assert view.position() == 0
