"""Tra cứu hồ sơ: the public lookup by dossier code and lookup secret, without a token.

A wrong secret and an unknown code get the same 404 problem, word for word,
so the answer never says whether a code exists. Every attempt counts against
the client address's rate (``MOTCUA_LOOKUP_RATE``); beyond it the answer is
429 with ``Retry-After``. On PostgreSQL the counts live in the database, so
every worker counts against the same limit; on SQLite (one process) they live
in memory, one set per app (``adapters.lookup_gate``).
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from adapters.lookup_gate import LookupGate, lookup_gate_from_env
from entrypoints.bootstrap import Container
from entrypoints.http import errors
from entrypoints.http.deps import ContainerDep
from entrypoints.http.errors import Text
from entrypoints.http.view_schemas import LookupOut

router = APIRouter(prefix="/api/v1/lookup", tags=["lookup"])

NOT_FOUND = Text(
    "Không có hồ sơ nào khớp với mã hồ sơ và mã tra cứu đã nhập",
    "No dossier matches this dossier code and lookup secret",
)
_CREATING = threading.Lock()  # guards the first creation of an app's gate, nothing else


def gate(request: Request, container: Container) -> LookupGate:
    """The app's gate, made on first use: shared through the database on PostgreSQL."""
    state = request.app.state
    with _CREATING:
        found: LookupGate | None = getattr(state, "lookup_gate", None)
        if found is None:
            rate = container.settings.http.lookup_rate
            found = state.lookup_gate = lookup_gate_from_env(container.app.env, rate)
    return found


@router.get(
    "/{code}",
    response_model=LookupOut,
    responses={
        404: {"description": "No dossier with this code and secret (the same either way)."},
        429: {"description": "Too many lookups from this address; see Retry-After."},
    },
)
def lookup(
    request: Request,
    container: ContainerDep,
    code: Annotated[str, Path(max_length=64, description="Mã hồ sơ, as on the receipt.")],
    secret: Annotated[
        str, Query(min_length=1, max_length=64, description="Mã tra cứu, as on the receipt.")
    ],
) -> LookupOut | JSONResponse:
    """A dossier's public status, appointment and history, by its code and lookup secret."""
    client = request.client.host if request.client else "unknown"
    wait = gate(request, container).wait(client)
    if wait is not None:
        text = Text(
            f"Tra cứu quá nhiều lần; hãy thử lại sau {wait} giây",
            f"Too many lookups; try again in {wait} seconds",
        )
        return errors.problem(
            request, errors.RATE_LIMITED, text, headers={"Retry-After": str(wait)}
        )
    found = container.lookup.find(code, secret)
    if found is None:
        return errors.problem(request, errors.DOSSIER_NOT_FOUND, NOT_FOUND)
    return LookupOut.of(found)
