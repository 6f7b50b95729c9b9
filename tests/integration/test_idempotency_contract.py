"""What every idempotency record store must do: one contract, run on memory, SQLite, PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.eventstore.config import StoreKind
from adapters.idempotency import IdempotencyRecordsAdapter, idempotency_records_from_env
from adapters.idempotency.memory import InMemoryIdempotencyRecords
from adapters.idempotency.postgres import PostgresIdempotencyRecords
from adapters.idempotency.sqlite import SqliteIdempotencyRecords
from application.idempotency import StoredResponse, fingerprint
from tests.integration.stores import MakeApp, store

Records = IdempotencyRecordsAdapter
Open = Callable[[], Records]

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2025, 3, 4, 10, 15, 30, 123456, tzinfo=HANOI)
USER, OTHER_USER, KEY = "user-7", "user-8", "5f1c0e1e-1d9b-4f5e-9a53-1a2b3c4d5e6f"
BODY = '{"code":"000.00.12.H56-250304-0001","trạng_thái":"Đã tiếp nhận hồ sơ"}'.encode()
THREADS = 8


def response(n: int = 0, *, at: datetime = AT) -> StoredResponse:
    """A 201 answer to a reception; ``n`` makes each one different."""
    return StoredResponse(
        fingerprint=fingerprint("POST", "/api/v1/dossiers", BODY + str(n).encode()),
        status=201,
        body=BODY + str(n).encode(),
        headers=(
            ("content-type", "application/json; charset=utf-8"),
            ("ETag", f'"{n + 1}"'),
            ("Location", f"/api/v1/dossiers/000.00.12.H56-250304-000{n}"),
        ),
        recorded_at=at,
    )


class IdempotencyContract:
    """The contract; subclasses choose the store and name the adapter it must get."""

    kind: StoreKind
    adapter: type[Records]

    @pytest.fixture
    def make_app(self, tmp_path: Path) -> Iterator[MakeApp]:
        """Applications over one new, empty event store of this kind."""
        with store(self.kind, tmp_path) as make:
            yield make

    @pytest.fixture
    def env(self, make_app: MakeApp) -> Mapping[str, str]:
        """The event store application's library env, as the API would pass it to the factory."""
        return make_app().env

    @pytest.fixture
    def opened(self, env: Mapping[str, str]) -> Iterator[Open]:
        """Opens record stores beside the event store, as a process would; closes them after."""
        stores: list[Records] = []

        def open_store() -> Records:
            records = idempotency_records_from_env(env)
            stores.append(records)
            return records

        yield open_store
        for records in stores:
            records.close()

    @pytest.fixture
    def records(self, opened: Open) -> Records:
        """The record store under test."""
        return opened()

    def reopen(self, records: Records, opened: Open) -> Records:  # noqa: ARG002 (the memory subclass needs ``records``)
        """Another store over the same database, as another process would open it."""
        return opened()

    def test_the_factory_opens_this_kinds_adapter(self, records: Records) -> None:
        """The factory picks the adapter that matches the event store's library env."""
        assert type(records) is self.adapter

    def test_find_on_nothing_gives_none(self, records: Records) -> None:
        """A key never kept is not found."""
        assert records.find(USER, KEY) is None

    def test_keep_then_find_round_trips_every_field(self, records: Records) -> None:
        """Status, UTF-8 body bytes, headers in order, fingerprint and the instant all come back."""
        first = response()
        assert records.keep(USER, KEY, first) == first
        found = records.find(USER, KEY)
        assert found is not None
        assert found == first
        assert found.body.decode() == BODY.decode() + "0"
        assert found.headers == first.headers
        assert found.recorded_at == AT
        assert found.recorded_at.utcoffset() == timedelta(0)

    def test_an_empty_body_and_no_headers_round_trip(self, records: Records) -> None:
        """A 204 with no body and no headers comes back as empty bytes and an empty tuple."""
        empty = StoredResponse(
            fingerprint=fingerprint("DELETE", "/x", b""),
            status=204,
            body=b"",
            headers=(),
            recorded_at=AT,
        )
        records.keep(USER, KEY, empty)
        assert records.find(USER, KEY) == empty

    def test_a_second_keep_returns_the_first_and_leaves_it(self, records: Records) -> None:
        """Keeping another response under a kept key returns the first and changes nothing."""
        first, second = response(1), response(2, at=AT + timedelta(seconds=5))
        records.keep(USER, KEY, first)
        assert records.keep(USER, KEY, second) == first
        assert records.find(USER, KEY) == first

    def test_scopes_separate_the_same_key(self, records: Records) -> None:
        """Two users sending the same key each keep and find their own response."""
        records.keep(USER, KEY, response(1))
        assert records.find(OTHER_USER, KEY) is None
        assert records.keep(OTHER_USER, KEY, response(2)) == response(2)
        assert records.find(USER, KEY) == response(1)
        assert records.find(OTHER_USER, KEY) == response(2)

    def test_purge_deletes_only_older_records_and_returns_the_count(self, records: Records) -> None:
        """Records strictly before the cut-off (compared as instants) go; the rest stay."""
        ages = [timedelta(hours=-25), -timedelta(hours=24, microseconds=1), timedelta(0)]
        ages.append(timedelta(hours=1))
        for n, age in enumerate(ages):
            records.keep(USER, f"key-{n}", response(n, at=AT + age))
        cutoff = (AT - timedelta(hours=24)).astimezone(UTC)
        assert records.purge(cutoff) == 2
        kept = [records.find(USER, f"key-{n}") for n in range(4)]
        assert kept == [None, None, response(2, at=AT), response(3, at=AT + ages[-1])]
        assert records.purge(cutoff) == 0

    def test_a_purged_key_can_be_kept_anew(self, records: Records) -> None:
        """After its record is purged, a key takes a new first response."""
        records.keep(USER, KEY, response(1))
        assert records.purge(AT + timedelta(days=1)) == 1
        later = response(2, at=AT + timedelta(days=2))
        assert records.keep(USER, KEY, later) == later

    def test_purge_refuses_a_naive_moment(self, records: Records) -> None:
        """A cut-off without a time zone is an error, never a guess."""
        with pytest.raises(ValueError, match="no time zone"):
            records.purge(datetime(2025, 3, 4, 10, 0))  # noqa: DTZ001 (the point of the test)

    def race(self, stores: list[Records]) -> list[StoredResponse]:
        """Keep a different response under one key from each store, all threads at once."""
        barrier = threading.Barrier(THREADS)

        def keep(n: int) -> StoredResponse:
            barrier.wait(timeout=30)
            return stores[n].keep(USER, KEY, response(n))

        with ThreadPoolExecutor(THREADS) as pool:
            return list(pool.map(keep, range(THREADS)))

    def test_concurrent_keeps_of_one_key_have_one_winner(self, records: Records) -> None:
        """Eight threads sharing one store all get back the same single winner."""
        winners = set(self.race([records] * THREADS))
        assert len(winners) == 1
        assert winners <= {response(n) for n in range(THREADS)}
        assert records.find(USER, KEY) in winners

    def test_concurrent_keeps_from_separate_stores_have_one_winner(
        self, records: Records, opened: Open
    ) -> None:
        """Eight threads, each with its own store over one database, all get the same winner."""
        stores = [records, *(self.reopen(records, opened) for _ in range(THREADS - 1))]
        winners = set(self.race(stores))
        assert len(winners) == 1
        assert {s.find(USER, KEY) for s in stores} == winners

    def test_a_second_store_over_the_same_database_sees_the_records(
        self, records: Records, opened: Open
    ) -> None:
        """What one process kept, another finds, and cannot overwrite."""
        records.keep(USER, KEY, response(1))
        other = self.reopen(records, opened)
        assert other.find(USER, KEY) == response(1)
        assert other.keep(USER, KEY, response(2)) == response(1)


