"""What the pinned procedure version says about one dossier: checklist, time limit, steps.

Pure functions over the catalog's value objects, used by the Dossier
aggregate when it decides; nothing here is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import NoReturn

from domain.calendar import WorkingCalendar
from domain.dossier_values import ExtensionRules, HandedDocument, RequestedDocument
from domain.errors import DossierRuleError
from domain.procedure_spec import Case, Channel, Form, ProcedureSpec, RequiredDocument
from domain.time_limit import TimeLimit, local


def missing_documents(
    case: Case, documents: Iterable[HandedDocument]
) -> tuple[RequestedDocument, ...]:
    """Every required document of ``case`` the checklist lacks, all at once (§3.4).

    A copy does not stand in for a required original; an original does stand in
    for a copy (the office can copy it). Counts add up over checklist lines.
    """
    originals: dict[str, int] = {}
    total: dict[str, int] = {}
    for document in documents:
        total[document.code] = total.get(document.code, 0) + document.count
        if document.form is Form.ORIGINAL:
            originals[document.code] = originals.get(document.code, 0) + document.count
    return tuple(
        RequestedDocument(code=required.code, name=required.name, reason=reason)
        for required in case.documents
        if (reason := _shortfall(required, originals, total))
    )


def _shortfall(required: RequiredDocument, originals: dict[str, int], total: dict[str, int]) -> str:
    have = originals if required.form is Form.ORIGINAL else total
    count = have.get(required.code, 0)
    if count >= required.count:
        return ""
    if count == 0 and total.get(required.code, 0) == 0:
        return "thiếu (missing)"
    wanted = "bản chính (original)" if required.form is Form.ORIGINAL else "bản (copies)"
    return f"cần {required.count} {wanted}, có {count}"


def check_listed(dossier: str, case: Case, codes: Iterable[str]) -> None:
    """Refuse documents outside the case's published list (§3.4 forbidden practice)."""
    listed = {document.code for document in case.documents}
    unknown = sorted({code for code in codes if code not in listed})
    if unknown:
        raise DossierRuleError(
            dossier=dossier,
            rule="documents_outside_list",
            message=f"documents {', '.join(unknown)} are not in the published list of the case",
            unknown=tuple(unknown),
            listed=tuple(sorted(listed)),
        )


def time_limit(dossier: str, spec: ProcedureSpec, case: Case, channel: Channel) -> TimeLimit:
    """The limit the case publishes for ``channel``.

    A postal dossier falls back on the counter limit when the case publishes
    none of its own but the procedure accepts post (the limit is usually
    published for "trực tiếp hoặc qua bưu chính").
    """
    terms = case.terms(channel)
    if terms is None and channel is Channel.POSTAL and spec.postal_allowed:
        terms = case.terms(Channel.COUNTER)
    if terms is None:
        raise DossierRuleError(
            dossier=dossier,
            rule="channel_not_offered",
            message=f"case {case.name!r} of {spec.local_code} is not offered {channel}",
            channel=channel.value,
        )
    return terms.limit


def step_due(calendar: WorkingCalendar, start: datetime, case: Case, step: int) -> datetime | None:
    """When step ``step`` of the internal process is due if it starts at ``start``."""
    if not 0 <= step < len(case.steps):
        return None
    return calendar.add_working_time(start, timedelta(hours=float(case.steps[step].hours)))


def shift(calendar: WorkingCalendar, moment: datetime, start: datetime, end: datetime) -> datetime:
    """``moment`` moved later by the working time between ``start`` and ``end`` (a pause)."""
    paused = calendar.position(end) - calendar.position(start)
    return calendar.instant(calendar.position(moment) + paused)


def check_extension(  # noqa: PLR0913 (each argument is one fact the rule weighs)
    dossier: str,
    *,
    used: int,
    due: datetime,
    rules: ExtensionRules,
    calendar: WorkingCalendar,
    at: datetime,
    new_due: datetime,
) -> None:
    """Refuse an extension (Mẫu 04) the rules do not allow (§4.7)."""

    def refuse(rule: str, message: str, **data: object) -> NoReturn:
        raise DossierRuleError(dossier=dossier, rule=rule, message=message, **data)

    if used >= rules.max_extensions:
        refuse(
            "extension_limit",
            f"the appointment may be rescheduled at most {rules.max_extensions} time(s)",
            max_extensions=rules.max_extensions,
        )
    if new_due <= due:
        refuse(
            "extension_not_later",
            "the new appointment must come after the current one",
            current_due_at=due.isoformat(),
        )
    if not calendar.is_working_day(local(new_due).date()):
        refuse("extension_on_day_off", "the new appointment falls on a day off")
    if rules.after_due:
        return
    latest = _working_days_before(calendar, local(due).date(), rules.notice_working_days)
    if local(at).date() > latest or at > due:
        refuse(
            "extension_too_late",
            f"the apology must come by {latest.isoformat()}, before the appointment passes",
            latest=latest.isoformat(),
        )


def _working_days_before(calendar: WorkingCalendar, day: date, days: int) -> date:
    for _ in range(days):
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
    return day
