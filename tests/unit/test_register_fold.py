"""The register fold: Mẫu 06 rows and Mẫu 05 step occurrences, kept by events alone."""

from __future__ import annotations

from datetime import UTC, timedelta
from uuid import UUID

import pytest

from application import dossier_commands as c
from application.onestop import OneStop
from application.register import HandoverKind, NoteKind, RegisterEntry, StepEnd, judge
from application.register_fold import fold
from domain.calendar_policy import CalendarPolicy
from domain.dossier_status import Status
from domain.dossier_values import Delivery
from domain.time_limit import Timeliness
from tests import queue_fixtures as qf
from tests import register_fixtures as rf
from tests.dossier_fixtures import CENTRE, HANDLER, OFFICE, TAX, Desk, at


@pytest.fixture
def desk(policy: CalendarPolicy) -> Desk:
    """A desk over an in-memory store, opening on Mon 3 Mar 2025 08:00."""
    return Desk(OneStop(), policy)


def entry_of(desk: Desk, dossier_id: UUID) -> RegisterEntry:
    """The folded entry, which must exist and agree with the aggregate."""
    entry = rf.folded(desk, dossier_id)
    assert entry is not None
    assert rf.agrees(entry, desk.dossiers.get(dossier_id))
    return entry


def test_a_received_dossier_has_its_register_row_and_first_step(desk: Desk) -> None:
    """Reception fills in code, applicant, units, appointment and opens step 0."""
    dossier = desk.receive()
    entry = entry_of(desk, dossier.id)
    row = entry.row
    assert (row.code, row.applicant) == (str(dossier.code), "Nguyễn Thị Hoa")
    assert (row.receiving_unit, row.competent_agency) == (str(CENTRE), str(OFFICE))
    assert row.appointment_at == row.current_due_at == dossier.current_due_at
    assert [(s.occurrence, s.step, s.started_at) for s in entry.steps] == [(0, 0, row.received_at)]


def test_an_online_submission_waits_unreceived_and_a_refusal_drops_it(desk: Desk) -> None:
    """Before reception the entry has no reception; refused at intake, it never enters."""
    dossier = desk.submit_online()
    waiting = rf.folded(desk, dossier.id)
    assert waiting is not None
    assert (waiting.row.received_at, waiting.row.code, waiting.steps) == (None, None, ())
    desk.dossiers.reject(c.RejectAtIntake(**desk.on(dossier, reason="Sai thủ tục")))
    assert rf.folded(desk, dossier.id) is None


def test_assignment_is_a_handover_to_the_unit(desk: Desk) -> None:
    """Assigning counts one handover: who gave it, to which unit, when."""
    desk.clock.advance(hours=2)
    dossier = qf.processing(desk)
    row = entry_of(desk, dossier.id).row
    assert (row.handovers, row.handover_by, row.handover_to) == (1, HANDLER.user_id, "Phòng")
    assert row.handover_at == desk.clock.now


def test_a_partner_handover_is_the_last_handover(desk: Desk) -> None:
    """Handing the dossier to a partner agency counts a second handover, to the partner."""
    dossier = rf.with_partner(desk)
    row = entry_of(desk, dossier.id).row
    assert (row.handovers, row.handover_by, row.handover_to) == (2, HANDLER.user_id, str(TAX))


def test_the_partners_result_is_a_handover_back_from_the_partner(desk: Desk) -> None:
    """The result coming back is a third handover: from the partner to the agency, with its ref."""
    dossier = rf.partner_answered(desk)
    row = entry_of(desk, dossier.id).row
    back = row.transfers[-1]
    assert (back.kind, back.from_agency, back.to_agency) == (
        HandoverKind.FROM_PARTNER,
        str(TAX),
        str(OFFICE),
    )
    assert (back.by, back.at, back.note) == (
        HANDLER.user_id,
        desk.clock.now,
        "Đã xác định nghĩa vụ thuế (TB-0042)",
    )
    assert (row.handovers, row.handover_to) == (3, str(OFFICE))


def test_a_completed_step_ends_its_occurrence_and_opens_the_next(desk: Desk) -> None:
    """Completing a step records its end and outcome and opens the next with its due time."""
    dossier = desk.complete_step(qf.processing(desk))
    first, second = entry_of(desk, dossier.id).steps
    assert (first.ending, first.outcome, first.ended_at) == (
        StepEnd.COMPLETED,
        "Đạt",
        desk.clock.now,
    )
    assert first.timeliness is Timeliness.EARLY
    assert (second.occurrence, second.step, second.due_at) == (1, 1, dossier.step_due_at)


