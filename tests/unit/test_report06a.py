"""Report 06a's pure computation: counting rules, rounding, and 3 = 7 + 11 over random rows."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from application.report06a import CountingRules, ReportQuery, Rounding, percent, report06a
from application.statistics import Closing, FactsRow, SupplementPause
from domain.procedure_spec import Channel
from tests.dossier_fixtures import at

UNIT = "000.00.12.H56"
MARCH = ReportQuery(unit=UNIT, start=date(2025, 3, 1), end=date(2025, 3, 31))
OFF = CountingRules(
    stopped_on_time=False, withdrawn_on_time=False, waiting_supplement_on_time=False
)


def row(
    received: datetime, due: date, channel: Channel = Channel.COUNTER, **fields: object
) -> FactsRow:
    """A dossier of the unit received at ``received``, due on ``due``."""
    return FactsRow(
        dossier_id=uuid.uuid4(),
        receiving_unit=UNIT,
        competent_agency="000.01.40.H56",
        channel=channel,
        version=2,
        received_at=received,
        statutory_due_date=due,
        **fields,  # type: ignore[arg-type]  # test rows
    )


def test_stopped_and_withdrawn_count_as_on_time_by_default_and_by_date_when_told() -> None:
    """A dossier stopped early is on time (9) by default and early (8) with the rule off."""
    stopped = row(
        at(2025, 3, 3), date(2025, 3, 17), closed_at=at(2025, 3, 5), closing=Closing.STOPPED
    )
    withdrawn = row(
        at(2025, 3, 3), date(2025, 3, 17), closed_at=at(2025, 3, 20), closing=Closing.WITHDRAWN
    )
    default = report06a([stopped, withdrawn], MARCH)
    assert (default.early, default.on_time, default.late) == (0, 2, 0)
    strict = report06a([stopped, withdrawn], MARCH, OFF)
    assert (strict.early, strict.on_time, strict.late) == (1, 0, 1)


def test_waiting_for_a_supplement_at_the_end_counts_as_on_time_unless_told() -> None:
    """An open supplement pause at the period's end is on time (9) or in progress overdue (13)."""
    waiting = row(
        at(2025, 3, 3),
        date(2025, 3, 17),
        supplement_pauses=(SupplementPause(since=at(2025, 3, 10)),),
    )
    default = report06a([waiting], MARCH)
    assert (default.processed, default.on_time, default.in_progress) == (1, 1, 0)
    strict = report06a([waiting], MARCH, OFF)
    assert (strict.processed, strict.in_progress, strict.overdue) == (0, 1, 1)


def test_a_pause_closed_after_the_end_still_counts_as_waiting_then() -> None:
    """A supplement pause from 25 March to 2 April means the dossier was waiting on 31 March."""
    resumed = row(
        at(2025, 3, 3),
        date(2025, 5, 5),
        supplement_pauses=(SupplementPause(since=at(2025, 3, 25), until=at(2025, 4, 2)),),
    )
    assert report06a([resumed], MARCH).on_time == 1
    april = ReportQuery(unit=UNIT, start=date(2025, 4, 1), end=date(2025, 4, 30))
    assert report06a([resumed], april).within_time == 1


def test_a_period_ending_inside_an_earlier_pause_counts_the_dossier_as_waiting() -> None:
    """Paused 5-12 and 17-24 March: on time (waiting) inside either pause, in progress outside."""
    twice = row(
        at(2025, 3, 3),
        date(2025, 5, 5),
        supplement_pauses=(
            SupplementPause(since=at(2025, 3, 5), until=at(2025, 3, 12)),
            SupplementPause(since=at(2025, 3, 17), until=at(2025, 3, 24)),
        ),
    )
    waiting = {5: True, 7: True, 12: False, 14: False, 17: True, 19: True, 24: False, 26: False}
    for end, waited in waiting.items():
        query = ReportQuery(unit=UNIT, start=date(2025, 3, 1), end=date(2025, 3, end))
        report = report06a([twice], query)
        assert (report.on_time, report.within_time) == ((1, 0) if waited else (0, 1)), end


def test_completion_is_judged_by_local_date_not_hour() -> None:
    """A result at 23:30 on the due date is on time; the next morning it is late."""
    on_time = row(at(2025, 3, 3), date(2025, 3, 17), completed_at=at(2025, 3, 17, 23, 30))
    late = row(at(2025, 3, 3), date(2025, 3, 17), completed_at=at(2025, 3, 18, 0, 5))
    report = report06a([on_time, late], MARCH)
    assert (report.on_time, report.late) == (1, 1)


def test_the_carried_over_column_takes_earlier_dossiers_still_open() -> None:
    """Received in February and open on 1 March: column 6; finished in February: absent."""
    carried = row(at(2025, 2, 10), date(2025, 2, 24))
    done = row(at(2025, 2, 10), date(2025, 2, 24), completed_at=at(2025, 2, 28))
    report = report06a([carried, done], MARCH)
    assert (report.received, report.carried_over, report.overdue) == (1, 1, 1)


def test_percent_rounds_half_up_by_default_and_truncates_when_told() -> None:
    """226 / 8,263 is 2.74% half-up and 2.73% truncated; nothing over nothing is no rate."""
    assert percent(226, 8_263) == Decimal("2.74")
    assert percent(226, 8_263, Rounding.TRUNCATE) == Decimal("2.73")
    assert percent(1, 8, Rounding.HALF_UP) == Decimal("12.50")
    assert percent(0, 0) is None


DAYS = st.integers(min_value=0, max_value=120).map(lambda n: at(2025, 1, 15) + timedelta(days=n))


@st.composite
def rows(draw: st.DrawFn) -> FactsRow:
    """A random dossier between mid-January and mid-May 2025."""
    received = draw(DAYS)
    due = (received + timedelta(days=draw(st.integers(0, 30)))).date()
    after = st.integers(0, 60).map(lambda n: received + timedelta(days=n))
    ending = draw(st.sampled_from(["open", "result", "stopped", "withdrawn"]))
    fields: dict[str, object] = {}
    if ending == "result":
        fields["completed_at"] = draw(after)
    elif ending != "open":
        fields |= {"closed_at": draw(after), "closing": Closing(ending)}
    pauses = [
        SupplementPause(since=start, until=start + timedelta(days=3))
        for start in sorted(draw(st.lists(after, max_size=3)))
    ]
    if draw(st.booleans()):
        pauses.append(SupplementPause(since=draw(after)))
    fields["supplement_pauses"] = tuple(pauses)
    return row(received, due, draw(st.sampled_from(list(Channel))), **fields)


@given(
    st.lists(rows(), max_size=40),
    st.tuples(DAYS, st.integers(0, 90)),
    st.tuples(st.booleans(), st.booleans(), st.booleans()),
)
def test_received_equals_processed_plus_in_progress(
    facts: list[FactsRow], period: tuple[datetime, int], flags: tuple[bool, bool, bool]
) -> None:
    """For any rows, period and rules: 3 = 4 + 5 + 6 = 7 + 11, 7 = 8 + 9 + 10, 11 = 12 + 13."""
    start = period[0].date()
    query = ReportQuery(unit=UNIT, start=start, end=start + timedelta(days=period[1]))
    rules = CountingRules(
        stopped_on_time=flags[0], withdrawn_on_time=flags[1], waiting_supplement_on_time=flags[2]
    )
    c = report06a(facts, query, rules).columns()
    assert c[3] == c[4] + c[5] + c[6] == c[7] + c[11]
    assert c[7] == c[8] + c[9] + c[10]
    assert c[11] == c[12] + c[13]
