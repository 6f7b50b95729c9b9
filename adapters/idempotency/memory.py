"""Idempotency records in memory, for unit tests and the in-memory store."""

from __future__ import annotations

import threading
from datetime import datetime

from application.idempotency import StoredResponse, utc


class InMemoryIdempotencyRecords:
    """A dict of responses by (scope, key) behind a lock, so one process's threads may share it."""

    def __init__(self) -> None:
        self._records: dict[tuple[str, str], StoredResponse] = {}
        self._lock = threading.Lock()

    def find(self, scope: str, key: str) -> StoredResponse | None:
        """The response kept under (scope, key), or ``None``."""
        with self._lock:
            return self._records.get((scope, key))

    def keep(self, scope: str, key: str, response: StoredResponse) -> StoredResponse:
        """Keep ``response`` unless (scope, key) has one already; return the one kept."""
        with self._lock:
            return self._records.setdefault((scope, key), response)

    def purge(self, before: datetime) -> int:
        """Delete the records recorded strictly before ``before``; return how many."""
        cutoff = utc(before)
        with self._lock:
            old = [at for at, kept in self._records.items() if kept.recorded_at < cutoff]
            for at in old:
                del self._records[at]
        return len(old)

    def close(self) -> None:
        """Nothing to release: the records live as long as the object."""
