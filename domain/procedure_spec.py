"""Nội dung thủ tục (procedure content): what one published version of a procedure says.

Every class here is an immutable value object that catalog events carry. Their
validators are the catalog's invariants; they run again when events are loaded,
so they must stay stable (change stored data by upcasting, never by loosening
a rule in place).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from attrs import field, frozen

from domain.errors import InvalidProcedureError
from domain.time_limit import ClockPolicy, TimeLimit
from domain.values import AgencyCode, LocalCode, NationalCode

ONE_DECIMAL = Decimal("0.1")
ALMOST_ALL = Decimal("99.9")
"""The largest cut shown while some of the statutory time is left."""


class Channel(StrEnum):
    """Kênh thực hiện: how a dossier arrives (DVCQG KENH 1, 2, 3)."""

    COUNTER = "counter"  # trực tiếp
    ONLINE = "online"  # trực tuyến
    POSTAL = "postal"  # bưu chính công ích


class Level(StrEnum):
    """Cấp thực hiện (administrative level); district only for history before 1 July 2025."""

    PROVINCE = "province"
    COMMUNE = "commune"
    DISTRICT = "district"


class OnlineLevel(StrEnum):
    """Mức độ dịch vụ công trực tuyến (Decree 42/2022)."""

    NONE = "none"
    PARTIAL = "partial"  # một phần
    FULL = "full"  # toàn trình


class FeeKind(StrEnum):
    """Phí (fee) or lệ phí (charge)."""

    FEE = "fee"
    CHARGE = "charge"


class Collection(StrEnum):
    """Hình thức thu: when a fee is collected."""

    AT_RECEPTION = "at_reception"  # thu trước
    ON_RETURN = "on_return"  # thu sau
    EXEMPT = "exempt"  # miễn


class Form(StrEnum):
    """Whether a document is handed in as an original or a copy."""

    ORIGINAL = "original"  # bản chính
    COPY = "copy"  # bản sao


def _text(_instance: object, attribute: object, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        name = getattr(attribute, "name", "text")
        raise InvalidProcedureError(rule="text_required", message=f"{name} must not be empty")


def _refuse_negative(attribute: object, value: object) -> None:
    name = getattr(attribute, "name", "value")
    raise InvalidProcedureError(
        rule="not_negative", message=f"{name} must be a number, not negative", value=str(value)
    )


def _amount(_instance: object, attribute: object, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        _refuse_negative(attribute, value)


def _hours(_instance: object, attribute: object, value: Decimal) -> None:
    if not value.is_finite() or value < 0:
        _refuse_negative(attribute, value)


def _decimal(value: Decimal | int | str) -> Decimal:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidProcedureError(
            rule="hours_are_a_number", message=f"working hours must be a number (got {value!r})"
        ) from None


@frozen
class Fee:
    """Phí, lệ phí: an amount in VND, its kind, and when it is collected."""

    code: str
    name: str = field(validator=_text)
    amount: int = field(validator=_amount)
    kind: FeeKind = field(converter=FeeKind)
    collected: Collection = field(converter=Collection)


def _fees(value: Iterable[Fee]) -> tuple[Fee, ...]:
    return tuple(value)


@frozen
class ChannelTerms:
    """Thời hạn và phí theo kênh: the time limit and fees of one channel."""

    channel: Channel = field(converter=Channel)
    limit: TimeLimit
    fees: tuple[Fee, ...] = field(converter=_fees, default=())


@frozen
class RequiredDocument:
    """Thành phần hồ sơ: a document the applicant hands in."""

    code: str
    name: str = field(validator=_text)
    form: Form = field(converter=Form)
    count: int = 1

    def __attrs_post_init__(self) -> None:
        if self.count < 1:
            raise InvalidProcedureError(
                rule="document_count", message=f"document {self.name!r} needs a count of at least 1"
            )


@frozen
class ResultDocument:
    """Kết quả thực hiện: a document the procedure produces."""

    code: str
    name: str = field(validator=_text)


@frozen
class ProcessStep:
    """Bước quy trình nội bộ: who does what, in how many working hours."""

    name: str = field(validator=_text)
    responsible: str = field(validator=_text)
    hours: Decimal = field(converter=_decimal, validator=_hours)


def _channels(value: Iterable[ChannelTerms]) -> tuple[ChannelTerms, ...]:
    return tuple(value)


def _documents(value: Iterable[RequiredDocument]) -> tuple[RequiredDocument, ...]:
    return tuple(value)


def _results(value: Iterable[ResultDocument]) -> tuple[ResultDocument, ...]:
    return tuple(value)


def _steps(value: Iterable[ProcessStep]) -> tuple[ProcessStep, ...]:
    return tuple(value)


@frozen
class Case:
    """Trường hợp: one case of a procedure, with its channels, documents, results and steps."""

    name: str
    channels: tuple[ChannelTerms, ...] = field(converter=_channels)
    documents: tuple[RequiredDocument, ...] = field(converter=_documents, default=())
    results: tuple[ResultDocument, ...] = field(converter=_results, default=())
    steps: tuple[ProcessStep, ...] = field(converter=_steps, default=())

    def __attrs_post_init__(self) -> None:
        kinds = [terms.channel for terms in self.channels]
        if not kinds or len(kinds) != len(set(kinds)):
            raise InvalidProcedureError(
                rule="channels", message=f"case {self.name!r} needs each channel at most once"
            )
        allotted = sum((step.hours for step in self.steps), Decimal(0))
        for terms in self.channels:
            if allotted > terms.limit.ceiling_hours:
                raise InvalidProcedureError(
                    rule="step_allotments_within_limit",
                    message=(
                        f"case {self.name!r}: steps allot {allotted} working hours, more than the "
                        f"{terms.channel} limit of {terms.limit} ({terms.limit.ceiling_hours} h)"
                    ),
                    case=self.name,
                    channel=terms.channel.value,
                    allotted_hours=str(allotted),
                    limit_hours=terms.limit.ceiling_hours,
                )

    def terms(self, channel: Channel) -> ChannelTerms | None:
        """The limit and fees of ``channel`` in this case, if the case offers it."""
        return next((t for t in self.channels if t.channel is channel), None)


@frozen
class Sector:
    """Lĩnh vực (sector) of the national catalog."""

    code: str = field(validator=_text)
    name: str = field(validator=_text)


@frozen
class Partner:
    """Cơ quan liên thông: an interconnected agency and its allotted working hours."""

    agency: AgencyCode
    name: str = field(validator=_text)
    hours: Decimal = field(converter=_decimal, validator=_hours)


@frozen
class LegalBasis:
    """Căn cứ pháp lý: a legal document the procedure rests on."""

    number: str = field(validator=_text)
    title: str


@frozen(kw_only=True)
class PublicationDecision:
    """Quyết định công bố: the decision that publishes, amends, replaces or abolishes."""

    number: str = field(validator=_text)
    signed_on: date
    signer: str = field(validator=_text)
    effective: date
    issuing_agency: AgencyCode


def _agencies(value: Iterable[AgencyCode]) -> tuple[AgencyCode, ...]:
    return tuple(value)


def _levels(value: Iterable[Level | str]) -> tuple[Level, ...]:
    return tuple(Level(level) for level in value)


def _cases(value: Iterable[Case]) -> tuple[Case, ...]:
    return tuple(value)


def _partners(value: Iterable[Partner]) -> tuple[Partner, ...]:
    return tuple(value)


def _legal_basis(value: Iterable[LegalBasis]) -> tuple[LegalBasis, ...]:
    return tuple(value)


def _unique(items: tuple[object, ...], rule: str, what: str) -> None:
    if not items or len(items) != len(set(items)):
        raise InvalidProcedureError(rule=rule, message=f"{what}: at least one, each once")


@frozen(kw_only=True)
class ProcedureSpec:
    """Nội dung thủ tục: everything one published version of a procedure says."""

    national_code: NationalCode
    local_code: LocalCode
    name: str = field(validator=_text)
    sector: Sector
    agencies: tuple[AgencyCode, ...] = field(converter=_agencies)
    levels: tuple[Level, ...] = field(converter=_levels)
    cases: tuple[Case, ...] = field(converter=_cases)
    online_level: OnlineLevel = field(converter=OnlineLevel, default=OnlineLevel.NONE)
    postal_allowed: bool = True
    same_day_cutoff: time = time(15)
    supplement_policy: ClockPolicy = field(converter=ClockPolicy, default=ClockPolicy.PAUSE)
    partners: tuple[Partner, ...] = field(converter=_partners, default=())
    legal_basis: tuple[LegalBasis, ...] = field(converter=_legal_basis, default=())
    statutory_limit: TimeLimit | None = None

    def __attrs_post_init__(self) -> None:
        if not self.local_code.value.startswith(f"{self.national_code.value}."):
            raise InvalidProcedureError(
                rule="local_code_extends_national_code",
                message=f"local code {self.local_code} does not extend {self.national_code}",
                national_code=self.national_code.value,
                local_code=self.local_code.value,
            )
        _unique(self.agencies, "agencies", "competent agencies")
        _unique(self.levels, "levels", "administrative levels")
        _unique(tuple(case.name for case in self.cases), "cases", "cases (by name)")
        self._check_cut_limit()

    def _check_cut_limit(self) -> None:
        statutory = self.statutory_limit
        if statutory is None:
            return
        for terms in self.channel_terms:
            limit = terms.limit
            if limit.unit is not statutory.unit or limit.value > statutory.value:
                raise InvalidProcedureError(
                    rule="cut_limit_within_statutory",
                    message=(
                        f"the {terms.channel} limit {limit} must be at most the statutory "
                        f"limit {statutory}, in the same unit"
                    ),
                    channel=terms.channel.value,
                    limit=str(limit),
                    statutory_limit=str(statutory),
                )

    @property
    def channel_terms(self) -> tuple[ChannelTerms, ...]:
        """Every channel's terms over every case."""
        return tuple(terms for case in self.cases for terms in case.channels)

    @property
    def cut_percent(self) -> Decimal:
        """How much of the statutory limit the province cut (cắt giảm), in percent.

        Measured on the longest limit the province applies, so it is the cut that
        every applicant gets, to one decimal. Zero when no statutory limit is
        given; never 100 while some time is left (1 hour of 2,000 shows 99.9).
        """
        statutory = self.statutory_limit
        if statutory is None or statutory.value == 0:
            return Decimal(0)
        longest = max(terms.limit.value for terms in self.channel_terms)
        cut = (Decimal(statutory.value - longest) * 100 / statutory.value).quantize(ONE_DECIMAL)
        return min(cut, ALMOST_ALL) if longest > 0 else cut

    def case(self, name: str | None = None) -> Case:
        """The case called ``name``, or the first case."""
        if name is None:
            return self.cases[0]
        for case in self.cases:
            if case.name == name:
                return case
        raise InvalidProcedureError(
            rule="unknown_case", message=f"procedure {self.local_code} has no case {name!r}"
        )
