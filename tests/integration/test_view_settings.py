"""Views open their connections tuned for rebuilds: commits that do not wait for the disk.

On SQLite also a big page cache and rare checkpoints.
"""

from __future__ import annotations

from pathlib import Path

from eventsourcing.postgres import PostgresApplicationRecorder

from adapters.eventstore.config import StoreKind
from adapters.views import sqlite_base
from adapters.views.postgres_base import PostgresView
from adapters.views.register_factory import register_view_from_env
from adapters.views.sqlite_base import SqliteView
from tests.integration.stores import store

NORMAL = 1  # PRAGMA synchronous's value for NORMAL


def test_a_view_beside_the_event_store_keeps_pages_and_checkpoints_rarely(tmp_path: Path) -> None:
    """In the store's WAL file: 64 MiB of cache, a checkpoint per 10,000 pages, NORMAL sync."""
    with store(StoreKind.SQLITE, tmp_path) as make_app:
        view = register_view_from_env(make_app().env)
        assert isinstance(view, SqliteView)
        try:
            pragma = view.connection.execute
            assert pragma("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert pragma("PRAGMA cache_size").fetchone()[0] == -sqlite_base.CACHE_KIB
            wal = pragma("PRAGMA wal_autocheckpoint").fetchone()[0]
            assert wal == sqlite_base.AUTOCHECKPOINT_PAGES
            assert pragma("PRAGMA synchronous").fetchone()[0] == NORMAL
        finally:
            view.close()


def test_a_postgres_view_commits_without_waiting_for_the_disk(tmp_path: Path) -> None:
    """The view's own session has ``synchronous_commit`` off; the event store's keeps it on."""
    with store(StoreKind.POSTGRES, tmp_path) as make_app:
        app = make_app()
        view = register_view_from_env(app.env)
        assert isinstance(view, PostgresView)
        try:
            setting = view.connection.execute("SHOW synchronous_commit").fetchone()
            assert setting == {"synchronous_commit": "off"}
            recorder = app.recorder
            assert isinstance(recorder, PostgresApplicationRecorder)
            with recorder.datastore.get_connection() as store_connection:
                stored = store_connection.execute("SHOW synchronous_commit").fetchone()
            assert stored == {"synchronous_commit": "on"}
        finally:
            view.close()
