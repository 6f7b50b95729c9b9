"""How a dossier looks from outside: the staff document, its audit history and its receipt.

Timestamps go out in ISO-8601 with +07:00 (``presenters.moment``). The staff
document carries personal data; the public lookup view never uses it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from domain.calendar import WorkingCalendar
from domain.dossier import Dossier
from domain.procedure import Procedure
from entrypoints.presenters import deadline_document, moment, plain

_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic"}
_ENVELOPE |= {"actor", "at", "command_id"}


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


def _at(value: datetime | None) -> str | None:
    return moment(value) if value is not None else None


def dossier_document(
    dossier: Dossier, now: datetime, calendar: WorkingCalendar, actions: list[str]
) -> dict[str, Any]:
    """The staff view of ``dossier`` now: status, parties, documents, deadlines, pauses, result.

    ``actions`` are what the reader may do to it now (HTTP path segments).
    """
    submission = dossier.submission
    return {
        "id": str(dossier.id),
        "code": str(dossier.code) if dossier.code else None,
        "lookup_secret": dossier.lookup_secret,
        "version": dossier.version,
        "status": dossier.status.value,
        "status_code": dossier.status.national_code,
        "status_label": dossier.status.label,
        "channel": dossier.channel.value,
        "procedure": submission.procedure.value,
        "procedure_version": dossier.procedure_version,
        "case": submission.case,
        "applicant": plain(submission.applicant),
        "documents": plain(dossier.documents),
        "receiving_unit": submission.receiving_unit.value,
        "competent_agency": submission.competent_agency.value,
        "delivery": submission.delivery.value,
        "postal_item_code": dossier.postal_item_code,
        "submitted_at": moment(dossier.submitted_at),
        "received_at": _at(dossier.received_at),
        "appointment": deadline_document(dossier.appointment) if dossier.appointment else None,
        "deadline": deadline_document(dossier.deadline) if dossier.deadline else None,
        "current_due_at": _at(dossier.current_due_at),
        "rescheduled_due_at": _at(dossier.rescheduled_due_at),
        "remaining_working_hours": _hours(dossier.remaining_working_time(now, calendar)),
        "overdue": dossier.is_overdue(now),
        "step": dossier.step,
        "step_due_at": _at(dossier.step_due_at),
        "handler": dossier.handler,
        "partners": {agency: moment(due) for agency, due in dossier.partners.items()},
        "paused": dossier.is_paused,
        "paused_for": dossier.paused_for,
        "pauses": [{"start": moment(p.start), "end": moment(p.end)} for p in dossier.pauses],
        "supplement_requested": plain(dossier.supplement_requested),
        "charges": plain(dossier.charges),
        "paid": dossier.paid,
        "apologies": plain(dossier.apologies),
        "result_issued_at": _at(dossier.result_issued_at),
        "timeliness": dossier.timeliness.value if dossier.timeliness else None,
        "returned_at": _at(dossier.returned_at),
        "returned_by": dossier.returned_by.value if dossier.returned_by else None,
        "delivered_at": _at(dossier.delivered_at),
        "closed_at": _at(dossier.closed_at),
        "reason": dossier.reason,
        "papers_returned_at": _at(dossier.papers_returned_at),
        "satisfaction": dossier.satisfaction.value if dossier.satisfaction else None,
        "allowed_actions": actions,
    }


def history_document(events: list[DomainEventProtocol[Any]]) -> list[dict[str, Any]]:
    """Every event of a dossier, oldest first: what happened, who did it, when, and its data."""
    return [_event(event) for event in events]


def _event(event: DomainEventProtocol[Any]) -> dict[str, Any]:
    fields = vars(event)
    actor = fields.get("actor")
    return {
        "version": event.originator_version,
        "event": type(event).__qualname__,
        "at": _at(fields.get("at")),
        "recorded_at": _at(fields.get("timestamp")),
        "actor": plain(actor) if actor is not None else None,
        "command_id": fields.get("command_id"),
        "data": {name: plain(value) for name, value in fields.items() if name not in _ENVELOPE},
    }


def receipt_document(dossier: Dossier, procedure: Procedure) -> dict[str, Any]:
    """Mẫu 01, giấy tiếp nhận hồ sơ và hẹn trả kết quả: what the printed receipt says."""
    spec, case = dossier.pinned(procedure)
    names = {document.code: document.name for document in case.documents}
    appointment = dossier.appointment
    submission = dossier.submission
    return {
        "form": "Mẫu 01",
        "title": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "code": str(dossier.code),
        "lookup_secret": dossier.lookup_secret,
        "receiving_unit": submission.receiving_unit.value,
        "competent_agency": submission.competent_agency.value,
        "applicant": {
            "name": submission.applicant.name,
            "id_number": submission.applicant.id_number,
            "address": submission.applicant.address,
            "phone": submission.applicant.phone,
            "email": submission.applicant.email,
        },
        "procedure": {
            "code": spec.local_code.value,
            "national_code": spec.national_code.value,
            "name": spec.name,
            "version": dossier.procedure_version,
            "case": case.name,
        },
        "documents": [
            {
                "code": document.code,
                "name": names.get(document.code, document.code),
                "form": document.form.value,
                "count": document.count,
            }
            for document in dossier.documents
        ],
        "received_at": _at(dossier.received_at),
        "appointment": _at(appointment.due_at) if appointment else None,
        "delivery": submission.delivery.value,
    }
