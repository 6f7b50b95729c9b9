"""The SQLite register writes rows and steps as the generic encoding would, column for column."""

from __future__ import annotations

import json
from datetime import date
from uuid import uuid4

import orjson
import pytest
from attrs import evolve

from adapters.views import register_sql as q
from adapters.views.sqlite_register import record, row_record, step_record
from application.register import (
    Handover,
    HandoverKind,
    Note,
    NoteKind,
    RegisterRow,
    StepEnd,
    StepRow,
)
from domain.dossier_status import Status
from domain.dossier_values import Delivery
from tests.dossier_fixtures import at

OPEN = StepRow(dossier_id=uuid4(), occurrence=0, step=0, started_at=at(2025, 3, 3, 9))
ENDED = StepRow(
    dossier_id=uuid4(),
    occurrence=3,
    step=1,
    started_at=at(2025, 3, 3, 9, 30),
    due_at=at(2025, 3, 5, 17),
    ended_at=at(2025, 3, 4, 10, 15),
    ending=StepEnd.RETURNED,
    outcome="Thiếu ý kiến",
)


@pytest.mark.parametrize("step", [OPEN, ENDED], ids=["open", "ended"])
def test_a_step_record_is_the_generic_record_of_its_values(step: StepRow) -> None:
    """Same values, same order as ``STEP_COLUMNS``: the fast path changes nothing stored."""
    assert step_record(step) == record(q.step_values(step))
    assert len(step_record(step)) == len(q.STEP_COLUMNS)


BARE = RegisterRow(
    dossier_id=uuid4(),
    procedure="1.001.H56",
    applicant="Nguyễn Văn An",
    receiving_unit="000.00.12.H56",
    competent_agency="000.00.20.H56",
)
FULL = evolve(
    BARE,
    code="000.00.12.H56-250303-0001",
    received_at=at(2025, 3, 3, 9),
    transfers=(
        Handover(
            at=at(2025, 3, 3, 10),
            kind=HandoverKind.TO_PARTNER,
            by="handler-1",
            from_agency="000.00.20.H56",
            to_agency="000.00.30.H56",
            due_at=at(2025, 3, 6, 17),
            note="Xác định thuế",
        ),
        Handover(
            at=at(2025, 3, 3, 11),
            kind=HandoverKind.ASSIGNED,
            by="lead-1",
            from_agency="000.00.20.H56",
            to_agency="000.00.20.H56",
            unit="Phòng chuyên môn",
        ),
    ),
    appointment_at=at(2025, 3, 10, 17),
    due_at=at(2025, 3, 11, 17),
    rescheduled_due_at=at(2025, 3, 14, 17),
    statutory_due_date=date(2025, 3, 14),
    result_issued_at=at(2025, 3, 12, 9).replace(microsecond=123456),
    returned_at=at(2025, 3, 13, 8),
    returned_by=Delivery.POSTAL,
    closed_at=at(2025, 3, 13, 9),
    closing=Status.STOPPED,
    closing_reason="Không đủ điều kiện",
    notes=(
        Note(at(2025, 3, 5, 9), NoteKind.SUPPLEMENT, "Bổ sung bản sao"),
        Note(at(2025, 3, 7, 9), NoteKind.EXTENSION, "Chờ ý kiến"),
    ),
)


@pytest.mark.parametrize("row", [BARE, FULL], ids=["bare", "full"])
def test_a_row_record_is_the_generic_record_of_its_values(row: RegisterRow) -> None:
    """Same values, same order as ``COLUMNS``, and read back as the same row."""
    assert row_record(row) == record(q.values(row))
    assert len(row_record(row)) == len(q.COLUMNS)
    assert q.load_transfers(q.dump_transfers(row.transfers)) == row.transfers
    assert q.load_notes(q.dump_notes(row.notes)) == row.notes


def test_notes_and_handovers_written_with_the_json_modules_spacing_read_the_same() -> None:
    """Rows stored by an earlier release (``json.dumps``, spaced) load as the new ones do."""
    spaced_notes = json.dumps(orjson.loads(q.dump_notes(FULL.notes)), ensure_ascii=False)
    spaced_transfers = json.dumps(orjson.loads(q.dump_transfers(FULL.transfers)))
    assert ", " in spaced_notes
    assert q.load_notes(spaced_notes) == FULL.notes
    assert q.load_transfers(spaced_transfers) == FULL.transfers
