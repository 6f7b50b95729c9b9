"""Value objects shared by aggregates."""

from __future__ import annotations

import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

from attrs import field, frozen

from domain.errors import InvalidValueError

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
"""Giờ Việt Nam: the time zone every legal deadline is held in."""

Validator = Callable[[object, object, str], None]


def _format(name: str, pattern: str, reason: str) -> Validator:
    """A validator that refuses values not matching ``pattern`` (ASCII digits only)."""
    # re.ASCII: \d is 0-9 only, so a full-width copy of a code is refused, not a second code.
    compiled = re.compile(pattern, re.ASCII)

    def check(_instance: object, _attribute: object, value: str) -> None:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise InvalidValueError(field=name, value=value, reason=reason)

    return check


_agency_code = _format(
    "agency_code",
    r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}",
    "an agency identifier has the QCVN 102 form LLL.LL.LL.Xnn, e.g. 000.00.12.H56",
)
_national_code = _format("national_code", r"\d\.\d{6}", "a national procedure code is d.dddddd")
_local_code = _format(
    "local_code",
    r"\d\.\d{6}(\.\d{3}\.\d{2}\.\d{2})?\.[A-Z]\d{2}",
    "a local procedure code is d.dddddd.000.00.00.Xnn or d.dddddd.Xnn",
)


@frozen
class AgencyCode:
    """Mã định danh điện tử cơ quan (agency identifier, QCVN 102:2016/BTTTT)."""

    value: str = field(validator=_agency_code)

    def __str__(self) -> str:
        return self.value


@frozen
class NationalCode:
    """Mã TTHC quốc gia (national procedure code, MATTHC), e.g. 2.000815."""

    value: str = field(validator=_national_code)

    def __str__(self) -> str:
        return self.value


@frozen
class LocalCode:
    """Mã TTHC địa phương (local procedure code, MATTHCDP), e.g. 2.000815.000.00.00.H56."""

    value: str = field(validator=_local_code)

    def __str__(self) -> str:
        return self.value
