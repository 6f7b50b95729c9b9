"""Báo cáo thống kê: report 06a (Biểu số II.06a/VPCP/KSTT) from the facts view.

The same computation and document shape as ``motcua stats report-06a``:
columns 3-13 by number, rates in percent to two decimals (as strings, exact),
and the satisfaction counts.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query

from application.report06a import CountingRules, Rates, Report06a, ReportQuery, Rounding, UnitKind
from domain.dossier_values import Satisfaction
from entrypoints.http.deps import ContainerDep
from entrypoints.http.routes import views
from entrypoints.http.security import PrincipalDep
from entrypoints.http.view_schemas import RatesOut, Report06aOut, SatisfactionOut

router = APIRouter(prefix="/api/v1/stats", tags=["views"])


@router.get("/report-06a", response_model=Report06aOut, response_model_by_alias=True)
def report_06a(  # noqa: PLR0913 (unit, period and the two choices of the CLI)
    container: ContainerDep,
    principal: PrincipalDep,
    *,
    agency: Annotated[str, Query(description="The unit reported on, QCVN 102.")],
    start: Annotated[date, Query(alias="from", description="First day, YYYY-MM-DD.")],
    end: Annotated[date, Query(alias="to", description="Last day, YYYY-MM-DD.")],
    by: Annotated[
        UnitKind, Query(description="Count the unit as receiving unit or competent agency.")
    ] = UnitKind.RECEIVING,
    rounding: Annotated[
        Rounding, Query(description="half_up, or truncate as some published reports print.")
    ] = Rounding.HALF_UP,
) -> Report06aOut:
    """Report 06a for one unit of yours and one period: columns 3-13, rates, satisfaction."""
    unit = views.unit_for_period(principal, "statistics", agency, start, end)
    query = ReportQuery(unit=str(unit), start=start, end=end, unit_kind=by)
    report = container.facts.report06a(query, CountingRules())
    return _document(query, report, Rates.of(report, rounding))


def _document(query: ReportQuery, report: Report06a, rates: Rates) -> Report06aOut:
    counts = rates.satisfaction
    return Report06aOut(
        unit=query.unit,
        by=query.unit_kind.value,
        **{"from": query.start.isoformat(), "to": query.end.isoformat()},
        columns={str(number): value for number, value in report.columns().items()},
        rates=RatesOut(
            on_time=_decimal(rates.on_time),
            late=_decimal(rates.late),
            online=_decimal(rates.online),
            online_payment=_decimal(rates.online_payment),
            postal=_decimal(rates.postal),
        ),
        satisfaction=SatisfactionOut(
            very_satisfied=counts[Satisfaction.VERY_SATISFIED],
            satisfied=counts[Satisfaction.SATISFIED],
            not_satisfied=counts[Satisfaction.NOT_SATISFIED],
        ),
    )


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
