"""Shared builders for dossier tests: a procedure, a clock you move by hand, and a desk.

``Desk`` wires a ``Dossiers`` service over any event store with a published
test procedure, and turns short calls into full commands with fresh command
ids, so tests read like the officer's day: ``desk.receive()``,
``desk.assign(d)``, ``desk.issue_result(d)``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from application import dossier_commands as c
from application.calendars import Calendars
from application.catalog import Catalog
from application.commands import PublishProcedure
from application.dossiers import Dossiers
from application.onestop import OneStop
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from domain.dossier_values import (
    Actor,
    Applicant,
    ApplicantKind,
    Delivery,
    ExtensionRules,
    HandedDocument,
    Role,
    Submission,
)
from domain.procedure import procedure_id
from domain.procedure_spec import (
    Case,
    Channel,
    ChannelTerms,
    Form,
    OnlineLevel,
    Partner,
    ProcedureSpec,
    ProcessStep,
    PublicationDecision,
    RequiredDocument,
    Sector,
)
from domain.time_limit import ClockPolicy, TimeLimit
from domain.values import VIETNAM, AgencyCode, LocalCode, NationalCode

CENTRE = AgencyCode("000.00.12.H56")  # the receiving unit (trung tâm phục vụ hành chính công)
OFFICE = AgencyCode("000.01.40.H56")  # the competent agency
TAX = AgencyCode("000.00.20.H56")  # an interconnected partner (cơ quan thuế)
OFFICER = Actor("officer-1", Role.INTAKE_OFFICER, CENTRE)
HANDLER = Actor("handler-1", Role.HANDLER, OFFICE)
LEADER = Actor("leader-1", Role.LEADER, OFFICE)
APPLICANT = Actor("citizen-1", Role.APPLICANT)
SYSTEM = Actor("payment-platform", Role.SYSTEM)

FORM = "GT.01"  # tờ khai, one original
ID_COPY = "GT.02"  # bản sao giấy tờ tùy thân, two copies
COMPLETE = (
    HandedDocument(FORM, Form.ORIGINAL, 1),
    HandedDocument(ID_COPY, Form.COPY, 2),
)
STEP_HOURS = (Decimal(4), Decimal(40), Decimal(8), Decimal(4))
TEN_DAYS = TimeLimit.working_days(10)


def spec(
    *,
    code: str = "1.000001.000.00.00.H56",
    limit: TimeLimit = TEN_DAYS,
    policy: ClockPolicy = ClockPolicy.PAUSE,
    steps: tuple[Decimal, ...] = STEP_HOURS,
) -> ProcedureSpec:
    """A procedure of ten working days with a four-step process and a tax partner."""
    channels = [ChannelTerms(channel, limit) for channel in Channel]
    case = Case(
        name="Cấp mới",
        channels=channels,
        documents=[
            RequiredDocument(FORM, "Tờ khai", Form.ORIGINAL, 1),
            RequiredDocument(ID_COPY, "Bản sao CCCD", Form.COPY, 2),
        ],
        steps=[ProcessStep(f"Bước {i + 1}", "Phòng", hours) for i, hours in enumerate(steps)],
    )
    return ProcedureSpec(
        national_code=NationalCode(code[:8]),
        local_code=LocalCode(code),
        name="Thủ tục thử nghiệm",
        sector=Sector("G01", "Thử nghiệm"),
        agencies=[OFFICE],
        levels=["province"],
        cases=[case],
        online_level=OnlineLevel.FULL,
        supplement_policy=policy,
        partners=[Partner(TAX, "Chi cục Thuế", Decimal(16))],
    )


DECISION = PublicationDecision(
    number="1/QĐ-UBND",
    signed_on=date(2024, 12, 20),
    signer="Chủ tịch",
    effective=date(2025, 1, 1),
    issuing_agency=AgencyCode("000.00.00.H56"),
)


class ManualClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        """Now, as the test last set it."""
        return self.now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment``."""
        self.now = moment

    def advance(self, **delta: float) -> None:
        """Move forward by a ``timedelta(**delta)``."""
        self.now += timedelta(**delta)


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in Vietnam time."""
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


def submission(
    *,
    procedure: ProcedureSpec | None = None,
    documents: tuple[HandedDocument, ...] = COMPLETE,
    delivery: Delivery = Delivery.COUNTER,
) -> Submission:
    """An application by a citizen, received at the centre, for the office."""
    return Submission(
        procedure=(procedure or spec()).local_code,
        case="Cấp mới",
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name="Nguyễn Thị Hoa",
            id_number="038190000123",
            phone="0912345678",
            address="Phường Hạc Thành, Thanh Hóa",
        ),
        documents=documents,
        receiving_unit=CENTRE,
        competent_agency=OFFICE,
        delivery=delivery,
    )


class Desk:
    """The one-stop desk for tests: a Dossiers service plus short command builders."""

    def __init__(
        self,
        app: OneStop,
        policy: CalendarPolicy,
        *,
        start: datetime | None = None,
        procedure: ProcedureSpec | None = None,
        rules: ExtensionRules | None = None,
        publish: bool = True,
    ) -> None:
        self.app = app
        self.clock = ManualClock(start or at(2025, 3, 3, 8))
        self.catalog = Catalog(app)
        self.spec = procedure or spec()
        if publish and not self.catalog.index.find(procedure_id(self.spec.local_code)):
            self.catalog.publish(PublishProcedure(spec=self.spec, decision=DECISION))
        self.dossiers = Dossiers(
            app, self.catalog, Calendars(policy), clock=self.clock, extension_rules=rules
        )
        self._ids: Iterator[int] = itertools.count(1)

    def command_id(self) -> str:
        """A fresh command id."""
        return f"cmd-{next(self._ids)}"

    def on(self, dossier: Dossier | UUID, actor: Actor = OFFICER, **fields: Any) -> dict[str, Any]:
        """The fields every command on ``dossier`` carries, plus ``fields``."""
        dossier_id = dossier.id if isinstance(dossier, Dossier) else dossier
        return {"command_id": self.command_id(), "actor": actor, "dossier_id": dossier_id, **fields}

    # the common path, one line per step

    def receive(self, **fields: Any) -> Dossier:
        """A walk-in dossier received at the counter."""
        fields.setdefault("submission", submission(procedure=self.spec))
        return self.dossiers.receive(
            c.ReceiveDossier(command_id=self.command_id(), actor=OFFICER, **fields)
        )

    def submit_online(self, **fields: Any) -> Dossier:
        """A dossier submitted on the portal."""
        fields.setdefault("submission", submission(procedure=self.spec, delivery=Delivery.ONLINE))
        return self.dossiers.submit_online(
            c.SubmitOnline(command_id=self.command_id(), actor=APPLICANT, **fields)
        )

    def accept(self, dossier: Dossier, **fields: Any) -> Dossier:
        """Accept a submitted dossier."""
        return self.dossiers.accept(c.AcceptSubmission(**self.on(dossier, **fields)))

    def assign(self, dossier: Dossier) -> Dossier:
        """Give the dossier to the handler."""
        return self.dossiers.assign(
            c.AssignHandler(**self.on(dossier, HANDLER, handler="handler-1", unit="Phòng"))
        )

    def complete_step(self, dossier: Dossier) -> Dossier:
        """Finish the current step."""
        return self.dossiers.complete_step(
            c.CompleteStep(**self.on(dossier, HANDLER, outcome="Đạt"))
        )

    def issue_result(self, dossier: Dossier) -> Dossier:
        """Sign and issue the result."""
        return self.dossiers.issue_result(
            c.IssueResult(**self.on(dossier, LEADER, result_number="12/GP", signed_by="Lãnh đạo"))
        )

    def return_at_counter(self, dossier: Dossier) -> Dossier:
        """Hand the result over at the counter."""
        return self.dossiers.return_result(
            c.ReturnResult(
                **self.on(dossier, delivery=Delivery.COUNTER, reference="Nguyễn Thị Hoa")
            )
        )

    def lifecycle(self) -> Dossier:
        """Receive, assign, finish and return one dossier."""
        dossier = self.receive()
        self.assign(dossier)
        self.issue_result(dossier)
        return self.return_at_counter(dossier)
