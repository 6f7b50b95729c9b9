"""What the view routes share: opaque cursors, agency filters and their scope, and the clock.

A cursor is the last row's sort key as a JSON array, in URL-safe base64
without padding: clients pass it back as ``after`` and never read it. Moments
inside it keep their offset, so a page boundary is exact on every store.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from application import access
from application.access import Principal
from domain.dossier_values import Role
from domain.values import VIETNAM, AgencyCode
from entrypoints.parsing import InputError, parse_agency

MAX_PAGE = 200

LimitQuery = Annotated[
    int, Query(ge=1, le=MAX_PAGE, description=f"Rows per page, 1 to {MAX_PAGE}.")
]
AfterQuery = Annotated[
    str | None,
    Query(max_length=512, description="The `next` cursor of the previous page (opaque)."),
]
ReceivingQuery = Annotated[
    str | None,
    Query(description="Receiving unit (nơi tiếp nhận), QCVN 102, e.g. 000.00.12.H56."),
]
CompetentQuery = Annotated[
    str | None,
    Query(description="Competent agency (cơ quan có thẩm quyền), QCVN 102, e.g. 000.01.40.H56."),
]


def now() -> datetime:
    """Now, in Vietnam time (tests override this dependency to fix the day)."""
    return datetime.now(VIETNAM)


NowDep = Annotated[datetime, Depends(now)]


def encode_cursor(parts: Sequence[str | None]) -> str:
    """An opaque cursor holding ``parts``."""
    text = json.dumps(list(parts), separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(text: str, size: int) -> list[str | None]:
    """The ``size`` parts of a cursor made by ``encode_cursor``; 422 on ``after`` otherwise."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        parts = json.loads(raw.decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        parts = None
    if not (
        isinstance(parts, list)
        and len(parts) == size
        and all(part is None or isinstance(part, str) for part in parts)
    ):
        raise InputError("after", "is not a cursor from a previous page of this list")
    return parts


def cursor_moment(part: str | None) -> datetime:
    """A moment inside a cursor, with its offset."""
    try:
        moment = datetime.fromisoformat(part or "")
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InputError("after", "is not a cursor from a previous page of this list")
    return moment


def cursor_id(part: str | None) -> UUID:
    """A dossier id inside a cursor."""
    try:
        return UUID(part or "")
    except ValueError:
        raise InputError("after", "is not a cursor from a previous page of this list") from None


def agency(text: str | None, field: str) -> AgencyCode | None:
    """An agency identifier (QCVN 102) from parameter ``field``, or none."""
    return parse_agency(text, field)


def period(start: date, end: date) -> None:
    """Refuse a period that ends before it starts (422 on ``to``)."""
    if end < start:
        raise InputError("to", f"must not be before from ({start.isoformat()})")


def unit_for_period(
    principal: Principal, view: str, agency: str, start: date, end: date
) -> AgencyCode:
    """The unit a register or report is asked for, if it is the caller's; the period checked."""
    unit = parse_agency(agency, "agency")
    if unit is None:
        raise InputError("agency", "is required")
    access.require(principal, view, unit)
    period(start, end)
    return unit


Scoped = tuple[AgencyCode | None, AgencyCode | None]


def scope(
    principal: Principal, view: str, receiving: AgencyCode | None, competent: AgencyCode | None
) -> Scoped:
    """The (receiving unit, competent agency) filters ``principal`` may list ``view`` with.

    At least one of the filters given must be one of the caller's agencies
    (rows match on either, so the other may name any agency); none given means
    the caller's only agency: the receiving unit for intake officers, else the
    competent agency. A caller of several agencies must choose one.
    """
    allowed = access.view_agencies(principal, view)
    given = [code for code in (receiving, competent) if code is not None]
    if not given:
        return _default(principal, allowed)
    if allowed is not None and not any(code in allowed for code in given):
        access.require(principal, view, given[0])  # refuses: not one of theirs
    return receiving, competent


def _default(principal: Principal, allowed: frozenset[AgencyCode] | None) -> Scoped:
    if allowed is None:
        return None, None
    intake = Role.INTAKE_OFFICER in principal.roles
    if len(allowed) > 1:
        names = ", ".join(sorted(code.value for code in allowed))
        raise InputError(
            "receiving_unit" if intake else "competent_agency",
            f"is required when your token names several agencies ({names}): "
            "filter by receiving_unit or competent_agency",
        )
    (only,) = allowed
    return (only, None) if intake else (None, only)
