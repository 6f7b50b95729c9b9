"""Who calls: the bearer token, verified into a ``Principal`` (401 without a valid one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from application.access import Principal
from application.errors import InvalidTokenError
from entrypoints.http.deps import container

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A JWT from the identity provider (development: `motcua token issue`).",
)


def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller named by a valid bearer token (verified once per request)."""
    known = getattr(request.state, "principal", None)
    if isinstance(known, Principal):
        return known
    if credentials is None:
        raise InvalidTokenError(reason="no bearer token: send Authorization: Bearer <token>")
    return container(request).tokens.verify(credentials.credentials)


PrincipalDep = Annotated[Principal, Depends(principal)]
