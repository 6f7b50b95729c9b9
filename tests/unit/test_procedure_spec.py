"""The content of a procedure: its value objects, their converters and the catalog invariants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given

from domain.errors import InvalidProcedureError, InvalidValueError
from domain.procedure_spec import (
    Case,
    Channel,
    ChannelTerms,
    Collection,
    Fee,
    FeeKind,
    Form,
    LegalBasis,
    Level,
    OnlineLevel,
    Partner,
    ProcedureSpec,
    ProcessStep,
    PublicationDecision,
    RequiredDocument,
    ResultDocument,
    Sector,
)
from domain.time_limit import ClockPolicy, TimeLimit, TimeUnit
from domain.values import AgencyCode, LocalCode, NationalCode
from tests.procedure_strategies import cases, procedure_specs

NATIONAL = NationalCode("2.000505")
LOCAL = LocalCode("2.000505.000.00.00.H56")
SO_TU_PHAP = AgencyCode("000.00.12.H56")


def step(hours: Decimal | int | str, name: str = "Thẩm định") -> ProcessStep:
    """A step of ``hours`` working hours."""
    return ProcessStep(name=name, responsible="Phòng Hành chính tư pháp", hours=hours)


def terms(limit: TimeLimit, channel: Channel = Channel.COUNTER) -> ChannelTerms:
    """A channel with ``limit`` and no fees."""
    return ChannelTerms(channel=channel, limit=limit)


def a_case(name: str = "", *channels: ChannelTerms, steps: tuple[ProcessStep, ...] = ()) -> Case:
    """A case with ``channels`` (ten working days at the counter when none are given)."""
    return Case(
        name=name,
        channels=channels or (terms(TimeLimit.working_days(10)),),
        documents=(
            RequiredDocument(
                code="GT1", name="Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", form=Form.ORIGINAL
            ),
        ),
        results=(ResultDocument(code="KQ1", name="Phiếu lý lịch tư pháp"),),
        steps=steps,
    )


def a_spec(**changes: Any) -> ProcedureSpec:
    """Cấp Phiếu lý lịch tư pháp at the Sở Tư pháp, ten working days, unless changed."""
    fields: dict[str, Any] = {
        "national_code": NATIONAL,
        "local_code": LOCAL,
        "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "sector": Sector(code="LLTP", name="Lý lịch tư pháp"),
        "agencies": (SO_TU_PHAP,),
        "levels": (Level.PROVINCE,),
        "cases": (a_case(),),
    }
    return ProcedureSpec(**{**fields, **changes})


# ---------------------------------------------------------------- converters


def test_lists_become_tuples() -> None:
    """Every collection given as a list is stored as a tuple, so specs stay hashable values."""
    fee = Fee(
        code="LP1", name="Phí", amount=200_000, kind=FeeKind.FEE, collected=Collection.ON_RETURN
    )
    case = Case(
        name="",
        channels=[
            ChannelTerms(channel=Channel.COUNTER, limit=TimeLimit.working_days(10), fees=[fee])
        ],
        documents=[RequiredDocument(code="GT1", name="Tờ khai", form=Form.ORIGINAL)],
        results=[ResultDocument(code="KQ1", name="Phiếu")],
        steps=[step(4)],
    )
    spec = a_spec(
        agencies=[SO_TU_PHAP],
        levels=["province"],
        cases=[case],
        partners=[Partner(agency=AgencyCode("000.00.15.H56"), name="Công an tỉnh", hours=16)],
        legal_basis=[LegalBasis(number="28/2009/QH12", title="Luật Lý lịch tư pháp")],
    )
    assert case.channels == (case.channels[0],)
    assert case.channels[0].fees == (fee,)
    assert isinstance(case.documents, tuple)
    assert isinstance(case.results, tuple)
    assert isinstance(case.steps, tuple)
    assert spec.agencies == (SO_TU_PHAP,)
    assert spec.cases == (case,)
    assert isinstance(spec.partners, tuple)
    assert isinstance(spec.legal_basis, tuple)
    hash(spec)


def test_strings_become_enums() -> None:
    """Channels, units, kinds, forms, levels and policies given as strings become their enums."""
    fee = Fee(code="", name="Lệ phí", amount=0, kind="charge", collected="exempt")
    channel = ChannelTerms(channel="online", limit=TimeLimit("working_hours", 4))
    document = RequiredDocument(code="", name="Bản sao", form="copy")
    spec = a_spec(levels=["commune", "province"], online_level="full", supplement_policy="restart")
    assert fee.kind is FeeKind.CHARGE
    assert fee.collected is Collection.EXEMPT
    assert channel.channel is Channel.ONLINE
    assert channel.limit.unit is TimeUnit.WORKING_HOURS
    assert document.form is Form.COPY
    assert spec.levels == (Level.COMMUNE, Level.PROVINCE)
    assert all(type(level) is Level for level in spec.levels)
    assert spec.online_level is OnlineLevel.FULL
    assert spec.supplement_policy is ClockPolicy.RESTART


def test_hours_become_decimals() -> None:
    """Step and partner hours given as int or str are stored as Decimal."""
    assert step(4).hours == Decimal(4)
    assert isinstance(step(4).hours, Decimal)
    assert step("2.5").hours == Decimal("2.5")
    assert Partner(agency=SO_TU_PHAP, name="Sở Tư pháp", hours="1.5").hours == Decimal("1.5")


def test_spec_defaults() -> None:
    """Without them, a spec is not online, allows post, cuts off at 15:00 and pauses the clock."""
    spec = a_spec()
    assert spec.online_level is OnlineLevel.NONE
    assert spec.postal_allowed is True
    assert spec.same_day_cutoff == time(15)
    assert spec.supplement_policy is ClockPolicy.PAUSE
    assert spec.partners == ()
    assert spec.legal_basis == ()
    assert spec.statutory_limit is None
    assert RequiredDocument(code="", name="Tờ khai", form=Form.ORIGINAL).count == 1


# ---------------------------------------------------------------- codes


@pytest.mark.parametrize("value", ["2.000815", "1.000000", "9.999999"])
def test_national_codes_accept_d_dot_six_digits(value: str) -> None:
    """A national code is one digit, a dot and six digits."""
    assert NationalCode(value).value == value
    assert str(NationalCode(value)) == value


@pytest.mark.parametrize(
    "value",
    ["2.000815.000.00.00.H56", "2.000815.H56", "1.004227.000.00.12.A01"],
)
def test_local_codes_accept_both_forms(value: str) -> None:
    """A local code is the national code then .LLL.LL.LL.Xnn, or just .Xnn."""
    assert LocalCode(value).value == value
    assert str(LocalCode(value)) == value


@pytest.mark.parametrize("value", ["000.00.12.H56", "123.45.67.Z99"])
def test_agency_codes_accept_qcvn_102_form(value: str) -> None:
    """An agency identifier has the form LLL.LL.LL.Xnn."""
    assert AgencyCode(value).value == value
    assert str(AgencyCode(value)) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "2000815",
        "2.00081",
        "2.0008155",
        "12.000815",
        "2,000815",
        " 2.000815",
        "2.000815\n",
        "a.000815",
    ],
)
def test_bad_national_codes_are_refused(value: str) -> None:
    """Anything but d.dddddd is refused with InvalidValueError naming the field and value."""
    with pytest.raises(InvalidValueError) as raised:
        NationalCode(value)
    assert raised.value.field == "national_code"
    assert raised.value.value == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "2.000815",
        "2.000815.h56",
        "2.000815.H5",
        "2.000815.H567",
        "2.000815.00.00.00.H56",
        "2.000815.000.00.00",
        "2.000815.000.00.H56",
        "2.000815.Đ56",
        "2.000815.H56 ",
    ],
)
def test_bad_local_codes_are_refused(value: str) -> None:
    """A local code in neither form is refused with InvalidValueError naming the field."""
    with pytest.raises(InvalidValueError) as raised:
        LocalCode(value)
    assert raised.value.field == "local_code"
    assert raised.value.value == value


@pytest.mark.parametrize(
    "value",
    ["", "000.00.12", "00.00.12.H56", "000.0.12.H56", "000.00.12.h56", "000.00.12.H5", "H56"],
)
def test_bad_agency_codes_are_refused(value: str) -> None:
    """An agency identifier not of the form LLL.LL.LL.Xnn is refused with InvalidValueError."""
    with pytest.raises(InvalidValueError) as raised:
        AgencyCode(value)
    assert raised.value.field == "agency_code"


@pytest.mark.parametrize(
    ("cls", "value"),
    [
        pytest.param(NationalCode, "\uff12.\uff10\uff10\uff10\uff18\uff11\uff15", id="fullwidth"),
        pytest.param(
            NationalCode, "\u0662.\u0660\u0660\u0660\u0668\u0661\u0665", id="arabic-indic"
        ),
        pytest.param(LocalCode, "2.000815.\u0966\u0966\u0966.00.00.H56", id="devanagari"),
        pytest.param(AgencyCode, "000.00.\uff11\uff12.H56", id="fullwidth-agency"),
    ],
)
def test_codes_refuse_non_ascii_digits(cls: type[object], value: str) -> None:
    """Codes are made of ASCII digits: look-alike Unicode digits are refused, not stored."""
    with pytest.raises(InvalidValueError):
        cls(value)  # type: ignore[call-arg]


# ---------------------------------------------------------------- value-object rules


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "\u3000"])
def test_names_must_not_be_blank(name: str) -> None:
    """A blank name, title or signer is refused under the rule text_required."""
    refusals: list[Callable[[], object]] = [
        lambda: Fee(code="", name=name, amount=0, kind=FeeKind.FEE, collected=Collection.EXEMPT),
        lambda: RequiredDocument(code="", name=name, form=Form.COPY),
        lambda: ResultDocument(code="", name=name),
        lambda: step(1, name=name),
        lambda: Sector(code="HT", name=name),
        lambda: Sector(code=name, name="Hộ tịch"),
        lambda: Partner(agency=SO_TU_PHAP, name=name, hours=1),
        lambda: LegalBasis(number=name, title=""),
        lambda: a_spec(name=name),
        lambda: PublicationDecision(
            number="1/QĐ-UBND",
            signed_on=date(2025, 6, 25),
            signer=name,
            effective=date(2025, 7, 1),
            issuing_agency=SO_TU_PHAP,
        ),
    ]
    for refuse in refusals:
        with pytest.raises(InvalidProcedureError) as raised:
            refuse()
        assert raised.value.rule == "text_required"


@pytest.mark.parametrize("amount", [-1, -200_000, True])
def test_fee_amounts_must_be_non_negative_integers(amount: int) -> None:
    """A negative (or boolean) fee amount is refused under not_negative, with the value."""
    with pytest.raises(InvalidProcedureError) as raised:
        Fee(code="", name="Phí", amount=amount, kind=FeeKind.FEE, collected=Collection.AT_RECEPTION)
    assert raised.value.rule == "not_negative"
    assert raised.value.data == {"value": str(amount)}


def test_a_free_procedure_has_amount_zero() -> None:
    """An amount of zero is allowed (miễn lệ phí)."""
    fee = Fee(
        code="", name="Miễn lệ phí", amount=0, kind=FeeKind.CHARGE, collected=Collection.EXEMPT
    )
    assert fee.amount == 0


@pytest.mark.parametrize("hours", ["-1", "-0.1", "NaN", "Infinity", "-Infinity"])
def test_step_hours_must_be_finite_and_non_negative(hours: str) -> None:
    """Negative or non-finite hours of a step or a partner are refused under not_negative."""
    with pytest.raises(InvalidProcedureError) as raised:
        step(hours)
    assert raised.value.rule == "not_negative"
    assert raised.value.data == {"value": str(Decimal(hours))}
    with pytest.raises(InvalidProcedureError) as raised:
        Partner(agency=SO_TU_PHAP, name="Công an tỉnh", hours=hours)
    assert raised.value.rule == "not_negative"


def test_zero_hours_are_allowed() -> None:
    """A step allotted no hours (done at once) is valid."""
    assert step(0).hours == 0


@pytest.mark.parametrize("count", [0, -1])
def test_required_documents_need_a_count_of_at_least_one(count: int) -> None:
    """A required document with a count below 1 is refused under document_count."""
    with pytest.raises(InvalidProcedureError) as raised:
        RequiredDocument(code="GT1", name="Tờ khai", form=Form.ORIGINAL, count=count)
    assert raised.value.rule == "document_count"


def test_a_case_needs_at_least_one_channel() -> None:
    """A case without any channel is refused under the rule channels."""
    with pytest.raises(InvalidProcedureError) as raised:
        Case(name="Đúng hạn", channels=())
    assert raised.value.rule == "channels"


def test_a_case_offers_each_channel_once() -> None:
    """The same channel twice in one case is refused under the rule channels."""
    with pytest.raises(InvalidProcedureError) as raised:
        a_case("", terms(TimeLimit.working_days(10)), terms(TimeLimit.working_days(5)))
    assert raised.value.rule == "channels"


def test_step_allotments_within_limit_is_enforced() -> None:
    """Steps allotting more working hours than a channel's limit are refused, with the figures."""
    with pytest.raises(InvalidProcedureError) as raised:
        a_case(
            "Quá hạn",
            terms(TimeLimit.working_days(10), Channel.COUNTER),
            terms(TimeLimit.working_days(2), Channel.ONLINE),
            steps=(step(4), step("12.5")),
        )
    assert raised.value.rule == "step_allotments_within_limit"
    assert raised.value.data == {
        "case": "Quá hạn",
        "channel": "online",
        "allotted_hours": "16.5",
        "limit_hours": 16,
    }


