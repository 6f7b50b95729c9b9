"""Projectors decode only what their folds read, and fold the rows that whole events make."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from adapters.views.memory_queue import InMemoryQueueView
from application import dossier_commands as c
from application import lookup, queue, register_fold, statistics
from application.decoding import PartialDecoder, read_tree
from application.onestop import OneStop
from application.projector import QueueProjector
from application.queue import QueueRow
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from domain.dossier_values import HandedDocument, Satisfaction
from domain.procedure_spec import Form
from tests import facts_fixtures as ff
from tests import lookup_fixtures as lf
from tests import queue_fixtures as qf
from tests import register_fixtures as rf
from tests.dossier_fixtures import APPLICANT, COMPLETE, FORM, Desk, submission
from tests.unit.test_demo_generator import generated

Fold = Callable[[Any, Any], Any]
FOLDS: dict[str, tuple[frozenset[str], Fold]] = {
    "queue": (queue.READS, queue.fold),
    "lookup": (lookup.READS, lookup.fold),
    "register": (register_fold.READS, register_fold.fold),
    "facts": (statistics.READS, statistics.fold),
}
HANDLED: set[type[Dossier.Event]] = {
    *queue.OPENING,
    *queue.CLOSING,
    *queue.CHANGES,
    *lookup.CHANGES,
    *register_fold.CLOSING,
    *register_fold.CHANGES,
    *statistics.CHANGES,
}


def varied(desk: Desk) -> None:
    """Dossiers through every event a fold handles: the rarer paths, then the report history."""
    rf.sent_back(desk)
    rf.partner_answered(desk)
    qf.paid(desk)
    qf.extended(desk)
    lf.paid_after_result(desk)
    lf.withdrawn_before_reception(desk)
    incomplete = (HandedDocument(FORM, Form.ORIGINAL, 1),)
    online = desk.submit_online(submission=submission(procedure=desk.spec, documents=incomplete))
    command = c.RequestIntakeSupplement(**desk.on(online, note="Bổ sung bản sao CCCD"))
    online = desk.dossiers.request_intake_supplement(command)
    desk.dossiers.resubmit(c.Resubmit(**desk.on(online, APPLICANT, documents=COMPLETE)))
    returned = desk.return_at_counter(desk.issue_result(qf.processing(desk)))
    ff.rated(desk, returned, Satisfaction.SATISFIED)
    ff.history(desk)


@pytest.fixture(scope="module")
def desk(policy: CalendarPolicy) -> Desk:
    """A memory store holding the varied history."""
    desk = Desk(OneStop(), policy)
    varied(desk)
    return desk


@pytest.fixture(scope="module")
def stores(desk: Desk, policy: CalendarPolicy) -> list[OneStop]:
    """The varied history, and a generated one (posted submissions, online returns, volume)."""
    return [desk.app, generated(policy, seed=3, count=80)[0]]


def log(app: OneStop) -> Sequence[Notification]:
    """Every notification of the store."""
    return app.recorder.select_notifications(start=None, limit=100_000)


def folded(events: Sequence[Any], fold: Fold) -> dict[UUID, Any]:
    """One row per aggregate, as a projector keeps them."""
    rows: dict[UUID, Any] = {}
    for event in events:
        rows[event.originator_id] = fold(rows.get(event.originator_id), event)
    return rows


def test_the_histories_have_every_event_a_fold_handles(stores: list[OneStop]) -> None:
    """Between them, the histories record each kind of event some fold reacts to."""
    recorded = {n.topic for app in stores for n in log(app)}
    assert {get_topic(kind) for kind in HANDLED} <= recorded


@pytest.mark.parametrize("view", sorted(FOLDS))
def test_a_fold_makes_the_same_rows_from_partial_events(stores: list[OneStop], view: str) -> None:
    """Folding events decoded with only the fold's READS gives the rows of the whole events."""
    reads, fold = FOLDS[view]
    for app in stores:
        notifications = log(app)
        whole = [app.mapper.to_domain_event(n) for n in notifications]
        partial = PartialDecoder(app, reads).decode(notifications)
        assert folded(partial, fold) == folded(whole, fold)
        assert any(row is not None for row in folded(partial, fold).values())


