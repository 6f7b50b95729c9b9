"""The lookup's rate per address: in memory for one process, in PostgreSQL for every worker."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from adapters.eventstore.config import StoreConfig, StoreKind, library_env
from adapters.lookup_gate import TABLE, MemoryGate, PostgresGate, lookup_gate_from_env
from tests.integration.stores import BASE_URL, postgres_schema

RATE = "3/minute"
START = 1_800_000_000.0  # a whole minute: 30,000,000 x 60


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        """The time now, in epoch seconds."""
        return self.now


@pytest.fixture
def env() -> Iterator[dict[str, str]]:
    """The library environment of a throwaway PostgreSQL schema."""
    with postgres_schema() as schema:
        url = f"{BASE_URL}?schema={schema}"
        yield library_env(StoreConfig(kind=StoreKind.POSTGRES, database_url=url))


def attempts(gate: MemoryGate | PostgresGate, client: str, count: int) -> list[int | None]:
    """What ``count`` attempts from ``client`` are told, in order."""
    return [gate.wait(client) for _ in range(count)]


def test_memory_lets_the_rate_through_then_says_how_long_to_wait() -> None:
    """Three attempts pass; the fourth waits at most the window; another address is apart."""
    gate = MemoryGate(RATE)
    told = attempts(gate, "10.0.0.1", 4)
    assert told[:3] == [None, None, None]
    assert told[3] is not None
    assert 1 <= told[3] <= 60
    assert gate.wait("10.0.0.2") is None


def test_postgres_lets_the_rate_through_then_waits_for_the_next_window(
    env: dict[str, str],
) -> None:
    """Three per minute; the fourth is told the seconds left; the next minute starts afresh."""
    clock = Clock()
    gate = PostgresGate(env, RATE, clock)
    try:
        clock.now = START + 45
        assert attempts(gate, "10.0.0.1", 4) == [None, None, None, 15]
        assert gate.wait("10.0.0.2") is None
        clock.now = START + 60
        assert attempts(gate, "10.0.0.1", 4) == [None, None, None, 60]
    finally:
        gate.close()


def test_postgres_workers_count_against_one_limit(env: dict[str, str]) -> None:
    """Two gates over one schema, as two API workers: together they get the rate, not twice it."""
    clock = Clock()
    first, second = PostgresGate(env, RATE, clock), PostgresGate(env, RATE, clock)
    try:
        told = [first.wait("10.0.0.1"), second.wait("10.0.0.1"), first.wait("10.0.0.1")]
        assert told == [None, None, None]
        assert second.wait("10.0.0.1") == 60
        assert first.wait("10.0.0.1") == 60
    finally:
        first.close()
        second.close()


def test_postgres_forgets_windows_that_have_passed(env: dict[str, str]) -> None:
    """Counts of windows before the last are deleted from time to time."""
    clock = Clock()
    gate = PostgresGate(env, RATE, clock)
    try:
        attempts(gate, "10.0.0.1", 2)
        clock.now = START + 600
        gate.wait("10.0.0.1")
        schema = sql.Identifier(env["POSTGRES_SCHEMA"])
        with psycopg.connect(BASE_URL) as db:
            slots = db.execute(
                sql.SQL("SELECT slot FROM {}.{}").format(schema, sql.Identifier(TABLE))
            ).fetchall()
        assert slots == [(int((START + 600) // 60),)]
    finally:
        gate.close()


def test_the_store_decides_the_gate(env: dict[str, str]) -> None:
    """PostgreSQL (several workers) gets the shared gate; one process gets the memory gate."""
    shared = lookup_gate_from_env(env, RATE)
    try:
        assert isinstance(shared, PostgresGate)
    finally:
        shared.close()
    alone = library_env(StoreConfig(kind=StoreKind.MEMORY))
    assert isinstance(lookup_gate_from_env(alone, RATE), MemoryGate)
