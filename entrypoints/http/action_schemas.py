"""Request bodies of the commands on an existing dossier: one class per action.

Each class names its path under ``/dossiers/{ref}``, its access rule and the
``Dossiers`` method that runs it, and builds its command; its docstring is
the endpoint's documentation.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import Field

from application import dossier_commands as c
from domain.dossier_values import (
    Charge,
    Delivery,
    RequestedDocument,
    ResultMedium,
    Satisfaction,
)
from domain.values import AgencyCode
from entrypoints.http.dossier_schemas import (
    Body,
    Code,
    DocumentIn,
    Moment,
    Short,
    Text,
    documents_of,
)


class ActionIn(Body):
    """A command on an existing dossier, at ``POST /dossiers/{ref}/{path}``.

    ``action`` names its access rule, ``method`` the ``Dossiers`` method that
    runs it; the class docstring documents the endpoint.
    """

    path: ClassVar[str]
    action: ClassVar[str]
    method: ClassVar[str]

    @abstractmethod
    def command(self, **base: Any) -> c.OnDossier:  # noqa: ANN401 (command_id, actor, ...)
        """The command this body asks for."""


class AcceptIn(ActionIn):
    """Tiếp nhận: accept an online or postal dossier; it gets its code and appointment."""

    path, action, method = "accept", "accept", "accept"
    documents: list[DocumentIn] | None = Field(
        default=None, description="The checklist as checked at the counter, if it differs."
    )

    def command(self, **base: Any) -> c.AcceptSubmission:  # noqa: ANN401 (see ActionIn)
        """Accept."""
        documents = documents_of(self.documents) if self.documents is not None else None
        return c.AcceptSubmission(**base, documents=documents)


class RejectIn(ActionIn):
    """Mẫu 03: refuse at intake, with a written reason."""

    path, action, method = "reject", "reject", "reject"
    reason: Text
    legal_ground: Text = ""

    def command(self, **base: Any) -> c.RejectAtIntake:  # noqa: ANN401 (see ActionIn)
        """Reject."""
        return c.RejectAtIntake(**base, reason=self.reason, legal_ground=self.legal_ground)


class IntakeSupplementIn(ActionIn):
    """Mẫu 02: everything missing or defective at once, with guidance per document code."""

    path, action, method = (
        "request-intake-supplement",
        "request_intake_supplement",
        "request_intake_supplement",
    )
    guidance: dict[Code, Text] = Field(default_factory=dict, max_length=200)
    note: Text = ""

    def command(self, **base: Any) -> c.RequestIntakeSupplement:  # noqa: ANN401 (see ActionIn)
        """Ask for completion."""
        return c.RequestIntakeSupplement(**base, guidance=self.guidance, note=self.note)


class ResubmitIn(ActionIn):
    """Nộp lại: the completed checklist goes back to the one-stop check."""

    path, action, method = "resubmit", "resubmit", "resubmit"
    documents: list[DocumentIn] = Field(max_length=200)

    def command(self, **base: Any) -> c.Resubmit:  # noqa: ANN401 (see ActionIn)
        """Resubmit."""
        return c.Resubmit(**base, documents=documents_of(self.documents))


class AssignIn(ActionIn):
    """Phân công xử lý: a handler of a unit takes the dossier."""

    path, action, method = "assign", "assign", "assign"
    handler: Short
    unit: Short

    def command(self, **base: Any) -> c.AssignHandler:  # noqa: ANN401 (see ActionIn)
        """Assign."""
        return c.AssignHandler(**base, handler=self.handler, unit=self.unit)


class CompleteStepIn(ActionIn):
    """Chuyển bước: the current step is done; the next starts with its allotted time."""

    path, action, method = "complete-step", "complete_step", "complete_step"
    outcome: Text
    medium: ResultMedium = ResultMedium.ELECTRONIC

    def command(self, **base: Any) -> c.CompleteStep:  # noqa: ANN401 (see ActionIn)
        """Complete the step."""
        return c.CompleteStep(**base, outcome=self.outcome, medium=self.medium)


class ReturnStepIn(ActionIn):
    """Trả lại bước trước: the previous step runs again, with the reason."""

    path, action, method = "return-step", "return_step", "return_step"
    reason: Text

    def command(self, **base: Any) -> c.ReturnStep:  # noqa: ANN401 (see ActionIn)
        """Send back."""
        return c.ReturnStep(**base, reason=self.reason)


class HandOverIn(ActionIn):
    """Liên thông: a step goes to a partner agency the procedure lists."""

    path, action, method = "hand-over", "hand_over", "hand_over"
    partner: Annotated[str, Field(description="QCVN 102 code of the partner agency.")]
    note: Text = ""

    def command(self, **base: Any) -> c.HandOverToPartner:  # noqa: ANN401 (see ActionIn)
        """Hand over."""
        return c.HandOverToPartner(**base, partner=AgencyCode(self.partner), note=self.note)


class PartnerResultIn(ActionIn):
    """Nhận kết quả liên thông: the partner agency's result comes back."""

    path, action, method = "partner-result", "take_back", "take_back"
    partner: Annotated[str, Field(description="QCVN 102 code of the partner agency.")]
    outcome: Text
    partner_ref: Short = ""

    def command(self, **base: Any) -> c.TakePartnerResult:  # noqa: ANN401 (see ActionIn)
        """Take the partner's result."""
        return c.TakePartnerResult(
            **base,
            partner=AgencyCode(self.partner),
            outcome=self.outcome,
            partner_ref=self.partner_ref,
        )


