"""Report 06a against two provincial reports, each history generated through the application."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from attrs import evolve

from adapters.views.memory_facts import InMemoryFactsView
from application.onestop import OneStop
from application.report06a import CountingRules, Rates, Report06a, ReportQuery, Rounding, UnitKind
from application.statistics_projector import FactsProjector
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from domain.dossier_values import Delivery
from domain.values import AgencyCode
from tests.dossier_fixtures import Desk, at, spec, submission

LAND = AgencyCode("000.01.41.H56")  # văn phòng đăng ký đất đai
JUSTICE = AgencyCode("000.01.42.H56")  # sở tư pháp
MARCH = (date(2025, 3, 1), date(2025, 3, 31))

pytestmark = pytest.mark.slow  # about 17 s to generate 20,016 dossiers, 5 s to project: > 20 s


class Province:
    """A desk receiving for the land office and the justice department."""

    def __init__(self, policy: CalendarPolicy) -> None:
        procedure = evolve(spec(), agencies=[LAND, JUSTICE])
        self.desk = Desk(OneStop(), policy, procedure=procedure, start=at(2025, 3, 3, 8))
        self.procedure = procedure
        self.view = InMemoryFactsView()

    def receive(self, agency: AgencyCode, count: int, *, online: int = 0) -> list[Dossier]:
        """``count`` dossiers for ``agency``, the first ``online`` of them submitted online."""
        desk = self.desk
        counter = evolve(submission(procedure=self.procedure), competent_agency=agency)
        portal = evolve(counter, delivery=Delivery.ONLINE)
        received = [desk.accept(desk.submit_online(submission=portal)) for _ in range(online)]
        return received + [desk.receive(submission=counter) for _ in range(count - online)]

    def resolve(self, dossiers: list[Dossier], day: int, hour: int = 10) -> None:
        """Issue the results of ``dossiers`` on that March day."""
        self.desk.clock.set(at(2025, 3, day, hour))
        for dossier in dossiers:
            self.desk.issue_result(dossier)

    def report(self, agency: AgencyCode, rules: CountingRules | None = None) -> Report06a:
        """Report 06a for March, for the competent agency, once the view has caught up."""
        FactsProjector(self.desk.app, self.view).catch_up(batch_size=5000)
        query = ReportQuery(
            unit=str(agency), start=MARCH[0], end=MARCH[1], unit_kind=UnitKind.COMPETENT
        )
        return self.view.report06a(query, rules or CountingRules())


@pytest.fixture(scope="module")
def province(policy: CalendarPolicy) -> Province:
    """March 2025: 11,423 land dossiers and 8,593 justice dossiers, through real commands."""
    province = Province(policy)
    land = province.receive(LAND, 11_263, online=100)
    justice = province.receive(JUSTICE, 8_272)
    assert {d.statutory_due_date for d in land + justice} == {date(2025, 3, 17)}
    province.resolve(land[:8_000] + justice[:8_000], day=5)
    province.resolve(land[8_000:8_037] + justice[8_000:], day=17, hour=16)  # the day due
    province.resolve(land[8_037:8_263], day=25)
    province.receive(LAND, 160)
    province.receive(JUSTICE, 321)
    return province


def test_the_land_office_columns_come_out_exactly(province: Province) -> None:
    """11,423 received; 8,263 resolved (8,037 early or on time, 226 late); 3,160 in progress."""
    columns = province.report(LAND).columns()
    assert columns == {
        3: 11_423, 4: 100, 5: 11_323, 6: 0,
        7: 8_263, 8: 8_000, 9: 37, 10: 226,
        11: 3_160, 12: 160, 13: 3_000,
    }  # fmt: skip
    assert columns[3] == columns[7] + columns[11]


def test_the_justice_department_columns_come_out_exactly(province: Province) -> None:
    """8,593 received; 8,272 resolved on time or early; 321 in progress; none late."""
    columns = province.report(JUSTICE).columns()
    assert columns == {
        3: 8_593, 4: 0, 5: 8_593, 6: 0,
        7: 8_272, 8: 8_000, 9: 272, 10: 0,
        11: 321, 12: 321, 13: 0,
    }  # fmt: skip
    assert columns[3] == columns[7] + columns[11]


def test_the_land_office_on_time_rate_is_97_26_either_way(province: Province) -> None:
    """8,037 / 8,263 = 97.2649…%, shown as 97.26 under both rounding rules."""
    report = province.report(LAND)
    for rounding in Rounding:
        assert Rates.of(report, rounding).on_time == Decimal("97.26")


@pytest.mark.parametrize(
    ("rounding", "shown"), [(Rounding.HALF_UP, "2.74"), (Rounding.TRUNCATE, "2.73")]
)
def test_the_land_office_late_rate_follows_the_rounding_rule(
    province: Province, rounding: Rounding, shown: str
) -> None:
    """226 / 8,263 = 2.735…%: 2.74 half-up (the default), 2.73 truncated as once published."""
    report = province.report(LAND)
    assert Rates.of(report, rounding).late == Decimal(shown)
    if rounding is Rounding.HALF_UP:
        assert Rates.of(report).late == Decimal(shown)


def test_the_justice_department_is_never_late(province: Province) -> None:
    """Its on-time rate is 100.00 and its late rate 0.00; its online share is 0.00."""
    rates = Rates.of(province.report(JUSTICE))
    assert (rates.on_time, rates.late, rates.online) == (
        Decimal("100.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )


@pytest.mark.parametrize(
    ("rounding", "shown"), [(Rounding.HALF_UP, "0.88"), (Rounding.TRUNCATE, "0.87")]
)
def test_the_online_share_is_column_4_over_column_3(
    province: Province, rounding: Rounding, shown: str
) -> None:
    """100 online of 11,423 received: 0.875…%, rounded as the rule says."""
    assert Rates.of(province.report(LAND), rounding).online == Decimal(shown)
