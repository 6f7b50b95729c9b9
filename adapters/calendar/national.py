"""The national base calendar of Vietnam, read from the `holidays` package (country VN)."""

from __future__ import annotations

from datetime import date

import attrs
import holidays

_LANGUAGE = "vi"


@attrs.frozen
class NationalDays:
    """Public holidays (with their Vietnamese names) and Saturdays made working days."""

    holidays: dict[date, str]
    working_weekend_days: frozenset[date]
    rest_weekdays: frozenset[int]


def national_days(first_year: int, last_year: int) -> NationalDays:
    """The national days off and swapped working days from ``first_year`` to ``last_year``."""
    years = range(first_year, last_year + 1)
    vietnam = holidays.country_holidays("VN", years=years, language=_LANGUAGE)
    in_range = [day for day in vietnam.weekend_workdays if day.year in years]
    return NationalDays(
        holidays={day: str(name) for day, name in sorted(vietnam.items())},
        working_weekend_days=frozenset(in_range),
        rest_weekdays=frozenset(vietnam.weekend),
    )
