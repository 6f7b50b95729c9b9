"""The lookup view in memory, for unit tests and the in-memory store."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from adapters.views.lookup_sql import values
from application.errors import StalePositionError
from application.lookup import (
    LookupAnswer,
    LookupBatch,
    LookupRow,
    OwnedDossier,
    OwnedQuery,
    answer,
    matching,
)

VIEW_NAME = "dossier_lookup"


class InMemoryLookupView:
    """Dicts of rows and names and a position; a batch is staged on copies and swapped in whole."""

    name = VIEW_NAME

    def __init__(self) -> None:
        self._rows: dict[UUID, LookupRow] = {}
        self._names: dict[str, str] = {}
        self._position = 0

    def position(self) -> int:
        """The notification id of the last event applied."""
        return self._position

    def apply(self, batch: LookupBatch) -> None:
        """Write the batch and its position together, or nothing."""
        if batch.position <= self._position or batch.start not in (None, self._position):
            raise StalePositionError(view=self.name, position=batch.position)
        rows, names = dict(self._rows), dict(self._names)
        for dossier_id in batch.deletes:
            rows.pop(dossier_id, None)
        for row in batch.upserts:
            values(row)  # the same check a SQL adapter makes while encoding
            rows[row.dossier_id] = row
        names.update((named.procedure, named.name) for named in batch.procedures)
        self._rows, self._names, self._position = rows, names, batch.position

    def find(self, code: str, secret: str) -> LookupAnswer | None:
        """The answer for the code and secret, or ``None``."""
        candidates = [row for row in self._rows.values() if row.code == code]
        row = matching(candidates, code, secret)
        return answer(row, self._names.get(row.procedure)) if row else None

    def list_owned(self, query: OwnedQuery) -> list[OwnedDossier]:
        """The owner's rows past the cursor, newest submission first, one page."""
        rows = sorted(filter(query.matches, self._rows.values()), key=lambda r: r.cursor)
        page = rows[::-1][: query.limit]
        return [
            OwnedDossier(row=row, procedure_name=self._names.get(row.procedure)) for row in page
        ]

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, LookupRow]:
        """The rows of those dossiers that have one."""
        return {key: self._rows[key] for key in dossier_ids if key in self._rows}

    def count(self) -> int:
        """How many rows the view holds."""
        return len(self._rows)

    def drop(self) -> None:
        """Forget every row, name and the position."""
        self._rows, self._names, self._position = {}, {}, 0
