"""Hypothesis strategies for the procedure catalog: valid value objects, specs and decisions.

Every strategy here builds objects that pass their validators. Names mix Vietnamese
words (some in decomposed NFD form) with Vietnamese letters and arbitrary letters
and combining marks, so round-trips must keep every code point as it was. Lists
stay short (at most three cases or channels, four documents or steps).

Strategies are built once and cached (``functools.cache``): building a strategy
inside every draw costs more than drawing from it.
"""

from __future__ import annotations

import unicodedata
from datetime import date, time, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import cache
from typing import Any

import attrs
from hypothesis import strategies as st

from domain.procedure import Ending, ProcedureVersion, Standing
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
from domain.time_limit import MAX_LIMIT, ClockPolicy, TimeLimit, TimeUnit
from domain.values import AgencyCode, LocalCode, NationalCode

FIRST_EFFECTIVE = date(2015, 1, 1)
LAST_EFFECTIVE = date(2030, 12, 31)
"""Decisions take effect within these days unless a test fixes another range."""

WORDS = (
    "Đăng ký khai sinh",
    "Chứng thực bản sao từ bản chính",
    "Cấp Phiếu lý lịch tư pháp",
    "Cấp giấy phép xây dựng",
    "Hộ tịch",
    "Sở Tư pháp",
    "UBND phường Hạc Thành",
    "UBND xã Đông Sơn",
    "Trung tâm Phục vụ hành chính công",
    "Thẩm định hồ sơ",
    "Tờ khai đăng ký",
    "Chủ tịch UBND tỉnh",
    "Nguyễn Thị Ngọc Ánh",
    "Quá hạn",
    "Đúng hạn",
)
"""Realistic Vietnamese text, with the diacritics (ă â đ ê ô ơ ư and five tones) it needs."""

_VIETNAMESE_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợ"
_VIETNAMESE_LETTERS += "ùúủũụừứửữựỳýỷỹỵĐĂÂÊÔƠƯ"

MAX_CASES = 3
MAX_CHANNELS = len(Channel)
MAX_ITEMS = 4
"""At most this many documents, results or steps."""

_STEP_HOURS_TENTHS = Decimal("0.1")


# ---------------------------------------------------------------- text


@cache
def vietnamese_text() -> st.SearchStrategy[str]:
    """Non-blank text: Vietnamese words (NFC or NFD), Vietnamese letters, or any letters."""
    words = st.sampled_from(WORDS)
    return st.one_of(
        words,
        words.map(lambda word: unicodedata.normalize("NFD", word)),
        st.text(_VIETNAMESE_LETTERS + " ", min_size=1, max_size=20).filter(str.strip),
        st.text(st.characters(categories=("L", "M", "Nd")), min_size=1, max_size=12).filter(
            str.strip
        ),
    )


@cache
def short_codes() -> st.SearchStrategy[str]:
    """A document or fee code such as GT1 or KQ2; codes are free text and may be empty."""
    return st.one_of(
        st.just(""),
        st.builds("{}{}".format, st.sampled_from(("GT", "KQ", "LP", "P")), st.integers(1, 99)),
    )


# ---------------------------------------------------------------- codes


@cache
def _capital_letters() -> st.SearchStrategy[str]:
    return st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@cache
def agency_codes() -> st.SearchStrategy[AgencyCode]:
    """QCVN 102 agency identifiers LLL.LL.LL.Xnn, e.g. 000.00.12.H56."""
    return st.builds(
        lambda a, b, c, letter, n: AgencyCode(f"{a:03d}.{b:02d}.{c:02d}.{letter}{n:02d}"),
        st.integers(0, 999),
        st.integers(0, 99),
        st.integers(0, 99),
        _capital_letters(),
        st.integers(0, 99),
    )


@cache
def national_codes() -> st.SearchStrategy[NationalCode]:
    """National procedure codes d.dddddd, e.g. 2.000815."""
    return st.builds(
        lambda d, n: NationalCode(f"{d}.{n:06d}"), st.integers(0, 9), st.integers(0, 999_999)
    )


@cache
def _local_suffixes() -> st.SearchStrategy[str]:
    """What a local code adds to its national code: .LLL.LL.LL.Xnn (often .000.00.00) or .Xnn."""
    suffix = st.builds("{}{:02d}".format, _capital_letters(), st.integers(0, 99))
    middle = st.one_of(
        st.just("000.00.00"),
        st.builds(
            "{:03d}.{:02d}.{:02d}".format,
            st.integers(0, 999),
            st.integers(0, 99),
            st.integers(0, 99),
        ),
    )
    return st.one_of(st.builds(".{}.{}".format, middle, suffix), suffix.map(".{}".format))


def local_codes_for(national: NationalCode) -> st.SearchStrategy[LocalCode]:
    """Local codes extending ``national``: d.dddddd.000.00.00.Xnn or d.dddddd.Xnn."""
    return _local_suffixes().map(lambda suffix: LocalCode(national.value + suffix))


