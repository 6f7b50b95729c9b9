"""What every register view must do: one contract, run on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import UTC, date
from typing import Any
from uuid import UUID

import psycopg
import pytest
from attrs import evolve
from psycopg import sql

from adapters.eventstore.config import StoreKind, conninfo
from adapters.views.register_factory import RegisterViewAdapter, register_view_from_env
from application import dossier_commands as c
from application.errors import StalePositionError, ViewRowExistsError
from application.register import (
    REGISTER_TOPICS,
    AgencyRole,
    HandoverKind,
    RegisterBatch,
    RegisterEntry,
    RegisterLine,
    RegisterQuery,
    StepEnd,
    Writes,
    listings,
)
from application.register_ports import RegisterView
from application.register_projector import RegisterProjector, replay
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from domain.dossier_values import Actor, Role
from domain.time_limit import Timeliness
from domain.values import AgencyCode
from tests import queue_fixtures as qf
from tests import register_fixtures as rf
from tests.dossier_fixtures import CENTRE, HANDLER, OFFICE, TAX, Desk, at, submission
from tests.integration.poison import UNWRITABLE, PoisonedError
from tests.integration.stores import MakeApp
from tests.integration.view_contract import Crashing, ViewContract

ANNEX = AgencyCode("000.00.13.H56")  # another receiving unit, for the same office
OTHER = AgencyCode("000.00.99.H56")  # involved in nothing
AGENCIES = (CENTRE, OFFICE, TAX, ANNEX, OTHER)
MARCH = RegisterQuery(
    agency=str(CENTRE),
    received_from=date(2025, 3, 1),
    received_to=date(2025, 3, 31),
    limit=10_000,
)


def march(agency: AgencyCode, **changes: Any) -> RegisterQuery:
    """``agency``'s March register (a query changed by ``changes``)."""
    return evolve(MARCH, agency=str(agency), **changes)


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

    def expected(self, agency: AgencyCode = CENTRE) -> list[RegisterLine]:
        """``agency``'s received lines the fold gives over the whole log, in register order."""
        rows = [entry.row for entry in replay(self.desk.app).values()]
        lines = [
            RegisterLine(agency=str(agency), roles=row.agencies[str(agency)], row=row)
            for row in rows
            if row.received_at is not None and str(agency) in row.agencies
        ]
        return sorted(lines, key=lambda x: (x.cursor[0].astimezone(UTC), *x.cursor[1:]))


def hand_to_tax(desk: Desk, dossier: Dossier) -> Dossier:
    """Hand ``dossier`` (being processed) to the tax partner."""
    command = c.HandOverToPartner(**desk.on(dossier, HANDLER, partner=TAX, note="Xác định thuế"))
    return desk.dossiers.hand_over(command)


def received_at_annex(desk: Desk) -> Dossier:
    """A walk-in dossier received at the annex, for the same office."""
    form = evolve(submission(procedure=desk.spec), receiving_unit=ANNEX)
    officer = Actor("officer-2", Role.INTAKE_OFFICER, ANNEX)
    return desk.dossiers.receive(
        c.ReceiveDossier(command_id=desk.command_id(), actor=officer, submission=form)
    )


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
    # Handed on after the view stored it: its tax listing comes in a later batch.
    hand_to_tax(desk, desk.dossiers.get(scenario.ids[1]))
    scenario.keep([received_at_annex(desk)])
    scenario.projector.catch_up(batch_size=7)


