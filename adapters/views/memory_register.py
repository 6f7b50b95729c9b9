"""The register and control sheet in memory, for unit tests and the in-memory store."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from uuid import UUID

from application.errors import StalePositionError
from application.register import (
    Cursor,
    RegisterBatch,
    RegisterEntry,
    RegisterQuery,
    RegisterRow,
    StepRow,
)
from domain.values import VIETNAM


def sort_key(cursor: Cursor) -> tuple[datetime, str, UUID]:
    """Reception time (in UTC), then code, then dossier id."""
    received_at, code, dossier_id = cursor
    return (received_at.astimezone(UTC), code, dossier_id)


def in_range(row: RegisterRow, query: RegisterQuery) -> bool:
    """Whether ``row`` is a received row of the unit, received within the date range."""
    if row.received_at is None or row.receiving_unit != query.receiving_unit:
        return False
    start = datetime.combine(query.received_from, time(), VIETNAM)
    end = datetime.combine(query.received_to + timedelta(days=1), time(), VIETNAM)
    return start <= row.received_at < end


class InMemoryRegisterView:
    """Dicts of rows and steps and a position; a batch is staged on copies and swapped in whole."""

    name = "tracking_register"

    def __init__(self) -> None:
        self._rows: dict[UUID, RegisterRow] = {}
        self._steps: dict[UUID, dict[int, StepRow]] = {}
        self._position = 0

    def position(self) -> int:
        """The notification id of the last event applied."""
        return self._position

    def apply(self, batch: RegisterBatch) -> None:
        """Write the batch and its position together, or nothing."""
        if batch.position <= self._position or batch.start not in (None, self._position):
            raise StalePositionError(view=self.name, position=batch.position)
        rows = dict(self._rows)
        steps = {key: dict(occurrences) for key, occurrences in self._steps.items()}
        for dossier_id in batch.deletes:
            rows.pop(dossier_id, None)
            steps.pop(dossier_id, None)
        for row in batch.rows:
            rows[row.dossier_id] = row
        for step in batch.steps:
            steps.setdefault(step.dossier_id, {})[step.occurrence] = step
        self._rows, self._steps, self._position = rows, steps, batch.position

    def entries(self, dossier_ids: Iterable[UUID]) -> dict[UUID, RegisterEntry]:
        """The stored entries of those dossiers."""
        return {
            key: RegisterEntry(row=self._rows[key], steps=tuple(self.steps(key)))
            for key in dossier_ids
            if key in self._rows
        }

    def get(self, dossier_id: UUID) -> RegisterRow | None:
        """The dossier's row, if it was received."""
        row = self._rows.get(dossier_id)
        return row if row is not None and row.received_at is not None else None

    def steps(self, dossier_id: UUID) -> list[StepRow]:
        """The dossier's step occurrences in the order they ran."""
        occurrences = self._steps.get(dossier_id, {})
        return [occurrences[n] for n in sorted(occurrences)]

    def count(self) -> int:
        """How many received dossiers the register lists."""
        return sum(1 for row in self._rows.values() if row.received_at is not None)

    def list(self, query: RegisterQuery) -> list[RegisterRow]:
        """The unit's received rows in the range, after the cursor, one page."""
        rows = sorted(
            (row for row in self._rows.values() if in_range(row, query)),
            key=lambda row: sort_key(row.cursor),
        )
        if query.after is not None:
            after = sort_key(query.after)
            rows = [row for row in rows if sort_key(row.cursor) > after]
        return rows[: query.limit]

    def drop(self) -> None:
        """Forget every row, step and the position."""
        self._rows, self._steps, self._position = {}, {}, 0
