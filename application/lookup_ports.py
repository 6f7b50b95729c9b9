"""The lookup view's port: what the public lookup and an applicant's own list need from storage."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol
from uuid import UUID

from application.lookup import LookupAnswer, LookupBatch, LookupRow, OwnedDossier, OwnedQuery


class LookupView(Protocol):
    """Tra cứu hồ sơ: the public lookup read model, with the position of the last event applied."""

    def position(self) -> int:
        """The notification id of the last event applied (0: none yet)."""
        ...

    def apply(self, batch: LookupBatch) -> None:
        """Write the batch's rows, names and position in one transaction.

        Raises:
            StalePositionError: the batch's position is not beyond the stored one;
                nothing is written.
        """
        ...

    def find(self, code: str, secret: str) -> LookupAnswer | None:
        """The answer for a received dossier's code and secret; ``None`` for a wrong pair."""
        ...

    def list_owned(self, query: OwnedQuery) -> list[OwnedDossier]:
        """The rows whose submitter or applicant digest is the query's, newest submission first.

        Sorted by (submitted_at, dossier_id) descending, strictly after ``query.after``,
        at most ``query.limit``; each dossier once, even when both digests match.
        """
        ...

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, LookupRow]:
        """The rows of those dossiers that have one, by dossier id."""
        ...

    def count(self) -> int:
        """How many rows the view holds (every dossier, received or not)."""
        ...

    def drop(self) -> None:
        """Forget every row, name and the position, so the next catch-up rebuilds."""
        ...
