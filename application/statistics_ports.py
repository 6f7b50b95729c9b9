"""Ports of the statistics views: the dossier facts and report 06a over them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol
from uuid import UUID

from application.report06a import CountingRules, Report06a, ReportQuery
from application.statistics import FactsBatch, FactsRow


class FactsView(Protocol):
    """Số liệu hồ sơ: one facts row per dossier, with the position of the last event applied."""

    def position(self) -> int:
        """The notification id of the last event applied (0: none yet)."""
        ...

    def apply(self, batch: FactsBatch) -> None:
        """Write the batch's rows and its position in one transaction.

        Raises:
            StalePositionError: the batch's position is not beyond the stored one;
                nothing is written.
        """
        ...

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, FactsRow]:
        """The rows of those dossiers the view holds, by dossier id."""
        ...

    def count(self) -> int:
        """How many dossiers the view holds facts of."""
        ...

    def rows(self) -> list[FactsRow]:
        """Every row, sorted by dossier id."""
        ...

    def report06a(self, query: ReportQuery, rules: CountingRules) -> Report06a:
        """Report 06a for the query's unit and period under ``rules``."""
        ...

    def drop(self) -> None:
        """Forget every row and the position, so the next catch-up rebuilds from the start."""
        ...