@pytest.mark.parametrize(
    ("limit", "hours"),
    [
        (TimeLimit.working_days(2), 16),
        (TimeLimit.working_hours(4), 4),
        (TimeLimit.calendar_days(3), 24),
        (TimeLimit.same_day(), 8),
    ],
)
def test_steps_may_fill_the_limit_exactly(limit: TimeLimit, hours: int) -> None:
    """Steps summing to exactly the limit's ceiling in hours are accepted; one tenth more is not."""
    case = a_case("", terms(limit), steps=(step(hours - 1), step(1)))
    assert sum(s.hours for s in case.steps) == limit.ceiling_hours
    with pytest.raises(InvalidProcedureError) as raised:
        a_case("", terms(limit), steps=(step(hours - 1), step("1.1")))
    assert raised.value.rule == "step_allotments_within_limit"


@given(case=cases())
def test_generated_cases_keep_steps_within_every_channel(case: Case) -> None:
    """Generated cases have unique channels and allot no more than any channel's ceiling."""
    allotted = sum((s.hours for s in case.steps), Decimal(0))
    assert all(allotted <= t.limit.ceiling_hours for t in case.channels)
    assert len({t.channel for t in case.channels}) == len(case.channels)


def test_local_code_extends_national_code() -> None:
    """A local code that does not start with the national code is refused, naming both."""
    with pytest.raises(InvalidProcedureError) as raised:
        a_spec(local_code=LocalCode("2.000815.000.00.00.H56"))
    assert raised.value.rule == "local_code_extends_national_code"
    assert raised.value.data == {
        "national_code": "2.000505",
        "local_code": "2.000815.000.00.00.H56",
    }


