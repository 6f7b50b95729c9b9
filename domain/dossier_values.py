"""Value objects that dossier events carry: actors, applicants, documents, charges, codes.

Like every value object in events, their validators run again when events are
loaded: keep them stable, and change stored data only by upcasting.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import StrEnum

from attrs import field, frozen

from domain.errors import InvalidValueError
from domain.procedure_spec import Form
from domain.time_limit import local
from domain.values import AgencyCode, LocalCode

MAX_TEXT = 2000
"""The longest free text (reasons, comments) a command may carry."""


Validator = Callable[[object, object, str], None]


def text(name: str, *, required: bool = True, limit: int = MAX_TEXT) -> Validator:
    """An attrs validator for free text: a string, at most ``limit`` long, non-blank if required."""

    def check(_instance: object, _attribute: object, value: str) -> None:
        if not isinstance(value, str):
            raise InvalidValueError(field=name, value=value, reason="must be text")
        if required and not value.strip():
            raise InvalidValueError(field=name, value=value, reason="must not be empty")
        if len(value) > limit:
            raise InvalidValueError(
                field=name, value=value[:40], reason=f"at most {limit} characters"
            )

    return check


class Role(StrEnum):
    """Vai trò: who acts on a dossier (domain reference §1.3)."""

    INTAKE_OFFICER = "intake_officer"  # cán bộ tiếp nhận (one-stop officer)
    HANDLER = "handler"  # chuyên viên thụ lý
    UNIT_HEAD = "unit_head"  # lãnh đạo phòng, đơn vị
    LEADER = "leader"  # lãnh đạo có thẩm quyền
    RECORDS_CLERK = "records_clerk"  # văn thư
    CATALOG_ADMIN = "catalog_admin"
    AUDITOR = "auditor"
    APPLICANT = "applicant"  # tổ chức, cá nhân
    SYSTEM = "system"  # scheduler, integrations (payment platform, VNPost)


STAFF = frozenset(
    {Role.INTAKE_OFFICER, Role.HANDLER, Role.UNIT_HEAD, Role.LEADER, Role.RECORDS_CLERK}
)


@frozen
class Actor:
    """Người thực hiện: who did it (user id, role, agency); staff always act for an agency."""

    user_id: str = field(validator=text("actor.user_id", limit=200))
    role: Role = field(converter=Role)
    agency: AgencyCode | None = None

    def __attrs_post_init__(self) -> None:
        if self.role in STAFF and self.agency is None:
            raise InvalidValueError(
                field="actor.agency", value=None, reason=f"a {self.role} acts for an agency"
            )


class ApplicantKind(StrEnum):
    """Loại đối tượng (DVCQG LoaiDoiTuong 1-4)."""

    CITIZEN = "citizen"  # công dân
    ENTERPRISE = "enterprise"  # doanh nghiệp
    AGENCY = "agency"  # cơ quan nhà nước
    ORGANISATION = "organisation"  # tổ chức khác


@frozen(kw_only=True)
class Applicant:
    """Chủ hồ sơ: the person or body the dossier is for. Personal data: never logged."""

    kind: ApplicantKind = field(converter=ApplicantKind)
    name: str = field(validator=text("applicant.name", limit=300))
    id_number: str = field(validator=text("applicant.id_number", limit=50))
    phone: str = field(default="", validator=text("applicant.phone", required=False, limit=30))
    email: str = field(default="", validator=text("applicant.email", required=False, limit=200))
    address: str = field(default="", validator=text("applicant.address", required=False, limit=500))


class Delivery(StrEnum):
    """Hình thức nhận kết quả: how the applicant gets the result."""

    COUNTER = "counter"  # tại Bộ phận Một cửa
    POSTAL = "postal"  # qua bưu chính công ích
    ONLINE = "online"  # trực tuyến (kết quả điện tử)


def _positive(_instance: object, _attribute: object, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidValueError(field="count", value=value, reason="must be at least 1")


@frozen
class HandedDocument:
    """Giấy tờ đã nộp: one line of the checklist, as handed in (or attached online)."""

    code: str = field(validator=text("document.code", limit=100))
    form: Form = field(converter=Form)
    count: int = field(default=1, validator=_positive)
    file_ref: str = field(default="", validator=text("document.file_ref", required=False))


def handed(value: Iterable[HandedDocument]) -> tuple[HandedDocument, ...]:
    """A checklist as a tuple (attrs converter)."""
    return tuple(value)


@frozen
class RequestedDocument:
    """Một mục yêu cầu bổ sung: a document from the published list, and what is wrong with it."""

    code: str = field(validator=text("document.code", limit=100))
    name: str = field(validator=text("document.name", limit=500))
    reason: str = field(validator=text("document.reason"))


def requested(value: Iterable[RequestedDocument]) -> tuple[RequestedDocument, ...]:
    """Requested documents as a tuple (attrs converter)."""
    return tuple(value)


def _amount(_instance: object, _attribute: object, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidValueError(field="amount", value=value, reason="VND, a whole number >= 0")


@frozen
class Charge:
    """Khoản phải nộp: a fee, charge, tax or levy to pay, in VND."""

    code: str = field(validator=text("charge.code", limit=100))
    name: str = field(validator=text("charge.name", limit=500))
    amount: int = field(validator=_amount)


def charges(value: Iterable[Charge]) -> tuple[Charge, ...]:
    """Charges as a tuple (attrs converter)."""
    return tuple(value)


class Satisfaction(StrEnum):
    """Mức độ hài lòng (§5.4)."""

    VERY_SATISFIED = "very_satisfied"  # rất hài lòng
    SATISFIED = "satisfied"  # hài lòng
    NOT_SATISFIED = "not_satisfied"  # không hài lòng


class ResultMedium(StrEnum):
    """How a step or a dossier moves between units (§3.3 row 6)."""

    ELECTRONIC = "electronic"
    PAPER = "paper"
    POST = "post"


_CODE = re.compile(
    r"(?P<agency>\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})-(?P<day>\d{6})-(?P<n>\d{4,})", re.ASCII
)


@frozen(order=True)
class DossierCode:
    """Mã hồ sơ ``{agency}-{yyMMdd}-{NNNN}`` (§7.3): numbered per receiving agency per day."""

    agency: AgencyCode
    day: date
    number: int = field(validator=_positive)

    def __str__(self) -> str:
        return f"{self.agency}-{self.day:%y%m%d}-{self.number:04d}"

    @classmethod
    def parse(cls, value: str) -> DossierCode:
        """The code written as ``000.00.12.H56-250612-0007``."""
        match = _CODE.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise InvalidValueError(
                field="dossier_code",
                value=value,
                reason="a dossier code is {agency}-{yyMMdd}-{NNNN}, e.g. 000.00.12.H56-250612-0007",
            )
        digits = match["day"]
        try:
            # yy is 20yy: strptime's %y would read 69-99 as the 1900s.
            day = date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
        except ValueError:
            raise InvalidValueError(
                field="dossier_code", value=value, reason="the middle part is not a date"
            ) from None
        return cls(AgencyCode(match["agency"]), day, int(match["n"]))


@frozen(kw_only=True)
class Submission:
    """Nội dung hồ sơ: what the applicant asks for, for whom, where, and how to get the result.

    The receiving unit (nơi tiếp nhận) and the competent agency (cơ quan có
    thẩm quyền) are separate: a centre receives regardless of administrative
    boundary (§1.2).
    """

    procedure: LocalCode
    case: str = field(validator=text("case", limit=500))
    applicant: Applicant
    documents: tuple[HandedDocument, ...] = field(converter=handed)
    receiving_unit: AgencyCode
    competent_agency: AgencyCode
    delivery: Delivery = field(converter=Delivery)


@frozen(kw_only=True)
class ExtensionRules:
    """Rules for gia hạn (apology and a new appointment, §4.7); all [U], so configuration.

    ``max_extensions``: how many times a dossier may be rescheduled (1 by the
    recalled Decree 61/2018 text). ``notice_working_days``: how many working days
    before the current appointment's day the apology must come at the latest (0:
    on that day at the latest; some provinces ask for 1). ``after_due``: whether a
    dossier may still be rescheduled once its appointment has passed.
    """

    max_extensions: int = 1
    notice_working_days: int = 0
    after_due: bool = False

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.max_extensions <= 10:  # noqa: PLR2004 (a sanity bound)
            raise InvalidValueError(
                field="max_extensions", value=self.max_extensions, reason="0 to 10"
            )
        if not 0 <= self.notice_working_days <= 30:  # noqa: PLR2004 (a sanity bound)
            raise InvalidValueError(
                field="notice_working_days", value=self.notice_working_days, reason="0 to 30"
            )


@frozen
class Envelope:
    """Who acts, when, and under which client command id: what every dossier event carries."""

    actor: Actor
    at: datetime = field(converter=local)
    command_id: str = field(validator=text("command_id", limit=200))

    def fields(self) -> dict[str, object]:
        """The envelope as event fields."""
        return {"actor": self.actor, "at": self.at, "command_id": self.command_id}


def command_key(actor: Actor, command_id: str) -> str:
    """What makes a command id unique: the id is the client's, and scoped to its user."""
    return f"{actor.user_id}/{command_id}"


@frozen(kw_only=True)
class ApologyLetter:
    """Mẫu 04, phiếu xin lỗi và hẹn lại ngày trả kết quả: what the letter says.

    Derived from the dossier and its ``Extended`` event when it is applied;
    never stored itself.
    """

    dossier: str
    applicant: str
    procedure: LocalCode
    received_at: datetime
    original_due_at: datetime
    new_due_at: datetime
    reason: str
    signed_by: str
    issued_at: datetime
