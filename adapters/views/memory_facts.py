"""The facts view in memory, for unit tests and the in-memory store; reports computed in Python."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from application.errors import StalePositionError
from application.report06a import CountingRules, Report06a, ReportQuery, report06a
from application.statistics import FactsBatch, FactsRow


class InMemoryFactsView:
    """A dict of rows and a position; a batch is staged on a copy and swapped in whole."""

    name = "dossier_facts"

    def __init__(self) -> None:
        self._rows: dict[UUID, FactsRow] = {}
        self._position = 0

    def position(self) -> int:
        """The notification id of the last event applied."""
        return self._position

    def apply(self, batch: FactsBatch) -> None:
        """Write the batch and its position together, or nothing."""
        if batch.position <= self._position or batch.start not in (None, self._position):
            raise StalePositionError(view=self.name, position=batch.position)
        staged = dict(self._rows)
        for dossier_id in batch.deletes:
            staged.pop(dossier_id, None)
        staged.update((row.dossier_id, row) for row in batch.upserts)
        self._rows, self._position = staged, batch.position

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, FactsRow]:
        """The rows of those dossiers the view holds."""
        return {key: self._rows[key] for key in dossier_ids if key in self._rows}

    def count(self) -> int:
        """How many dossiers the view holds facts of."""
        return len(self._rows)

    def rows(self) -> list[FactsRow]:
        """Every row, sorted by dossier id."""
        return sorted(self._rows.values(), key=lambda row: row.dossier_id)

    def report06a(self, query: ReportQuery, rules: CountingRules) -> Report06a:
        """Report 06a, computed over the rows in Python."""
        return report06a(self._rows.values(), query, rules)

    def drop(self) -> None:
        """Forget every row and the position."""
        self._rows, self._position = {}, 0
