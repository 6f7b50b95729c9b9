"""The queue fold: one row per open dossier, kept by events alone."""

from __future__ import annotations

from uuid import uuid4

import pytest

from application.onestop import OneStop
from application.queue import DOSSIER_TOPICS, QueueRow, fold
from domain.calendar_policy import CalendarPolicy
from domain.dossier_status import Status
from domain.procedure import Procedure
from domain.procedure_spec import Channel
from tests import queue_fixtures as qf
from tests.dossier_fixtures import DECISION, Desk, spec


@pytest.fixture
def desk(policy: CalendarPolicy) -> Desk:
    """A desk over an in-memory store, opening on Mon 3 Mar 2025 08:00."""
    return Desk(OneStop(), policy)


def row_of(desk: Desk, dossier_id: object) -> QueueRow:
    """The folded row, which must exist."""
    assert isinstance(dossier_id, type(uuid4()))
    row = qf.folded(desk, dossier_id)
    assert row is not None
    return row


def test_a_received_dossier_has_its_code_appointment_and_first_step(desk: Desk) -> None:
    """Reception fills in the code, the appointment, the statutory date and step 0."""
    dossier = desk.receive()
    row = row_of(desk, dossier.id)
    assert row == qf.expected_row(desk.dossiers.get(dossier.id))
    assert (row.status, row.national_code, row.step) == (Status.RECEIVED, 2, 0)
    assert row.code == str(dossier.code)
    assert row.due_at == dossier.current_due_at
    assert row.channel is Channel.COUNTER


def test_a_submitted_online_dossier_waits_without_a_code(desk: Desk) -> None:
    """An online submission is in the queue as status 1, with no code and no deadline."""
    dossier = desk.submit_online()
    row = row_of(desk, dossier.id)
    assert (row.status, row.national_code, row.code, row.due_at) == (
        Status.SUBMITTED,
        1,
        None,
        None,
    )
    assert row.channel is Channel.ONLINE


def test_acceptance_turns_a_submission_into_a_received_row(desk: Desk) -> None:
    """Accepting an online dossier gives its row the code and the deadlines."""
    dossier = desk.accept(desk.submit_online())
    assert row_of(desk, dossier.id) == qf.expected_row(dossier)


def test_assignment_names_the_handler(desk: Desk) -> None:
    """Assigning puts the dossier in processing with its handler."""
    dossier = qf.processing(desk)
    row = row_of(desk, dossier.id)
    assert (row.status, row.handler) == (Status.PROCESSING, "handler-1")
    assert row == qf.expected_row(dossier)


def test_a_completed_step_moves_to_the_next_with_its_due_time(desk: Desk) -> None:
    """Completing a step starts the next one, with its due time and no handler."""
    before = qf.processing(desk)
    dossier = desk.complete_step(before)
    row = row_of(desk, dossier.id)
    assert (row.step, row.handler) == (1, None)
    assert row.step_due_at == dossier.step_due_at != before.step_due_at
    assert row == qf.expected_row(dossier)


def test_a_supplement_request_pauses_the_row(desk: Desk) -> None:
    """A supplement request sets status 5 and pauses the clock."""
    dossier = qf.supplement_requested(desk)
    row = row_of(desk, dossier.id)
    assert (row.status, row.national_code, row.paused) == (Status.SUPPLEMENT_REQUESTED, 5, True)
    assert row.running_due_date is None
    assert row == qf.expected_row(dossier)


def test_a_resumed_clock_brings_the_new_appointment_and_unpauses(desk: Desk) -> None:
    """Accepting the supplement resumes the clock with a later appointment."""
    dossier = qf.processing(desk)
    desk.clock.advance(days=2)
    waiting = qf.supplement_requested(desk, dossier)
    desk.clock.advance(days=3)
    resumed = qf.supplemented(desk, waiting)
    row = row_of(desk, dossier.id)
    assert (row.status, row.paused) == (Status.PROCESSING, False)
    assert row.due_at is not None
    assert row.due_at > (dossier.current_due_at or row.due_at)
    assert row == qf.expected_row(resumed)


def test_a_payment_wait_pauses_and_the_payment_resumes(desk: Desk) -> None:
    """A fee request pauses the row (status 6); paying resumes processing."""
    waiting = qf.awaiting_fee(desk)
    assert row_of(desk, waiting.id).paused
    assert row_of(desk, waiting.id).national_code == 6
    dossier = qf.paid(desk, desk.dossiers.get(waiting.id))
    row = row_of(desk, dossier.id)
    assert (row.status, row.paused) == (Status.PROCESSING, False)
    assert row == qf.expected_row(dossier)


def test_an_extension_moves_the_appointment_not_the_statutory_date(desk: Desk) -> None:
    """After Mẫu 04 the row's due time is the new appointment; the legal date stays."""
    before = qf.processing(desk)
    dossier = qf.extended(desk, before)
    row = row_of(desk, dossier.id)
    assert row.due_at == qf.EXTENDED_TO
    assert row.statutory_due_date == before.statutory_due_date
    assert row == qf.expected_row(dossier)


def test_a_ready_result_stays_until_returned(desk: Desk) -> None:
    """An issued result keeps the row (status 9, no step, clock stopped) until it is returned."""
    dossier = desk.issue_result(qf.processing(desk))
    row = row_of(desk, dossier.id)
    assert (row.status, row.national_code, row.step, row.step_due_at) == (
        Status.RESULT_READY,
        9,
        None,
        None,
    )
    assert row.running_due_date is None
    assert row == qf.expected_row(dossier)


@pytest.mark.parametrize(
    "close", [qf.returned, qf.stopped, qf.withdrawn, qf.rejected], ids=lambda f: f.__name__
)
def test_a_closed_dossier_leaves_the_queue(desk: Desk, close: object) -> None:
    """Returned, stopped, withdrawn and rejected dossiers have no row."""
    assert callable(close)
    dossier = close(desk)
    assert qf.folded(desk, dossier.id) is None


def test_every_event_moves_the_row_version(desk: Desk) -> None:
    """Events that change nothing visible still record the version they reflect."""
    dossier = desk.assign(desk.receive())
    assert row_of(desk, dossier.id).version == dossier.version


def test_events_of_other_aggregates_leave_the_row_alone(desk: Desk) -> None:
    """A procedure's event neither creates nor changes a row."""
    event = Procedure.publish(spec(), DECISION).collect_events()[0]
    row = row_of(desk, desk.receive().id)
    assert fold(None, event) is None
    assert fold(row, event) is row


def test_the_projection_reads_every_dossier_event_topic() -> None:
    """The topic filter names the dossier's events, and only them."""
    assert len(DOSSIER_TOPICS) >= 29
    assert all(topic.startswith("domain.dossier:Dossier.") for topic in DOSSIER_TOPICS)
