"""Builders for statistics tests: a history across February, March and April 2025."""

from __future__ import annotations

from datetime import date

from application import dossier_commands as c
from application.report06a import ReportQuery, UnitKind
from domain.dossier import Dossier
from domain.dossier_values import Delivery, Satisfaction
from tests import queue_fixtures as qf
from tests.dossier_fixtures import APPLICANT, CENTRE, OFFICE, SYSTEM, Desk, at

MARCH = ReportQuery(unit=str(CENTRE), start=date(2025, 3, 1), end=date(2025, 3, 31))
QUERIES = (
    MARCH,
    ReportQuery(unit=str(CENTRE), start=date(2025, 2, 1), end=date(2025, 2, 28)),
    ReportQuery(unit=str(CENTRE), start=date(2025, 1, 1), end=date(2025, 3, 31)),
    ReportQuery(
        unit=str(OFFICE),
        start=date(2025, 4, 1),
        end=date(2025, 4, 30),
        unit_kind=UnitKind.COMPETENT,
    ),
    ReportQuery(
        unit=str(OFFICE),
        start=date(2025, 3, 10),
        end=date(2025, 3, 20),
        unit_kind=UnitKind.COMPETENT,
    ),
    ReportQuery(unit="000.00.99.H56", start=date(2025, 3, 1), end=date(2025, 3, 31)),
)


def paid_online(desk: Desk) -> Dossier:
    """A dossier whose fee the payment platform confirmed."""
    waiting = qf.awaiting_fee(desk)
    command = c.ConfirmOnlinePayment(
        **desk.on(waiting, SYSTEM),
        payment_ref="TT-1",
        transaction_id="GD-1",
        amount=qf.FEE.amount,
        paid_at=desk.clock(),
    )
    return desk.dossiers.confirm_online_payment(command)


def returned_by_post(desk: Desk, dossier: Dossier) -> Dossier:
    """A dossier whose result went out by post."""
    command = c.ReturnResult(**desk.on(dossier, delivery=Delivery.POSTAL, reference="EMS-1"))
    return desk.dossiers.return_result(command)


def rated(desk: Desk, dossier: Dossier, satisfaction: Satisfaction) -> Dossier:
    """A dossier its applicant rated."""
    command = c.RateService(**desk.on(dossier, APPLICANT, satisfaction=satisfaction))
    return desk.dossiers.rate(command)


def history(desk: Desk) -> list[Dossier]:
    """Dossiers in every report state, carried over, finished in and after March."""
    desk.clock.set(at(2025, 2, 10))
    overdue_in_february = qf.processing(desk)
    finished_in_february = desk.issue_result(desk.receive())
    carried = qf.processing(desk)
    withdrawn_in_february = qf.withdrawn(desk)
    desk.clock.set(at(2025, 3, 3, 10))
    desk.issue_result(overdue_in_february)
    online = desk.accept(desk.submit_online())
    waiting = qf.supplement_requested(desk)
    supplemented = qf.supplemented(desk)
    late = desk.receive()
    fee = qf.awaiting_fee(desk)
    desk.clock.set(at(2025, 3, 5, 15))
    desk.issue_result(online)
    returned_by_post(desk, online)
    rated(desk, online, Satisfaction.VERY_SATISFIED)
    stopped, withdrawn, rejected = qf.stopped(desk), qf.withdrawn(desk), qf.rejected(desk)
    on_time_day = desk.receive()
    desk.clock.set(at(2025, 3, 17, 16))
    online_fee = paid_online(desk)
    desk.clock.set(at(2025, 3, 19, 16))  # the day it is due
    desk.issue_result(on_time_day)
    desk.clock.set(at(2025, 3, 25, 11))
    desk.issue_result(late)
    returned = desk.return_at_counter(desk.issue_result(qf.processing(desk)))
    rated(desk, returned, Satisfaction.NOT_SATISFIED)
    fresh = desk.receive()
    desk.clock.set(at(2025, 4, 7, 9))
    desk.issue_result(supplemented)
    after = qf.supplement_requested(desk)
    return [
        overdue_in_february,
        finished_in_february,
        carried,
        withdrawn_in_february,
        online,
        waiting,
        supplemented,
        late,
        fee,
        stopped,
        withdrawn,
        rejected,
        on_time_day,
        online_fee,
        returned,
        fresh,
        after,
    ]
