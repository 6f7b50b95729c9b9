"""Biểu số II.06a/VPCP/KSTT: columns 3-13 per unit and period, the rates beside them.

The population of a report (column 3) is every dossier of the unit received by
the period's end and not finished before its start. Each one lands in exactly
one of columns 8, 9, 10, 12, 13, so 3 = 7 + 11 holds by construction:

- finished (result issued, stopped or withdrawn) by the end: processed (7),
  classified early / on time / late by the local date it finished against its
  statutory due date (§5.2), except stopped and withdrawn dossiers, which count
  as on time (9) while ``CountingRules`` says so;
- not finished by the end but waiting for a supplement then: on time (9) while
  ``CountingRules.waiting_supplement_on_time``, else in progress;
- otherwise in progress (11): within time (12) if the statutory due date is on
  or after the end, overdue (13) before it.

``report06a`` is the reference computation in Python; the SQL views compute
the same figures with one aggregate query, and the contract tests hold them
to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum

from attrs import frozen

from application.statistics import FactsRow, Finish, day
from domain.dossier_values import Satisfaction
from domain.procedure_spec import Channel
from domain.time_limit import Timeliness, classify


class UnitKind(StrEnum):
    """Which of a dossier's units a report is for; the value is the view's column name."""

    RECEIVING = "receiving_unit"
    COMPETENT = "competent_agency"


class Rounding(StrEnum):
    """How a rate is cut to two decimals of a percent."""

    HALF_UP = "half_up"
    TRUNCATE = "truncate"  # as some published reports print it


@frozen(kw_only=True)
class CountingRules:
    """Which dossiers report 06a counts as processed on time without a result (§5.2)."""

    stopped_on_time: bool = True  # else classified by the date they were stopped
    withdrawn_on_time: bool = True  # else classified by the date they were withdrawn
    waiting_supplement_on_time: bool = True  # else in progress at the period's end

    def classified(self) -> tuple[Finish, ...]:
        """The finishes judged by date against the due date; the others count as on time."""
        return (
            Finish.RESULT,
            *((Finish.STOPPED,) if not self.stopped_on_time else ()),
            *((Finish.WITHDRAWN,) if not self.withdrawn_on_time else ()),
        )


@frozen(kw_only=True)
class ReportQuery:
    """One unit, one period (both days included)."""

    unit: str
    start: date
    end: date
    unit_kind: UnitKind = UnitKind.RECEIVING


@frozen(kw_only=True)
class Report06a:
    """Columns 3-13, and the counts the rates need."""

    received: int  # 3
    received_online: int  # 4
    received_offline: int  # 5: at the counter or by post
    carried_over: int  # 6
    processed: int  # 7
    early: int  # 8
    on_time: int  # 9
    late: int  # 10
    in_progress: int  # 11
    within_time: int  # 12
    overdue: int  # 13
    paid: int = 0  # received in the period and paid
    paid_online: int = 0  # of which online
    returned: int = 0  # results returned in the period
    returned_via_post: int = 0  # of which by post
    very_satisfied: int = 0  # ratings given in the period
    satisfied: int = 0
    not_satisfied: int = 0

    def columns(self) -> dict[int, int]:
        """Columns 3-13 by number, as the form prints them."""
        return dict(
            zip(
                range(3, 14),
                (
                    self.received,
                    self.received_online,
                    self.received_offline,
                    self.carried_over,
                    self.processed,
                    self.early,
                    self.on_time,
                    self.late,
                    self.in_progress,
                    self.within_time,
                    self.overdue,
                ),
                strict=True,
            )
        )


def percent(part: int, whole: int, rounding: Rounding = Rounding.HALF_UP) -> Decimal | None:
    """``part / whole`` in percent to two decimals (``None`` when ``whole`` is 0)."""
    if whole == 0:
        return None
    mode = ROUND_HALF_UP if rounding is Rounding.HALF_UP else ROUND_DOWN
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=mode)


@frozen(kw_only=True)
class Rates:
    """The rates beside report 06a, in percent to two decimals (``None``: nothing to divide)."""

    on_time: Decimal | None  # (8 + 9) / 7
    late: Decimal | None  # 10 / 7
    online: Decimal | None  # 4 / 3, as the issue defines the online share
    online_payment: Decimal | None  # paid online / paid, among dossiers received in the period
    postal: Decimal | None  # returned by post / returned
    satisfaction: dict[Satisfaction, int]

    @classmethod
    def of(cls, report: Report06a, rounding: Rounding = Rounding.HALF_UP) -> Rates:
        """The rates of ``report``, rounded as ``rounding`` says."""
        r = report
        return cls(
            on_time=percent(r.early + r.on_time, r.processed, rounding),
            late=percent(r.late, r.processed, rounding),
            online=percent(r.received_online, r.received, rounding),
            online_payment=percent(r.paid_online, r.paid, rounding),
            postal=percent(r.returned_via_post, r.returned, rounding),
            satisfaction={
                Satisfaction.VERY_SATISFIED: r.very_satisfied,
                Satisfaction.SATISFIED: r.satisfied,
                Satisfaction.NOT_SATISFIED: r.not_satisfied,
            },
        )


class Bucket(StrEnum):
    """Where a counted dossier lands: one of columns 8, 9, 10, 12, 13."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"
    WITHIN_TIME = "within_time"
    OVERDUE = "overdue"


