"""One SQLite connection shared by a process's threads, one transaction at a time.

Views and idempotency records live in the event store's file, each with its
own connection: autocommit mode (transactions are explicit), a generous busy
timeout for writers in other processes, and ``BEGIN IMMEDIATE`` so a writer
takes the file's write lock up front instead of failing halfway.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT_SECONDS = 30


class SharedConnection:
    """A connection and its lock: writes go through ``transaction``, reads hold ``lock``."""

    def __init__(self, path: Path | str, *, rows: bool = False) -> None:
        self.connection = sqlite3.connect(
            path, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False
        )
        if rows:
            self.connection.row_factory = sqlite3.Row
        self.lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self.lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.connection.close()
