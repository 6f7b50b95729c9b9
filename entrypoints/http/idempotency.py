"""``Idempotency-Key``: a retried POST gets the first response; the same key on another body, 422.

Two halves. The pure ASGI middleware, around every POST that carries the
header and a valid bearer token, reads the body and leaves a ``Claim`` in
the request's state: the token's subject (the key's scope), the key and the
request's fingerprint. The POST route settles the claim in its own worker
thread (``IdempotentRoute``), so a command costs one thread hop, not three:

- before anything else, it looks for the first response; found, it answers
  with it again (``Idempotent-Replayed: true``), or with 422 when the key
  came with another request;
- otherwise it runs, renders its response, and keeps it (2xx only) before
  it is sent, so a retry made the moment it arrives, to any worker, finds it.

The first response is kept in the idempotency records, in the event store's
database, so every worker process answers a retry the same way; the route
also uses the key as the command id, so even a retry that races its original
is applied once by the domain. Failed attempts are not kept: a client may
retry them with the same key. Records older than the configured retention
are purged at most once an hour. Every POST route of the API is an
``IdempotentRoute`` (a test walks them).
"""

from __future__ import annotations

import functools
import inspect
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import structlog
from attrs import define
from fastapi.encoders import jsonable_encoder
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.access import Principal
from application.errors import InvalidTokenError
from application.idempotency import IdempotencyRecords, StoredResponse, fingerprint
from entrypoints.bootstrap import Container
from entrypoints.http.errors import KEY_REUSED, STORE_UNAVAILABLE, Text, problem, unavailable
from entrypoints.http.security import verified

HEADER = b"idempotency-key"
REPLAYED = "idempotent-replayed"
CLAIM = "idempotency_claim"
SETTLES = "__motcua_settles_idempotency__"
_REQUEST = "motcua_idempotency_request"
_REUSED = Text(
    "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khóa mới",
    "This Idempotency-Key was used for a different request; use a new key",
)
MAX_KEY = 200
PURGE_EVERY_SECONDS = 3600
_KEPT_HEADERS = {b"content-type", b"etag", b"location"}
log = structlog.get_logger()


class IdempotencyMiddleware:
    """Leaves a ``Claim`` for each POST with an ``Idempotency-Key`` and a valid token."""

    def __init__(self, app: ASGIApp, container: Callable[[], Container]) -> None:
        self.app = app
        self.container = container
        self._last_purge = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call; a database that cannot be reached is a 503, as in the routes."""
        key = _key(scope)
        principal = await self._principal(scope) if key is not None else None
        if key is None or principal is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        try:
            records = self.container().idempotency
        except STORE_UNAVAILABLE as error:
            await unavailable(Request(scope), error)(scope, _replaying(b""), send)
            return
        digest = fingerprint(scope["method"], scope["path"], _canonical(body))
        scope.setdefault("state", {})[CLAIM] = Claim(
            records, principal.subject, key, digest, self._purge
        )
        await self.app(scope, _replaying(body), send)

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

    def _purge(self, records: IdempotencyRecords, now: datetime) -> None:
        """Delete the records past their retention, at most once an hour (in a route's thread)."""
        if time.monotonic() - self._last_purge > PURGE_EVERY_SECONDS:
            self._last_purge = time.monotonic()
            hours = self.container().settings.http.idempotency_hours
            records.purge(now - timedelta(hours=hours))


@define
class Claim:
    """One POST's key, for its route to settle in the route's thread."""

    records: IdempotencyRecords
    subject: str
    key: str
    fingerprint: str
    purge: Callable[[IdempotencyRecords, datetime], None]

    def first_answer(self, request: Request) -> Response | None:
        """The first response again, 422 for another request under the key, or ``None``."""
        stored = self.records.find(self.subject, self.key)
        if stored is None:
            return None
        if stored.fingerprint != self.fingerprint:
            return problem(request, KEY_REUSED, _REUSED)
        headers = dict(stored.headers)
        headers[REPLAYED] = "true"
        return Response(stored.body, status_code=stored.status, headers=headers)

    def keep(self, response: Response) -> None:
        """Keep a 2xx ``response`` as the first answer; a database failure loses only the copy."""
        if not 200 <= response.status_code < 300:  # noqa: PLR2004 (the 2xx range)
            return
        now = datetime.now(UTC)
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in response.raw_headers
            if name in _KEPT_HEADERS
        ]
        stored = StoredResponse(
            fingerprint=self.fingerprint,
            status=response.status_code,
            body=bytes(response.body),
            headers=headers,
            recorded_at=now,
        )
        try:
            self.records.keep(self.subject, self.key, stored)
            self.purge(self.records, now)
        except STORE_UNAVAILABLE as error:
            # Only the copy for retries is lost: the domain still applies the id once.
            log.warning("idempotency.not_kept", error_type=type(error).__name__)


class IdempotentRoute(APIRoute):
    """A route whose POST settles its ``Claim`` in the route's own thread, around the endpoint.

    The endpoint (a plain ``def``) is wrapped: the wrapper takes the request
    too, answers from the claim when there is a first answer, and otherwise
    renders the endpoint's result as FastAPI would (its status code and the
    headers it set on ``response``) and keeps it.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:  # noqa: ANN401
        methods = {method.upper() for method in options.get("methods") or ()}
        if "POST" in methods and not hasattr(endpoint, SETTLES):
            endpoint = _settling(endpoint, options.get("status_code") or 200)
        super().__init__(path, endpoint, **options)


def _settling(endpoint: Callable[..., Any], status_code: int) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):
        raise TypeError(f"{endpoint.__name__}: an idempotent POST route must be a plain def")
    signature = inspect.signature(endpoint, eval_str=True)
    response_name = next(
        (name for name, p in signature.parameters.items() if p.annotation is Response), None
    )

    @functools.wraps(endpoint)
    def settle(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 (the endpoint's own)
        request: Request = kwargs.pop(_REQUEST)
        claim = request.scope.get("state", {}).get(CLAIM)
        if not isinstance(claim, Claim):
            return endpoint(*args, **kwargs)
        first = claim.first_answer(request)
        if first is not None:
            return first
        result = endpoint(*args, **kwargs)
        sub = kwargs.get(response_name) if response_name else None
        response = _rendered(result, sub, status_code)
        claim.keep(response)
        return response

    extra = inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
    settle.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), extra]
    )
    setattr(settle, SETTLES, True)
    return settle


def _rendered(result: object, sub: Response | None, status_code: int) -> Response:
    """``result`` as the JSON FastAPI would send, with what the endpoint set on ``sub``."""
    if isinstance(result, Response):
        return result
    # JSON types go straight through; anything else (a model, a set) as FastAPI encodes it.
    body = orjson.dumps(result, default=jsonable_encoder)
    response = Response(
        body, status_code=sub.status_code if sub and sub.status_code else status_code
    )
    response.raw_headers = [
        *(
            (name, value)
            for name, value in (sub.raw_headers if sub else [])
            if name != b"content-length"
        ),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    return response


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
