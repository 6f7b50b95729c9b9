"""SQLite views open their connection tuned for rebuilds: a big page cache, rare checkpoints."""

from __future__ import annotations

from pathlib import Path

from adapters.eventstore.config import StoreKind
from adapters.views import sqlite_base
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
