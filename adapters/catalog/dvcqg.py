"""Catalog files in the DVCQG procedure shape (``LayThuTuc``), plus motcua's local fields.

The format is documented in ``data/catalog/README.md``. Each item is read on its
own: a bad item becomes ``Unreadable`` with its index and reason, and the rest
are read as usual.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import date, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from application.catalog_import import Entry, Unreadable
from domain.errors import DomainError
from domain.procedure_spec import (
    Case,
    Channel,
    ChannelTerms,
    Collection,
    Fee,
    FeeKind,
    Form,
    LegalBasis,
    Partner,
    ProcedureSpec,
    ProcessStep,
    PublicationDecision,
    RequiredDocument,
    ResultDocument,
    Sector,
)
from domain.time_limit import TimeLimit, TimeUnit
from domain.values import AgencyCode, LocalCode, NationalCode

CHANNELS = {"1": Channel.COUNTER, "2": Channel.ONLINE, "3": Channel.POSTAL}
UNITS = {
    "ngày làm việc": TimeUnit.WORKING_DAYS,
    "giờ làm việc": TimeUnit.WORKING_HOURS,
    "ngày": TimeUnit.CALENDAR_DAYS,
    "trong ngày": TimeUnit.SAME_DAY,
}
DEFAULT_CASE = "Trường hợp chung"

Item = Mapping[str, Any]


class CatalogFileError(ValueError):
    """The file as a whole cannot be read (not JSON, or not a catalog)."""


class _ItemError(ValueError):
    """One item is wrong; the message says where."""


def read_catalog(path: Path) -> tuple[int, Iterator[Entry | Unreadable]]:
    """The number of items in the file, and the items read one by one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CatalogFileError(f"{path}: {error.strerror or error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CatalogFileError(f"{path}: not JSON ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("procedures"), list):
        raise CatalogFileError(f"{path}: expected an object with a list 'procedures'")
    items: list[Any] = document["procedures"]
    default = document.get("decision")
    return len(items), (_read(index, item, default) for index, item in enumerate(items))


def _read(index: int, item: Any, default: Any) -> Entry | Unreadable:  # noqa: ANN401 (raw JSON)
    if not isinstance(item, dict):
        return Unreadable(index, None, "an item must be an object")
    code = item.get("MATTHCDP")
    try:
        local: Item = item.get("motcua") or {}
        decision = read_decision(local.get("decision") or default)
        return Entry(index, read_spec(item, local), decision)
    except (
        _ItemError,
        DomainError,
        KeyError,
        TypeError,
        ValueError,
        InvalidOperation,
        AttributeError,  # a block that should be an object is not one
    ) as error:
        reason = f"missing field {error}" if isinstance(error, KeyError) else str(error)
        return Unreadable(index, code if isinstance(code, str) else None, reason)


def _text(value: Any) -> str:  # noqa: ANN401 (raw JSON)
    if not isinstance(value, str | int):
        raise _ItemError(f"expected text, got {value!r}")
    return unicodedata.normalize("NFC", str(value)).strip()


def _list(item: Item, key: str) -> list[Any]:
    value = item.get(key) or []
    if not isinstance(value, list):
        raise _ItemError(f"{key} must be a list")
    return value


def read_decision(raw: Any) -> PublicationDecision:  # noqa: ANN401 (raw JSON)
    """A publication decision block (number, date, signer, effective, issuing_agency)."""
    if not isinstance(raw, dict):
        raise _ItemError("no publication decision: give 'decision' in the file or the item")
    return PublicationDecision(
        number=_text(raw["number"]),
        signed_on=date.fromisoformat(raw["date"]),
        signer=_text(raw["signer"]),
        effective=date.fromisoformat(raw["effective"]),
        issuing_agency=AgencyCode(_text(raw["issuing_agency"])),
    )


