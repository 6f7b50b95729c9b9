"""The lookup fold: one public row per dossier, kept by events alone, and its owners' query."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

import pytest
from attrs import evolve

from application.access import AccessDeniedError, Principal
from application.lookup import (
    ID_NUMBER,
    SUBJECT,
    LookupRow,
    OwnedQuery,
    answer,
    fold,
    mask_name,
    matching,
    owned_query,
    owner_digest,
    procedure_name,
    secret_digest,
)
from application.onestop import OneStop
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from domain.dossier_values import Role
from domain.procedure import procedure_id
from tests import lookup_fixtures as lf
from tests import queue_fixtures as qf
from tests.dossier_fixtures import APPLICANT, OFFICER, Desk

ID = "038190000123"
"""The fixtures' applicant's id number."""
CITIZEN = frozenset({Role.APPLICANT})


@pytest.fixture
def desk(policy: CalendarPolicy) -> Desk:
    """A desk over an in-memory store, opening on Mon 3 Mar 2025 08:00."""
    return Desk(OneStop(), policy)


def row_of(desk: Desk, dossier_id: UUID) -> LookupRow:
    """The folded row, which must exist."""
    row = lf.folded(desk, dossier_id)
    assert row is not None
    return row


def codes(row: LookupRow) -> list[int]:
    """The national codes of the row's public history, in order."""
    return [entry.code for entry in row.history]


BUILDERS: dict[str, Callable[[Desk], Dossier]] = {
    "received": lambda d: d.receive(),
    "accepted_online": lambda d: d.accept(d.submit_online()),
    "processing": qf.processing,
    "step_completed": lambda d: d.complete_step(qf.processing(d)),
    "supplement_requested": qf.supplement_requested,
    "supplemented": qf.supplemented,
    "awaiting_fee": qf.awaiting_fee,
    "paid": qf.paid,
    "paid_after_result": lf.paid_after_result,
    "extended": qf.extended,
    "result_ready": lambda d: d.issue_result(qf.processing(d)),
    "returned": qf.returned,
    "stopped": qf.stopped,
    "withdrawn": qf.withdrawn,
}


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_the_answer_matches_the_aggregate(desk: Desk, build: Callable[[Desk], Dossier]) -> None:
    """In every state the folded row answers what the aggregate says, history included."""
    dossier = build(desk)
    assert answer(row_of(desk, dossier.id), desk.spec.name) == lf.expected_answer(desk, dossier.id)


def test_a_received_dossier_keeps_a_digest_not_its_secret(desk: Desk) -> None:
    """Reception stores the code and the SHA-256 of code and secret; the secret is nowhere."""
    dossier = desk.receive()
    code, secret = lf.credentials(dossier)
    row = row_of(desk, dossier.id)
    assert (row.code, row.secret_digest) == (code, secret_digest(code, secret))
    assert secret not in repr(row)
    assert "Nguyễn" not in repr(row)


def test_a_submitted_dossier_has_a_row_without_a_code(desk: Desk) -> None:
    """Before reception the row exists (status 1) but has nothing to be found by."""
    row = row_of(desk, desk.submit_online().id)
    assert (row.code, row.secret_digest, codes(row)) == (None, None, [1])
    with pytest.raises(ValueError, match="received"):
        answer(row, None)


@pytest.mark.parametrize(
    ("build", "closed"), [(qf.rejected, 3), (lf.withdrawn_before_reception, 7)]
)
def test_a_dossier_closed_before_reception_keeps_its_row_without_a_code(
    desk: Desk, build: Callable[[Desk], Dossier], closed: int
) -> None:
    """Refused at intake (3) or withdrawn before reception (7): kept for its owner, unfindable."""
    dossier = build(desk)
    row = row_of(desk, dossier.id)
    assert (row.code, row.secret_digest, row.received_at) == (None, None, None)
    assert (row.status, codes(row)) == (dossier.status, [1, closed])
    assert row.version == dossier.version


def test_an_online_submission_belongs_to_its_submitter_and_its_applicant(desk: Desk) -> None:
    """The row keeps the submission time and the digests of the submitter and the id number."""
    dossier = desk.submit_online()
    row = row_of(desk, dossier.id)
    assert row.submitted_at == dossier.submitted_at
    assert row.submitter_digest == owner_digest(SUBJECT, dossier.opened_by)
    assert row.submitter_digest == owner_digest(SUBJECT, APPLICANT.user_id)
    assert row.applicant_digest == owner_digest(ID_NUMBER, ID)
    for clear in (APPLICANT.user_id, ID):
        assert clear not in repr(row)


