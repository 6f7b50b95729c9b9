"""Group commit on PostgreSQL: saves share the one-statement insert, and conflicts stay apart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eventsourcing.persistence import IntegrityError

from adapters.eventstore.config import StoreKind
from application.group_commit import GroupCommit
from application.onestop import OneStop
from tests.integration.stores import store
from tests.unit.test_group_commit import THREADS, Counter, run_together


@pytest.fixture
def app(tmp_path: Path) -> Iterator[OneStop]:
    """An application on a throwaway PostgreSQL schema."""
    with store(StoreKind.POSTGRES, tmp_path) as make:
        yield make()


def test_concurrent_saves_all_land_in_fewer_transactions(app: OneStop) -> None:
    """Twelve threads' new aggregates are all stored, sharing transactions."""
    commit = GroupCommit(app)
    tallies = [Counter() for _ in range(THREADS)]
    outcomes = run_together(*(lambda t=t: commit.save(t) for t in tallies))
    assert outcomes == [None] * THREADS
    assert {app.repository.get(t.id).count for t in tallies} == {0}
    assert 1 <= commit.commits <= THREADS


def test_a_stale_save_fails_alone_and_its_neighbours_land(app: OneStop) -> None:
    """One save on a copy another save overtook: it alone gets the conflict."""
    tally = Counter()
    app.save(tally)
    first: Counter = app.repository.get(tally.id)
    stale: Counter = app.repository.get(tally.id)
    first.count_one()
    app.save(first)
    stale.count_one()
    commit = GroupCommit(app)
    others = [Counter() for _ in range(THREADS - 1)]
    outcomes = run_together(
        lambda: commit.save(stale), *(lambda t=t: commit.save(t) for t in others)
    )
    assert isinstance(outcomes[0], IntegrityError)
    assert outcomes[1:] == [None] * len(others)
    assert all(app.repository.get(t.id).version == 1 for t in others)
    assert app.repository.get(tally.id).count == 1
