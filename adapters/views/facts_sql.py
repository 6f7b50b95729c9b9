"""What the SQLite and PostgreSQL facts views share: columns, and report 06a as one query.

Besides the row's own fields, each record stores the local (Vietnam) dates the
report compares: ``received_on``, ``finished_on`` with ``finish`` (result,
stopped, withdrawn), ``returned_on`` and ``rated_on``. A dossier's supplement
pauses are records of a child table (``PAUSES``: dossier, number from 1, start
and end with their dates; the end is null while the pause is open), indexed
for the one question the report asks of them: is one of this dossier's pauses
open at the period's end? Writing a row replaces its pauses; deleting a
dossier deletes them.

Report 06a is then a single ``SUM(CASE ...)`` per column over the unit's rows,
with no GROUP BY; the predicates mirror ``application.report06a`` line for
line. The unit's rows come from a subquery that answers the pause question
once per row (``waiting``), behind an ``OFFSET 0`` (each store spells it) so
neither database inlines the ``EXISTS`` into each of the columns that read it.
Column names and finish kinds are constants; the unit and the period are
parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any
from uuid import UUID

from attrs import evolve

from application.report06a import CountingRules, ReportQuery
from application.statistics import FactsRow, SupplementPause, day
from domain.procedure_spec import Channel
from domain.values import VIETNAM

TABLE = "dossier_facts"
PAUSES = "dossier_facts_pauses"
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
    "rated_at",
)
DERIVED = (
    "received_on",
    "finished_on",
    "finish",
    "returned_on",
    "rated_on",
)
COLUMNS = ROW_FIELDS + DERIVED

INDEXES = {
    "ix_facts_receiving_unit": "receiving_unit, received_on",
    "ix_facts_competent_agency": "competent_agency, received_on",
}

PAUSE_KEYS = ("dossier_id", "number")
PAUSE_COLUMNS = (*PAUSE_KEYS, "since", "until", "since_on", "until_on")
PAUSE_INDEXES = {"ix_facts_pauses_open": "dossier_id, since_on, until_on"}
"""The report's ``EXISTS`` finds a dossier's pauses and judges them within this index."""


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
        "returned_on": day(row.returned_at),
        "rated_on": day(row.rated_at),
    }


def pause_values(rows: Iterable[FactsRow]) -> list[dict[str, Any]]:
    """The pause records of ``rows``, numbered from 1 per dossier, moments in UTC."""
    return [
        {
            "dossier_id": row.dossier_id,
            "number": number,
            "since": utc(pause.since),
            "until": utc(pause.until),
            "since_on": pause.since_on,
            "until_on": pause.until_on,
        }
        for row in rows
        for number, pause in enumerate(row.supplement_pauses, start=1)
    ]


def with_pauses(
    rows: Iterable[FactsRow], pauses: Iterable[tuple[UUID, int, SupplementPause]]
) -> dict[UUID, FactsRow]:
    """``rows`` by dossier id, each with its pauses (``(dossier, number, pause)``, any order)."""
    found: dict[UUID, list[tuple[int, SupplementPause]]] = {}
    for dossier_id, number, pause in pauses:
        found.setdefault(dossier_id, []).append((number, pause))
    by_id = {row.dossier_id: row for row in rows}
    for dossier_id, numbered in found.items():
        if dossier_id in by_id:
            ordered = tuple(pause for _, pause in sorted(numbered, key=itemgetter(0)))
            by_id[dossier_id] = evolve(by_id[dossier_id], supplement_pauses=ordered)
    return by_id


def _count(predicate: str) -> str:
    return f"COALESCE(SUM(CASE WHEN {predicate} THEN 1 ELSE 0 END), 0)"


def report_sql(
    query: ReportQuery, rules: CountingRules, mark: Callable[[str], str], fence: str
) -> tuple[str, dict[str, Any]]:
    """The SELECT computing report 06a (its columns named as ``Report06a``'s fields) and params.

    ``mark`` turns a parameter name into the driver's placeholder; ``fence`` is the store's
    ``OFFSET 0`` that keeps the unit's subquery whole. The statement names the tables
    ``{table}`` and ``{pauses}``.
    """
    s, e = mark("start"), mark("end")
    counted = f"received_on <= {e} AND (finished_on IS NULL OR finished_on >= {s})"
    fresh = f"{counted} AND received_on >= {s}"
    finished = f"finished_on IS NOT NULL AND finished_on <= {e}"
    still_open = f"(finished_on IS NULL OR finished_on > {e})"
    kinds = ", ".join(f"'{finish}'" for finish in rules.classified())
    classified = f"{counted} AND {finished} AND finish IN ({kinds})"
    waiting = "waiting"  # computed once per row by the subquery below
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
        f"SELECT {selected} FROM (SELECT facts.*, {_waiting(e)} AS waiting "  # noqa: S608 (constants; values are parameters)
        f"FROM {{table}} AS facts WHERE facts.{unit} = {mark('unit')} "
        f"AND facts.received_on IS NOT NULL {fence}) AS unit_facts"
    )
    return statement, {"unit": query.unit, "start": query.start, "end": query.end}


def _waiting(end: str) -> str:
    """Whether one of the row's supplement pauses began by ``end`` and had not ended by then."""
    return (
        "EXISTS (SELECT 1 FROM {pauses} AS pause WHERE pause.dossier_id = facts.dossier_id "  # noqa: S608 (constants; the end is a placeholder)
        f"AND pause.since_on <= {end} AND (pause.until_on IS NULL OR pause.until_on > {end}))"
    )