@cache
def local_codes() -> st.SearchStrategy[LocalCode]:
    """Any valid local code."""
    return st.builds(lambda n, s: LocalCode(n.value + s), national_codes(), _local_suffixes())


# ---------------------------------------------------------------- limits and fees


def _limits_in(unit: TimeUnit) -> st.SearchStrategy[TimeLimit]:
    if unit is TimeUnit.SAME_DAY:
        return st.just(TimeLimit.same_day())
    return st.builds(TimeLimit, st.just(unit), st.integers(1, MAX_LIMIT[unit]))


@cache
def time_limits(unit: TimeUnit | None = None) -> st.SearchStrategy[TimeLimit]:
    """Valid limits in ``unit``, or in any unit when it is None."""
    if unit is not None:
        return _limits_in(unit)
    return st.one_of([_limits_in(u) for u in TimeUnit])


@cache
def fees() -> st.SearchStrategy[Fee]:
    """A fee or charge in VND, from free to ten million."""
    return st.builds(
        Fee,
        code=short_codes(),
        name=vietnamese_text(),
        amount=st.integers(0, 10_000_000),
        kind=st.sampled_from(FeeKind),
        collected=st.sampled_from(Collection),
    )


@cache
def channel_terms(
    channel: Channel | None = None, unit: TimeUnit | None = None
) -> st.SearchStrategy[ChannelTerms]:
    """One channel's limit and up to two fees; ``channel`` and the limit's ``unit`` may be fixed."""
    return st.builds(
        ChannelTerms,
        channel=st.just(channel) if channel is not None else st.sampled_from(Channel),
        limit=time_limits(unit),
        fees=st.lists(fees(), max_size=2).map(tuple),
    )


# ---------------------------------------------------------------- documents and steps


@cache
def required_documents() -> st.SearchStrategy[RequiredDocument]:
    """A document handed in, as an original or a copy, one to five of them."""
    return st.builds(
        RequiredDocument,
        code=short_codes(),
        name=vietnamese_text(),
        form=st.sampled_from(Form),
        count=st.integers(1, 5),
    )


@cache
def result_documents() -> st.SearchStrategy[ResultDocument]:
    """A document the procedure produces."""
    return st.builds(ResultDocument, code=short_codes(), name=vietnamese_text())


@cache
def step_hours(max_hours: int = 80) -> st.SearchStrategy[Decimal]:
    """Working hours in tenths, from 0 to ``max_hours``."""
    return st.integers(0, max_hours * 10).map(lambda tenths: Decimal(tenths) / 10)


@cache
def process_steps() -> st.SearchStrategy[ProcessStep]:
    """One internal step of up to eighty working hours."""
    return st.builds(
        ProcessStep, name=vietnamese_text(), responsible=vietnamese_text(), hours=step_hours()
    )


@cache
def _step_shares() -> st.SearchStrategy[list[tuple[str, str, int]]]:
    """Up to four steps: a name, who is responsible, and the per cent of the free hours taken."""
    share = st.tuples(vietnamese_text(), vietnamese_text(), st.integers(0, 100))
    return st.lists(share, max_size=MAX_ITEMS)


@st.composite
def _cases(draw: st.DrawFn, unit: TimeUnit | None) -> Case:
    kinds = draw(st.lists(st.sampled_from(Channel), min_size=1, max_size=MAX_CHANNELS, unique=True))
    terms = tuple(draw(channel_terms(kind, unit)) for kind in kinds)
    free = Decimal(min(t.limit.ceiling_hours for t in terms))
    steps: list[ProcessStep] = []
    for name, responsible, percent in draw(_step_shares()):
        hours = (free * percent / 100).quantize(_STEP_HOURS_TENTHS, rounding=ROUND_DOWN)
        free -= hours
        steps.append(ProcessStep(name=name, responsible=responsible, hours=hours))
    return Case(
        name=draw(vietnamese_text()),
        channels=terms,
        documents=draw(st.lists(required_documents(), max_size=MAX_ITEMS)),
        results=draw(st.lists(result_documents(), max_size=MAX_ITEMS)),
        steps=steps,
    )


@cache
def cases(unit: TimeUnit | None = None) -> st.SearchStrategy[Case]:
    """A case with unique channels, its steps within every channel's ceiling in hours.

    ``unit`` fixes the unit of every channel's limit (a statutory limit needs one).
    A step may take all the hours left, so steps often fill the ceiling exactly.
    """
    return _cases(unit)


# ---------------------------------------------------------------- the rest of a spec


@cache
def sectors() -> st.SearchStrategy[Sector]:
    """A sector of the national catalog, e.g. HT Hộ tịch."""
    return st.builds(
        Sector, code=st.sampled_from(("HT", "CT", "LLTP", "XD", "DD")), name=vietnamese_text()
    )


@cache
def partners() -> st.SearchStrategy[Partner]:
    """An interconnected agency with its working hours."""
    return st.builds(Partner, agency=agency_codes(), name=vietnamese_text(), hours=step_hours(40))


