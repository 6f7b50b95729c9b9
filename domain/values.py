"""Value objects shared by aggregates."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from attrs import field, frozen

from domain.errors import InvalidValueError

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
"""Giờ Việt Nam: the time zone every legal deadline is held in."""

_AGENCY_CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}")


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
