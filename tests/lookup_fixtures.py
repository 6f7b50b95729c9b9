"""Builders for lookup tests: the answer the aggregates say a citizen should see, and owners."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from attrs import evolve

from application import dossier_commands as c
from application.access import Principal
from application.lookup import (
    Cursor,
    HistoryEntry,
    LookupAnswer,
    LookupRow,
    OwnedDossier,
    OwnedQuery,
    fold,
    owned_query,
)
from domain.dossier import Dossier
from domain.dossier_values import Actor, Applicant, ApplicantKind, Delivery, Role, Submission
from tests import queue_fixtures as qf
from tests.dossier_fixtures import APPLICANT, Desk, submission

MASKED = "N*** T** H**"
"""The fixtures' applicant, Nguyễn Thị Hoa, as the public sees her."""
HOA_ID = "038190000123"
"""Her id number, as on every fixture submission."""
MOTHER_ID = "038160000456"
"""Her mother's id number: Hoa submits for her online."""
STRANGER = Actor("citizen-2", Role.APPLICANT)
STRANGER_ID = "001099000777"
"""Another citizen, with dossiers of his own."""


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


def for_person(desk: Desk, id_number: str, delivery: Delivery = Delivery.COUNTER) -> Submission:
    """The fixture application, made for the person with ``id_number``."""
    base = submission(procedure=desk.spec, delivery=delivery)
    person = Applicant(kind=ApplicantKind.CITIZEN, name="Trần Văn Bình", id_number=id_number)
    return evolve(base, applicant=person)


def online_by(desk: Desk, actor: Actor, id_number: str) -> Dossier:
    """A dossier ``actor`` submits on the portal for the person with ``id_number``."""
    command = c.SubmitOnline(
        command_id=desk.command_id(),
        actor=actor,
        submission=for_person(desk, id_number, Delivery.ONLINE),
    )
    return desk.dossiers.submit_online(command)


def owner(
    subject: str, id_number: str | None = None, limit: int = 50, after: Cursor | None = None
) -> OwnedQuery:
    """The query of an applicant whose token names ``subject`` (and ``id_number``)."""
    principal = Principal(subject=subject, roles=frozenset({Role.APPLICANT}), id_number=id_number)
    return owned_query(principal, limit=limit, after=after)


def expected_owned(desk: Desk, dossier_ids: Iterable[UUID]) -> list[OwnedDossier]:
    """The folded rows of ``dossier_ids``, newest submission first, with the procedure's name."""
    rows = [folded(desk, key) for key in dossier_ids]
    kept = sorted((row for row in rows if row is not None), key=lambda r: r.cursor, reverse=True)
    return [OwnedDossier(row=row, procedure_name=desk.spec.name) for row in kept]
