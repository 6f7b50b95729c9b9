"""Sổ cấp mã hồ sơ (the daily code book): dossier numbers per receiving agency per day (§7.3).

One small aggregate per agency and day. Each number issued is one event, and
its version is the number, so two receptions that race for a number collide
on the event store (one of them retries) and no number is issued twice or
skipped. The event names the dossier, so a code leads back to its dossier.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.copies import shallow_copy
from domain.dossier_values import DossierCode
from domain.values import AgencyCode

_NAMESPACE = UUID("0c5e7d0e-3c4e-5f0a-8a51-6d6f74637561")


def sequence_id(agency: AgencyCode, day: date) -> UUID:
    """The identity of the code book of ``agency`` on ``day``."""
    return uuid5(_NAMESPACE, f"dossier-codes:{agency.value}:{day.isoformat()}")


class DailySequence(Aggregate):
    """Sổ cấp mã: the numbers one receiving agency issued on one day, from 1."""

    agency: AgencyCode
    day: date

    class Event(Aggregate.Event):
        """Every entry names the dossier its number went to."""

        dossier_id: UUID

    class Opened(Aggregate.Created, Event):
        """The first number of the day, 1."""

        agency: AgencyCode
        day: date

        def apply(self, aggregate: DailySequence) -> None:
            """Open the book."""
            aggregate.agency = self.agency
            aggregate.day = self.day

    class Issued(Event):
        """The next number; it equals the entry's version."""

    @classmethod
    def open(cls, agency: AgencyCode, day: date, dossier_id: UUID) -> DailySequence:
        """A new book whose number 1 goes to ``dossier_id``."""
        return cls._create(
            cls.Opened, id=sequence_id(agency, day), agency=agency, day=day, dossier_id=dossier_id
        )

    def issue(self, dossier_id: UUID) -> None:
        """Give the next number to ``dossier_id``."""
        self.trigger_event(self.Issued, dossier_id=dossier_id)

    def __deepcopy__(self, memo: dict[int, object]) -> DailySequence:
        """The copy a reception issues from (``domain.copies``: all values immutable)."""
        return shallow_copy(self, memo)

    @property
    def last(self) -> DossierCode:
        """The code of the last number issued."""
        return DossierCode(self.agency, self.day, self.version)