def test_local_code_in_short_form_extends_national_code() -> None:
    """The short form d.dddddd.Xnn extends its national code too."""
    assert a_spec(local_code=LocalCode("2.000505.H56")).local_code.value == "2.000505.H56"


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("agencies", (), "agencies"),
        ("agencies", (SO_TU_PHAP, AgencyCode("000.00.12.H56")), "agencies"),
        ("levels", (), "levels"),
        ("levels", (Level.PROVINCE, "province"), "levels"),
        ("cases", (), "cases"),
        ("cases", (a_case("Đúng hạn"), a_case("Đúng hạn")), "cases"),
    ],
)
def test_agencies_levels_and_cases_are_at_least_one_each_once(
    field: str, value: tuple[object, ...], rule: str
) -> None:
    """Empty or repeated agencies, levels or case names are refused under their own rule."""
    with pytest.raises(InvalidProcedureError) as raised:
        a_spec(**{field: value})
    assert raised.value.rule == rule


def test_cases_are_unique_by_name_not_content() -> None:
    """Two cases with the same name but different channels are still refused."""
    other = a_case("Đúng hạn", terms(TimeLimit.working_days(3)))
    with pytest.raises(InvalidProcedureError) as raised:
        a_spec(cases=(a_case("Đúng hạn"), other))
    assert raised.value.rule == "cases"


