"""The SQLite register writes a step as the generic encoding would, column for column."""

from __future__ import annotations

from uuid import uuid4

import pytest

from adapters.views import register_sql as q
from adapters.views.sqlite_register import record, step_record
from application.register import StepEnd, StepRow
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
