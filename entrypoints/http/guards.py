"""HTTP guards: a limit on request bodies, and CORS for the listed origins only.

The body limit refuses a declared ``Content-Length`` over the limit before
the app runs, and counts the bytes of a body streamed without one (chunked),
refusing it as soon as the count passes the limit. Either way the answer is a
413 problem (``urn:motcua:problem:payload-too-large``) in the client's
language, with ``Connection: close``, since the rest of the body is not read.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.bootstrap import SettingsError
from entrypoints.http.errors import TOO_LARGE, Text, problem

ALLOWED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-Match",
    "Accept-Language",
)
EXPOSED_HEADERS = ("ETag", "Location", "Retry-After", "X-Request-Id", "Idempotent-Replayed")
PREFLIGHT_MAX_AGE = 600


class BodyTooLargeError(Exception):
    """The body read so far is over the limit (raised into the app from ``receive``)."""


class _Counted:
    """One request's ``receive`` and ``send``: counts body bytes, and stops at the limit."""

    def __init__(self, max_bytes: int, receive: Receive, send: Send) -> None:
        self.max_bytes = max_bytes
        self.received = 0
        self.exceeded = False
        self.started = False
        self._receive = receive
        self._send = send

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.max_bytes:
                self.exceeded = True
                raise BodyTooLargeError
        return message

    async def send(self, message: Message) -> None:
        if self.exceeded:
            return  # whatever the app makes of the error, the answer is the 413
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


class BodyLimitMiddleware:
    """Refuses request bodies over ``max_bytes`` with a 413 problem."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        counted = _Counted(self.max_bytes, receive, send)
        try:
            await self.app(scope, counted.receive, counted.send)
        except Exception:
            if not counted.exceeded or counted.started:
                raise
        if counted.exceeded and not counted.started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_bytes
        text = Text(
            f"Dữ liệu gửi lên vượt quá giới hạn {limit} byte",
            f"The request body is over the limit of {limit} bytes",
        )
        response = problem(
            Request(scope), TOO_LARGE, text, headers={"Connection": "close"}, max_bytes=limit
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = bytes(value).decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None


def install_cors(app: FastAPI, origins: Sequence[str]) -> None:
    """Allow browsers on ``origins`` (exact origins, no wildcard); none listed: no CORS at all."""
    if not origins:
        return
    if "*" in origins:
        raise SettingsError("MOTCUA_CORS_ORIGINS must list origins; a wildcard (*) is refused")
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=ALLOWED_METHODS,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        max_age=PREFLIGHT_MAX_AGE,
    )
