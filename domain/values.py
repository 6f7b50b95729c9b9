"""Value objects shared by aggregates."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from attrs import field, frozen

from domain.errors import InvalidValueError

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
"""Giờ Việt Nam: the time zone every legal deadline is held in."""

# re.ASCII: \d is 0-9 only, so a full-width copy of a code is refused, not a second code.
_AGENCY_CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}", re.ASCII)
_NATIONAL_CODE = re.compile(r"\d\.\d{6}", re.ASCII)
_LOCAL_CODE = re.compile(r"\d\.\d{6}(\.\d{3}\.\d{2}\.\d{2})?\.[A-Z]\d{2}", re.ASCII)


def _check_agency_code(_instance: object, _attribute: object, value: str) -> None:
    if not _AGENCY_CODE.fullmatch(value):
        raise InvalidValueError(
            field="agency_code",
            value=value,
            reason="an agency identifier has the QCVN 102 form LLL.LL.LL.Xnn, e.g. 000.00.12.H56",
        )


@frozen
class AgencyCode:
    """Mã định danh điện tử cơ quan (agency identifier, QCVN 102:2016/BTTTT)."""

    value: str = field(validator=_check_agency_code)

    def __str__(self) -> str:
        return self.value


def _check_national_code(_instance: object, _attribute: object, value: str) -> None:
    if not _NATIONAL_CODE.fullmatch(value):
        raise InvalidValueError(
            field="national_code", value=value, reason="a national procedure code is d.dddddd"
        )


def _check_local_code(_instance: object, _attribute: object, value: str) -> None:
    if not _LOCAL_CODE.fullmatch(value):
        raise InvalidValueError(
            field="local_code",
            value=value,
            reason="a local procedure code is d.dddddd.000.00.00.Xnn or d.dddddd.Xnn",
        )


@frozen
class NationalCode:
    """Mã TTHC quốc gia (national procedure code, MATTHC), e.g. 2.000815."""

    value: str = field(validator=_check_national_code)

    def __str__(self) -> str:
        return self.value


@frozen
class LocalCode:
    """Mã TTHC địa phương (local procedure code, MATTHCDP), e.g. 2.000815.000.00.00.H56."""

    value: str = field(validator=_check_local_code)

    def __str__(self) -> str:
        return self.value