@cache
def legal_bases() -> st.SearchStrategy[LegalBasis]:
    """A legal document such as 23/2015/NĐ-CP; its title may be empty."""
    numbers = st.builds(
        "{}/{}/{}".format,
        st.integers(1, 999),
        st.integers(2000, 2030),
        st.sampled_from(("NĐ-CP", "QH15", "TT-BTP", "QĐ-UBND")),
    )
    return st.builds(LegalBasis, number=numbers, title=st.one_of(st.just(""), vietnamese_text()))


def _decision(
    number: int, effective: date, days_before: int, signer: str, agency: AgencyCode
) -> PublicationDecision:
    return PublicationDecision(
        number=f"{number}/QĐ-UBND",
        signed_on=effective - timedelta(days=days_before),
        signer=signer,
        effective=effective,
        issuing_agency=agency,
    )


@cache
def decisions(
    effective: st.SearchStrategy[date] | None = None,
) -> st.SearchStrategy[PublicationDecision]:
    """A decision taking effect on a day of ``effective`` (by default any day of 2015-2030).

    It is signed up to thirty days before it takes effect.
    """
    return st.builds(
        _decision,
        st.integers(1, 9999),
        effective if effective is not None else st.dates(FIRST_EFFECTIVE, LAST_EFFECTIVE),
        st.integers(0, 30),
        vietnamese_text(),
        agency_codes(),
    )


@cache
def _spec_parts() -> st.SearchStrategy[dict[str, Any]]:
    """The fields of a spec that no invariant ties to the others."""
    return st.fixed_dictionaries(
        {
            "name": vietnamese_text(),
            "sector": sectors(),
            "agencies": st.lists(agency_codes(), min_size=1, max_size=3, unique=True),
            "levels": st.lists(
                st.sampled_from((Level.PROVINCE, Level.COMMUNE)),
                min_size=1,
                max_size=2,
                unique=True,
            ),
            "online_level": st.sampled_from(OnlineLevel),
            "postal_allowed": st.booleans(),
            "same_day_cutoff": st.times(time(11), time(17)),
            "supplement_policy": st.sampled_from(ClockPolicy),
            "partners": st.lists(partners(), max_size=2),
            "legal_basis": st.lists(legal_bases(), max_size=2),
        }
    )


_CASE_NAMES = st.lists(vietnamese_text(), min_size=1, max_size=MAX_CASES, unique=True)
_STATUTORY_UNITS = st.none() | st.sampled_from(TimeUnit)


@st.composite
def _procedure_specs(draw: st.DrawFn, national: NationalCode | None) -> ProcedureSpec:
    national_code = national if national is not None else draw(national_codes())
    local_code = LocalCode(national_code.value + draw(_local_suffixes()))
    unit = draw(_STATUTORY_UNITS)
    all_cases = tuple(attrs.evolve(draw(cases(unit)), name=name) for name in draw(_CASE_NAMES))
    statutory: TimeLimit | None = None
    if unit is not None:
        longest = max(t.limit.value for case in all_cases for t in case.channels)
        statutory = TimeLimit(unit, longest + draw(st.integers(0, MAX_LIMIT[unit] - longest)))
    return ProcedureSpec(
        national_code=national_code,
        local_code=local_code,
        cases=all_cases,
        statutory_limit=statutory,
        **draw(_spec_parts()),
    )


@cache
def procedure_specs(national: NationalCode | None = None) -> st.SearchStrategy[ProcedureSpec]:
    """A valid spec, never at the district level; ``national`` may fix the national code.

    With a statutory limit (about five specs in six), every channel's limit is in the
    statutory unit and at most its value; without one, each channel has any unit.
    """
    return _procedure_specs(national)


@cache
def procedure_versions() -> st.SearchStrategy[ProcedureVersion]:
    """A numbered version: a spec and the decision that gave it."""
    return st.builds(ProcedureVersion, st.integers(1, 20), procedure_specs(), decisions())


@cache
def endings() -> st.SearchStrategy[Ending]:
    """Abolished, or replaced by a successor."""
    return st.one_of(
        st.builds(Ending, st.just(Standing.ABOLISHED), decisions()),
        st.builds(Ending, st.just(Standing.REPLACED), decisions(), local_codes()),
    )


def value_objects() -> dict[type, st.SearchStrategy[Any]]:
    """One strategy for every attrs value object that events carry."""
    return {
        AgencyCode: agency_codes(),
        NationalCode: national_codes(),
        LocalCode: local_codes(),
        TimeLimit: time_limits(),
        Fee: fees(),
        ChannelTerms: channel_terms(),
        RequiredDocument: required_documents(),
        ResultDocument: result_documents(),
        ProcessStep: process_steps(),
        Case: cases(),
        Sector: sectors(),
        Partner: partners(),
        LegalBasis: legal_bases(),
        PublicationDecision: decisions(),
        ProcedureSpec: procedure_specs(),
        ProcedureVersion: procedure_versions(),
        Ending: endings(),
    }
