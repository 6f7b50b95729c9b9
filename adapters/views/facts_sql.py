"""What the SQLite and PostgreSQL facts views share: columns, and report 06a as one query.

Besides the row's own fields, each record stores the local (Vietnam) dates the
report compares: ``received_on``, ``finished_on`` with ``finish`` (result,
stopped, withdrawn), the supplement pauses' dates, ``returned_on`` and
``rated_on``. Report 06a is then a single ``SUM(CASE ...)`` per column over the
unit's rows, with no GROUP BY; the predicates mirror ``application.report06a``
line for line. Column names and finish kinds are constants; the unit and the
period are parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from application.report06a import CountingRules, ReportQuery
from application.statistics import FactsRow, day
from domain.procedure_spec import Channel
from domain.values import VIETNAM

TABLE = "dossier_facts"
TRACKING = "projection_tracking"
VIEW_NAME = "dossier_facts"

ROW_FIELDS = (
    "dossier_id",
    "receiving_unit",
    "competent_agency",
    "channel",
    "version",
    "received_at",
    "statutory_due_date",
    "completed_at",
    "closed_at",
    "closing",
    "returned_at",
    "returned_via_post",
    "supplement_since",
    "supplement_from",
    "supplement_until",
    "paid",
    "paid_online",
    "satisfaction",
    "rated_at",
)
MOMENTS = (
    "received_at",
    "completed_at",
    "closed_at",
    "returned_at",
    "supplement_since",
    "supplement_from",
    "supplement_until",
    "rated_at",
)
DERIVED = (
    "received_on",
    "finished_on",
    "finish",
    "supplement_since_on",
    "supplement_from_on",
    "supplement_until_on",
    "returned_on",
    "rated_on",
)
COLUMNS = ROW_FIELDS + DERIVED

INDEXES = {
    "ix_facts_receiving_unit": "receiving_unit, received_on",
    "ix_facts_competent_agency": "competent_agency, received_on",
}


def utc(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC (``None`` stays ``None``)."""
    return None if moment is None else moment.astimezone(UTC)


def local(moment: datetime | None) -> datetime | None:
    """A stored moment back in Vietnam time."""
    return None if moment is None else moment.astimezone(VIETNAM)


def values(row: FactsRow) -> dict[str, Any]:
    """The record's column values, moments in UTC, before any driver encoding."""
    own: dict[str, Any] = {name: getattr(row, name) for name in ROW_FIELDS}
    own |= {name: utc(own[name]) for name in MOMENTS}
    own |= {
        "channel": str(row.channel),
        "closing": None if row.closing is None else str(row.closing),
        "satisfaction": None if row.satisfaction is None else str(row.satisfaction),
    }
    return own | {
        "received_on": row.received_on,
        "finished_on": row.finished_on,
        "finish": None if row.finish is None else str(row.finish),
        "supplement_since_on": day(row.supplement_since),
        "supplement_from_on": day(row.supplement_from),
        "supplement_until_on": day(row.supplement_until),
        "returned_on": day(row.returned_at),
        "rated_on": day(row.rated_at),
    }


def _count(predicate: str) -> str:
    return f"COALESCE(SUM(CASE WHEN {predicate} THEN 1 ELSE 0 END), 0)"


def report_sql(
    query: ReportQuery, rules: CountingRules, mark: Callable[[str], str]
) -> tuple[str, dict[str, Any]]:
    """The SELECT computing report 06a (its columns named as ``Report06a``'s fields) and params.

    ``mark`` turns a parameter name into the driver's placeholder.
    """
    s, e = mark("start"), mark("end")
    counted = f"received_on <= {e} AND (finished_on IS NULL OR finished_on >= {s})"
    fresh = f"{counted} AND received_on >= {s}"
    finished = f"finished_on IS NOT NULL AND finished_on <= {e}"
    still_open = f"(finished_on IS NULL OR finished_on > {e})"
    kinds = ", ".join(f"'{finish}'" for finish in rules.classified())
    classified = f"{counted} AND {finished} AND finish IN ({kinds})"
    waiting = (
        f"((supplement_since_on IS NOT NULL AND supplement_since_on <= {e}) OR "
        f"(supplement_from_on IS NOT NULL AND supplement_from_on <= {e} "
        f"AND supplement_until_on > {e}))"
    )
    waited = f"{still_open} AND {waiting}" if rules.waiting_supplement_on_time else "1 = 0"
    running = f"{still_open} AND NOT {waiting}" if rules.waiting_supplement_on_time else still_open
    returned = f"returned_on >= {s} AND returned_on <= {e}"
    rated = f"rated_on >= {s} AND rated_on <= {e}"
    online = f"'{Channel.ONLINE}'"
    columns = {
        "received": counted,
        "received_online": f"{fresh} AND channel = {online}",
        "received_offline": f"{fresh} AND channel <> {online}",
        "carried_over": f"{counted} AND received_on < {s}",
        "processed": f"{counted} AND ({finished} OR ({waited}))",
        "early": f"{classified} AND finished_on < statutory_due_date",
        "on_time": (
            f"({classified} AND finished_on = statutory_due_date) OR "
            f"({counted} AND {finished} AND finish NOT IN ({kinds})) OR ({counted} AND {waited})"
        ),
        "late": f"{classified} AND finished_on > statutory_due_date",
        "in_progress": f"{counted} AND {running}",
        "within_time": f"{counted} AND {running} AND statutory_due_date >= {e}",
        "overdue": f"{counted} AND {running} AND statutory_due_date < {e}",
        "paid": f"{fresh} AND paid",
        "paid_online": f"{fresh} AND paid_online",
        "returned": returned,
        "returned_via_post": f"{returned} AND returned_via_post",
        "very_satisfied": f"{rated} AND satisfaction = 'very_satisfied'",
        "satisfied": f"{rated} AND satisfaction = 'satisfied'",
        "not_satisfied": f"{rated} AND satisfaction = 'not_satisfied'",
    }
    selected = ", ".join(f"{_count(predicate)} AS {name}" for name, predicate in columns.items())
    unit = query.unit_kind.value  # a constant column name
    statement = (
        f"SELECT {selected} FROM {{table}} "  # noqa: S608 (constants; values are parameters)
        f"WHERE {unit} = {mark('unit')} AND received_on IS NOT NULL"
    )
    return statement, {"unit": query.unit, "start": query.start, "end": query.end}
