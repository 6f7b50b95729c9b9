"""The pull loop: bigger batches once a view is far behind, and the collector paused per batch."""

from __future__ import annotations

import gc
import threading
import time
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


SLOW_WRITE = 0.02


class Timeline(InMemoryQueueView):
    """A memory queue view that notes each write's start, end and thread, and can fail one."""

    def __init__(self, log: list[tuple[str, int]], fail_on: int | None = None) -> None:
        super().__init__()
        self.log = log
        self.fail_on = fail_on
        self.threads: list[str] = []

    def apply(self, batch: QueueBatch) -> None:
        """Note the write around the memory view's own, or fail the ``fail_on``-th."""
        self.log.append(("write", batch.position))
        self.threads.append(threading.current_thread().name)
        if len(self.threads) == self.fail_on:
            raise PoisonedError
        time.sleep(SLOW_WRITE)  # a fold that did not wait for the write would come first
        super().apply(batch)
        self.log.append(("written", batch.position))


class Noted(QueueProjector):
    """A queue projector that notes when it folds a batch (reading the view)."""

    def __init__(self, app: OneStop, view: Timeline) -> None:
        super().__init__(app, view)
        self.log = view.log

    def batch(self, events: list[pulling.Event], position: int) -> QueueBatch:
        """Note the fold, then fold as the queue projector does."""
        self.log.append(("fold", position))
        return super().batch(events, position)


class PoisonedError(RuntimeError):
    """The write a test makes fail."""


def test_a_full_batch_is_written_while_the_next_is_decoded_but_folded_after(desk: Desk) -> None:
    """Full batches go to a writer thread; each fold reads the view only once the last is stored.

    The batch at the log's end (not full) is written in the caller's thread: a follower with
    little to do starts no thread.
    """
    log: list[tuple[str, int]] = []
    view = Timeline(log)
    reached: list[int] = []
    applied = Noted(desk.app, view).catch_up(batch_size=4, progress=reached.append)
    assert view.get_many(replay(desk.app)) == replay(desk.app)
    folds = [position for step, position in log if step == "fold"]
    assert reached == folds == sorted(folds)
    everything = desk.app.recorder.select_notifications(
        start=None, limit=1000, topics=QueueProjector.topics
    )
    assert applied == len(everything)
    assert len(folds) > 3
    for index, (step, _) in enumerate(log):
        if step == "fold":  # every write before this fold has ended
            assert sum(s == "write" for s, _ in log[:index]) == sum(
                s == "written" for s, _ in log[:index]
            )
    assert set(view.threads[:-1]) == {"write-view_0"}
    assert view.threads[-1] == threading.current_thread().name


def test_a_failed_write_stops_the_loop_and_a_new_catch_up_completes(desk: Desk) -> None:
    """The error reaches the caller, no later batch is written, and the view resumes after it."""
    log: list[tuple[str, int]] = []
    view = Timeline(log, fail_on=2)
    projector = Noted(desk.app, view)
    with pytest.raises(PoisonedError):
        projector.catch_up(batch_size=4)
    written = [position for step, position in log if step == "written"]
    assert len(written) == 1
    assert view.position() == written[0]
    assert [step for step, _ in log].count("write") == 2
    view.fail_on = None
    projector.catch_up(batch_size=4)
    assert view.get_many(replay(desk.app)) == replay(desk.app)