def test_a_walk_in_belongs_to_its_applicant_not_to_the_officer(desk: Desk) -> None:
    """The officer who opened it at the counter acted for the applicant: no submitter digest."""
    dossier = desk.receive()
    row = row_of(desk, dossier.id)
    assert dossier.opened_by == OFFICER.user_id
    assert row.submitter_digest is None
    assert row.applicant_digest == owner_digest(ID_NUMBER, ID)
    assert row.submitted_at == dossier.submitted_at == dossier.received_at


def test_later_events_keep_the_submission_time_and_the_owners(desk: Desk) -> None:
    """Reception days later and the whole life after it change neither."""
    online = desk.submit_online()
    opened = row_of(desk, online.id)
    desk.clock.advance(days=2)
    dossier = desk.return_at_counter(desk.issue_result(desk.assign(desk.accept(online))))
    row = row_of(desk, dossier.id)
    assert (row.submitted_at, row.submitter_digest, row.applicant_digest) == (
        opened.submitted_at,
        opened.submitter_digest,
        opened.applicant_digest,
    )
    assert row.received_at is not None
    assert row.received_at > row.submitted_at


def test_an_owner_key_is_hashed_apart_by_its_kind() -> None:
    """The same text as a subject and as an id number gives two digests, neither holding it."""
    subject, id_number = owner_digest(SUBJECT, ID), owner_digest(ID_NUMBER, ID)
    assert subject != id_number
    assert len(subject) == len(id_number) == 64
    assert ID not in subject + id_number
    assert owner_digest(ID_NUMBER, "038190000124") != id_number


def test_an_applicant_lists_by_their_subject_and_their_id_number() -> None:
    """An applicant's query holds the digests of the token's subject and id number."""
    query = owned_query(Principal(subject="citizen-1", roles=CITIZEN, id_number=ID), limit=10)
    assert query == OwnedQuery(
        submitter_digest=owner_digest(SUBJECT, "citizen-1"),
        applicant_digest=owner_digest(ID_NUMBER, ID),
        limit=10,
    )
    nameless = owned_query(Principal(subject="citizen-1", roles=CITIZEN), limit=10)
    assert nameless.applicant_digest is None


@pytest.mark.parametrize("role", sorted(set(Role) - {Role.APPLICANT}))
def test_only_an_applicant_lists_their_own_dossiers(role: Role) -> None:
    """Any other role, even with an id number, is refused; with the applicant role too, allowed."""
    principal = Principal(subject="officer-1", roles=frozenset({role}), id_number=ID)
    with pytest.raises(AccessDeniedError) as refused:
        owned_query(principal, limit=10)
    assert (refused.value.action, refused.value.roles) == ("my_dossiers", ("applicant",))
    both = Principal(subject="officer-1", roles=frozenset({role, Role.APPLICANT}))
    assert owned_query(both, limit=10).submitter_digest == owner_digest(SUBJECT, "officer-1")


def test_a_query_matches_its_owners_rows_past_the_cursor(desk: Desk) -> None:
    """By subject or by id number, never another's; the cursor keeps strictly older rows."""
    mine = row_of(desk, desk.submit_online().id)
    walk_in = row_of(desk, desk.receive().id)  # in her name, opened by the officer
    stranger = evolve(walk_in, applicant_digest=owner_digest(ID_NUMBER, "001099000777"))
    by_subject = OwnedQuery(submitter_digest=owner_digest(SUBJECT, APPLICANT.user_id))
    by_id = OwnedQuery(submitter_digest="x", applicant_digest=owner_digest(ID_NUMBER, ID))
    assert [by_subject.matches(r) for r in (mine, walk_in, stranger)] == [True, False, False]
    assert [by_id.matches(r) for r in (mine, walk_in, stranger)] == [True, True, False]
    later = (mine.submitted_at + timedelta(seconds=1), mine.dossier_id)
    assert evolve(by_id, after=later).matches(mine)
    assert not evolve(by_id, after=mine.cursor).matches(mine)


def test_the_history_lists_each_change_of_national_status_once(desk: Desk) -> None:
    """Assignment, completed steps and reassignment inside status 4 add no entries."""
    dossier = desk.complete_step(desk.assign(qf.processing(desk)))
    returned = desk.return_at_counter(desk.issue_result(dossier))
    row = row_of(desk, returned.id)
    assert codes(row) == [1, 2, 4, 9, 10]
    assert [entry.label for entry in row.history][-1] == "Đã trả kết quả"
    assert row.returned_at == returned.returned_at


