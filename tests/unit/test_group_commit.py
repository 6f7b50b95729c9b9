"""Group commit: concurrent saves share transactions, yet each keeps its own outcome."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError, OperationalError

from application.group_commit import GroupCommit, _Ticket

THREADS = 12


class Counter(Aggregate):
    """A tiny aggregate to save."""

    def __init__(self) -> None:
        self.count = 0

    @event("Counted")
    def count_one(self) -> None:
        """One more."""
        self.count += 1


class SlowStore(Application[UUID]):
    """An in-memory store whose commits take a while, so that saves queue up behind them."""

    env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}  # noqa: RUF012 (the library's attribute)

    def __init__(self, delay: float = 0.02, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.delay = delay
        self.transactions = 0
        self.fail_next: Exception | None = None

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Commit, slowly; fail once with ``fail_next`` if set."""
        time.sleep(self.delay)
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        self.transactions += 1
        return super().save(*objs, **kwargs)


def run_together(*tasks: Any) -> list[BaseException | None]:
    """Run each task in its own thread, started together; what each raised (or None)."""
    outcomes: list[BaseException | None] = [None] * len(tasks)
    barrier = threading.Barrier(len(tasks))

    def run(i: int) -> None:
        barrier.wait()
        try:
            tasks[i]()
        except Exception as error:  # noqa: BLE001 (the outcome is what we test)
            outcomes[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tasks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive(), "a save never came back"
    return outcomes


def test_concurrent_saves_share_transactions() -> None:
    """Twelve threads' saves all land, in fewer transactions than saves."""
    store = SlowStore()
    commit = GroupCommit(store)
    counters = [Counter() for _ in range(THREADS)]
    outcomes = run_together(*[partial(commit.save, c) for c in counters])
    assert outcomes == [None] * THREADS
    assert all(store.repository.get(c.id).version == 1 for c in counters)
    assert store.transactions < THREADS
    assert commit.commits == store.transactions


def test_a_conflict_fails_only_its_own_save() -> None:
    """Two saves of the same version conflict: one of them fails, every other save lands."""
    store = SlowStore()
    commit = GroupCommit(store)
    base = Counter()
    store.save(base)
    first: Counter = store.repository.get(base.id)
    second: Counter = store.repository.get(base.id)
    first.count_one()
    second.count_one()
    others = [Counter() for _ in range(THREADS - 2)]
    tasks: list[Callable[[], None]] = [lambda: commit.save(first), lambda: commit.save(second)]
    tasks += [partial(commit.save, c) for c in others]
    outcomes = run_together(*tasks)
    assert sum(isinstance(o, IntegrityError) for o in outcomes[:2]) == 1
    assert outcomes[2:] == [None] * len(others)
    assert store.repository.get(base.id).version == 2
    assert all(store.repository.get(c.id).version == 1 for c in others)


def test_a_failed_commit_fails_its_batch_and_the_next_saves_work() -> None:
    """A database error reaches every save of the failed batch; later saves commit normally."""
    store = SlowStore()
    commit = GroupCommit(store)
    store.fail_next = OperationalError("connection lost")
    counters = [Counter() for _ in range(THREADS)]
    outcomes = run_together(*[partial(commit.save, c) for c in counters])
    failed = [o for o in outcomes if o is not None]
    assert failed
    assert all(isinstance(o, OperationalError) for o in failed)
    later = Counter()
    commit.save(later)
    assert store.repository.get(later.id).version == 1


def test_a_single_save_conflict_raises_integrity_error() -> None:
    """Alone in its batch, a stale save raises the library's IntegrityError, as without grouping."""
    store = SlowStore(delay=0)
    commit = GroupCommit(store)
    base = Counter()
    commit.save(base)
    stale: Counter = store.repository.get(base.id)
    fresh: Counter = store.repository.get(base.id)
    fresh.count_one()
    commit.save(fresh)
    stale.count_one()
    with pytest.raises(IntegrityError):
        commit.save(stale)


def test_batches_never_exceed_their_limit() -> None:
    """With a batch limit of 3, twelve saves take at least four transactions, and all land."""
    store = SlowStore()
    commit = GroupCommit(store, max_batch=3)
    counters = [Counter() for _ in range(THREADS)]
    assert run_together(*[partial(commit.save, c) for c in counters]) == [None] * THREADS
    assert store.transactions >= THREADS // 3


def test_after_a_conflict_the_fresh_saves_commit_together() -> None:
    """One stale save in a batch of six: it fails, the five others commit in one transaction."""
    store = SlowStore(delay=0)
    commit = GroupCommit(store)
    base = Counter()
    store.save(base)
    stale: Counter = store.repository.get(base.id)
    moved: Counter = store.repository.get(base.id)
    moved.count_one()
    store.save(moved)
    stale.count_one()
    others = [Counter() for _ in range(5)]
    batch = [_Ticket(list(stale.collect_events()))]
    batch += [_Ticket(list(c.collect_events())) for c in others]
    before = store.transactions
    commit._commit(batch)
    assert isinstance(batch[0].error, IntegrityError)
    assert [ticket.error for ticket in batch[1:]] == [None] * 5
    assert all(ticket.done for ticket in batch)
    assert store.transactions - before == 2  # the failed one, then the five together
    assert all(store.repository.get(c.id).version == 1 for c in others)
