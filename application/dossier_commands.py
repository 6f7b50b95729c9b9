"""Dossier commands: what officers, applicants and systems ask of a dossier. Never persisted.

Every command carries a client-supplied ``command_id``: repeating one that
was already applied returns the first result and records nothing new.
Commands on an existing dossier may carry ``expected_version`` (the version
the client last saw); a stale one is refused instead of acting on news the
client has not seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from uuid import UUID

from attrs import field, frozen

from domain.dossier_values import (
    Actor,
    Charge,
    Delivery,
    HandedDocument,
    RequestedDocument,
    ResultMedium,
    Satisfaction,
    Submission,
    charges,
    handed,
    requested,
)
from domain.values import AgencyCode


def _guidance(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


@frozen(kw_only=True)
class DossierCommand:
    """What every dossier command carries: who asks, under which command id."""

    command_id: str
    actor: Actor


@frozen(kw_only=True)
class OnDossier(DossierCommand):
    """A command on an existing dossier."""

    dossier_id: UUID
    expected_version: int | None = None


# ---------------------------------------------------------------- opening


@frozen(kw_only=True)
class SubmitOnline(DossierCommand):
    """Nộp hồ sơ trực tuyến: ``eid_level`` is the applicant's e-ID level (0, 1 or 2)."""

    submission: Submission
    eid_level: int = 0


@frozen(kw_only=True)
class SubmitByPost(DossierCommand):
    """Tiếp nhận hồ sơ qua bưu chính: the postal operator hands a dossier over."""

    submission: Submission
    postal_item_code: str


@frozen(kw_only=True)
class ReceiveDossier(DossierCommand):
    """Tiếp nhận trực tiếp: a walk-in dossier, received at once if complete."""

    submission: Submission


@frozen(kw_only=True)
class AcceptSubmission(OnDossier):
    """Tiếp nhận hồ sơ trực tuyến / qua bưu chính; ``documents`` corrects the checklist."""

    documents: tuple[HandedDocument, ...] | None = None


@frozen(kw_only=True)
class RequestIntakeSupplement(OnDossier):
    """Mẫu 02: ``guidance`` maps document codes to what to fix; the missing ones are added."""

    guidance: Mapping[str, str] = field(factory=dict, converter=_guidance)
    note: str = ""


@frozen(kw_only=True)
class Resubmit(OnDossier):
    """Nộp lại sau Mẫu 02: the completed checklist."""

    documents: tuple[HandedDocument, ...] = field(converter=handed)


@frozen(kw_only=True)
class RejectAtIntake(OnDossier):
    """Mẫu 03: refuse, with a written reason."""

    reason: str
    legal_ground: str = ""


# ---------------------------------------------------------------- processing


@frozen(kw_only=True)
class AssignHandler(OnDossier):
    """Phân công xử lý."""

    handler: str
    unit: str


@frozen(kw_only=True)
class CompleteStep(OnDossier):
    """Hoàn thành bước, chuyển bước tiếp theo."""

    outcome: str
    medium: ResultMedium = ResultMedium.ELECTRONIC


@frozen(kw_only=True)
class ReturnStep(OnDossier):
    """Trả lại bước trước, with the reason."""

    reason: str


@frozen(kw_only=True)
class HandOverToPartner(OnDossier):
    """Chuyển liên thông: a step goes to a partner agency the procedure lists."""

    partner: AgencyCode
    note: str = ""


@frozen(kw_only=True)
class TakePartnerResult(OnDossier):
    """Nhận kết quả liên thông."""

    partner: AgencyCode
    outcome: str
    partner_ref: str = ""


@frozen(kw_only=True)
class RequestSupplement(OnDossier):
    """Yêu cầu bổ sung trong quá trình xử lý."""

    items: tuple[RequestedDocument, ...] = field(converter=requested)
    reason: str
    respond_by: date | None = None


@frozen(kw_only=True)
class SubmitSupplement(OnDossier):
    """Nộp bổ sung."""

    documents: tuple[HandedDocument, ...] = field(converter=handed)


@frozen(kw_only=True)
class AcceptSupplement(OnDossier):
    """Tiếp nhận hồ sơ bổ sung: the clock resumes."""


@frozen(kw_only=True)
class RequestPayment(OnDossier):
    """Yêu cầu thực hiện nghĩa vụ tài chính."""

    charges: tuple[Charge, ...] = field(converter=charges)
    note: str = ""


@frozen(kw_only=True)
class ConfirmOnlinePayment(OnDossier):
    """The payment platform's confirmation (MaThamChieu, MaGiaoDich, bank, amount, time)."""

    payment_ref: str
    transaction_id: str
    bank_code: str = ""
    amount: int
    paid_at: datetime


@frozen(kw_only=True)
class RecordCounterPayment(OnDossier):
    """Thu tại quầy, with the receipt (biên lai) number."""

    receipt_number: str
    amount: int


# ---------------------------------------------------------------- lateness, results, endings


@frozen(kw_only=True)
class ExtendDeadline(OnDossier):
    """Mẫu 04: apology and a new appointment."""

    new_due_at: datetime
    reason: str
    signed_by: str


@frozen(kw_only=True)
class IssueResult(OnDossier):
    """Ban hành kết quả: processing is finished."""

    result_number: str
    signed_by: str
    file_ref: str = ""


@frozen(kw_only=True)
class ReturnResult(OnDossier):
    """Trả kết quả; ``reference``: receiver's name, postal item code, or file sent."""

    delivery: Delivery
    reference: str


@frozen(kw_only=True)
class ConfirmPostalDelivery(OnDossier):
    """The postal operator delivered the result."""

    receiver_name: str


@frozen(kw_only=True)
class StopProcessing(OnDossier):
    """Dừng xử lý, with written reasons."""

    reason: str
    legal_ground: str = ""


@frozen(kw_only=True)
class WithdrawDossier(OnDossier):
    """Rút hồ sơ at the applicant's request."""

    reason: str = ""


@frozen(kw_only=True)
class ReturnPapers(OnDossier):
    """Trả lại hồ sơ, thông báo of a stopped or withdrawn dossier."""

    delivery: Delivery
    receiver_name: str


@frozen(kw_only=True)
class RateService(OnDossier):
    """Đánh giá mức độ hài lòng."""

    satisfaction: Satisfaction
    comment: str = ""
