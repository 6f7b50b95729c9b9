"""How often one client address may try the public lookup: counted in memory, or in PostgreSQL.

The public lookup answers anyone who has a dossier code and its secret, so
each address gets ``MOTCUA_LOOKUP_RATE`` attempts (``30/minute``); beyond it,
the answer says how many seconds to wait. ``wait(client)`` counts one
attempt and answers ``None`` (go ahead) or those seconds.

- ``MemoryGate``: a moving window (the ``limits`` library), for a system of
  one process: SQLite, or the in-memory store.
- ``PostgresGate``: a fixed window per address, one row per (address, window)
  in the event store's schema, so every API worker counts against the same
  limit. One statement per attempt: an upsert that adds one and returns the
  count. A fixed window lets an address spend its attempts at the end of one
  window and again at the start of the next, at most twice the rate in a
  moment; over any longer span the rate holds. Rows of past windows are
  deleted from time to time. The rows are counters, never anything personal
  beyond the address the request came from.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping

import psycopg
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from psycopg import sql
from psycopg_pool import ConnectionPool

from adapters.eventstore.config import schema_table, side_pool

TABLE = "lookup_attempts"
POOL_SIZE = 2
PURGE_EVERY_SECONDS = 60.0


class MemoryGate:
    """Attempts per address in a moving window, counted in this process's memory."""

    def __init__(self, rate: str) -> None:
        self.rate: RateLimitItem = parse(rate)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def wait(self, client: str) -> int | None:
        """Count one attempt; ``None`` when allowed, else whole seconds to wait (at least 1)."""
        if self.limiter.hit(self.rate, "lookup", client):
            return None
        reset_at, _ = self.limiter.get_window_stats(self.rate, "lookup", client)
        return max(1, math.ceil(reset_at - time.time()))

    def close(self) -> None:
        """Nothing to release."""


class PostgresGate:
    """Attempts per address in fixed windows, counted in a table every worker shares."""

    def __init__(
        self, env: Mapping[str, str], rate: str, clock: Callable[[], float] = time.time
    ) -> None:
        item = parse(rate)
        self.limit = item.amount
        self.period = item.get_expiry()
        self.clock = clock
        self._last_purge = 0.0
        table = schema_table(env, TABLE)
        # Counters: a crash may forget the last attempts, which costs nothing.
        self.pool: ConnectionPool[psycopg.Connection[tuple[int]]] = side_pool(env, POOL_SIZE)
        self._count = sql.SQL(
            "INSERT INTO {table} AS t (client, slot, hits) VALUES (%s, %s, 1) "
            "ON CONFLICT (client, slot) DO UPDATE SET hits = t.hits + 1 RETURNING t.hits"
        ).format(table=table)
        self._purge = sql.SQL("DELETE FROM {} WHERE slot < %s").format(table)
        with self.pool.connection() as db:
            db.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (client text NOT NULL, slot bigint NOT NULL, "
                    "hits integer NOT NULL, PRIMARY KEY (client, slot))"
                ).format(table)
            )

    def wait(self, client: str) -> int | None:
        """Count one attempt; ``None`` when allowed, else whole seconds to the next window."""
        now = self.clock()
        slot = int(now // self.period)
        with self.pool.connection() as db:
            row = db.execute(self._count, (client, slot)).fetchone()
            if now - self._last_purge > PURGE_EVERY_SECONDS:
                self._last_purge = now
                db.execute(self._purge, (slot - 1,))
        hits = row[0] if row else 1
        if hits <= self.limit:
            return None
        return max(1, math.ceil((slot + 1) * self.period - now))

    def close(self) -> None:
        """Close the pool's connections."""
        self.pool.close()


LookupGate = MemoryGate | PostgresGate


def lookup_gate_from_env(env: Mapping[str, str], rate: str) -> LookupGate:
    """The shared gate on PostgreSQL (several workers), the memory gate otherwise (one process)."""
    if env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
        return PostgresGate(env, rate)
    return MemoryGate(rate)
