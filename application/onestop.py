"""The event store of the one-stop system: one eventsourcing Application for every aggregate.

One application, not one per aggregate type: on SQLite the library does not
prefix table names, so one database file holds one application; and one
notification log in commit order is what projections and audits replay.
The services (``Catalog``, later ``Dossiers``) are command and query classes
over this one application.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder

from application.transcodings import register_transcodings


class OneStop(Application[Any]):
    """Hệ thống một cửa: the event store; ``save()`` is the unit of work."""

    name = "motcua"
    env = {"AGGREGATE_CACHE_MAXSIZE": "5000"}  # noqa: RUF012 (the library's class attribute)
    """Cache recently used aggregates; each read still fast-forwards from the store, so
    writes by other processes are seen (the daily code books are read on every reception)."""

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """The library's transcodings, then one per motcua value object."""
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)
