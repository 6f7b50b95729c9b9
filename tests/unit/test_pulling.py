"""The pull loop: bigger batches once a view is far behind, and the collector paused per batch."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from eventsourcing.persistence import Notification

from adapters.views.memory_queue import InMemoryQueueView
from application import pulling
from application.onestop import OneStop
from application.projector import QueueProjector, replay
from application.queue import QueueBatch
from domain.calendar_policy import CalendarPolicy
from tests import queue_fixtures as qf
from tests.dossier_fixtures import Desk


class Noting(InMemoryQueueView):
    """A memory queue view that notes, for each batch, whether the collector was on."""

    def __init__(self) -> None:
        super().__init__()
        self.collecting: list[bool] = []

    def apply(self, batch: QueueBatch) -> None:
        """Note the collector's state, then apply as the memory view does."""
        self.collecting.append(gc.isenabled())
        super().apply(batch)


@pytest.fixture
def desk(policy: CalendarPolicy) -> Desk:
    """A memory store with a few dossiers' histories (about 30 events)."""
    desk = Desk(OneStop(), policy)
    for _ in range(3):
        qf.returned(desk)
        qf.supplement_requested(desk)
    return desk


@pytest.fixture
def limits(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ``limit`` of every read of the log, with batches of 4, then 10 once far behind."""
    monkeypatch.setattr(pulling, "BATCH_SIZE", 4)
    monkeypatch.setattr(pulling, "REBUILD_BATCH_SIZE", 10)
    asked: list[int] = []
    select = desk.app.recorder.select_notifications

    def noted(*args: Any, **kwargs: Any) -> Sequence[Notification]:
        asked.append(kwargs["limit"])
        return select(*args, **kwargs)

    monkeypatch.setattr(desk.app.recorder, "select_notifications", noted)
    return asked


def test_a_view_far_behind_is_caught_up_in_bigger_batches(desk: Desk, limits: list[int]) -> None:
    """The first read is a live batch; once one comes back full, the rest are rebuild batches."""
    view = Noting()
    applied = QueueProjector(desk.app, view).catch_up()
    assert applied > 20
    assert limits[0] == 4
    assert set(limits[1:]) == {10}
    assert view.get_many(replay(desk.app)) == replay(desk.app)


def test_a_caught_up_view_reads_one_live_batch(desk: Desk, limits: list[int]) -> None:
    """A follower with nothing (or little) new reads one small batch, never a rebuild one."""
    view = Noting()
    projector = QueueProjector(desk.app, view)
    projector.catch_up()
    limits.clear()
    desk.receive()  # two dossier events: fewer than a live batch
    assert projector.catch_up() == 2
    assert set(limits) == {4}
    assert view.get_many(replay(desk.app)) == replay(desk.app)


def test_an_explicit_batch_size_holds_for_every_batch(desk: Desk, limits: list[int]) -> None:
    """``catch_up(batch_size=3)`` reads three at a time to the end."""
    view = Noting()
    QueueProjector(desk.app, view).catch_up(batch_size=3)
    assert len(limits) > 5
    assert set(limits) == {3}


def test_each_batch_is_written_with_the_collector_paused(desk: Desk) -> None:
    """The view takes every batch while the collector is off; it is on again afterwards."""
    assert gc.isenabled()
    view = Noting()
    QueueProjector(desk.app, view).catch_up(batch_size=5)
    assert len(view.collecting) > 1
    assert not any(view.collecting)
    assert gc.isenabled()


@pytest.fixture
def collector_off() -> Iterator[None]:
    """The collector off for the test, and on again after it."""
    gc.disable()
    yield
    gc.enable()


def test_the_collector_comes_back_on_after_a_failure() -> None:
    """A block that raises leaves the collector on, as it found it."""
    seen: list[bool] = []

    def failing() -> None:
        with pulling.collector_paused():
            seen.append(gc.isenabled())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing()
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_off")
def test_a_collector_found_off_is_left_off() -> None:
    """Pausing a collector already off does not turn it on afterwards."""
    with pulling.collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
