"""What every lookup view must do: one abstract contract, run on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from abc import abstractmethod
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from attrs import evolve
from psycopg import sql

from adapters.eventstore.config import StoreConfig, StoreKind
from adapters.views.lookup_factory import LookupViewAdapter, lookup_view_for, lookup_view_from_env
from adapters.views.lookup_sql import NAMES, TABLE
from adapters.views.lookup_sql import owned as owned_sql
from adapters.views.memory_lookup import InMemoryLookupView
from adapters.views.postgres_lookup import PostgresLookupView
from adapters.views.sqlite_base import encode
from adapters.views.sqlite_lookup import SqliteLookupView
from application.commands import AmendProcedure
from application.errors import StalePositionError
from application.lookup import (
    LOOKUP_TOPICS,
    LookupAnswer,
    LookupBatch,
    LookupRow,
    OwnedDossier,
    OwnedQuery,
)
from application.lookup_ports import LookupView
from application.lookup_projector import LookupProjector, replay
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from tests import lookup_fixtures as lf
from tests import queue_fixtures as qf
from tests.dossier_fixtures import APPLICANT, DECISION, OFFICER, Desk, at
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


def owned(scenario: Scenario) -> dict[str, Dossier]:
    """Hoa's dossiers and a stranger's, over two days, some at the very same moment.

    Hoa (``citizen-1``, id number ``HOA_ID``) is walked in at the counter by an
    officer (hers by id number), submits online for herself, for her mother (hers
    by subject alone), one refused at intake and one she withdraws before
    reception; the stranger has a walk-in and an online submission of his own.
    """
    desk = scenario.desk
    made = {"walk_in": desk.receive(), "online": desk.submit_online()}  # the same moment
    desk.clock.advance(hours=1)
    made["for_mother"] = lf.online_by(desk, APPLICANT, lf.MOTHER_ID)
    made["stranger_online"] = lf.online_by(desk, lf.STRANGER, lf.STRANGER_ID)
    made["refused"] = qf.rejected(desk)
    desk.clock.set(at(2025, 3, 4, 10))
    made["withdrawn"] = lf.withdrawn_before_reception(desk)
    desk.clock.advance(minutes=30)
    made["stranger_walk_in"] = desk.receive(submission=lf.for_person(desk, lf.STRANGER_ID))
    made["accepted"] = desk.accept(desk.submit_online())
    scenario.keep(*made.values())
    scenario.projector.catch_up(batch_size=7)
    return made


HOAS = ("walk_in", "online", "for_mother", "refused", "withdrawn", "accepted")
"""Hoa's dossiers in ``owned``: submitted by her, or in her name."""


def ids(made: dict[str, Dossier], *names: str) -> list[UUID]:
    """The ids of the dossiers called ``names``."""
    return [made[name].id for name in names]


def pages(view: LookupView, query: OwnedQuery) -> list[list[OwnedDossier]]:
    """Every page of ``query``'s list, following each page's last row as the cursor."""
    found: list[list[OwnedDossier]] = []
    while page := view.list_owned(query):
        found.append(page)
        query = evolve(query, after=page[-1].row.cursor)
    return found


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

    def test_only_received_dossiers_can_be_found_and_unreceived_ones_keep_a_codeless_row(
        self, scenario: Scenario
    ) -> None:
        """Pending, refused and withdrawn-before-reception dossiers keep rows without a code.

        Nobody can look them up; their owners still see them, with the final status.
        """
        play(scenario)
        rows = scenario.rows()
        pending = [k for k in scenario.ids if scenario.desk.dossiers.get(k).code is None]
        assert [(rows[k].code, rows[k].status.national_code) for k in pending] == [
            (None, 1),
            (None, 3),
            (None, 7),
        ]
        assert len(rows) == len(scenario.received()) + 3
        assert rows == {key: lf.folded(scenario.desk, key) for key in scenario.ids}

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

    def test_an_applicant_lists_what_they_submitted_and_what_is_in_their_name(
        self, scenario: Scenario
    ) -> None:
        """By subject or by id number, newest submission first, closed ones with their status."""
        made = owned(scenario)
        listed = scenario.view.list_owned(lf.owner(APPLICANT.user_id, lf.HOA_ID))
        assert listed == lf.expected_owned(scenario.desk, ids(made, *HOAS))
        assert [item.row.dossier_id for item in listed[:2]] == ids(made, "accepted", "withdrawn")
        statuses = {item.row.dossier_id: item.row.status.national_code for item in listed}
        assert (statuses[made["refused"].id], statuses[made["withdrawn"].id]) == (3, 7)
        assert {item.procedure_name for item in listed} == {scenario.desk.spec.name}

    def test_each_owner_key_alone_finds_its_own_dossiers(self, scenario: Scenario) -> None:
        """Her subject alone: what she submitted; her id number alone: what is in her name."""
        made = owned(scenario)
        by_subject = scenario.view.list_owned(lf.owner(APPLICANT.user_id))
        submitted = ("online", "for_mother", "refused", "withdrawn", "accepted")
        assert by_subject == lf.expected_owned(scenario.desk, ids(made, *submitted))
        by_id = scenario.view.list_owned(lf.owner("new-login", lf.HOA_ID))
        in_her_name = ("walk_in", "online", "refused", "withdrawn", "accepted")
        assert by_id == lf.expected_owned(scenario.desk, ids(made, *in_her_name))

    def test_nobody_sees_another_applicants_dossiers(self, scenario: Scenario) -> None:
        """The stranger lists only his two; an unknown subject or id number lists none."""
        made = owned(scenario)
        stranger = lf.owner(lf.STRANGER.user_id, lf.STRANGER_ID)
        theirs = ids(made, "stranger_walk_in", "stranger_online")
        assert scenario.view.list_owned(stranger) == lf.expected_owned(scenario.desk, theirs)
        assert scenario.view.list_owned(lf.owner("citizen-9", "079099000001")) == []
        officer = lf.owner(OFFICER.user_id)  # who opened the walk-ins, acting for the applicant
        assert scenario.view.list_owned(officer) == []

    def test_the_cursor_pages_without_gaps_or_repeats(self, scenario: Scenario) -> None:
        """Pages of two, ties in submission time included, add up to the whole list in order."""
        made = owned(scenario)
        query = lf.owner(APPLICANT.user_id, lf.HOA_ID, limit=2)
        found = pages(scenario.view, query)
        assert [len(page) for page in found] == [2, 2, 2]
        whole = scenario.view.list_owned(evolve(query, limit=50))
        assert [item for page in found for item in page] == whole
        assert len({item.row.dossier_id for item in whole}) == len(HOAS)
        tied = {made["walk_in"].submitted_at, made["online"].submitted_at}
        assert len(tied) == 1
        last = whole[-1].row
        assert scenario.view.list_owned(evolve(query, after=last.cursor)) == []

    def test_a_rebuilt_view_lists_the_same_dossiers(
        self, scenario: Scenario, opened: list[LookupViewAdapter]
    ) -> None:
        """Dropping the view and replaying the log gives every owner the same list."""
        owned(scenario)
        queries = [
            lf.owner(APPLICANT.user_id, lf.HOA_ID),
            lf.owner(APPLICANT.user_id),
            lf.owner(lf.STRANGER.user_id, lf.STRANGER_ID),
        ]
        live = [scenario.view.list_owned(query) for query in queries]
        scenario.view.drop()
        rebuilt = self.reopen(scenario, opened)
        assert [rebuilt.list_owned(query) for query in queries] == [[], [], []]
        LookupProjector(scenario.desk.app, rebuilt).catch_up()
        assert [rebuilt.list_owned(query) for query in queries] == live
        assert [len(found) for found in live] == [6, 5, 2]

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


