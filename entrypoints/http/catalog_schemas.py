"""Request bodies of the catalog decisions, and how each is read into domain values.

A procedure travels in exactly the shape of one item of a catalog file
(``data/catalog/README.md``): the DVCQG record plus its ``motcua`` block,
whose ``decision`` is then required (a request has no file-wide decision).
The models check the outline, so a missing or mistyped field is refused
naming it; the catalog file adapter then reads the content, so a file and a
request mean the same thing. DVCQG records carry more fields than motcua
uses; those are accepted and ignored. The ``motcua`` block and decisions
refuse unknown fields, so a misspelt local field is not silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

# The adapter reads a file's items with these; it has no public one-item reader yet.
from adapters.catalog.dvcqg import read_decision, read_spec
from domain.errors import InvalidValueError
from domain.procedure_spec import Collection, Level, OnlineLevel, ProcedureSpec, PublicationDecision
from domain.time_limit import ClockPolicy, TimeUnit
from domain.values import LocalCode
from entrypoints.parsing import InputError

T = TypeVar("T")
Short = Annotated[str, Field(min_length=1, max_length=500)]
Records = Annotated[list[dict[str, Any]], Field(max_length=500)]
_DVCQG_KEY = re.compile(r"\b[A-Z]{4,}\b")


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DecisionIn(_Closed):
    """Quyết định công bố: the publication decision, as in a catalog file's ``decision``."""

    number: Short = Field(description="Số quyết định, e.g. 1234/QĐ-UBND.")
    signed_on: date = Field(alias="date", description="Ngày ký (YYYY-MM-DD).")
    signer: Short = Field(description="Người ký, e.g. Chủ tịch UBND tỉnh.")
    effective: date = Field(description="Ngày có hiệu lực (YYYY-MM-DD).")
    issuing_agency: Short = Field(description="Cơ quan ban hành (QCVN 102, e.g. 000.00.00.H56).")

    def read(self, where: str) -> PublicationDecision:
        """The domain value; ``where`` is this decision's path in the body, for errors."""
        raw = self.model_dump(mode="json", by_alias=True)
        try:
            return read_decision(raw)
        except InvalidValueError as error:
            raise InputError(f"{where}.issuing_agency", error.reason) from None


class StatutoryLimitIn(_Closed):
    """The limit in law, when the province applies a shorter one."""

    value: int = Field(ge=0)
    unit: TimeUnit


class StepIn(_Closed):
    """Bước quy trình nội bộ, with its allotted working hours."""

    name: Short
    responsible: Short
    hours: Decimal = Field(ge=0, le=100_000)


class PartnerIn(_Closed):
    """Cơ quan liên thông (QCVN 102 code), with its allotted working hours."""

    agency: Short
    name: Short
    hours: Decimal = Field(ge=0, le=100_000)


class LocalFieldsIn(_Closed):
    """The ``motcua`` block: local fields the national record does not carry."""

    levels: list[Level] = Field(min_length=1, max_length=3)
    decision: DecisionIn | None = Field(
        default=None, description="The decision this item is published or amended under."
    )
    online_level: OnlineLevel = OnlineLevel.NONE
    postal_allowed: bool = True
    same_day_cutoff: time = time(15)
    supplement_policy: ClockPolicy = ClockPolicy.PAUSE
    statutory_limit: StatutoryLimitIn | None = None
    fee_collection: Collection = Collection.AT_RECEPTION
    steps: list[StepIn] = Field(default_factory=list, max_length=200)
    partners: list[PartnerIn] = Field(default_factory=list, max_length=200)
    source: Annotated[str, Field(max_length=5000)] | None = None


class CatalogItemIn(BaseModel):
    """Thủ tục hành chính: one item of a catalog file (DVCQG ``LayThuTuc`` plus ``motcua``)."""

    model_config = ConfigDict(extra="allow")

    national_code: Short = Field(alias="MATTHC", description="National code d.dddddd.")
    local_code: Short = Field(alias="MATTHCDP", description="Local code: the identity.")
    name: Short = Field(alias="TENTTHC")
    sectors: Records = Field(alias="LINHVUCTHUCHIEN", min_length=1)
    agencies: Records = Field(alias="COQUANTHUCHIEN", min_length=1)
    channels: Records = Field(alias="CACHTHUCTHUCHIEN", min_length=1)
    documents: Records = Field(default_factory=list, alias="THANHPHANHOSO")
    results: Records = Field(default_factory=list, alias="KETQUATHUCHIEN")
    legal_basis: Records = Field(default_factory=list, alias="CANCUPHAPLY")
    motcua: LocalFieldsIn

    def read(self) -> tuple[ProcedureSpec, PublicationDecision]:
        """The content and the decision, read as the catalog file adapter reads an item."""
        if self.motcua.decision is None:
            raise InputError("motcua.decision", "is required: the decision publishing the item")
        raw = self.model_dump(mode="json", by_alias=True, exclude_unset=True)
        spec = _readable(lambda: read_spec(raw, raw["motcua"]))
        return spec, self.motcua.decision.read("motcua.decision")


class ReplaceIn(_Closed):
    """Thay thế: the successor (already in the catalog) and the decision."""

    successor: Short = Field(description="Local code (MATTHCDP) of the successor.")
    decision: DecisionIn


class AbolishIn(_Closed):
    """Bãi bỏ: the decision."""

    decision: DecisionIn


def local_code(text: str, field: str) -> LocalCode:
    """A local procedure code, refused naming ``field``."""
    try:
        return LocalCode(text.strip())
    except InvalidValueError as error:
        raise InputError(field, f"{error.reason} (got {text!r})") from None


def _readable(read: Callable[[], T]) -> T:
    """What ``read`` returns; a shape the adapter cannot read is refused naming the field."""
    try:
        return read()
    except KeyError as error:
        raise InputError(str(error.args[0]), "is missing") from None
    except InvalidOperation:
        raise InputError("item", "a time limit, amount or count is not a number") from None
    except (AttributeError, TypeError) as error:
        raise InputError("item", f"does not have the catalog file's shape ({error})") from None
    except ValueError as error:  # the adapter's own reasons name the DVCQG field
        found = _DVCQG_KEY.search(str(error))
        raise InputError(found.group() if found else "item", str(error)) from None
