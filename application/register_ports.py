"""Ports of the tracking register (Mẫu 06) and the control sheet (Mẫu 05)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol
from uuid import UUID

from application.register import (
    RegisterBatch,
    RegisterEntry,
    RegisterLine,
    RegisterQuery,
    RegisterRow,
    StepRow,
)


class TrackingRegister(Protocol):
    """Sổ theo dõi hồ sơ: each agency's received dossiers, by reception date, with its roles."""

    def list(self, query: RegisterQuery) -> list[RegisterLine]:
        """The agency's lines received in the date range, by reception time then code, one page.

        A line per received dossier the agency is involved in: as receiving unit, competent
        agency or partner (its listings).
        """
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
        """Write the batch's rows, steps, listings and position in one transaction.

        Raises:
            StalePositionError: the batch's position is not beyond the stored one;
                nothing is written.
        """
        ...

    def entries(self, dossier_ids: Iterable[UUID]) -> dict[UUID, RegisterEntry]:
        """The stored entries (received or not) of those dossiers, by dossier id."""
        ...

    def drop(self) -> None:
        """Forget every row, step, listing and the position, so the next catch-up rebuilds."""
        ...
