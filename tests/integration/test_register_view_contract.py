"""What every register view must do: one contract, run on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date
from uuid import UUID

import pytest
from attrs import evolve

from adapters.eventstore.config import StoreKind
from adapters.views.register_factory import RegisterViewAdapter, register_view_from_env
from application.errors import StalePositionError
from application.register import (
    REGISTER_TOPICS,
    RegisterBatch,
    RegisterEntry,
    RegisterQuery,
    RegisterRow,
    StepEnd,
    StepRow,
)
from application.register_ports import RegisterView
from application.register_projector import RegisterProjector, replay
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from domain.time_limit import Timeliness
from tests import queue_fixtures as qf
from tests import register_fixtures as rf
from tests.dossier_fixtures import CENTRE, OFFICE, Desk, at
from tests.integration.poison import UNWRITABLE, PoisonedError
from tests.integration.stores import MakeApp
from tests.integration.view_contract import ViewContract

MARCH = RegisterQuery(
    receiving_unit=str(CENTRE),
    received_from=date(2025, 3, 1),
    received_to=date(2025, 3, 31),
    limit=10_000,
)


class Scenario:
    """A desk with dossiers in every register state, a view and its projector."""

    def __init__(self, desk: Desk, view: RegisterViewAdapter) -> None:
        self.desk = desk
        self.view = view
        self.projector = RegisterProjector(desk.app, view)
        self.ids: list[UUID] = []

    def keep(self, dossiers: Iterable[Dossier]) -> None:
        """Remember dossiers whose rows the view must show (or not)."""
        self.ids.extend(dossier.id for dossier in dossiers)

    def expected(self) -> list[RegisterRow]:
        """The received rows the fold gives over the whole log, by reception time then code."""
        rows = [entry.row for entry in replay(self.desk.app).values()]
        received = [row for row in rows if row.received_at is not None]
        return sorted(received, key=lambda row: (row.cursor[0].astimezone(UTC), *row.cursor[1:]))


def play(scenario: Scenario) -> None:
    """Drive real commands over several days, catching up halfway as a live view would."""
    desk = scenario.desk
    scenario.keep([desk.receive(), qf.processing(desk), desk.submit_online()])
    desk.clock.set(at(2025, 3, 4, 10))
    scenario.keep([rf.sent_back(desk), qf.supplement_requested(desk), rf.with_partner(desk)])
    scenario.keep([qf.returned(desk), qf.withdrawn(desk), qf.rejected(desk)])
    assert scenario.projector.catch_up(batch_size=7) > 0
    desk.clock.set(at(2025, 3, 6, 14))
    scenario.keep([qf.supplemented(desk), qf.extended(desk), qf.stopped(desk)])
    scenario.keep([desk.issue_result(qf.processing(desk)), desk.accept(desk.submit_online())])
    scenario.projector.catch_up(batch_size=7)


class CrashingView:
    """Passes everything to a real view, but poisons the ``crash_on``-th batch mid-write."""

    def __init__(self, inner: RegisterView, crash_on: int) -> None:
        self.inner = inner
        self.crash_on = crash_on
        self.batches = 0
        self.before: dict[UUID, RegisterEntry] = {}
        self.touched: list[UUID] = []

    def position(self) -> int:
        """The real view's position."""
        return self.inner.position()

    def apply(self, batch: RegisterBatch) -> None:
        """Apply, adding an unwritable step after the real rows and steps in the chosen batch."""
        self.batches += 1
        if self.batches == self.crash_on and batch.steps:
            self.touched = [row.dossier_id for row in batch.rows] + list(batch.deletes)
            self.before = self.inner.entries(self.touched)
            poison = evolve(batch.steps[-1], dossier_id=UNWRITABLE)
            batch = evolve(batch, steps=(*batch.steps, poison))
        self.inner.apply(batch)

    def entries(self, dossier_ids: Iterable[UUID]) -> dict[UUID, RegisterEntry]:
        """The real view's entries."""
        return self.inner.entries(dossier_ids)

    def steps(self, dossier_id: UUID) -> list[StepRow]:
        """The real view's steps."""
        return self.inner.steps(dossier_id)

    def list(self, query: RegisterQuery) -> list[RegisterRow]:
        """The real view's rows."""
        return self.inner.list(query)

    def get(self, dossier_id: UUID) -> RegisterRow | None:
        """The real view's row."""
        return self.inner.get(dossier_id)

    def count(self) -> int:
        """The real view's row count."""
        return self.inner.count()

    def drop(self) -> None:
        """Drop the real view."""
        self.inner.drop()