class CrashingView(Crashing[RegisterBatch]):
    """The real register view; the chosen batch gets a step no store accepts, noted before."""

    def __init__(self, inner: RegisterView, crash_on: int) -> None:
        super().__init__(inner, crash_on)
        self.before: dict[UUID, RegisterEntry] = {}
        self.touched: list[UUID] = []

    def poisoned(self, batch: RegisterBatch) -> RegisterBatch:
        """The batch with an unwritable step after its real rows and steps."""
        written = [*batch.inserted.rows, *batch.rows]
        self.touched = [row.dossier_id for row in written] + list(batch.deletes)
        self.before = self.inner.entries(self.touched)
        if batch.steps:  # written last: after the inserted ones
            poison = evolve(batch.steps[-1], dossier_id=UNWRITABLE)
            return evolve(batch, steps=(*batch.steps, poison))
        if batch.inserted.steps:
            poison = evolve(batch.inserted.steps[-1], dossier_id=UNWRITABLE)
            inserted = evolve(batch.inserted, steps=(*batch.inserted.steps, poison))
            return evolve(batch, inserted=inserted)
        return batch


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
        """The centre's March register holds each dossier it received once, and nothing else."""
        lines = scenario.view.list(MARCH)
        assert lines == scenario.expected()
        assert len(lines) == scenario.view.count() - 1 == len(scenario.ids) - 3  # one at the annex
        assert {line.roles for line in lines} == {(AgencyRole.RECEIVING,)}
        assert {x.row.closing for x in lines if x.row.closing} == {"withdrawn", "stopped"}

    def test_each_agency_involved_lists_the_dossier_in_its_role(self, scenario: Scenario) -> None:
        """Received at the centre for the office, handed to tax: three registers, a role in each."""
        key = scenario.ids[5]  # rf.with_partner
        found = {
            agency: [x for x in scenario.view.list(march(agency)) if x.row.dossier_id == key]
            for agency in AGENCIES
        }
        assert {agency: [x.roles for x in lines] for agency, lines in found.items()} == {
            CENTRE: [(AgencyRole.RECEIVING,)],
            OFFICE: [(AgencyRole.COMPETENT,)],
            TAX: [(AgencyRole.PARTNER,)],
            ANNEX: [],
            OTHER: [],
        }
        (centre,), (office,), (tax,) = found[CENTRE], found[OFFICE], found[TAX]
        assert centre.row == office.row == tax.row == scenario.view.get(key)
        assert [t.kind for t in office.transfers] == [
            HandoverKind.ASSIGNED,
            HandoverKind.TO_PARTNER,
        ]
        assert [(t.from_agency, t.to_agency, t.by) for t in tax.transfers] == [
            (str(OFFICE), str(TAX), HANDLER.user_id)
        ]
        assert tax.transfers[0].due_at is not None
        assert centre.transfers == ()

    def test_every_agencys_register_equals_the_fold(self, scenario: Scenario) -> None:
        """Each agency's March register is the fold's lines for it; an agency of none is empty."""
        for agency in AGENCIES:
            assert scenario.view.list(march(agency)) == scenario.expected(agency)
        assert len(scenario.expected(TAX)) == 2
        assert [x.row.receiving_unit for x in scenario.view.list(march(ANNEX))] == [str(ANNEX)]
        assert scenario.view.list(march(OTHER)) == []

    def test_a_date_range_selects_each_agencys_rows(self, scenario: Scenario) -> None:
        """One day keeps that day's receptions in every agency's register; an idle one is empty."""
        for agency in (CENTRE, OFFICE, TAX):
            day = march(agency, received_from=date(2025, 3, 4), received_to=date(2025, 3, 4))
            every = scenario.expected(agency)
            wanted = [x for x in every if x.row.received_at and x.row.received_at.day == 4]
            assert 0 < len(wanted) < len(every)
            assert scenario.view.list(day) == wanted
        early = march(OFFICE, received_from=date(2025, 2, 1), received_to=date(2025, 2, 28))
        assert scenario.view.list(early) == []

    def test_pages_follow_the_cursor_without_gaps_or_repeats(self, scenario: Scenario) -> None:
        """Walking pages of two with the cursor yields each agency's whole register once."""
        for agency in (CENTRE, OFFICE, TAX):
            pages: list[RegisterLine] = []
            after = None
            while page := scenario.view.list(march(agency, limit=2, after=after)):
                assert len(page) <= 2
                pages.extend(page)
                after = page[-1].cursor
            assert pages == scenario.expected(agency)

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
        """Re-applying a position already reached raises and writes no row, step or listing."""
        before, position = scenario.view.list(MARCH), scenario.view.position()
        first = before[0].row
        steps = scenario.view.steps(first.dossier_id)
        for stale in (position, position - 1):
            batch = RegisterBatch(
                position=stale,
                rows=(evolve(first, applicant="Người khác"),),
                steps=(evolve(steps[0], outcome="sửa"),),
                listings=(),
                deletes=(before[1].row.dossier_id,),
            )
            with pytest.raises(StalePositionError):
                scenario.view.apply(batch)
        assert scenario.view.list(MARCH) == before
        assert scenario.view.steps(first.dossier_id) == steps
        assert scenario.view.position() == position

    @pytest.mark.parametrize("stored", ["row", "step", "listing"])
    def test_a_first_seen_dossier_already_stored_is_refused(
        self, scenario: Scenario, stored: str
    ) -> None:
        """A batch inserting any stored row, step or listing again raises and changes nothing.

        The first-seen dossiers' writes are inserts: one the view holds already means the view
        is not what its position says, and replacing it quietly would hide that.
        """
        before, position = scenario.view.list(MARCH), scenario.view.position()
        first = before[0].row
        steps = scenario.view.steps(first.dossier_id)
        writes = {
            "row": Writes(rows=(evolve(first, applicant="Người khác"),)),
            "step": Writes(steps=(evolve(steps[0], outcome="sửa"),)),
            "listing": Writes(listings=listings(first)[:1]),
        }[stored]
        batch = RegisterBatch(
            position=position + 1,
            start=position,
            deletes=(before[1].row.dossier_id,),
            inserted=writes,
        )
        with pytest.raises(ViewRowExistsError):
            scenario.view.apply(batch)
        assert scenario.view.list(MARCH) == before
        assert scenario.view.steps(first.dossier_id) == steps
        assert scenario.view.position() == position
        # The same writes, replacing instead, are taken.
        scenario.view.apply(
            evolve(
                batch,
                inserted=Writes(),
                rows=writes.rows,
                steps=writes.steps,
                listings=writes.listings,
            )
        )
        assert scenario.view.position() == position + 1

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
        scenario.keep([qf.supplemented(desk), qf.withdrawn(desk), rf.partner_answered(desk)])
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
        for agency in AGENCIES:
            lines = restarted.list(march(agency))
            assert lines == scenario.expected(agency)
            assert len({x.row.dossier_id for x in lines}) == len(lines)
        assert {key: restarted.steps(key) for key in entries} == {
            key: list(entry.steps) for key, entry in entries.items()
        }
        assert restarted.position() == head

    def test_a_rebuild_equals_the_live_view(
        self, scenario: Scenario, opened: list[RegisterViewAdapter]
    ) -> None:
        """Dropping the view and replaying the whole log gives the same lines, rows and steps."""
        live = {agency: scenario.view.list(march(agency)) for agency in AGENCIES}
        sheets = {key: scenario.view.steps(key) for key in scenario.ids}
        scenario.view.drop()
        rebuilt = self.reopen(scenario, opened)
        assert (rebuilt.position(), rebuilt.count(), rebuilt.list(march(OFFICE))) == (0, 0, [])
        applied = RegisterProjector(scenario.desk.app, rebuilt).catch_up()
        assert applied == sum(len(scenario.desk.dossiers.history(k)) for k in scenario.ids)
        assert {agency: rebuilt.list(march(agency)) for agency in AGENCIES} == live
        assert {key: rebuilt.steps(key) for key in scenario.ids} == sheets


