"""Who calls: the bearer token, verified into a ``Principal`` (401 without a valid one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from adapters.tokens import Tokens
from application.access import Principal
from application.errors import InvalidTokenError
from entrypoints.http.deps import wired

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A JWT from the identity provider (development: `motcua token issue`).",
)


async def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller named by a valid bearer token (verified once per request).

    Verifying a signature is quick CPU work, done on the event loop; only
    fetching an identity provider's keys (JWKS) waits for the network, in a
    thread.
    """
    known = getattr(request.state, "principal", None)
    if isinstance(known, Principal):
        return known
    if credentials is None:
        raise InvalidTokenError(reason="no bearer token: send Authorization: Bearer <token>")
    return await verified(wired(request).tokens, credentials.credentials)


async def verified(tokens: Tokens, token: str) -> Principal:
    """The principal ``token`` names, without blocking the event loop on the network."""
    if tokens.settings.jwks_url:
        return await run_in_threadpool(tokens.verify, token)
    return tokens.verify(token)


PrincipalDep = Annotated[Principal, Depends(principal)]
