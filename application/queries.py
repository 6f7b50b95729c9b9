"""Queries the application answers: attrs value objects built at the edge, never persisted."""

from __future__ import annotations

from datetime import date, datetime, time

from attrs import frozen

from domain.deadline import DEFAULT_SAME_DAY_CUTOFF
from domain.procedure_spec import Level
from domain.time_limit import TimeLimit
from domain.values import AgencyCode


@frozen(kw_only=True)
class ComputeDeadline:
    """Tính hạn: the deadline of a dossier received now under a limit, at an agency."""

    received_at: datetime
    limit: TimeLimit
    agency: AgencyCode | None = None
    same_day_cutoff: time = DEFAULT_SAME_DAY_CUTOFF


@frozen(kw_only=True)
class ListDays:
    """Danh sách ngày: each day from ``start`` to ``end`` with its kind, at an agency."""

    start: date
    end: date
    agency: AgencyCode | None = None


@frozen(kw_only=True)
class ListProcedures:
    """Danh sách thủ tục: filtered, searched, one page after ``after`` (a local code)."""

    agency: AgencyCode | None = None
    sector: str | None = None
    level: Level | None = None
    text: str | None = None
    in_force_on: date | None = None
    after: str | None = None
    limit: int = 50