def test_cut_limit_within_statutory_value() -> None:
    """A channel limit longer than the statutory limit is refused, with both limits."""
    with pytest.raises(InvalidProcedureError) as raised:
        a_spec(statutory_limit=TimeLimit.working_days(9))
    assert raised.value.rule == "cut_limit_within_statutory"
    assert raised.value.data == {
        "channel": "counter",
        "limit": "10 working_days",
        "statutory_limit": "9 working_days",
    }


def test_cut_limit_within_statutory_unit() -> None:
    """A channel limit in another unit than the statutory limit is refused, even if shorter."""
    with pytest.raises(InvalidProcedureError) as raised:
        a_spec(
            cases=(a_case("", terms(TimeLimit.working_hours(8))),),
            statutory_limit=TimeLimit.working_days(15),
        )
    assert raised.value.rule == "cut_limit_within_statutory"
    assert raised.value.data["limit"] == "8 working_hours"


def test_cut_limit_is_checked_in_every_case() -> None:
    """The statutory limit bounds the channels of every case, not only the first."""
    second = a_case("Quá hạn", terms(TimeLimit.working_days(20), Channel.POSTAL))
    with pytest.raises(InvalidProcedureError) as raised:
        a_spec(cases=(a_case("Đúng hạn"), second), statutory_limit=TimeLimit.working_days(15))
    assert raised.value.rule == "cut_limit_within_statutory"
    assert raised.value.data["channel"] == "postal"


