"""Tra cứu hồ sơ: the public lookup by dossier code and lookup secret, without a token.

A wrong secret and an unknown code get the same 404 problem, word for word,
so the answer never says whether a code exists. Every attempt counts against
the client address's rate (``MOTCUA_LOOKUP_RATE``, a moving window); beyond
it the answer is 429 with ``Retry-After``. The counts live in memory on the
app (``app.state``), one set per app and per process.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Annotated

from attrs import frozen
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

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


@frozen
class Gate:
    """One app's lookup rate: a moving window per client address, counted in memory."""

    limiter: MovingWindowRateLimiter
    rate: RateLimitItem

    @classmethod
    def of(cls, rate: str) -> Gate:
        """A gate with its own empty counts, for a rate such as ``30/minute``."""
        return cls(MovingWindowRateLimiter(MemoryStorage()), parse(rate))

    def wait(self, client: str) -> int | None:
        """Count one attempt; ``None`` when allowed, else whole seconds to wait (at least 1)."""
        if self.limiter.hit(self.rate, "lookup", client):
            return None
        reset_at, _ = self.limiter.get_window_stats(self.rate, "lookup", client)
        return max(1, math.ceil(reset_at - time.time()))


def gate(request: Request, rate: str) -> Gate:
    """The app's gate, made on first use."""
    state = request.app.state
    with _CREATING:
        found: Gate | None = getattr(state, "lookup_gate", None)
        if found is None:
            found = state.lookup_gate = Gate.of(rate)
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
    wait = gate(request, container.settings.http.lookup_rate).wait(client)
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