OLD_COLUMNS = (
    "dossier_id, procedure, applicant, status, version, history, code, secret_digest, "
    "received_at, due_at, rescheduled_due_at, result_issued_at, returned_at"
)
"""The lookup table's columns before owners could list their dossiers."""


class SqlLookupViewContract(LookupViewContract):
    """What the SQL views add: a table of a past release is dropped and rebuilt."""

    @abstractmethod
    def execute(self, view: LookupViewAdapter, statement: str) -> None:
        """Run ``statement`` (``{table}`` names the lookup table) in a transaction."""

    def test_a_lookup_table_without_owner_digests_is_rebuilt_from_the_log(
        self, scenario: Scenario, opened: list[LookupViewAdapter]
    ) -> None:
        """An earlier release's table restarts the view at 0; a current one is kept as it is."""
        made = owned(scenario)
        position, live = scenario.view.position(), scenario.rows()
        kept = self.reopen(scenario, opened)
        assert (kept.position(), scenario.rows(kept)) == (position, live)
        self.execute(scenario.view, "DROP TABLE {table}")
        typed = ", ".join(f"{column} text" for column in OLD_COLUMNS.split(", "))
        self.execute(scenario.view, f"CREATE TABLE {{table}} ({typed})")
        self.execute(
            scenario.view,
            "INSERT INTO {table} (dossier_id, procedure, applicant, status, version, history) "
            "VALUES ('00000000-0000-0000-0000-000000000001', 'p', 'X', 'submitted', '1', '[]')",
        )
        reopened = self.reopen(scenario, opened)
        assert (reopened.position(), reopened.count()) == (0, 0)
        LookupProjector(scenario.desk.app, reopened).catch_up()
        assert reopened.position() == position
        assert scenario.rows(reopened) == live
        query = lf.owner(APPLICANT.user_id, lf.HOA_ID)
        assert reopened.list_owned(query) == lf.expected_owned(scenario.desk, ids(made, *HOAS))


class TestSqliteLookupView(SqlLookupViewContract):
    """The contract on the SQLite view, in the event store's file."""

    kind = StoreKind.SQLITE

    def execute(self, view: LookupViewAdapter, statement: str) -> None:
        """Run ``statement`` in a write transaction on the view's connection."""
        assert isinstance(view, SqliteLookupView)
        with view.shared.transaction() as db:
            db.execute(statement.format(table=TABLE))

    def test_an_owners_page_reads_the_digest_indexes(self, scenario: Scenario) -> None:
        """SQLite's plan reads both digest indexes, without scanning the table."""
        owned(scenario)
        assert isinstance(scenario.view, SqliteLookupView)
        query = lf.owner(APPLICANT.user_id, lf.HOA_ID, after=(at(2025, 3, 4, 10), uuid4()))
        text, params = owned_sql(query, "?")
        plan = scenario.view.connection.execute(
            "EXPLAIN QUERY PLAN " + text.format(table=TABLE, names=NAMES),
            [encode(param) for param in params],
        ).fetchall()
        details = " | ".join(str(record["detail"]) for record in plan)
        assert "ix_lookup_submitter (submitter_digest=? AND " in details, details
        assert "ix_lookup_applicant (applicant_digest=? AND " in details, details
        assert f"SCAN {TABLE}" not in details, details

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


class TestPostgresLookupView(SqlLookupViewContract):
    """The contract on the PostgreSQL view, in the event store's schema."""

    kind = StoreKind.POSTGRES

    def execute(self, view: LookupViewAdapter, statement: str) -> None:
        """Run ``statement`` in a transaction on the view's connection, in its schema."""
        assert isinstance(view, PostgresLookupView)
        with view.connection.transaction():
            view.connection.execute(sql.SQL(statement).format(table=view.table))


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