class TestInMemoryRegisterView(RegisterViewContract):
    """The contract on the in-memory view."""

    kind = StoreKind.MEMORY

    def reopen(self, scenario: Scenario, opened: list[RegisterViewAdapter]) -> RegisterViewAdapter:  # noqa: ARG002 (the contract's signature)
        """The in-memory view is its own storage: reopening it is the same object."""
        return scenario.view


OLD_COLUMNS = (
    "dossier_id, procedure, applicant, receiving_unit, competent_agency, version, code, "
    "received_at, handovers, handover_by, handover_to, handover_at, appointment_at, due_at, "
    "rescheduled_due_at, statutory_due_date, result_issued_at, returned_at, returned_by, "
    "closed_at, closing, closing_reason, notes"
)
OLD_STEP_COLUMNS = "dossier_id, occurrence, step, started_at, due_at, ended_at, ending, outcome"
"""The columns of the register kept per receiving unit (its tables, without listings)."""


def old_register(desk: Desk) -> int:
    """Dossiers for a register, and the position an old projector would have reached."""
    desk.receive()
    rf.with_partner(desk)
    return desk.app.recorder.max_notification_id() or 0


def assert_rebuilt_per_agency(view: RegisterViewAdapter, desk: Desk) -> None:
    """The view starts again at 0, and a catch-up lists the partner's dossier in its register."""
    assert (view.position(), view.count()) == (0, 0)
    RegisterProjector(desk.app, view).catch_up()
    assert [x.roles for x in view.list(march(CENTRE))] == [(AgencyRole.RECEIVING,)] * 2
    assert [x.roles for x in view.list(march(TAX))] == [(AgencyRole.PARTNER,)]


