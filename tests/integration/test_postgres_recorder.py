"""The PostgreSQL recorder: one statement per save, commits in id order, the library's reads."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import sql

from adapters.eventstore.config import StoreKind
from adapters.eventstore.postgres_recorder import OneStopPostgresRecorder
from application.onestop import OneStop
from tests.integration.stores import BASE_URL, store

WAIT_SECONDS = 10.0


class Note(Aggregate):
    """The smallest aggregate there is: one created event, and one kind of change."""

    @event("Edited")
    def edit(self) -> None:
        """Record a change."""


@pytest.fixture
def app(tmp_path: Path) -> Iterator[OneStop]:
    """An application on a throwaway PostgreSQL schema."""
    with store(StoreKind.POSTGRES, tmp_path) as make:
        yield make()


def _events_table(app: OneStop) -> sql.Composed:
    recorder = app.recorder
    assert isinstance(recorder, OneStopPostgresRecorder)
    return sql.SQL("{}.{}").format(
        sql.Identifier(recorder.datastore.schema), sql.Identifier(recorder.events_table_name)
    )


def _waiting_on_a_lock(connection: psycopg.Connection[tuple[object, ...]]) -> bool:
    row = connection.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
        ("%motcua_insert_events%",),
    ).fetchone()
    return bool(row and row[0])


def test_a_save_is_one_statement(app: OneStop) -> None:
    """Saves go through the locking function, and the ids come back."""
    recorder = app.recorder
    assert isinstance(recorder, OneStopPostgresRecorder)
    assert recorder.datastore.enable_db_functions
    app.save(Note())
    assert [n.id for n in app.recorder.select_notifications(start=None, limit=10)] == [1]


def test_a_save_waits_for_the_table_lock_so_commits_follow_the_ids(app: OneStop) -> None:
    """A reader holding ROW SHARE blocks EXCLUSIVE but not a bare INSERT: only a lock waits."""
    app.save(Note())
    saved: list[int] = []
    with psycopg.connect(BASE_URL) as holder, psycopg.connect(BASE_URL, autocommit=True) as probe:
        holder.execute(sql.SQL("LOCK TABLE {} IN ROW SHARE MODE").format(_events_table(app)))
        saver = threading.Thread(
            target=lambda: saved.extend(r.notification.id for r in app.save(Note()))
        )
        saver.start()
        deadline = time.monotonic() + WAIT_SECONDS
        while not _waiting_on_a_lock(probe):
            assert time.monotonic() < deadline, "the save never waited for the table lock"
            time.sleep(0.02)
        assert saver.is_alive()
        assert not saved
        holder.rollback()
        saver.join(WAIT_SECONDS)
    assert saved == [2]


def test_concurrent_saves_commit_in_notification_id_order(app: OneStop) -> None:
    """Many threads save at once; every id a reader sees was committed after the ids before it."""
    app.save(Note())
    stop = threading.Event()
    seen: list[int] = []
    failures: list[str] = []

    def read() -> None:
        last = 0
        while not stop.is_set() or last < 1 + 8 * 25:
            batch = app.recorder.select_notifications(
                start=last, limit=500, inclusive_of_start=False
            )
            for notification in batch:
                if notification.id != last + 1:
                    failures.append(f"after {last} came {notification.id}")
                last = notification.id
                seen.append(last)
            if stop.is_set() and not batch:
                break

    def write() -> None:
        for _ in range(25):
            app.save(Note())

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write) for _ in range(8)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(WAIT_SECONDS * 3)
    stop.set()
    reader.join(WAIT_SECONDS)
    assert not failures
    assert seen == list(range(1, 202))


def test_reading_the_log_gives_what_the_librarys_reader_gives(app: OneStop) -> None:
    """Every shape of call (start, inclusive, stop, topics, limit) reads what the library reads."""
    for _ in range(4):
        note = Note()
        note.edit()
        app.save(note)
    edited = app.recorder.select_notifications(start=None, limit=100)[1].topic
    library = PostgresApplicationRecorder.select_notifications
    for start, inclusive, stop, topics, limit in itertools.product(
        (None, 1, 3), (True, False), (None, 6), ((), (edited,)), (2, 100)
    ):
        ours = app.recorder.select_notifications(
            start, limit, stop, topics, inclusive_of_start=inclusive
        )
        theirs = library(app.recorder, start, limit, stop, topics, inclusive_of_start=inclusive)
        assert ours == theirs, (start, inclusive, stop, topics, limit)
    assert len(app.recorder.select_notifications(None, 100)) == 8


def test_reading_an_aggregate_gives_what_the_librarys_reader_gives(app: OneStop) -> None:
    """Every shape of call (gt, lte, desc, limit) reads the events the library reads."""
    note = Note()
    for _ in range(5):
        note.edit()
    app.save(note, Note())
    library = PostgresApplicationRecorder.select_events
    for gt, lte, desc, limit in itertools.product(
        (None, 0, 2), (None, 4), (False, True), (None, 2)
    ):
        ours = app.recorder.select_events(note.id, gt=gt, lte=lte, desc=desc, limit=limit)
        theirs = library(app.recorder, note.id, gt=gt, lte=lte, desc=desc, limit=limit)
        assert ours == theirs, (gt, lte, desc, limit)
    assert [e.originator_version for e in app.recorder.select_events(note.id)] == list(range(1, 7))
