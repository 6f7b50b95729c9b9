"""Thủ tục hành chính: the catalog, listed, searched, and read as of a date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from application.queries import ListProcedures
from domain.procedure_spec import Level
from domain.values import VIETNAM
from entrypoints.http.deps import CatalogDep
from entrypoints.http.schemas import ProcedureList
from entrypoints.parsing import parse_agency
from entrypoints.presenters import procedure_document, procedure_summary

router = APIRouter(prefix="/api/v1/procedures", tags=["catalog"])


@router.get("", response_model=ProcedureList)
def list_procedures(  # noqa: PLR0913 (one query parameter per filter)
    catalog: CatalogDep,
    *,
    agency: Annotated[str | None, Query(description="Competent agency (QCVN 102).")] = None,
    sector: Annotated[str | None, Query(description="Sector code (MALINHVUC).")] = None,
    level: Annotated[Level | None, Query(description="Administrative level.")] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Words of the name, with or without diacritics."),
    ] = None,
    in_force_on: Annotated[
        date | None, Query(description="Only procedures in force that day.")
    ] = None,
    after: Annotated[str | None, Query(description="The cursor from the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ProcedureList:
    """Procedures by local code, filtered and searched, one page at a time."""
    query = ListProcedures(
        agency=parse_agency(agency),
        sector=sector,
        level=level,
        text=q,
        in_force_on=in_force_on,
        after=after,
        limit=limit,
    )
    page = catalog.list(query, today=_today())
    return ProcedureList(
        items=[procedure_summary(item) for item in page.items], next=page.next_after
    )


@router.get("/{code}")
def get_procedure(
    catalog: CatalogDep,
    code: str,
    at: Annotated[date | None, Query(description="The day to read the procedure as of.")] = None,
) -> dict[str, Any]:
    """A procedure by local code (or a national code only one procedure has), as it stood ``at``."""
    return procedure_document(catalog.get(code, at or _today()))


def _today() -> date:
    return datetime.now(VIETNAM).date()
