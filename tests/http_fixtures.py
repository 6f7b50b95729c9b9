"""Builders for HTTP tests: an app over a fresh memory store, a fixed clock, and tokens per role."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi.testclient import TestClient

from adapters.tokens import TokenSettings
from application.calendars import Calendars
from application.commands import PublishProcedure
from application.dossiers import Dossiers
from domain.calendar_policy import CalendarPolicy
from domain.dossier_values import Role
from domain.values import AgencyCode
from entrypoints.bootstrap import Container, Settings, bootstrap
from entrypoints.http.app import create_app
from tests.dossier_fixtures import CENTRE, DECISION, OFFICE, ManualClock, at, spec

API = "/api/v1"
PROCEDURE = spec()


def wired(policy: CalendarPolicy, clock: ManualClock | None = None) -> Container:
    """A system on a memory store, the test procedure published, its clock at ``clock``."""
    container = bootstrap(Settings(tokens=TokenSettings(dev_key_file=None)), policy=policy)
    container.catalog.publish(PublishProcedure(spec=PROCEDURE, decision=DECISION))
    container.__dict__["dossiers"] = Dossiers(
        container.app,
        container.catalog,
        Calendars(policy),
        clock=clock or ManualClock(at(2025, 3, 3, 9)),
    )
    return container


def client_of(container: Container, **options: Any) -> TestClient:
    """A client of the app over ``container`` (raises server errors as problems, not exceptions)."""
    return TestClient(create_app(container), raise_server_exceptions=False, **options)


def bearer(
    container: Container,
    subject: str,
    *roles: Role,
    agencies: Iterable[AgencyCode] = (),
    id_number: str | None = None,
) -> dict[str, str]:
    """The Authorization header of a development token for these claims."""
    token = container.tokens.issue(
        subject=subject, roles=roles, agencies=agencies, id_number=id_number
    )
    return {"Authorization": f"Bearer {token}"}


def staff(container: Container) -> dict[str, dict[str, str]]:
    """One header per role of the test's two agencies: the centre receives, the office decides."""
    return {
        "officer": bearer(container, "officer-1", Role.INTAKE_OFFICER, agencies=[CENTRE]),
        "head": bearer(container, "head-1", Role.UNIT_HEAD, agencies=[OFFICE]),
        "handler": bearer(container, "handler-1", Role.HANDLER, agencies=[OFFICE]),
        "leader": bearer(container, "leader-1", Role.LEADER, agencies=[OFFICE]),
        "clerk": bearer(container, "clerk-1", Role.RECORDS_CLERK, agencies=[OFFICE]),
        "auditor": bearer(container, "auditor-1", Role.AUDITOR, agencies=[OFFICE]),
        "system": bearer(container, "payment-platform", Role.SYSTEM),
        "citizen": bearer(container, "citizen-1", Role.APPLICANT, id_number="038190000123"),
        "stranger": bearer(container, "citizen-2", Role.APPLICANT, id_number="001099000777"),
        "elsewhere": bearer(
            container, "officer-9", Role.INTAKE_OFFICER, agencies=[AgencyCode("000.00.99.H56")]
        ),
    }


def submission_body(**changes: Any) -> dict[str, Any]:
    """A complete walk-in application for the test procedure, as JSON."""
    body: dict[str, Any] = {
        "procedure": PROCEDURE.local_code.value,
        "case": "Cấp mới",
        "applicant": {
            "kind": "citizen",
            "name": "Nguyễn Thị Hoa",
            "id_number": "038190000123",
            "phone": "0912345678",
            "address": "Phường Hạc Thành, Thanh Hóa",
        },
        "documents": [
            {"code": "GT.01", "form": "original", "count": 1},
            {"code": "GT.02", "form": "copy", "count": 2},
        ],
        "receiving_unit": CENTRE.value,
        "competent_agency": OFFICE.value,
        "delivery": "counter",
    }
    body.update(changes)
    return body
