"""Sổ theo dõi hồ sơ (Mẫu 06) and Phiếu kiểm soát (Mẫu 05), read from the register view.

The register lists one agency's received dossiers by reception time, then
code, a page at a time (the view pages with a cursor): those it received, those
it is the competent agency for, and those handed to it as a partner agency
(liên thông), each with the agency's roles and the hand-overs to and from it. The control
sheet shows each step of one dossier as it ran, judged early, on time or late.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from application import access
from application.register import Cursor, RegisterQuery
from entrypoints.http.deps import ContainerDep
from entrypoints.http.routes import views
from entrypoints.http.routes.views import AfterQuery, LimitQuery
from entrypoints.http.security import PrincipalDep
from entrypoints.http.view_schemas import ControlSheetOut, RegisterPage, RegisterRowOut, StepOut
from entrypoints.parsing import InputError
from entrypoints.presenters import moment

router = APIRouter(prefix="/api/v1", tags=["views"])


@router.get("/register", response_model=RegisterPage)
def register(  # noqa: PLR0913 (agency, period and page)
    container: ContainerDep,
    principal: PrincipalDep,
    *,
    agency: Annotated[
        str,
        Query(
            description="The agency whose register to read, QCVN 102: one of yours. It lists "
            "the dossiers the agency received, decides, or was handed as a partner."
        ),
    ],
    start: Annotated[date, Query(alias="from", description="First reception day, YYYY-MM-DD.")],
    end: Annotated[date, Query(alias="to", description="Last reception day, YYYY-MM-DD.")],
    limit: LimitQuery = 50,
    after: AfterQuery = None,
) -> RegisterPage:
    """One agency's tracking register for dossiers received between two days."""
    unit = views.unit_for_period(principal, "register", agency, start, end)
    query = RegisterQuery(
        agency=str(unit),
        received_from=start,
        received_to=end,
        limit=limit + 1,
        after=_cursor(after) if after else None,
    )
    rows = container.register.list(query)
    page = rows[:limit]
    return RegisterPage(
        items=[RegisterRowOut.of(row) for row in page],
        next=_next(page[-1].cursor) if len(rows) > limit else None,
    )


@router.get("/dossiers/{code}/control-sheet", response_model=ControlSheetOut)
def control_sheet(
    container: ContainerDep,
    principal: PrincipalDep,
    code: Annotated[str, Path(description="Mã hồ sơ, e.g. 000.00.12.H56-250303-0001.")],
) -> ControlSheetOut:
    """Each step of a dossier of your agencies as it ran: start, due, end, outcome, timeliness."""
    dossier = container.dossiers.get_by_code(code)
    access.read(principal, dossier)
    steps = container.register.steps(dossier.id)
    return ControlSheetOut(
        code=code, dossier_id=str(dossier.id), steps=[StepOut.of(step) for step in steps]
    )


def _next(cursor: Cursor) -> str:
    received_at, code, dossier_id = cursor
    return views.encode_cursor([moment(received_at), code, str(dossier_id)])


def _cursor(text: str) -> Cursor:
    received_at, code, dossier_id = views.decode_cursor(text, 3)
    if code is None:
        raise InputError("after", "is not a cursor from a previous page of this list")
    return (views.cursor_moment(received_at), code, views.cursor_id(dossier_id))
