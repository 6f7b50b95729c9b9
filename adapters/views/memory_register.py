"""The register and control sheet in memory, for unit tests and the in-memory store."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from uuid import UUID

from application.errors import StalePositionError, ViewRowExistsError
from application.register import (
    Cursor,
    Listing,
    RegisterBatch,
    RegisterEntry,
    RegisterLine,
    RegisterQuery,
    RegisterRow,
    StepRow,
)
from domain.values import VIETNAM


def sort_key(cursor: Cursor) -> tuple[datetime, str, UUID]:
    """Reception time (in UTC), then code, then dossier id."""
    received_at, code, dossier_id = cursor
    return (received_at.astimezone(UTC), code, dossier_id)


def listing_key(listing: Listing) -> tuple[datetime, str, UUID]:
    """A listing's place in its register."""
    return sort_key((listing.received_at, listing.code, listing.dossier_id))


def in_range(listing: Listing, query: RegisterQuery) -> bool:
    """Whether ``listing`` was received within the query's date range."""
    start = datetime.combine(query.received_from, time(), VIETNAM)
    end = datetime.combine(query.received_to + timedelta(days=1), time(), VIETNAM)
    return start <= listing.received_at < end


class InMemoryRegisterView:
    """Dicts of rows, steps and listings and a position; a batch is staged on copies, swapped in."""

    name = "tracking_register"

    def __init__(self) -> None:
        self._rows: dict[UUID, RegisterRow] = {}
        self._steps: dict[UUID, dict[int, StepRow]] = {}
        self._listings: dict[UUID, dict[str, Listing]] = {}
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
        listed = {key: dict(agencies) for key, agencies in self._listings.items()}
        for dossier_id in batch.deletes:
            rows.pop(dossier_id, None)
            steps.pop(dossier_id, None)
            listed.pop(dossier_id, None)
        inserted = batch.inserted
        if (
            any(row.dossier_id in rows for row in inserted.rows)
            or any(s.occurrence in steps.get(s.dossier_id, {}) for s in inserted.steps)
            or any(x.agency in listed.get(x.dossier_id, {}) for x in inserted.listings)
        ):
            raise ViewRowExistsError(view=self.name)
        for writes in (inserted, batch.replaced):
            for row in writes.rows:
                rows[row.dossier_id] = row
            for step in writes.steps:
                steps.setdefault(step.dossier_id, {})[step.occurrence] = step
            for listing in writes.listings:
                listed.setdefault(listing.dossier_id, {})[listing.agency] = listing
        self._rows, self._steps, self._listings = rows, steps, listed
        self._position = batch.position

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

    def list(self, query: RegisterQuery) -> list[RegisterLine]:
        """The agency's lines received in the range, after the cursor, one page."""
        found = (agencies.get(query.agency) for agencies in self._listings.values())
        listed = sorted((x for x in found if x is not None and in_range(x, query)), key=listing_key)
        if query.after is not None:
            after = sort_key(query.after)
            listed = [x for x in listed if listing_key(x) > after]
        return [
            RegisterLine(agency=x.agency, roles=x.roles, row=self._rows[x.dossier_id])
            for x in listed[: query.limit]
        ]

    def drop(self) -> None:
        """Forget every row, step, listing and the position."""
        self._rows, self._steps, self._listings, self._position = {}, {}, {}, 0
