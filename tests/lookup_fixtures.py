"""Builders for lookup tests: the answer the aggregates say a citizen should see."""

from __future__ import annotations

from uuid import UUID

from application import dossier_commands as c
from application.lookup import HistoryEntry, LookupAnswer, LookupRow, fold
from domain.dossier import Dossier
from tests import queue_fixtures as qf
from tests.dossier_fixtures import APPLICANT, Desk

MASKED = "N*** T** H**"
"""The fixtures' applicant, Nguyễn Thị Hoa, as the public sees her."""


def public_history(desk: Desk, dossier_id: UUID) -> tuple[HistoryEntry, ...]:
    """Each change of national status, replaying the aggregate version by version."""
    entries: list[HistoryEntry] = []
    for event in desk.dossiers.history(dossier_id):
        code = desk.dossiers.get(dossier_id, version=event.originator_version).status.national_code
        if not entries or entries[-1].code != code:
            entries.append(HistoryEntry(event.at, code))  # type: ignore[attr-defined]  # dossier events have at
    return tuple(entries)


def expected_answer(desk: Desk, dossier_id: UUID) -> LookupAnswer:
    """What the citizen should see for a received dossier, from its aggregate."""
    dossier = desk.dossiers.get(dossier_id)
    assert dossier.code is not None
    assert dossier.received_at is not None
    return LookupAnswer(
        code=str(dossier.code),
        status_code=dossier.status.national_code,
        status_label=dossier.status.label,
        procedure=str(dossier.submission.procedure),
        procedure_name=desk.spec.name,
        applicant=MASKED,
        received_at=dossier.received_at,
        due_at=dossier.current_due_at,
        returned_at=dossier.returned_at,
        history=public_history(desk, dossier_id),
    )


def credentials(dossier: Dossier) -> tuple[str, str]:
    """The code and lookup secret printed on the receipt (Mẫu 01)."""
    assert dossier.code is not None
    assert dossier.lookup_secret is not None
    return str(dossier.code), dossier.lookup_secret


def folded(desk: Desk, dossier_id: UUID) -> LookupRow | None:
    """The row ``fold`` makes from the dossier's whole history."""
    row: LookupRow | None = None
    for event in desk.dossiers.history(dossier_id):
        row = fold(row, event)
    return row


def withdrawn_before_reception(desk: Desk) -> Dossier:
    """An online dossier its applicant withdrew before the one-stop check."""
    command = c.WithdrawDossier(**desk.on(desk.submit_online(), APPLICANT, reason="Thôi"))
    return desk.dossiers.withdraw(command)


def paid_after_result(desk: Desk) -> Dossier:
    """A dossier whose fee was asked for and paid after its result was issued."""
    ready = desk.issue_result(qf.processing(desk))
    return qf.paid(desk, qf.awaiting_fee(desk, ready))
