"""Chính sách lịch (calendar policy): the national base plus dated local decisions.

The national base (public holidays, nghỉ bù, Saturdays made working days) comes
from outside the domain as data. Local decisions change it: a day off that the
base lacks, a day that is worked after all, office hours from a date. Each
change takes effect from its ``effective`` date. A deadline is computed under
the rule set in force on the day the dossier is received, so a change never
moves a deadline that was computed before it took effect.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from attrs import field, frozen

from domain.calendar import OfficeHours, WorkingCalendar, to_dates, to_day_names, to_weekdays
from domain.errors import InvalidCalendarError, OutsideCalendarError
from domain.values import AgencyCode


def _agencies(value: Iterable[AgencyCode]) -> frozenset[AgencyCode]:
    return frozenset(value)


@frozen(kw_only=True)
class Decision:
    """Quyết định: when a change takes effect, which decision made it, and for which agencies.

    No agencies means every agency that uses the policy.
    """

    effective: date
    decision: str = ""
    agencies: frozenset[AgencyCode] = field(converter=_agencies, factory=frozenset)


@frozen(kw_only=True)
class DayOff(Decision):
    """Ngày nghỉ theo quyết định: a day off that the national base does not have."""

    day: date
    name: str


@frozen(kw_only=True)
class WorkingDay(Decision):
    """Ngày làm việc theo quyết định: a day that is worked, whatever the base says."""

    day: date
    reason: str


@frozen(kw_only=True)
class OfficeHoursChange(Decision):
    """Thay đổi giờ làm việc: new office hours from ``hours.valid_from``."""

    hours: OfficeHours


Change = DayOff | WorkingDay | OfficeHoursChange


def _changes(value: Iterable[Change]) -> tuple[Change, ...]:
    return tuple(value)


@frozen(kw_only=True)
class CalendarPolicy:
    """The national base and the local changes, from which each agency's calendar is built."""

    first_day: date
    last_day: date
    base_holidays: Mapping[date, str] = field(converter=to_day_names, hash=False, repr=False)
    base_working_weekend_days: frozenset[date] = field(converter=to_dates, repr=False)
    base_office_hours: OfficeHours
    changes: tuple[Change, ...] = field(converter=_changes, default=())
    rest_weekdays: frozenset[int] = field(converter=to_weekdays, default=frozenset({5, 6}))
    _built: dict[tuple[object, ...], WorkingCalendar] = field(
        init=False, factory=dict, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        if self.base_office_hours.valid_from > self.first_day:
            raise InvalidCalendarError("the base office hours must hold from the first day")
        self.calendar()  # the full rule set must make a consistent calendar

    def calendar(
        self, agency: AgencyCode | None = None, as_of: date | None = None
    ) -> WorkingCalendar:
        """The calendar of ``agency`` under the rules in force on ``as_of`` (default: all rules).

        Changes scoped to other agencies are left out; so are changes that take
        effect after ``as_of``.
        """
        if as_of is not None and not self.first_day <= as_of <= self.last_day:
            raise OutsideCalendarError(
                requested=as_of, first_day=self.first_day, last_day=self.last_day
            )
        applicable = tuple(
            change
            for change in self.changes
            if (not change.agencies or agency in change.agencies)
            and (as_of is None or change.effective <= as_of)
        )
        key = tuple(id(change) for change in applicable)
        built = self._built.get(key)
        if built is None:
            built = self._build(applicable)
            self._built[key] = built
        return built

    def _build(self, changes: tuple[Change, ...]) -> WorkingCalendar:
        holidays = dict(self.base_holidays)
        worked = set(self.base_working_weekend_days)
        hours = {self.base_office_hours.valid_from: self.base_office_hours}
        for change in sorted(changes, key=lambda c: c.effective):
            if isinstance(change, DayOff):
                worked.discard(change.day)
                holidays[change.day] = change.name
            elif isinstance(change, WorkingDay):
                holidays.pop(change.day, None)
                if change.day.weekday() in self.rest_weekdays:
                    worked.add(change.day)
            else:
                hours[change.hours.valid_from] = change.hours
        return WorkingCalendar(
            first_day=self.first_day,
            last_day=self.last_day,
            holidays={d: n for d, n in holidays.items() if self.first_day <= d <= self.last_day},
            working_weekend_days={d for d in worked if self.first_day <= d <= self.last_day},
            office_hours=tuple(hours[d] for d in sorted(hours)),
            rest_weekdays=self.rest_weekdays,
        )