class RequestedIn(Body):
    """A document to supplement: from the published list, and what is wrong."""

    code: Code
    name: Annotated[str, Field(max_length=500)]
    reason: Text


class RequestSupplementIn(ActionIn):
    """Yêu cầu bổ sung: the clock pauses until the supplement is accepted."""

    path, action, method = "request-supplement", "request_supplement", "request_supplement"
    items: list[RequestedIn] = Field(max_length=200)
    reason: Text
    respond_by: date | None = None

    def command(self, **base: Any) -> c.RequestSupplement:  # noqa: ANN401 (see ActionIn)
        """Ask for a supplement."""
        items = tuple(RequestedDocument(i.code, i.name, i.reason) for i in self.items)
        return c.RequestSupplement(
            **base, items=items, reason=self.reason, respond_by=self.respond_by
        )


class SupplementIn(ActionIn):
    """Nộp bổ sung: the applicant hands the supplement in."""

    path, action, method = "supplement", "submit_supplement", "submit_supplement"
    documents: list[DocumentIn] = Field(max_length=200)

    def command(self, **base: Any) -> c.SubmitSupplement:  # noqa: ANN401 (see ActionIn)
        """Hand in the supplement."""
        return c.SubmitSupplement(**base, documents=documents_of(self.documents))


class AcceptSupplementIn(ActionIn):
    """Tiếp nhận bổ sung: the clock resumes with a new appointment."""

    path, action, method = "accept-supplement", "accept_supplement", "accept_supplement"

    def command(self, **base: Any) -> c.AcceptSupplement:  # noqa: ANN401 (see ActionIn)
        """Accept the supplement."""
        return c.AcceptSupplement(**base)


class ChargeIn(Body):
    """A fee, charge or tax to pay, in VND."""

    code: Code
    name: Annotated[str, Field(max_length=500)]
    amount: int = Field(ge=0, le=10**15)


class RequestPaymentIn(ActionIn):
    """Nghĩa vụ tài chính: the clock pauses until it is paid."""

    path, action, method = "request-payment", "request_payment", "request_payment"
    charges: list[ChargeIn] = Field(max_length=100)
    note: Text = ""

    def command(self, **base: Any) -> c.RequestPayment:  # noqa: ANN401 (see ActionIn)
        """Ask for payment."""
        charges = tuple(Charge(i.code, i.name, i.amount) for i in self.charges)
        return c.RequestPayment(**base, charges=charges, note=self.note)


class RecordPaymentIn(ActionIn):
    """Thu tại quầy: the cashier took the payment, with the receipt (biên lai) number."""

    path, action, method = "record-payment", "record_payment", "record_counter_payment"
    receipt_number: Short
    amount: int = Field(ge=0, le=10**15)

    def command(self, **base: Any) -> c.RecordCounterPayment:  # noqa: ANN401 (see ActionIn)
        """Record the payment."""
        return c.RecordCounterPayment(
            **base, receipt_number=self.receipt_number, amount=self.amount
        )