def read_spec(item: Item, local: Item) -> ProcedureSpec:
    """One DVCQG item and its ``motcua`` block, as a procedure's content.

    Raises ``KeyError`` for a missing field and ``ValueError`` for a wrong one.
    """
    sectors = _list(item, "LINHVUCTHUCHIEN")
    if not sectors:
        raise _ItemError("LINHVUCTHUCHIEN needs at least one sector")
    statutory = local.get("statutory_limit")
    return ProcedureSpec(
        national_code=NationalCode(_text(item["MATTHC"])),
        local_code=LocalCode(_text(item["MATTHCDP"])),
        name=_text(item["TENTTHC"]),
        sector=Sector(_text(sectors[0]["MALINHVUC"]), _text(sectors[0]["TENLINHVUC"])),
        agencies=[AgencyCode(_text(a["MADONVI"])) for a in _list(item, "COQUANTHUCHIEN")],
        levels=local["levels"],
        cases=_cases(item, local),
        online_level=local.get("online_level", "none"),
        postal_allowed=bool(local.get("postal_allowed", True)),
        same_day_cutoff=time.fromisoformat(local.get("same_day_cutoff", "15:00")),
        supplement_policy=local.get("supplement_policy", "pause"),
        partners=[_partner(p) for p in local.get("partners", [])],
        legal_basis=[
            LegalBasis(_text(b["SOVANBAN"]), _text(b.get("TENVANBAN", "")))
            for b in _list(item, "CANCUPHAPLY")
        ],
        statutory_limit=TimeLimit(unit=statutory["unit"], value=statutory["value"])
        if statutory
        else None,
    )


def _cases(item: Item, local: Item) -> list[Case]:
    channels = [_channel(c, local) for c in _list(item, "CACHTHUCTHUCHIEN")]
    results = [
        ResultDocument(_text(r.get("MAKETQUA") or f"KQ{i + 1}"), _text(r["TENKETQUA"]))
        for i, r in enumerate(_list(item, "KETQUATHUCHIEN"))
    ]
    steps = [
        ProcessStep(_text(s["name"]), _text(s["responsible"]), Decimal(str(s["hours"])))
        for s in local.get("steps", [])
    ]
    groups: dict[str, list[RequiredDocument]] = {}
    for group in _list(item, "THANHPHANHOSO"):
        name = _text(group.get("TRUONGHOP") or DEFAULT_CASE)
        documents = groups.setdefault(name, [])
        documents.extend(_document(d, len(documents)) for d in _list(group, "GIAYTO"))
    return [
        Case(name, channels, documents, results, steps)
        for name, documents in (groups or {DEFAULT_CASE: []}).items()
    ]


def _channel(raw: Item, local: Item) -> ChannelTerms:
    channel = CHANNELS.get(_text(raw["KENH"]))
    if channel is None:
        raise _ItemError(f"KENH must be 1, 2 or 3 (got {raw['KENH']!r})")
    times = _list(raw, "THOIGIAN")
    if not times:
        raise _ItemError(f"channel {channel}: THOIGIAN needs at least one entry")
    first = times[0]
    unit = UNITS.get(_text(first["DONVITINH"]).casefold())
    if unit is None:
        raise _ItemError(
            f"DONVITINH must be one of {', '.join(UNITS)} (got {first['DONVITINH']!r})"
        )
    amount = Decimal(str(first["THOIGIANGIAIQUYET"]))
    if amount != amount.to_integral_value():
        raise _ItemError(f"THOIGIANGIAIQUYET must be a whole number (got {amount})")
    limit = (
        TimeLimit.same_day()
        if unit is TimeUnit.SAME_DAY
        else TimeLimit(unit=unit, value=int(amount))
    )
    collection = local.get("fee_collection", Collection.AT_RECEPTION)
    fees = [_fee(f, i, channel, collection) for i, f in enumerate(_list(first, "PHILEPHI"))]
    return ChannelTerms(channel, limit, fees)


def _fee(raw: Item, index: int, channel: Channel, collection: str) -> Fee:
    amount_text = _text(raw.get("SOTIEN", "0")).replace(".", "").replace(",", "")
    if not amount_text.isdigit():
        raise _ItemError(
            f"SOTIEN must be an amount in VND, digits only (got {raw.get('SOTIEN')!r})"
        )
    amount = int(amount_text)
    description = _text(raw.get("MOTA") or "Phí")
    kind = FeeKind.CHARGE if "lệ phí" in description.casefold() else FeeKind.FEE
    return Fee(
        code=_text(raw.get("MAPHILEPHI") or f"{channel.value}-{index + 1}"),
        name=description,
        amount=amount,
        kind=kind,
        collected=Collection.EXEMPT if amount == 0 else collection,
    )


def _document(raw: Item, position: int) -> RequiredDocument:
    originals = int(raw.get("SOBANCHINH") or 0)
    copies = int(raw.get("SOBANSAO") or 0)
    return RequiredDocument(
        code=_text(raw.get("MAGIAYTO") or f"GT{position + 1}"),
        name=_text(raw["TENGIAYTO"]),
        form=Form.ORIGINAL if originals >= 1 else Form.COPY,
        count=max(originals, copies, 1),
    )


def _partner(raw: Item) -> Partner:
    return Partner(AgencyCode(_text(raw["agency"])), _text(raw["name"]), Decimal(str(raw["hours"])))