def test_lookup_reads_procedure_names_from_partial_catalog_events(desk: Desk) -> None:
    """The procedure names come out of partial catalog events as out of whole ones."""
    notifications = log(desk.app)
    partial = PartialDecoder(desk.app, lookup.READS).decode(notifications)
    whole = [desk.app.mapper.to_domain_event(n) for n in notifications]
    names = [lookup.procedure_name(event) for event in partial]
    assert names == [lookup.procedure_name(event) for event in whole]
    assert any(names)


def test_partial_events_hold_exactly_the_read_fields_as_the_mapper_decodes_them(
    desk: Desk,
) -> None:
    """Same class, id and version; each read field equal to the mapper's; the others absent."""
    reads = queue.READS
    for notification in log(desk.app):
        event = PartialDecoder(desk.app, reads).event(notification)
        whole = desk.app.mapper.to_domain_event(notification)
        assert type(event) is type(whole)
        assert (event.originator_id, event.originator_version) == (
            whole.originator_id,
            whole.originator_version,
        )
        fields = set(vars(event)) - {"originator_id", "originator_version"}
        assert fields == reads & set(vars(whole))
        for name in fields:
            assert getattr(event, name) == getattr(whole, name), name


def test_an_event_read_for_nothing_is_made_without_parsing_its_state(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No reads: the event's class, id and version, and no field; its JSON is never parsed."""
    notifications = log(desk.app)
    monkeypatch.setattr("application.decoding.orjson.loads", unparsed)
    for notification in notifications:
        event = PartialDecoder(desk.app, frozenset()).event(notification)
        assert type(event).__qualname__ == notification.topic.split(":")[1]
        assert vars(event) == {
            "originator_id": notification.originator_id,
            "originator_version": notification.originator_version,
        }


def unparsed(_: bytes) -> Any:
    """Fail: the state was not to be parsed."""
    raise AssertionError


def test_a_field_the_fold_does_not_read_is_absent_not_wrong(desk: Desk) -> None:
    """Reading a field outside READS fails loudly."""
    notification = next(n for n in log(desk.app) if n.topic == get_topic(Dossier.Assigned))
    event = PartialDecoder(desk.app, frozenset({"handler"})).event(notification)
    assert isinstance(event, Dossier.Assigned)
    assert event.handler
    with pytest.raises(AttributeError):
        _ = event.actor


def test_a_dotted_read_makes_the_value_object_with_only_the_fields_named(desk: Desk) -> None:
    """``submission.applicant.name``: a Submission and an Applicant, each holding what was named."""
    reads = frozenset({"submission.procedure", "submission.applicant.name", "submission.delivery"})
    topic = get_topic(Dossier.SubmittedAtCounter)
    notification = next(n for n in log(desk.app) if n.topic == topic)
    event = PartialDecoder(desk.app, reads).event(notification)
    whole = desk.app.mapper.to_domain_event(notification)
    assert isinstance(event, Dossier.SubmittedAtCounter)
    assert isinstance(whole, Dossier.SubmittedAtCounter)
    made, expected = event.submission, whole.submission
    assert type(made) is type(expected)
    assert type(made.applicant) is type(expected.applicant)
    assert (made.procedure, made.applicant.name) == (expected.procedure, expected.applicant.name)
    assert made.delivery is expected.delivery  # through the field's converter, as constructed
    for absent in ("documents", "receiving_unit"):
        with pytest.raises(AttributeError):
            getattr(made, absent)
    with pytest.raises(AttributeError):
        _ = made.applicant.id_number
    with pytest.raises(AttributeError):
        _ = event.actor


def test_a_field_read_whole_and_in_part_is_read_whole(desk: Desk) -> None:
    """``submission`` beside ``submission.applicant.name`` decodes the whole submission."""
    topic = get_topic(Dossier.SubmittedAtCounter)
    notification = next(n for n in log(desk.app) if n.topic == topic)
    reads = frozenset({"submission", "submission.applicant.name"})
    event = PartialDecoder(desk.app, reads).event(notification)
    whole = desk.app.mapper.to_domain_event(notification)
    assert isinstance(event, Dossier.SubmittedAtCounter)
    assert isinstance(whole, Dossier.SubmittedAtCounter)
    assert event.submission == whole.submission


def test_read_trees_nest_dotted_reads_and_let_a_whole_read_win() -> None:
    """Each dotted read becomes a path; a field also read whole has nothing below it."""
    assert read_tree(frozenset({"at", "a.b.c", "a.b.d", "a.e"})) == {
        "at": {},
        "a": {"b": {"c": {}, "d": {}}, "e": {}},
    }
    assert read_tree(frozenset({"a.b.c", "a.b", "x", "x.y"})) == {"a": {"b": {}}, "x": {}}


def assigned(state: bytes) -> Notification:
    """A stored ``Assigned`` event with ``state``."""
    topic = get_topic(Dossier.Assigned)
    return Notification(id=1, originator_id=uuid4(), originator_version=3, topic=topic, state=state)


def test_an_integer_beyond_64_bits_is_read_exactly_by_the_mapper() -> None:
    """A read field holding one (orjson reads a float) is decoded whole, exactly, by the mapper."""
    app = OneStop()
    big = 123456789012345678901234567890
    notification = assigned(b'{"handler":"h-1","unit":"u","big":%d}' % big)
    event = PartialDecoder(app, frozenset({"handler", "big"})).event(notification)
    assert isinstance(event, Dossier.Assigned)
    assert (event.handler, event.unit, vars(event)["big"]) == ("h-1", "u", big)


def test_json_orjson_refuses_is_left_to_the_mapper() -> None:
    """NaN is the json module's, not JSON's: the mapper reads it, whole."""
    event = PartialDecoder(OneStop(), frozenset({"handler"})).event(
        assigned(b'{"handler":"h-1","unit":"u","score":NaN}')
    )
    assert isinstance(event, Dossier.Assigned)
    assert (event.handler, event.unit) == ("h-1", "u")


def test_encrypted_events_are_decrypted_before_they_are_read(policy: CalendarPolicy) -> None:
    """With a cipher key, partial events hold the same values as the mapper's."""
    key = base64.b64encode(os.urandom(32)).decode()
    app = OneStop(env={"CIPHER_TOPIC": "eventsourcing.cipher:AESCipher", "CIPHER_KEY": key})
    desk = Desk(app, policy)
    desk.complete_step(qf.processing(desk))
    notifications = log(app)
    partial = PartialDecoder(app, queue.READS).decode(notifications)
    whole = [app.mapper.to_domain_event(n) for n in notifications]
    assert folded(partial, queue.fold) == folded(whole, queue.fold)


class CountingView(InMemoryQueueView):
    """A memory queue view that remembers which rows the projector asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[UUID] = []

    def get_many(self, dossier_ids: Iterable[UUID]) -> dict[UUID, QueueRow]:
        """Note the ids, then answer as the memory view does."""
        keys = list(dossier_ids)
        self.asked += keys
        return super().get_many(keys)


def test_only_dossiers_begun_before_a_batch_are_read_back_from_the_view(
    policy: CalendarPolicy,
) -> None:
    """A dossier whose first event is in the batch has no row to read; one begun earlier does."""
    desk = Desk(OneStop(), policy)
    view = CountingView()
    projector = QueueProjector(desk.app, view)
    earlier = desk.receive()
    projector.catch_up()
    assert view.asked == []
    desk.assign(earlier)
    later = desk.receive()
    projector.catch_up()
    assert view.asked == [earlier.id]
    assert view.get(later.id) == qf.expected_row(desk.dossiers.get(later.id))
    assert view.get(earlier.id) == qf.expected_row(desk.dossiers.get(earlier.id))
