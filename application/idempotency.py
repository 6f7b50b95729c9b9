"""Khóa chống lặp (idempotency records): the first response to each ``Idempotency-Key``.

The HTTP API maps a client's ``Idempotency-Key`` header to a command id. So
that a retry gets the first answer again, the API keeps that first response
under (scope, key): the scope is the caller's user id, so two users' keys
never meet, and the key is the header's value. A record also holds the
fingerprint of the request it answered: the same key sent with another
request is refused (422), never answered with someone else's response.

Records live in the event store's database, shared by every API worker
process; when two workers race on one key the first writer wins and both
answer with its response. Records are not kept forever: the deployment
chooses a retention (a day is usual) and calls ``purge(now - retention)``
from time to time; a key reused after that is a new request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Protocol

import attrs
from attrs import validators

FIRST_STATUS, LAST_STATUS = 100, 599


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC, the same instant; a naive datetime is refused with ``ValueError``."""
    if moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone")
    return moment.astimezone(UTC)


def header_pairs(headers: Iterable[Sequence[str]]) -> tuple[tuple[str, str], ...]:
    """Headers as a tuple of (name, value) pairs, from any iterable of pairs (JSON gives lists)."""
    return tuple((str(name), str(value)) for name, value in headers)


@attrs.frozen
class StoredResponse:
    """The first response to a request, as the API sent it; ``recorded_at`` is kept in UTC."""

    fingerprint: str
    """The request's ``fingerprint`` (sha256 hex): a retry must have the same one."""
    status: int = attrs.field(validator=[validators.ge(FIRST_STATUS), validators.le(LAST_STATUS)])
    body: bytes = attrs.field(validator=validators.instance_of(bytes))
    headers: tuple[tuple[str, str], ...] = attrs.field(converter=header_pairs)
    """The headers a retry must see again (ETag, Location, content-type), in order."""
    recorded_at: datetime = attrs.field(converter=utc)


class IdempotencyRecords(Protocol):
    """The store of first responses, by (scope, key); shared by every API worker process."""

    def find(self, scope: str, key: str) -> StoredResponse | None:
        """The response kept under (scope, key), or ``None``."""
        ...

    def keep(self, scope: str, key: str, response: StoredResponse) -> StoredResponse:
        """Keep ``response`` unless (scope, key) has one already; return the one kept.

        The first writer wins, also between processes: a later call leaves the
        stored response untouched and returns it, so compare its fingerprint.
        """
        ...

    def purge(self, before: datetime) -> int:
        """Delete the records recorded strictly before ``before`` (aware); return how many."""
        ...


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The sha256 hex digest of a request: each part length-prefixed, so none runs into the next.

    ``path`` is whatever the API identifies the command by (its path, with the
    query string if that changes the command); ``method`` is taken as sent.
    The encoding must never change: a stored record is compared with new requests.
    """
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
