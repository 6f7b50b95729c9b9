"""``Idempotency-Key``: a retried POST gets the first response; the same key on another body, 422.

Pure ASGI middleware, around every POST that carries the header and a valid
bearer token. The key's scope is the token's subject. The first successful
(2xx) response is kept in the idempotency records, in the event store's
database, so every worker process answers a retry the same way; the route
itself uses the key as the command id, so even a retry that races its
original is applied once by the domain. The first response is kept before
it is sent, so a retry made as soon as it arrives finds it. Failed attempts
are not kept: a client may retry them with the same key. Records older than
the configured retention are purged at most once an hour.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.access import Principal
from application.errors import InvalidTokenError
from application.idempotency import IdempotencyRecords, StoredResponse, fingerprint
from entrypoints.bootstrap import Container
from entrypoints.http.errors import KEY_REUSED, STORE_UNAVAILABLE, Text, problem, unavailable
from entrypoints.http.security import verified

HEADER = b"idempotency-key"
REPLAYED = b"idempotent-replayed"
MAX_KEY = 200
PURGE_EVERY_SECONDS = 3600
_KEPT_HEADERS = {b"content-type", b"etag", b"location"}
log = structlog.get_logger()


class IdempotencyMiddleware:
    """Answers a repeated (user, Idempotency-Key) with the first response."""

    def __init__(self, app: ASGIApp, container: Callable[[], Container]) -> None:
        self.app = app
        self.container = container
        self._last_purge = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call; a database that cannot be reached is a 503, as in the routes."""
        try:
            await self._handle(scope, receive, send)
        except _BeforeAnswer as failure:
            await unavailable(Request(scope), failure.error)(scope, _replaying(b""), send)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _key(scope)
        principal = await self._principal(scope) if key is not None else None
        if key is None or principal is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        digest = fingerprint(scope["method"], scope["path"], _canonical(body))
        try:
            records = self.container().idempotency
            stored = await run_in_threadpool(records.find, principal.subject, key)
        except STORE_UNAVAILABLE as error:
            raise _BeforeAnswer(error) from error
        if stored is not None:
            await _answer_again(scope, send, stored, digest)
            return
        captured = _Captured()
        await self.app(scope, _replaying(body), captured.take)
        if 200 <= captured.status < 300:  # noqa: PLR2004 (the 2xx range)
            try:
                # Kept before the answer goes out: a retry sent the moment the client has
                # it, to any worker, finds it.
                await run_in_threadpool(
                    self._keep, records, principal.subject, key, captured, digest
                )
            except STORE_UNAVAILABLE as error:
                # Only the copy for retries is lost: the domain still applies the id once.
                log.warning("idempotency.not_kept", error_type=type(error).__name__)
        for message in captured.messages:
            await send(message)

    async def _principal(self, scope: Scope) -> Principal | None:
        """The caller, verified once here and handed on to the route in the request state."""
        request = Request(scope)
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            principal = await verified(self.container().tokens, token.strip())
        except InvalidTokenError:
            return None
        scope.setdefault("state", {})["principal"] = principal
        return principal

    def _keep(
        self,
        records: IdempotencyRecords,
        subject: str,
        key: str,
        captured: _Captured,
        digest: str,
    ) -> None:
        now = datetime.now(UTC)
        records.keep(subject, key, captured.stored(digest, now))
        if time.monotonic() - self._last_purge > PURGE_EVERY_SECONDS:
            self._last_purge = time.monotonic()
            hours = self.container().settings.http.idempotency_hours
            records.purge(now - timedelta(hours=hours))


class _BeforeAnswer(Exception):  # noqa: N818 (a signal, not an error family)
    """The database failed before any answer was sent: answer 503."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        super().__init__(str(error))


class _Captured:
    """The response, held back: its messages, status, the headers worth repeating, the body."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.status = 0
        self.headers: list[tuple[str, str]] = []
        self.body = bytearray()

    async def take(self, message: Message) -> None:
        self.messages.append(message)
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = [
                (bytes(name).decode("latin-1"), bytes(value).decode("latin-1"))
                for name, value in message.get("headers", [])
                if bytes(name).lower() in _KEPT_HEADERS
            ]
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")

    def stored(self, digest: str, now: datetime) -> StoredResponse:
        return StoredResponse(
            fingerprint=digest,
            status=self.status,
            body=bytes(self.body),
            headers=tuple(self.headers),
            recorded_at=now,
        )


def _key(scope: Scope) -> str | None:
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    for name, value in scope["headers"]:
        if name == HEADER:
            text = bytes(value).decode("latin-1").strip()
            # A malformed key goes on to the route, whose validation names the header.
            return text if 0 < len(text) <= MAX_KEY and text.isprintable() else None
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks += message.get("body", b"")
        if not message.get("more_body", False):
            break
    return bytes(chunks)


def _replaying(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _canonical(body: bytes) -> bytes:
    """The same JSON with other spacing or key order is the same request."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


async def _answer_again(scope: Scope, send: Send, stored: StoredResponse, digest: str) -> None:
    if stored.fingerprint != digest:
        text = Text(
            "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khóa mới",
            "This Idempotency-Key was used for a different request; use a new key",
        )
        response = problem(Request(scope), KEY_REUSED, text)
        await response(scope, _replaying(b""), send)
        return
    headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in stored.headers]
    headers += [(REPLAYED, b"true"), (b"content-length", str(len(stored.body)).encode())]
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})
