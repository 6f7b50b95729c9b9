"""Builders for register tests: the fold over a whole history, and what the aggregate agrees on."""

from __future__ import annotations

from uuid import UUID

from application import dossier_commands as c
from application.register import RegisterEntry
from application.register_fold import fold
from domain.dossier import Dossier
from tests import queue_fixtures as qf
from tests.dossier_fixtures import HANDLER, TAX, Desk


def folded(desk: Desk, dossier_id: UUID) -> RegisterEntry | None:
    """The entry ``fold`` makes from the dossier's whole history."""
    entry: RegisterEntry | None = None
    for event in desk.dossiers.history(dossier_id):
        entry = fold(entry, event)
    return entry


def agrees(entry: RegisterEntry, dossier: Dossier) -> bool:
    """Whether the entry says what the aggregate says about reception, dates, closing and step."""
    row = entry.row
    appointment = dossier.appointment.due_at if dossier.appointment else None
    seen = (
        row.code,
        row.received_at,
        row.appointment_at,
        row.current_due_at,
        row.statutory_due_date,
        row.result_issued_at,
        row.returned_at,
        row.returned_by,
        row.closed_at,
        row.closing_reason,
    )
    truth = (
        str(dossier.code) if dossier.code else None,
        dossier.received_at,
        appointment,
        dossier.current_due_at,
        dossier.statutory_due_date,
        dossier.result_issued_at,
        dossier.returned_at,
        dossier.returned_by,
        dossier.closed_at,
        dossier.reason,
    )
    open_steps = [s for s in entry.steps if s.ended_at is None]
    step = (
        (open_steps[0].step, open_steps[0].started_at, open_steps[0].due_at) if open_steps else None
    )
    expected_step = (
        (dossier.step, dossier.step_started_at, dossier.step_due_at)
        if dossier.step is not None
        else None
    )
    return seen == truth and len(open_steps) <= 1 and step == expected_step


def sent_back(desk: Desk) -> Dossier:
    """A dossier whose second step was sent back to the first."""
    dossier = desk.complete_step(qf.processing(desk))
    desk.clock.advance(hours=1)
    return desk.dossiers.return_step(
        c.ReturnStep(**desk.on(dossier, HANDLER, reason="Thiếu ý kiến"))
    )


def with_partner(desk: Desk) -> Dossier:
    """A dossier handed to the tax partner after its handler took it."""
    command = c.HandOverToPartner(**desk.on(qf.processing(desk), HANDLER, partner=TAX))
    return desk.dossiers.hand_over(command)


def partner_answered(desk: Desk) -> Dossier:
    """A dossier the tax partner sent its result back for, a day after it was handed over."""
    dossier = with_partner(desk)
    desk.clock.advance(hours=24)
    command = c.TakePartnerResult(
        **desk.on(dossier, HANDLER, partner=TAX, outcome="Đã xác định nghĩa vụ thuế"),
        partner_ref="TB-0042",
    )
    return desk.dossiers.take_back(command)