def test_cut_limit_equal_to_statutory_is_allowed() -> None:
    """A channel limit equal to the statutory limit is a cut of zero."""
    spec = a_spec(statutory_limit=TimeLimit.working_days(10))
    assert spec.cut_percent == 0


def test_cut_percent_measures_the_longest_channel() -> None:
    """Statutory fifteen working days, channels ten and five: a cut of 33.3 per cent."""
    case = a_case(
        "",
        terms(TimeLimit.working_days(10), Channel.COUNTER),
        terms(TimeLimit.working_days(5), Channel.ONLINE),
    )
    spec = a_spec(cases=(case,), statutory_limit=TimeLimit.working_days(15))
    assert spec.cut_percent == Decimal("33.3")


def test_a_cut_that_leaves_some_time_never_shows_as_100_per_cent() -> None:
    """One working hour left of 2,000 is a cut of 99.95 per cent: shown 99.9, not 100.0."""
    case = a_case("", terms(TimeLimit(TimeUnit.WORKING_HOURS, 1)))
    statutory = TimeLimit(TimeUnit.WORKING_HOURS, 2000)
    assert a_spec(cases=(case,), statutory_limit=statutory).cut_percent == Decimal("99.9")


@pytest.mark.parametrize("statutory", [None, TimeLimit.same_day()])
def test_cut_percent_is_zero_without_a_statutory_amount(statutory: TimeLimit | None) -> None:
    """No statutory limit, or a same-day one, gives a cut of zero."""
    case = a_case("", terms(TimeLimit.same_day()))
    assert a_spec(cases=(case,), statutory_limit=statutory).cut_percent == 0


@given(spec=procedure_specs())
def test_generated_specs_respect_the_statutory_limit(spec: ProcedureSpec) -> None:
    """Generated specs keep every channel within the statutory limit, and cut 0 to 100 per cent."""
    statutory = spec.statutory_limit
    if statutory is not None:
        assert all(t.limit.unit is statutory.unit for t in spec.channel_terms)
        assert all(t.limit.value <= statutory.value for t in spec.channel_terms)
    assert Decimal(0) <= spec.cut_percent < 100
    assert Level.DISTRICT not in spec.levels
    assert attrs.evolve(spec) == spec


def test_channel_terms_span_every_case() -> None:
    """channel_terms lists each case's channels, case by case."""
    first = terms(TimeLimit.working_days(10))
    second = terms(TimeLimit.working_days(3), Channel.ONLINE)
    spec = a_spec(cases=(a_case("Đúng hạn", first), a_case("Quá hạn", second)))
    assert spec.channel_terms == (first, second)


def test_case_by_name_or_first() -> None:
    """case(name) finds the case by name; case() is the first case."""
    on_time, late = a_case("Đúng hạn"), a_case("Quá hạn", terms(TimeLimit.working_days(3)))
    spec = a_spec(cases=(on_time, late))
    assert spec.case() is on_time
    assert spec.case("Quá hạn") is late
    assert spec.case("Đúng hạn") is on_time


def test_unknown_case_is_refused() -> None:
    """Asking for a case the spec does not have raises under the rule unknown_case."""
    spec = a_spec(cases=(a_case("Đúng hạn"),))
    with pytest.raises(InvalidProcedureError) as raised:
        spec.case("Quá hạn")
    assert raised.value.rule == "unknown_case"


def test_case_terms_by_channel() -> None:
    """A case gives the terms of a channel it offers, and None for one it does not."""
    online = terms(TimeLimit.working_hours(4), Channel.ONLINE)
    case = a_case("", terms(TimeLimit.working_days(1)), online)
    assert case.terms(Channel.ONLINE) == online
    assert case.terms(Channel.POSTAL) is None


def test_value_objects_are_immutable() -> None:
    """Specs cannot be changed in place; attrs.evolve makes a new, re-validated one."""
    spec = a_spec()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        spec.name = "Khác"  # type: ignore[misc]
    with pytest.raises(InvalidProcedureError):
        attrs.evolve(spec, statutory_limit=TimeLimit.working_days(1))


@pytest.mark.parametrize("code", ["", "GT1"])
def test_document_codes_may_be_empty(code: str) -> None:
    """Document codes are optional in the national catalog: empty codes are accepted."""
    assert RequiredDocument(code=code, name="Tờ khai", form=Form.ORIGINAL).code == code
