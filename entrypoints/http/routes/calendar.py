"""Lịch làm việc: deadlines and the days of the working calendar."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from application.queries import ComputeDeadline, ListDays
from domain.time_limit import TimeUnit
from entrypoints.http.deps import CalendarsDep
from entrypoints.http.schemas import DayOut, DeadlineOut, WorkingDaysOut
from entrypoints.parsing import make_limit, parse_agency, parse_clock_time, parse_moment
from entrypoints.presenters import day_document, deadline_document

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"])

AgencyQuery = Annotated[
    str | None, Query(description="Agency identifier (QCVN 102), e.g. 000.00.12.H56.")
]


@router.get("/due", response_model=DeadlineOut)
def due(  # noqa: PLR0913 (one query parameter per input of the computation)
    *,
    calendars: CalendarsDep,
    received_at: Annotated[
        str, Query(description="When the dossier was received, ISO-8601; no offset = +07:00.")
    ],
    unit: Annotated[TimeUnit, Query(description="The unit of the time limit.")],
    limit: Annotated[
        int | None, Query(description="The limit in `unit`; none for same_day.")
    ] = None,
    agency: AgencyQuery = None,
    cutoff: Annotated[str, Query(description="Same-day cut-off, HH:MM.")] = "15:00",
) -> DeadlineOut:
    """Clock start, appointment (due_at) and statutory due date of a dossier received then."""
    query = ComputeDeadline(
        received_at=parse_moment(received_at, "received_at"),
        limit=make_limit(limit, unit),
        agency=parse_agency(agency),
        same_day_cutoff=parse_clock_time(cutoff, "cutoff"),
    )
    return DeadlineOut(**deadline_document(calendars.compute_deadline(query)))


@router.get("/working-days", response_model=WorkingDaysOut, response_model_by_alias=True)
def working_days(
    calendars: CalendarsDep,
    start: Annotated[date, Query(alias="from", description="First day, YYYY-MM-DD.")],
    end: Annotated[date, Query(alias="to", description="Last day, YYYY-MM-DD.")],
    agency: AgencyQuery = None,
) -> WorkingDaysOut:
    """Each day of the range with its kind: working day, weekend, named holiday, working weekend."""
    query = ListDays(start=start, end=end, agency=parse_agency(agency))
    calendar = calendars.calendar(query.agency)
    days = [DayOut(**day_document(calendar, day)) for day in calendars.list_days(query)]
    return WorkingDaysOut(
        **{"from": start.isoformat(), "to": end.isoformat()},
        agency=str(query.agency) if query.agency else None,
        working_days=sum(day.is_working for day in days),
        days=days,
    )
