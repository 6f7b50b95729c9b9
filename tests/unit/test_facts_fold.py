"""The facts fold over real dossier histories, driven through the application."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from application.onestop import OneStop
from application.statistics import Closing, FactsRow, Finish, SupplementPause, fold
from domain.calendar_policy import CalendarPolicy
from domain.dossier_values import Satisfaction
from domain.procedure_spec import Channel
from tests import facts_fixtures as ff
from tests import queue_fixtures as qf
from tests.dossier_fixtures import Desk, at


@pytest.fixture
def desk(policy: CalendarPolicy) -> Desk:
    """A desk over a fresh in-memory store."""
    return Desk(OneStop(), policy)


def folded(desk: Desk, dossier_id: UUID) -> FactsRow | None:
    """The row ``fold`` makes from the dossier's whole history."""
    row: FactsRow | None = None
    for event in desk.dossiers.history(dossier_id):
        row = fold(row, event)
    return row


def test_a_dossier_refused_at_intake_has_no_row(desk: Desk) -> None:
    """Refused before reception, it never counts."""
    assert folded(desk, qf.rejected(desk).id) is None


def test_a_received_dossier_keeps_reception_and_due_date(desk: Desk) -> None:
    """The row has the channel, units, reception time and statutory due date of the aggregate."""
    dossier = desk.accept(desk.submit_online())
    row = folded(desk, dossier.id)
    assert row is not None
    assert (row.channel, row.received_at) == (Channel.ONLINE, dossier.received_at)
    assert row.statutory_due_date == dossier.statutory_due_date
    assert row.finish is None


def test_a_supplement_pause_opens_then_closes_on_resumption(desk: Desk) -> None:
    """Waiting: an open pause from the request; accepted: that pause ends when the clock resumes."""
    requested_at = desk.clock()
    waiting = qf.supplement_requested(desk)
    row = folded(desk, waiting.id)
    assert row is not None
    assert row.supplement_pauses == (SupplementPause(since=requested_at),)
    desk.clock.advance(days=2)
    resumed = qf.supplemented(desk, waiting)
    row = folded(desk, waiting.id)
    assert row is not None
    assert row.supplement_pauses == (SupplementPause(since=requested_at, until=desk.clock()),)
    assert row.statutory_due_date == resumed.statutory_due_date


def test_every_supplement_pause_is_kept_in_order(desk: Desk) -> None:
    """Paused twice: both pauses stay, so the row was waiting inside either, not between them."""
    desk.clock.set(at(2025, 3, 5, 10))
    dossier = qf.supplement_requested(desk)
    desk.clock.set(at(2025, 3, 12, 10))
    qf.supplemented(desk, dossier)
    desk.clock.set(at(2025, 3, 17, 10))
    qf.supplement_requested(desk, dossier)
    row = folded(desk, dossier.id)
    assert row is not None
    assert row.supplement_pauses == (
        SupplementPause(since=at(2025, 3, 5, 10), until=at(2025, 3, 12, 10)),
        SupplementPause(since=at(2025, 3, 17, 10)),
    )
    desk.clock.set(at(2025, 3, 24, 10))
    qf.supplemented(desk, dossier)
    row = folded(desk, dossier.id)
    assert row is not None
    assert row.supplement_pauses[-1] == SupplementPause(
        since=at(2025, 3, 17, 10), until=at(2025, 3, 24, 10)
    )
    waited = [day for day in range(1, 32) if row.waiting_for_supplement_on(date(2025, 3, day))]
    assert waited == [*range(5, 12), *range(17, 24)]


def test_a_payment_pause_is_not_a_supplement_pause(desk: Desk) -> None:
    """Paying a fee resumes the clock without recording a supplement pause."""
    row = folded(desk, ff.paid_online(desk).id)
    assert row is not None
    assert (row.paid, row.paid_online, row.supplement_pauses) == (True, True, ())


def test_a_payment_pause_after_a_supplement_leaves_the_closed_pause_alone(desk: Desk) -> None:
    """The fee's resumption neither reopens nor moves the end of the earlier supplement pause."""
    dossier = qf.supplemented(desk)
    closed = folded(desk, dossier.id)
    desk.clock.advance(days=3)
    qf.paid(desk, qf.awaiting_fee(desk, dossier))
    row = folded(desk, dossier.id)
    assert closed is not None
    assert row is not None
    assert row.paid
    assert len(row.supplement_pauses) == 1
    assert row.supplement_pauses == closed.supplement_pauses


def test_closings_and_results_set_the_finish(desk: Desk) -> None:
    """Stopped and withdrawn dossiers finish so; a result issued finishes with a result."""
    stopped = folded(desk, qf.stopped(desk).id)
    withdrawn = folded(desk, qf.withdrawn(desk).id)
    result = folded(desk, desk.issue_result(desk.receive()).id)
    assert stopped is not None
    assert withdrawn is not None
    assert result is not None
    assert (stopped.closing, stopped.finish) == (Closing.STOPPED, Finish.STOPPED)
    assert withdrawn.finish is Finish.WITHDRAWN
    assert result.finish is Finish.RESULT
    assert result.finished_at == result.completed_at


def test_a_result_sent_by_post_and_rated_is_remembered(desk: Desk) -> None:
    """The return is by post and the rating is kept with its time."""
    dossier = ff.returned_by_post(desk, desk.issue_result(desk.receive()))
    ff.rated(desk, dossier, Satisfaction.SATISFIED)
    row = folded(desk, dossier.id)
    assert row is not None
    assert (row.returned_via_post, row.satisfaction) == (True, Satisfaction.SATISFIED)
    assert row.rated_at == desk.clock()