class TestInMemoryIdempotencyRecords(IdempotencyContract):
    """The contract on the in-memory store."""

    kind = StoreKind.MEMORY
    adapter = InMemoryIdempotencyRecords

    def reopen(self, records: Records, opened: Open) -> Records:  # noqa: ARG002 (the contract's signature)
        """The in-memory store is its own storage: reopening it is the same object."""
        return records


class TestSqliteIdempotencyRecords(IdempotencyContract):
    """The contract on SQLite, in the event store's file."""

    kind = StoreKind.SQLITE
    adapter = SqliteIdempotencyRecords

    def test_the_table_lives_in_the_event_store_file(
        self, records: Records, tmp_path: Path
    ) -> None:
        """The records' table and its index sit beside the event store's tables."""
        assert isinstance(records, SqliteIdempotencyRecords)
        with closing(sqlite3.connect(tmp_path / "events.db")) as connection:
            names = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
        assert {"idempotency_records", "idempotency_records_recorded_at", "stored_events"} <= names


class TestPostgresIdempotencyRecords(IdempotencyContract):
    """The contract on PostgreSQL, in the event store's schema."""

    kind = StoreKind.POSTGRES
    adapter = PostgresIdempotencyRecords

    def test_the_table_lives_in_the_event_store_schema(
        self, records: Records, env: Mapping[str, str]
    ) -> None:
        """The records' table sits in the event store's schema, beside its events table."""
        assert isinstance(records, PostgresIdempotencyRecords)
        with records.pool.connection() as connection:
            found = connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (env["POSTGRES_SCHEMA"],),
            ).fetchall()
        assert {row["table_name"] for row in found} == {"idempotency_records", "motcua_events"}