class RegisterViewContract(ViewContract[RegisterViewAdapter]):
    """The contract; subclasses choose the store."""

    def open_view(self, env: Mapping[str, str]) -> RegisterViewAdapter:
        """The register view beside the event store."""
        return register_view_from_env(env)

    @pytest.fixture
    def scenario(
        self, make_app: MakeApp, policy: CalendarPolicy, opened: list[RegisterViewAdapter]
    ) -> Scenario:
        """A fresh store, desk and view, after the commands of ``play``."""
        app = make_app()
        view = self.view_of(app, opened)
        scenario = Scenario(Desk(app, policy), view)
        play(scenario)
        return scenario

    def test_rows_and_steps_match_the_fold_and_the_aggregates(self, scenario: Scenario) -> None:
        """Each received dossier's row and steps equal the fold's and agree with the aggregate."""
        entries = replay(scenario.desk.app)
        for key in scenario.ids:
            entry = entries.get(key)
            if entry is None or entry.row.received_at is None:
                assert scenario.view.get(key) is None
                continue
            assert scenario.view.get(key) == entry.row
            assert scenario.view.steps(key) == list(entry.steps)
            assert rf.agrees(entry, scenario.desk.dossiers.get(key))

    def test_the_register_lists_only_received_dossiers(self, scenario: Scenario) -> None:
        """The unit's March register holds every received dossier once, and nothing else."""
        rows = scenario.view.list(MARCH)
        assert rows == scenario.expected()
        assert len(rows) == scenario.view.count() == len(scenario.ids) - 2
        assert {row.closing for row in rows if row.closing} == {"withdrawn", "stopped"}

    def test_a_date_range_and_a_unit_select_their_rows(self, scenario: Scenario) -> None:
        """One day keeps that day's receptions; another unit's register is empty."""
        day = evolve(MARCH, received_from=date(2025, 3, 4), received_to=date(2025, 3, 4))
        wanted = [r for r in scenario.expected() if r.received_at and r.received_at.day == 4]
        assert 0 < len(wanted) < len(scenario.expected())
        assert scenario.view.list(day) == wanted
        assert scenario.view.list(evolve(MARCH, receiving_unit=str(OFFICE))) == []

    def test_pages_follow_the_cursor_without_gaps_or_repeats(self, scenario: Scenario) -> None:
        """Walking pages of two with the cursor yields the whole sorted register once."""
        pages: list[RegisterRow] = []
        after = None
        while page := scenario.view.list(evolve(MARCH, limit=2, after=after)):
            assert len(page) <= 2
            pages.extend(page)
            after = page[-1].cursor
        assert pages == scenario.expected()

    def test_the_control_sheet_judges_each_step_occurrence(self, scenario: Scenario) -> None:
        """A step sent back shows three occurrences, the ended ones judged, the open one not."""
        steps = scenario.view.steps(scenario.ids[3])
        assert [(s.step, s.ending) for s in steps] == [
            (0, StepEnd.COMPLETED),
            (1, StepEnd.RETURNED),
            (0, None),
        ]
        assert [s.timeliness for s in steps] == [Timeliness.EARLY, Timeliness.EARLY, None]

    def test_an_old_batch_is_refused_and_changes_nothing(self, scenario: Scenario) -> None:
        """Re-applying a position already reached raises and writes no row or step."""
        before, position = scenario.view.list(MARCH), scenario.view.position()
        key = before[0].dossier_id
        steps = scenario.view.steps(key)
        for stale in (position, position - 1):
            batch = RegisterBatch(
                position=stale,
                rows=(evolve(before[0], applicant="Người khác"),),
                steps=(evolve(steps[0], outcome="sửa"),),
                deletes=(before[1].dossier_id,),
            )
            with pytest.raises(StalePositionError):
                scenario.view.apply(batch)
        assert scenario.view.list(MARCH) == before
        assert scenario.view.steps(key) == steps
        assert scenario.view.position() == position

    def test_a_caught_up_view_has_nothing_more_to_apply(self, scenario: Scenario) -> None:
        """A second catch-up applies nothing."""
        assert scenario.projector.catch_up() == 0

    def test_a_crash_mid_batch_resumes_without_missing_or_doubled_rows(
        self, scenario: Scenario, opened: list[RegisterViewAdapter]
    ) -> None:
        """A batch that fails mid-write leaves nothing behind; a restarted projector completes."""
        desk = scenario.desk
        crashing = CrashingView(scenario.view, crash_on=2)
        scenario.keep([desk.receive(), qf.processing(desk), rf.sent_back(desk)])
        scenario.keep([qf.supplemented(desk), qf.withdrawn(desk), desk.receive()])
        before = scenario.view.position()
        with pytest.raises(PoisonedError):
            RegisterProjector(desk.app, crashing).catch_up(batch_size=5)
        head = desk.app.recorder.select_notifications(
            start=None, limit=10_000, topics=REGISTER_TOPICS
        )[-1].id
        reached = scenario.view.position()
        assert before < reached < head
        assert crashing.touched
        assert scenario.view.entries(crashing.touched) == crashing.before
        restarted = self.reopen(scenario, opened)
        assert restarted.position() == reached
        RegisterProjector(desk.app, restarted).catch_up(batch_size=5)
        entries = replay(desk.app)
        assert restarted.entries(entries) == entries
        rows = restarted.list(MARCH)
        assert rows == scenario.expected()
        assert len({row.dossier_id for row in rows}) == len(rows) == restarted.count()
        assert {key: restarted.steps(key) for key in entries} == {
            key: list(entry.steps) for key, entry in entries.items()
        }
        assert restarted.position() == head

    def test_a_rebuild_equals_the_live_view(
        self, scenario: Scenario, opened: list[RegisterViewAdapter]
    ) -> None:
        """Dropping the view and replaying the whole log gives the same rows and steps."""
        live = scenario.view.list(MARCH)
        sheets = {key: scenario.view.steps(key) for key in scenario.ids}
        scenario.view.drop()
        rebuilt = self.reopen(scenario, opened)
        assert (rebuilt.position(), rebuilt.count()) == (0, 0)
        applied = RegisterProjector(scenario.desk.app, rebuilt).catch_up()
        assert applied == sum(len(scenario.desk.dossiers.history(k)) for k in scenario.ids)
        assert rebuilt.list(MARCH) == live
        assert {key: rebuilt.steps(key) for key in scenario.ids} == sheets


class TestInMemoryRegisterView(RegisterViewContract):
    """The contract on the in-memory view."""

    kind = StoreKind.MEMORY

    def reopen(self, scenario: Scenario, opened: list[RegisterViewAdapter]) -> RegisterViewAdapter:  # noqa: ARG002 (the contract's signature)
        """The in-memory view is its own storage: reopening it is the same object."""
        return scenario.view


class TestSqliteRegisterView(RegisterViewContract):
    """The contract on the SQLite view, in the event store's file."""

    kind = StoreKind.SQLITE


class TestPostgresRegisterView(RegisterViewContract):
    """The contract on the PostgreSQL view, in the event store's schema."""

    kind = StoreKind.POSTGRES
