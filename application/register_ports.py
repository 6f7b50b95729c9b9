"""Ports of the tracking register (Mẫu 06) and the control sheet (Mẫu 05)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol
from uuid import UUID

from application.register import RegisterBatch, RegisterEntry, RegisterQuery, RegisterRow, StepRow


class TrackingRegister(Protocol):
    """Sổ theo dõi hồ sơ: one row per received dossier, by receiving unit and reception date."""

    def list(self, query: RegisterQuery) -> list[RegisterRow]:
        """The unit's received rows in the date range, by reception time then code, one page."""
        ...

    def get(self, dossier_id: UUID) -> RegisterRow | None:
        """The dossier's row, or ``None`` when it was never received."""
        ...

    def count(self) -> int:
        """How many received dossiers the register lists."""
        ...


class ControlSheet(Protocol):
    """Phiếu kiểm soát: each step occurrence of a dossier, judged early, on time or late."""

    def steps(self, dossier_id: UUID) -> list[StepRow]:
        """The dossier's step occurrences in the order they ran (empty when none)."""
        ...


class RegisterView(TrackingRegister, ControlSheet, Protocol):
    """Both read models in one store, with the position of the last event applied."""

    def position(self) -> int:
        """The notification id of the last event applied (0: none yet)."""
        ...

    def apply(self, batch: RegisterBatch) -> None:
        """Write the batch's rows, steps and position in one transaction.

        Raises:
            StalePositionError: the batch's position is not beyond the stored one;
                nothing is written.
        """
        ...

    def entries(self, dossier_ids: Iterable[UUID]) -> dict[UUID, RegisterEntry]:
        """The stored entries (received or not) of those dossiers, by dossier id."""
        ...

    def drop(self) -> None:
        """Forget every row, step and the position, so the next catch-up rebuilds."""
        ...
