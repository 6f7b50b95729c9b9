"""Ports: what the application needs from the outside world and the library does not provide."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol
from uuid import UUID

from application.queue import QueueBatch, QueueQuery, QueueRow


class QueueView(Protocol):
    """Hàng đợi hồ sơ: the queue read model, with the position of the last event applied."""

    def position(self) -> int:
        """The notification id of the last event applied (0: none yet)."""
        ...

    def apply(self, batch: QueueBatch) -> None:
        """Write the batch's rows and its position in one transaction.

        Raises:
            StalePositionError: the batch's position is not beyond the stored one;
                nothing is written.
        """
        ...

    def list(self, query: QueueQuery) -> list[QueueRow]:
        """The rows matching ``query``, sorted by due time then dossier id, one page."""
        ...

    def get(self, dossier_id: UUID) -> QueueRow | None:
        """The dossier's row, or ``None`` when it is not in the queue."""
        ...

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, QueueRow]:
        """The rows of those dossiers that are in the queue, by dossier id."""
        ...

    def count(self) -> int:
        """How many rows the view holds."""
        ...

    def drop(self) -> None:
        """Forget every row and the position, so the next catch-up rebuilds from the start."""
        ...