class TestSqliteRegisterView(RegisterViewContract):
    """The contract on the SQLite view, in the event store's file."""

    kind = StoreKind.SQLITE

    def test_a_register_kept_per_receiving_unit_is_rebuilt_per_agency(
        self, make_app: MakeApp, policy: CalendarPolicy, opened: list[RegisterViewAdapter]
    ) -> None:
        """Opening a file whose register has no listings drops it; catching up rebuilds it."""
        app = make_app()
        desk = Desk(app, policy)
        position = old_register(desk)
        with sqlite3.connect(app.env["SQLITE_DBNAME"]) as db:
            db.execute(f"CREATE TABLE tracking_register ({OLD_COLUMNS})")
            db.execute(f"CREATE TABLE control_sheet ({OLD_STEP_COLUMNS})")
            db.execute("CREATE TABLE projection_tracking (view_name TEXT PRIMARY KEY, position)")
            db.execute(
                "INSERT INTO projection_tracking VALUES ('tracking_register', ?)", [position]
            )
        db.close()
        assert_rebuilt_per_agency(self.view_of(app, opened), desk)


class TestPostgresRegisterView(RegisterViewContract):
    """The contract on the PostgreSQL view, in the event store's schema."""

    kind = StoreKind.POSTGRES

    def test_a_register_kept_per_receiving_unit_is_rebuilt_per_agency(
        self, make_app: MakeApp, policy: CalendarPolicy, opened: list[RegisterViewAdapter]
    ) -> None:
        """Opening a schema whose register has no listings drops it; catching up rebuilds it."""
        app = make_app()
        desk = Desk(app, policy)
        position = old_register(desk)
        schema = sql.Identifier(app.env["POSTGRES_SCHEMA"])
        old = {"tracking_register": OLD_COLUMNS, "control_sheet": OLD_STEP_COLUMNS}
        with psycopg.connect(conninfo(app.env), autocommit=True) as db:
            for table, columns in old.items():
                listed = sql.SQL(", ").join(
                    sql.SQL("{} text").format(sql.Identifier(name.strip()))
                    for name in columns.split(",")
                )
                db.execute(
                    sql.SQL("CREATE TABLE {}.{} ({})").format(schema, sql.Identifier(table), listed)
                )
            tracking = sql.SQL("{}.projection_tracking").format(schema)
            db.execute(
                sql.SQL("CREATE TABLE {} (view_name text PRIMARY KEY, position bigint)").format(
                    tracking
                )
            )
            db.execute(
                sql.SQL("INSERT INTO {} VALUES ('tracking_register', %s)").format(tracking),
                [position],
            )
        assert_rebuilt_per_agency(self.view_of(app, opened), desk)