class OnlinePaymentIn(ActionIn):
    """Thanh toán trực tuyến: the payment platform's confirmation."""

    path, action, method = (
        "confirm-online-payment",
        "confirm_online_payment",
        "confirm_online_payment",
    )
    payment_ref: Short = Field(description="MaThamChieu")
    transaction_id: Short = Field(description="MaGiaoDich")
    bank_code: Short = ""
    amount: int = Field(ge=0, le=10**15)
    paid_at: Moment

    def command(self, **base: Any) -> c.ConfirmOnlinePayment:  # noqa: ANN401 (see ActionIn)
        """Confirm the payment."""
        return c.ConfirmOnlinePayment(
            **base,
            payment_ref=self.payment_ref,
            transaction_id=self.transaction_id,
            bank_code=self.bank_code,
            amount=self.amount,
            paid_at=self.paid_at,
        )


class ExtendIn(ActionIn):
    """Mẫu 04: apology and a new appointment (the legal due date never moves)."""

    path, action, method = "extend", "extend", "extend"
    new_due_at: Moment
    reason: Text
    signed_by: Short

    def command(self, **base: Any) -> c.ExtendDeadline:  # noqa: ANN401 (see ActionIn)
        """Extend."""
        return c.ExtendDeadline(
            **base, new_due_at=self.new_due_at, reason=self.reason, signed_by=self.signed_by
        )


class IssueResultIn(ActionIn):
    """Có kết quả: the result is signed and issued; processing is finished."""

    path, action, method = "issue-result", "issue_result", "issue_result"
    result_number: Short
    signed_by: Short
    file_ref: Text = ""

    def command(self, **base: Any) -> c.IssueResult:  # noqa: ANN401 (see ActionIn)
        """Issue the result."""
        return c.IssueResult(
            **base,
            result_number=self.result_number,
            signed_by=self.signed_by,
            file_ref=self.file_ref,
        )


class ReturnIn(ActionIn):
    """Trả kết quả: at the counter, by post or online; ``reference`` is who or what took it."""

    path, action, method = "return", "return_result", "return_result"
    delivery: Delivery
    reference: Short = Field(description="Receiver's name, postal item code, or file sent.")

    def command(self, **base: Any) -> c.ReturnResult:  # noqa: ANN401 (see ActionIn)
        """Return the result."""
        return c.ReturnResult(**base, delivery=self.delivery, reference=self.reference)


class ConfirmDeliveryIn(ActionIn):
    """Phát thành công: the postal operator delivered the result."""

    path, action, method = "confirm-delivery", "confirm_delivery", "confirm_postal_delivery"
    receiver_name: Short

    def command(self, **base: Any) -> c.ConfirmPostalDelivery:  # noqa: ANN401 (see ActionIn)
        """Confirm delivery."""
        return c.ConfirmPostalDelivery(**base, receiver_name=self.receiver_name)


class StopIn(ActionIn):
    """Dừng xử lý, with written reasons."""

    path, action, method = "stop", "stop", "stop"
    reason: Text
    legal_ground: Text = ""

    def command(self, **base: Any) -> c.StopProcessing:  # noqa: ANN401 (see ActionIn)
        """Stop."""
        return c.StopProcessing(**base, reason=self.reason, legal_ground=self.legal_ground)


class WithdrawIn(ActionIn):
    """Rút hồ sơ, at the applicant's request, before the result is issued."""

    path, action, method = "withdraw", "withdraw", "withdraw"
    reason: Text = ""

    def command(self, **base: Any) -> c.WithdrawDossier:  # noqa: ANN401 (see ActionIn)
        """Withdraw."""
        return c.WithdrawDossier(**base, reason=self.reason)


class ReturnPapersIn(ActionIn):
    """Trả lại hồ sơ of a stopped or withdrawn dossier."""

    path, action, method = "return-papers", "return_papers", "return_papers"
    delivery: Delivery
    receiver_name: Short

    def command(self, **base: Any) -> c.ReturnPapers:  # noqa: ANN401 (see ActionIn)
        """Return the papers."""
        return c.ReturnPapers(**base, delivery=self.delivery, receiver_name=self.receiver_name)


class RateIn(ActionIn):
    """Đánh giá mức độ hài lòng."""

    path, action, method = "rate", "rate", "rate"
    satisfaction: Satisfaction
    comment: Text = ""

    def command(self, **base: Any) -> c.RateService:  # noqa: ANN401 (see ActionIn)
        """Rate."""
        return c.RateService(**base, satisfaction=self.satisfaction, comment=self.comment)


ACTIONS: tuple[type[ActionIn], ...] = tuple(ActionIn.__subclasses__())
"""Every dossier action, in the order of the lifecycle."""