TIMELINESS = {
    Timeliness.EARLY: Bucket.EARLY,
    Timeliness.ON_TIME: Bucket.ON_TIME,
    Timeliness.LATE: Bucket.LATE,
}


def counted(row: FactsRow, query: ReportQuery) -> bool:
    """Whether the row is in column 3: received by the end, not finished before the start."""
    received, finished = row.received_on, row.finished_on
    if received is None or received > query.end:
        return False
    return finished is None or finished >= query.start


def bucket(row: FactsRow, query: ReportQuery, rules: CountingRules) -> Bucket:
    """The column a counted row lands in."""
    due = row.statutory_due_date
    if due is None:  # pragma: no cover (Received always decides one)
        raise ValueError(f"dossier {row.dossier_id} was received without a due date")
    finished, finished_on = row.finished_at, row.finished_on
    if finished is not None and finished_on is not None and finished_on <= query.end:
        if row.finish in rules.classified():
            return TIMELINESS[classify(finished, due)]
        return Bucket.ON_TIME
    if rules.waiting_supplement_on_time and row.waiting_for_supplement_on(query.end):
        return Bucket.ON_TIME
    return Bucket.WITHIN_TIME if due >= query.end else Bucket.OVERDUE


def _in(moment: date | None, query: ReportQuery) -> bool:
    return moment is not None and query.start <= moment <= query.end


def report06a(
    rows: Iterable[FactsRow], query: ReportQuery, rules: CountingRules | None = None
) -> Report06a:
    """Report 06a over ``rows`` (any units: the query's unit is picked out here)."""
    rules = rules or CountingRules()
    mine = [row for row in rows if getattr(row, query.unit_kind.value) == query.unit]
    population = [row for row in mine if counted(row, query)]
    fresh = [row for row in population if _in(row.received_on, query)]
    buckets = [bucket(row, query, rules) for row in population]
    done = (Bucket.EARLY, Bucket.ON_TIME, Bucket.LATE)
    back = [r for r in mine if r.received_at is not None and _in(day(r.returned_at), query)]
    rated = [r for r in mine if r.received_at is not None and _in(day(r.rated_at), query)]
    return Report06a(
        received=len(population),
        received_online=sum(row.channel is Channel.ONLINE for row in fresh),
        received_offline=sum(row.channel is not Channel.ONLINE for row in fresh),
        carried_over=len(population) - len(fresh),
        processed=sum(b in done for b in buckets),
        early=buckets.count(Bucket.EARLY),
        on_time=buckets.count(Bucket.ON_TIME),
        late=buckets.count(Bucket.LATE),
        in_progress=sum(b not in done for b in buckets),
        within_time=buckets.count(Bucket.WITHIN_TIME),
        overdue=buckets.count(Bucket.OVERDUE),
        paid=sum(row.paid for row in fresh),
        paid_online=sum(row.paid_online for row in fresh),
        returned=len(back),
        returned_via_post=sum(row.returned_via_post for row in back),
        very_satisfied=sum(row.satisfaction is Satisfaction.VERY_SATISFIED for row in rated),
        satisfied=sum(row.satisfaction is Satisfaction.SATISFIED for row in rated),
        not_satisfied=sum(row.satisfaction is Satisfaction.NOT_SATISFIED for row in rated),
    )