def test_a_supplement_round_trip_shows_in_the_history(desk: Desk) -> None:
    """Processing, waiting for a supplement, then processing again: 4, 5, 4."""
    assert codes(row_of(desk, qf.supplemented(desk).id)) == [1, 2, 4, 5, 4]


def test_a_fee_after_the_result_returns_to_result_ready(desk: Desk) -> None:
    """A fee asked after the result goes 9, 6, 9 once paid."""
    assert codes(row_of(desk, lf.paid_after_result(desk).id))[-3:] == [9, 6, 9]


def test_an_extension_shows_the_new_appointment(desk: Desk) -> None:
    """After Mẫu 04 the public appointment is the rescheduled one."""
    before = qf.processing(desk)
    assert row_of(desk, qf.extended(desk, before).id).due_at == qf.EXTENDED_TO
    assert before.current_due_at != qf.EXTENDED_TO


def test_a_resumed_clock_moves_the_appointment(desk: Desk) -> None:
    """Accepting a supplement days later gives a later appointment, as the aggregate holds."""
    dossier = qf.processing(desk)
    waiting = qf.supplement_requested(desk, dossier)
    desk.clock.advance(days=3)
    resumed = qf.supplemented(desk, waiting)
    row = row_of(desk, dossier.id)
    assert row.due_at == resumed.current_due_at != dossier.current_due_at


def test_a_closed_dossier_stays_findable(desk: Desk) -> None:
    """Withdrawn or stopped after reception: the row stays with status 7 or 8."""
    assert row_of(desk, qf.withdrawn(desk).id).status.national_code == 7
    assert row_of(desk, qf.stopped(desk).id).status.national_code == 8


def test_other_aggregates_events_leave_the_row_alone(desk: Desk) -> None:
    """A catalog event folded into a row changes nothing."""
    row = row_of(desk, desk.receive().id)
    published = desk.app.events.get(procedure_id(desk.spec.local_code))
    assert all(fold(row, event) is row for event in published)


def test_the_catalog_names_the_procedure(desk: Desk) -> None:
    """The publication event gives the procedure's name; dossier events give none."""
    published = list(desk.app.events.get(procedure_id(desk.spec.local_code)))
    named = procedure_name(published[0])
    assert named is not None
    assert (named.procedure, named.name) == (str(desk.spec.local_code), desk.spec.name)
    assert all(procedure_name(e) is None for e in desk.dossiers.history(desk.receive().id))


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Nguyễn Thị Hoa", "N*** T** H**"),
        ("Đặng Văn Ấn", "Đ*** V** Ấ*"),
        ("  Lê   Ý  ", "L* Ý"),
        ("Ưng Hoàng Phúc", "Ư** H*** P***"),
        ("Công ty TNHH Ánh Dương", "C*** t* T*** Á** D***"),
    ],
)
def test_a_name_is_masked_to_first_letters(name: str, masked: str) -> None:
    """Each word keeps its first letter, diacritics and case intact, and at most three stars."""
    assert mask_name(name) == masked


def test_a_decomposed_name_masks_like_a_composed_one() -> None:
    """Combining diacritics (NFD input) count with their letter, as in NFC."""
    name = "Ấu Đức Nguyễn"
    assert mask_name(unicodedata.normalize("NFD", name)) == mask_name(name) == "Ấ* Đ** N***"


def test_the_digest_depends_on_code_and_secret() -> None:
    """Another code or another secret gives another digest, which never contains the secret."""
    digest = secret_digest("000.00.12.H56-250303-0001", "s3cret")
    assert len(digest) == 64
    assert "s3cret" not in digest
    assert digest != secret_digest("000.00.12.H56-250303-0002", "s3cret")
    assert digest != secret_digest("000.00.12.H56-250303-0001", "s3cret!")


def test_matching_needs_the_code_and_its_own_secret(desk: Desk) -> None:
    """Only the row whose code and secret digest both match is found."""
    first, second = desk.receive(), desk.receive()
    rows = [row_of(desk, first.id), row_of(desk, second.id)]
    code, secret = lf.credentials(first)
    other_code, other_secret = lf.credentials(second)
    assert matching(rows, code, secret) == rows[0]
    assert matching(rows, code, other_secret) is None
    assert matching(rows, other_code, secret) is None
    assert matching([], code, secret) is None
