"""Chiếu sổ theo dõi (register projector): folds the log's dossier events into the register.

The same pull loop as the queue projector: ``catch_up`` reads the
notification log after the view's position in batches (topics filtered in
SQL), folds each batch per dossier in memory (``fold_all``: one row built per
dossier and batch), and hands the view one ``RegisterBatch`` per transaction:
every row that changed, only the step rows and listings that changed, the
dossiers whose entries are gone, and apart, the writes of the dossiers first
seen in the batch (inserted: nothing of them was stored). Each event is
decoded with only the fields the fold reads of its class (``READS_OF``): most
read neither the actor nor anything but the time, and many nothing at all.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic

from application.decoding import PartialDecoder
from application.pulling import BATCH_SIZE, Event, Puller, replay_rows, touched
from application.register import (
    REGISTER_TOPICS,
    Listing,
    RegisterBatch,
    RegisterEntry,
    RegisterRow,
    StepRow,
    Writes,
    listings,
)
from application.register_fold import READS, READS_OF, fold, fold_all
from application.register_ports import RegisterView

__all__ = ["BATCH_SIZE", "RegisterDecoder", "RegisterProjector", "replay"]


class RegisterDecoder(PartialDecoder):
    """Decodes each event with only the fields ``fold`` reads of its class.

    One ``PartialDecoder`` per topic does the work; this one's own ``reads`` (their union)
    is left unused.
    """

    def __init__(self, app: Application[Any]) -> None:
        super().__init__(app, READS)
        self.app = app
        self._by_topic: dict[str, PartialDecoder] = {}

    def event(self, notification: Notification) -> Event:
        """One event, with only the fields the fold reads of its class."""
        decoder = self._by_topic.get(notification.topic)
        if decoder is None:
            reads = READS_OF.get(resolve_topic(notification.topic), frozenset())
            decoder = self._by_topic[notification.topic] = PartialDecoder(self.app, reads)
        return decoder.event(notification)


class RegisterProjector(Puller[RegisterBatch]):
    """Keeps a ``RegisterView`` up to date with the application's notification log."""

    topics = REGISTER_TOPICS
    reads = READS

    def __init__(self, app: Application[Any], view: RegisterView) -> None:
        super().__init__(app, view)
        self.view = view
        self.decoder = RegisterDecoder(app)

    def batch(self, events: list[Event], position: int) -> RegisterBatch:
        """The entries as they stand after ``events``, with the position they reach."""
        ids, earlier = touched(events)
        stored = self.view.entries(earlier) if earlier else {}
        histories: dict[UUID, list[Event]] = {key: [] for key in ids}
        for event in events:
            histories[event.originator_id].append(event)
        first_seen = set(ids).difference(earlier)
        rows: list[RegisterRow] = []
        steps: list[StepRow] = []
        listed: list[Listing] = []
        new_rows: list[RegisterRow] = []
        new_steps: list[StepRow] = []
        new_listed: list[Listing] = []
        deletes: list[UUID] = []
        for key, history in histories.items():
            before = stored.get(key)
            entry = fold_all(before, history)
            if entry is None:
                deletes.append(key)
            elif key in first_seen:  # nothing of it is stored: all of it is inserted
                new_rows.append(entry.row)
                new_steps += entry.steps
                new_listed += listings(entry.row)
            elif before is None:  # nothing stored (dropped earlier): all of it replaces
                rows.append(entry.row)
                steps += entry.steps
                listed += listings(entry.row)
            elif entry is not before:  # only what changed is written
                if entry.row != before.row:
                    rows.append(entry.row)
                kept = set(before.steps)
                steps += [step for step in entry.steps if step not in kept]
                held = set(listings(before.row))
                listed += [listing for listing in listings(entry.row) if listing not in held]
        return RegisterBatch(
            position=position,
            rows=tuple(rows),
            steps=tuple(steps),
            listings=tuple(listed),
            deletes=tuple(deletes),
            inserted=Writes(
                rows=tuple(new_rows), steps=tuple(new_steps), listings=tuple(new_listed)
            ),
        )


def replay(app: Application[Any]) -> dict[UUID, RegisterEntry]:
    """The entries folded from the whole log in memory: a second pass to check a view."""
    return replay_rows(app, REGISTER_TOPICS, fold)
