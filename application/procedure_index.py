"""Danh mục thủ tục (catalog view): every procedure, kept from the event log.

A province publishes a few thousand procedures; all of them fit in memory, and
searching Vietnamese with or without diacritics is easiest there. The view is
derived data. It starts empty and catches up from the notification log, past
the last position it has seen, before every query. So it is rebuilt on every
start, follows writes made by other processes, and never sees an event twice.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, cast
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.utils import get_topic

from domain.procedure import Procedure, Standing

if TYPE_CHECKING:
    from application.onestop import OneStop

TOPICS = tuple(
    get_topic(cls)
    for cls in (Procedure.Published, Procedure.Amended, Procedure.Replaced, Procedure.Abolished)
)
BATCH = 500


def fold(text: str) -> str:
    """Vietnamese text for matching: no diacritics, lower case ("Đăng ký" → "dang ky")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    )
    return " ".join(stripped.casefold().split())


class ProcedureIndex:
    """Every procedure in the catalog, by local code and by national code."""

    def __init__(self, app: OneStop) -> None:
        self.app = app
        self.position = 0
        self._procedures: dict[UUID, Procedure] = {}
        self._names: dict[UUID, str] = {}
        # Re-entrant: readers hold it while catching up, so no reader sees the dict change.
        self._lock = threading.RLock()

    def catch_up(self) -> int:
        """Apply every catalog event recorded since the last call; return how many."""
        applied = 0
        with self._lock:
            # Read up to the head seen now, then stand there: the events of other
            # aggregates (dossiers) past the last catalog event are never scanned
            # twice. Every store commits in notification order, so nothing below
            # the head can still appear.
            head = self.app.recorder.max_notification_id() or 0
            while self.position < head:
                notes = self.app.recorder.select_notifications(
                    start=self.position,
                    limit=BATCH,
                    stop=head,
                    topics=TOPICS,
                    inclusive_of_start=False,
                )
                for note in notes:
                    self._apply(self.app.mapper.to_domain_event(note))
                applied += len(notes)
                self.position = notes[-1].id if len(notes) == BATCH else head
            return applied

    def _apply(self, event: DomainEventProtocol[UUID]) -> None:
        current = self._procedures.get(event.originator_id)
        procedure = cast("Procedure.Event", event).mutate(current)
        if isinstance(procedure, Procedure):
            self._procedures[procedure.id] = procedure
            self._names[procedure.id] = fold(procedure.current.spec.name)

    def find(self, procedure_id: UUID, *, catch_up: bool = True) -> Procedure | None:
        """The procedure with that identity, if the catalog has it (as of the last catch-up)."""
        with self._lock:
            if catch_up:
                self.catch_up()
            return self._procedures.get(procedure_id)

    def by_national_code(self, code: str) -> list[Procedure]:
        """Every procedure published under national code ``code``."""
        return [p for p, _ in self._snapshot() if p.current.spec.national_code.value == code]

    def all(self) -> Iterator[tuple[Procedure, str]]:
        """Every procedure with its folded name, ordered by local code."""
        return iter(sorted(self._snapshot(), key=lambda pair: pair[0].local_code.value))

    def count(self, on: date | None = None) -> int:
        """How many procedures there are (in force on ``on``, if given)."""
        procedures = [p for p, _ in self._snapshot()]
        if on is None:
            return len(procedures)
        return sum(p.standing_on(on) is Standing.IN_FORCE for p in procedures)

    def _snapshot(self) -> list[tuple[Procedure, str]]:
        with self._lock:
            self.catch_up()
            return [(p, self._names[p.id]) for p in self._procedures.values()]
