"""Builders for queue tests: dossiers in every queue state, and the row each one should have."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application import dossier_commands as c
from application.queue import QueueRow, fold
from domain.dossier import Dossier
from domain.dossier_values import Charge, HandedDocument, RequestedDocument
from domain.procedure_spec import Form
from tests.dossier_fixtures import APPLICANT, HANDLER, ID_COPY, LEADER, Desk, at

ITEM = RequestedDocument(ID_COPY, "Bản sao CCCD", "mờ")
FEE = Charge("LP.01", "Lệ phí", 50_000)
EXTENDED_TO = at(2025, 3, 28)


def expected_row(dossier: Dossier) -> QueueRow | None:
    """The queue row the aggregate says the dossier should have (``None``: not in the queue)."""
    if dossier.status.is_terminal:
        return None
    return QueueRow(
        dossier_id=dossier.id,
        procedure=str(dossier.submission.procedure),
        channel=dossier.channel,
        receiving_unit=str(dossier.submission.receiving_unit),
        competent_agency=str(dossier.submission.competent_agency),
        status=dossier.status,
        version=dossier.version,
        code=str(dossier.code) if dossier.code else None,
        handler=dossier.handler,
        step=dossier.step,
        step_due_at=dossier.step_due_at,
        due_at=dossier.current_due_at,
        rescheduled_due_at=dossier.rescheduled_due_at,
        statutory_due_date=dossier.statutory_due_date,
        received_at=dossier.received_at,
        result_issued_at=dossier.result_issued_at,
        paused=dossier.is_paused,
    )


def folded(desk: Desk, dossier_id: UUID) -> QueueRow | None:
    """The row ``fold`` makes from the dossier's whole history."""
    row: QueueRow | None = None
    for event in desk.dossiers.history(dossier_id):
        row = fold(row, event)
    return row


def processing(desk: Desk) -> Dossier:
    """A received dossier its handler is working on."""
    return desk.assign(desk.receive())


def supplement_requested(desk: Desk, dossier: Dossier | None = None) -> Dossier:
    """A dossier paused for a supplement."""
    command = c.RequestSupplement(
        **desk.on(dossier or processing(desk), HANDLER, items=(ITEM,), reason="mờ")
    )
    return desk.dossiers.request_supplement(command)


def supplemented(desk: Desk, waiting: Dossier | None = None) -> Dossier:
    """A dossier (waiting for a supplement) whose supplement was handed in and accepted."""
    waiting = waiting or supplement_requested(desk)
    documents = (HandedDocument(ID_COPY, Form.COPY, 2),)
    desk.dossiers.submit_supplement(
        c.SubmitSupplement(**desk.on(waiting, APPLICANT, documents=documents))
    )
    return desk.dossiers.accept_supplement(c.AcceptSupplement(**desk.on(waiting)))


def awaiting_fee(desk: Desk, dossier: Dossier | None = None) -> Dossier:
    """A dossier paused for its fee."""
    command = c.RequestPayment(**desk.on(dossier or processing(desk), charges=(FEE,)))
    return desk.dossiers.request_payment(command)


def paid(desk: Desk, waiting: Dossier | None = None) -> Dossier:
    """A dossier (waiting for its fee) whose fee was paid at the counter."""
    waiting = waiting or awaiting_fee(desk)
    command = c.RecordCounterPayment(**desk.on(waiting, receipt_number="BL-1", amount=FEE.amount))
    return desk.dossiers.record_counter_payment(command)


def extended(desk: Desk, dossier: Dossier | None = None, to: datetime = EXTENDED_TO) -> Dossier:
    """A dossier with a new appointment (Mẫu 04)."""
    command = c.ExtendDeadline(
        **desk.on(dossier or processing(desk), LEADER, reason="Cần xác minh", signed_by="L"),
        new_due_at=to,
    )
    return desk.dossiers.extend(command)


def stopped(desk: Desk) -> Dossier:
    """A dossier the competent agency stopped."""
    command = c.StopProcessing(**desk.on(processing(desk), LEADER, reason="Không đủ điều kiện"))
    return desk.dossiers.stop(command)


def withdrawn(desk: Desk) -> Dossier:
    """A received dossier its applicant withdrew."""
    command = c.WithdrawDossier(**desk.on(desk.receive(), APPLICANT, reason="Thôi"))
    return desk.dossiers.withdraw(command)


def rejected(desk: Desk) -> Dossier:
    """An online dossier refused at intake."""
    command = c.RejectAtIntake(**desk.on(desk.submit_online(), reason="Sai thủ tục"))
    return desk.dossiers.reject(command)


def returned(desk: Desk) -> Dossier:
    """A dossier whose result was handed over at the counter."""
    return desk.return_at_counter(desk.issue_result(processing(desk)))