def test_a_step_sent_back_runs_again_as_a_new_occurrence(desk: Desk) -> None:
    """Returning step 1 ends it with the reason and opens step 0 again as occurrence 2."""
    dossier = rf.sent_back(desk)
    steps = entry_of(desk, dossier.id).steps
    assert [(s.occurrence, s.step, s.ending) for s in steps] == [
        (0, 0, StepEnd.COMPLETED),
        (1, 1, StepEnd.RETURNED),
        (2, 0, None),
    ]
    assert steps[1].outcome == "Thiếu ý kiến"


def test_a_supplement_is_noted_and_shifts_the_open_step_due_time(desk: Desk) -> None:
    """The request is a note; the resumed clock moves the open step's due time later."""
    waiting = qf.supplement_requested(desk)
    before = rf.folded(desk, waiting.id)
    assert before is not None
    desk.clock.advance(days=2)
    dossier = qf.supplemented(desk, waiting)
    entry = entry_of(desk, dossier.id)
    assert [(n.kind, n.text) for n in entry.row.notes] == [(NoteKind.SUPPLEMENT, "mờ")]
    due_before, due_after = before.steps[-1].due_at, entry.steps[-1].due_at
    assert due_before is not None
    assert due_after is not None
    assert due_after > due_before


def test_an_extension_reschedules_and_is_noted(desk: Desk) -> None:
    """Mẫu 04 moves the current appointment, keeps the original and notes the reason."""
    dossier = qf.extended(desk)
    row = entry_of(desk, dossier.id).row
    assert row.current_due_at == qf.EXTENDED_TO != row.appointment_at
    assert [(n.kind, n.text) for n in row.notes] == [(NoteKind.EXTENSION, "Cần xác minh")]


def test_result_and_return_complete_the_row_and_end_the_step(desk: Desk) -> None:
    """Issuing the result ends the open step; the return records when and how."""
    dossier = qf.returned(desk)
    entry = entry_of(desk, dossier.id)
    assert entry.row.returned_by is Delivery.COUNTER
    assert entry.row.result_issued_at is not None
    assert (entry.steps[-1].ending, entry.steps[-1].outcome) == (StepEnd.RESULT, "12/GP")


def test_a_stopped_dossier_is_closed_and_its_step_is_not_judged(desk: Desk) -> None:
    """Stopping records the closing and its reason; the interrupted step has no timeliness."""
    dossier = qf.stopped(desk)
    entry = entry_of(desk, dossier.id)
    assert (entry.row.closing, entry.row.closing_reason) == (Status.STOPPED, "Không đủ điều kiện")
    assert entry.steps[-1].ending is StepEnd.CLOSED
    assert entry.steps[-1].timeliness is None


def test_a_step_ended_after_its_due_time_is_late(desk: Desk) -> None:
    """Finishing the first step (4 working hours) two days later is late."""
    dossier = qf.processing(desk)
    desk.clock.set(at(2025, 3, 5, 10))
    desk.complete_step(dossier)
    entry = entry_of(desk, dossier.id)
    assert entry.steps[0].timeliness is Timeliness.LATE


@pytest.mark.parametrize(
    ("ended", "expected"),
    [
        (timedelta(minutes=-1), Timeliness.EARLY),
        (timedelta(seconds=-1), Timeliness.EARLY),
        (timedelta(0), Timeliness.ON_TIME),
        (timedelta(seconds=59), Timeliness.ON_TIME),
        (timedelta(minutes=1), Timeliness.LATE),
    ],
)
def test_steps_are_judged_by_the_minute(ended: timedelta, expected: Timeliness) -> None:
    """Within the due minute is on time; an earlier minute is early, a later one late."""
    due = at(2025, 3, 3, 12)
    assert judge(due + ended, due) is expected


def test_judging_ignores_the_time_zone() -> None:
    """A moment written in UTC is judged as the same moment in Vietnam time."""
    due = at(2025, 3, 3, 12)
    assert judge(due.astimezone(UTC) + timedelta(seconds=30), due) is Timeliness.ON_TIME
    assert judge(due.astimezone(UTC) + timedelta(minutes=1), due) is Timeliness.LATE


def test_other_aggregates_events_leave_the_entry_alone(desk: Desk) -> None:
    """A catalog event folds to the same entry."""
    dossier = desk.receive()
    entry = rf.folded(desk, dossier.id)
    catalog_event = desk.app.recorder.select_notifications(start=None, limit=1)[0]
    event = desk.app.mapper.to_domain_event(catalog_event)
    assert fold(entry, event) is entry
