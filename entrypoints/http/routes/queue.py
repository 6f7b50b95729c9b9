"""Hàng đợi hồ sơ and hạn xử lý: what is on a desk, and what is due or late.

Both lists read the queue view, sorted by appointment then dossier id, a
page at a time. The caller lists an agency of theirs (see ``views.scope``).
Deadline lists carry the working time left until each appointment, measured
with the receiving unit's calendar: ``remaining_hours`` (two decimals) and
``remaining_minutes`` (whole minutes, rounded down), negative when late.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from attrs import evolve
from fastapi import APIRouter, Query

from application.access import Principal
from application.deadlines import DeadlineItem, Deadlines
from application.queue import Cursor, QueueQuery
from domain.dossier_status import Status
from domain.procedure_spec import Channel
from entrypoints.http.deps import ContainerDep
from entrypoints.http.routes import views
from entrypoints.http.routes.views import (
    AfterQuery,
    CompetentQuery,
    LimitQuery,
    NowDep,
    ReceivingQuery,
)
from entrypoints.http.security import PrincipalDep
from entrypoints.http.view_schemas import DeadlineItemOut, DeadlinePage, QueueItemOut, QueuePage
from entrypoints.parsing import InputError
from entrypoints.presenters import moment

router = APIRouter(prefix="/api/v1", tags=["views"])

Window = Literal["today", "within", "overdue"]
HandlerQuery = Annotated[str | None, Query(description="The handler's user id.")]
ProcedureQuery = Annotated[
    str | None, Query(description="Local procedure code (MATTHCDP), e.g. 1.000001.000.00.00.H56.")
]
ChannelQuery = Annotated[Channel | None, Query(description="How the dossier arrived.")]


@router.get("/queue", response_model=QueuePage)
def queue(  # noqa: PLR0913 (one query parameter per filter)
    container: ContainerDep,
    principal: PrincipalDep,
    current: NowDep,
    *,
    receiving_unit: ReceivingQuery = None,
    competent_agency: CompetentQuery = None,
    handler: HandlerQuery = None,
    status: Annotated[Status | None, Query(description="Our status, e.g. processing.")] = None,
    procedure: ProcedureQuery = None,
    channel: ChannelQuery = None,
    overdue: Annotated[
        bool,
        Query(
            description="true: only dossiers past their statutory due date today; false: no filter."
        ),
    ] = False,
    limit: LimitQuery = 50,
    after: AfterQuery = None,
) -> QueuePage:
    """Open dossiers of one of your agencies, by appointment, a page at a time."""
    today = current.date()
    query = evolve(
        _query(principal, receiving_unit, competent_agency, limit, after),
        handler=handler,
        status=status,
        procedure=procedure,
        channel=channel,
        overdue_on=today if overdue else None,
    )
    rows = container.queue.list(query)
    page = rows[:limit]
    return QueuePage(
        items=[QueueItemOut.of(row, today) for row in page],
        next=_next(page[-1].cursor) if len(rows) > limit else None,
    )


@router.get("/deadlines", response_model=DeadlinePage)
def deadlines(  # noqa: PLR0913 (one query parameter per filter)
    container: ContainerDep,
    principal: PrincipalDep,
    current: NowDep,
    *,
    window: Annotated[
        Window,
        Query(
            description="today: due today (on a day off, the next working day); "
            "within: due within `days` working days; overdue: past the statutory due date."
        ),
    ] = "today",
    days: Annotated[
        int | None, Query(ge=1, le=60, description="Working days ahead, for window=within.")
    ] = None,
    receiving_unit: ReceivingQuery = None,
    competent_agency: CompetentQuery = None,
    handler: HandlerQuery = None,
    procedure: ProcedureQuery = None,
    limit: LimitQuery = 50,
    after: AfterQuery = None,
) -> DeadlinePage:
    """Running dossiers due today, within N working days, or overdue, with working time left."""
    if window == "within" and days is None:
        raise InputError("days", "is required for window=within (1 to 60 working days)")
    query = evolve(
        _query(principal, receiving_unit, competent_agency, limit, after),
        handler=handler,
        procedure=procedure,
    )
    service = Deadlines(container.queue, container.calendars)
    items = _deadlines(service, window, days, query, current)
    page = items[:limit]
    return DeadlinePage(
        window=window,
        days=days if window == "within" else None,
        items=[DeadlineItemOut.of_item(item, current.date()) for item in page],
        next=_next(page[-1].row.cursor) if len(items) > limit else None,
    )


def _deadlines(
    service: Deadlines, window: Window, days: int | None, query: QueueQuery, now: datetime
) -> list[DeadlineItem]:
    if window == "overdue":
        return service.overdue(query, now)
    return service.due_within(query, days if window == "within" and days else 0, now)


def _query(
    principal: Principal,
    receiving_unit: str | None,
    competent_agency: str | None,
    limit: int,
    after: str | None,
) -> QueueQuery:
    """The scoped query, one row more than a page (to know whether another page follows)."""
    receiving, competent = views.scope(
        principal,
        "queue",
        views.agency(receiving_unit, "receiving_unit"),
        views.agency(competent_agency, "competent_agency"),
    )
    return QueueQuery(
        receiving_unit=str(receiving) if receiving else None,
        competent_agency=str(competent) if competent else None,
        limit=limit + 1,
        after=_cursor(after) if after else None,
    )


def _next(cursor: Cursor) -> str:
    due, dossier_id = cursor
    return views.encode_cursor([moment(due) if due else None, str(dossier_id)])


def _cursor(text: str) -> Cursor:
    due, dossier_id = views.decode_cursor(text, 2)
    return (views.cursor_moment(due) if due is not None else None, views.cursor_id(dossier_id))
