"""Request bodies of the dossier API, and how each becomes a command.

Every text is NFC-normalised on the way in, so "Nguyễn" typed with combining
marks and "Nguyễn" typed precomposed are the same name. Unknown fields are
refused (422 naming the field). Moments without an offset are Vietnam time.
Domain values (agency codes, documents, charges) are built here, so their own
validation answers with the field's name.
"""

from __future__ import annotations

import unicodedata
from contextvars import ContextVar
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    model_validator,
)

from application import dossier_commands as c
from domain.dossier_values import (
    Applicant,
    ApplicantKind,
    Delivery,
    HandedDocument,
    Submission,
)
from domain.procedure_spec import Form
from domain.values import VIETNAM, AgencyCode, LocalCode


def _vietnam(value: datetime) -> datetime:
    return value.replace(tzinfo=VIETNAM) if value.tzinfo is None else value


Moment = Annotated[
    datetime, AfterValidator(_vietnam), Field(description="ISO-8601; no offset means +07:00.")
]
Text = Annotated[str, Field(max_length=2000)]
Short = Annotated[str, Field(max_length=200)]
Code = Annotated[str, Field(max_length=100)]


def _nfc(value: Any) -> Any:  # noqa: ANN401 (any JSON value)
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(key): _nfc(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    return value


_NORMALISED: ContextVar[bool] = ContextVar("normalised", default=False)
"""Set while a body is validated: its nested bodies' texts are already normalised."""


class Body(BaseModel):
    """A request body: unknown fields refused, every text NFC-normalised (once, at the top)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    @model_validator(mode="wrap")
    @classmethod
    def _normalise(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:  # noqa: ANN401 (pydantic's raw input)
        if _NORMALISED.get():
            return handler(data)
        token = _NORMALISED.set(True)
        try:
            return handler(_nfc(data))
        finally:
            _NORMALISED.reset(token)


class DocumentIn(Body):
    """One line of the checklist as handed in."""

    code: Code
    form: Form
    count: int = Field(default=1, ge=1, le=1000)
    file_ref: Text = ""

    def value(self) -> HandedDocument:
        """The domain value."""
        return HandedDocument(self.code, self.form, self.count, self.file_ref)


def documents_of(items: list[DocumentIn]) -> tuple[HandedDocument, ...]:
    """The checklist as domain values."""
    return tuple(item.value() for item in items)


class ApplicantIn(Body):
    """Chủ hồ sơ: the person or body the dossier is for."""

    kind: ApplicantKind
    name: Annotated[str, Field(min_length=1, max_length=300)]
    id_number: Annotated[str, Field(min_length=1, max_length=50)]
    phone: Annotated[str, Field(max_length=30)] = ""
    email: Short = ""
    address: Annotated[str, Field(max_length=500)] = ""


class SubmissionIn(Body):
    """What is applied for, for whom, where, and how the result goes back."""

    procedure: Annotated[str, Field(description="Local procedure code (MATTHCDP).")]
    case: Annotated[str, Field(min_length=1, max_length=500)]
    applicant: ApplicantIn
    documents: list[DocumentIn] = Field(max_length=200)
    receiving_unit: Annotated[str, Field(description="QCVN 102 code of the receiving unit.")]
    competent_agency: Annotated[str, Field(description="QCVN 102 code of the competent agency.")]
    delivery: Delivery

    def value(self) -> Submission:
        """The domain value."""
        return Submission(
            procedure=LocalCode(self.procedure),
            case=self.case,
            applicant=Applicant(**self.applicant.model_dump()),
            documents=documents_of(self.documents),
            receiving_unit=AgencyCode(self.receiving_unit),
            competent_agency=AgencyCode(self.competent_agency),
            delivery=self.delivery,
        )


class NewDossierIn(Body):
    """A dossier that arrives: at the counter (received at once), online, or by post."""

    channel: Literal["counter", "online", "post"]
    submission: SubmissionIn
    eid_level: int = Field(default=0, ge=0, le=2, description="Online: the e-ID level.")
    postal_item_code: Short | None = Field(default=None, description="Post: the item code.")

    @property
    def action(self) -> str:
        """The access rule and service method that open it."""
        return {"counter": "receive", "online": "submit_online", "post": "submit_by_post"}[
            self.channel
        ]

    def command(self, submission: Submission, **base: Any) -> c.DossierCommand:  # noqa: ANN401 (command_id, actor)
        """The command that opens the dossier with ``submission`` (``self.submission.value()``)."""
        if self.channel == "online":
            return c.SubmitOnline(**base, submission=submission, eid_level=self.eid_level)
        if self.channel == "post":
            return c.SubmitByPost(
                **base, submission=submission, postal_item_code=self.postal_item_code or ""
            )
        return c.ReceiveDossier(**base, submission=submission)
