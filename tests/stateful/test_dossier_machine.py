"""The dossier lifecycle as a state machine: random commands, good and bad, against a plain model.

Every command goes through the ``Dossiers`` service. The model says, from
the status (``ALLOWED``) and the guard rules, whether the command must
succeed; a refused command must raise a domain or application error and
record nothing. After every step each dossier is reloaded and compared with
the model and with what the last command returned; its appointment and
statutory due date never move earlier, and the statutory due date moves only
when a paused clock resumes.

One rule per command draws any dossier and any arguments, so most of them
are refused; ``proceed`` sends a command the dossier's status allows, with
arguments the guards accept, so dossiers also get deep into their lives.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

from attrs import evolve
from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from adapters.calendar.policy_file import load_policy
from adapters.eventstore.config import StoreKind
from application import dossier_commands as c
from application.commands import PublishProcedure
from application.dossiers import Dossiers, dossier_id_for
from application.errors import ApplicationError
from application.onestop import OneStop
from domain.calendar import WorkingCalendar
from domain.dossier import Dossier
from domain.dossier_status import ALLOWED, TERMINAL, Status
from domain.dossier_values import (
    Actor,
    Charge,
    Delivery,
    HandedDocument,
    RequestedDocument,
    Satisfaction,
)
from domain.errors import DomainError
from domain.procedure_spec import Form
from domain.time_limit import ClockPolicy, local
from domain.values import VIETNAM, AgencyCode
from tests.conftest import TODAY
from tests.copy_rule import breaks_the_copy_rule
from tests.dossier_fixtures import (
    APPLICANT,
    COMPLETE,
    DECISION,
    FORM,
    HANDLER,
    ID_COPY,
    LEADER,
    OFFICE,
    OFFICER,
    SYSTEM,
    TAX,
    Desk,
    spec,
    submission,
)
from tests.integration.stores import require_postgres, store

POLICY = load_policy(None, today=TODAY)
"""The built-in calendar policy, built as the ``policy`` fixture is (machines take no fixtures)."""

PAUSING = spec()
"""Ten working days, four steps; a supplement pauses the clock."""

RESTARTING = spec(
    code="1.000002.000.00.00.H56", policy=ClockPolicy.RESTART, steps=(Decimal(8), Decimal(16))
)
"""Ten working days, two steps; an accepted supplement restarts the clock and the steps."""

FIRST_START = date(2025, 1, 2)
LAST_START = date(2026, 6, 30)
LAST_MOMENT = datetime(2026, 12, 31, 17, tzinfo=VIETNAM)
"""The clock never passes this: every moment stays inside 2025-2026."""

MAX_OPEN = 4
"""At most this many dossiers are not terminal at once."""
MAX_DOSSIERS = 10
BURST = 10
"""The most commands one ``proceed`` step sends."""

SUPPLEMENT = "supplement"
PAYMENT = "payment"


# ---------------------------------------------------------------- what commands carry


@dataclass(frozen=True)
class Checklist:
    """A checklist a test hands in, and what the published list says of it."""

    documents: tuple[HandedDocument, ...]
    complete: bool
    listed: bool = True


def _doc(code: str, form: Form, count: int = 1) -> HandedDocument:
    return HandedDocument(code, form, count)


CHECKLISTS: dict[str, Checklist] = {
    "complete": Checklist(COMPLETE, complete=True),
    "originals for copies": Checklist(
        (_doc(FORM, Form.ORIGINAL), _doc(ID_COPY, Form.ORIGINAL, 2)), complete=True
    ),
    "copies over two lines": Checklist(
        (_doc(FORM, Form.ORIGINAL), _doc(ID_COPY, Form.COPY), _doc(ID_COPY, Form.COPY)),
        complete=True,
    ),
    "form only": Checklist((_doc(FORM, Form.ORIGINAL),), complete=False),
    "copy of the form": Checklist(
        (_doc(FORM, Form.COPY), _doc(ID_COPY, Form.COPY, 2)), complete=False
    ),
    "one id copy": Checklist((_doc(FORM, Form.ORIGINAL), _doc(ID_COPY, Form.COPY)), complete=False),
    "nothing": Checklist((), complete=False),
    "outside the list": Checklist(
        (*COMPLETE, _doc("GT.99", Form.COPY)), complete=True, listed=False
    ),
}
COMPLETE_LISTS = ["complete", "originals for copies", "copies over two lines"]
LISTED = [name for name, checklist in CHECKLISTS.items() if checklist.listed]

GUIDANCE: dict[str, tuple[dict[str, str], bool, bool]] = {
    # label: (guidance, whether it asks for something, whether its codes are listed)
    "none": ({}, False, True),
    "fix the form": ({FORM: "Ký và ghi rõ họ tên"}, True, True),
    "blank guidance": ({FORM: "   "}, False, True),
    "outside the list": ({"GT.99": "Giấy xác nhận"}, True, False),
}

CHARGES: dict[str, tuple[Charge, ...]] = {
    "fee": (Charge("LP.01", "Lệ phí cấp giấy", 50_000),),
    "fee and tax": (Charge("LP.01", "Lệ phí", 50_000), Charge("T.01", "Thuế", 300_000)),
    "free": (Charge("LP.01", "Lệ phí", 0),),
    "none": (),
}

REASON = "Không đủ điều kiện theo quy định"
NAME = "Nguyễn Thị Hoa"
REASONS = st.sampled_from([REASON, "   ", ""])
"""A written reason, or a blank one (refused wherever a reason is required)."""
NAMES = st.sampled_from([NAME, " "])

ASKED = (RequestedDocument(FORM, "Tờ khai", "Chưa ký"),)
ASKED_OUTSIDE = (RequestedDocument("GT.99", "Giấy xác nhận", "Thiếu"),)

START_MOMENTS = st.builds(
    lambda day, hour, minute: datetime.combine(day, time(hour, minute), tzinfo=VIETNAM),
    st.dates(FIRST_START, LAST_START),
    st.integers(0, 23),
    st.sampled_from([0, 15, 30, 45, 59]),
)
"""Any moment to open the desk, working hours or not."""

WAITS = st.one_of(
    st.integers(1, 120).map(lambda minutes: timedelta(minutes=minutes)),
    st.integers(1, 10).map(lambda hours: timedelta(hours=hours)),
    st.integers(1, 6).map(lambda days: timedelta(days=days)),
)
"""Minutes to days between commands."""

AIMS = st.integers(0, 7) | st.none()
"""A number: act on a dossier whose status fits the command, if any; None: on the one drawn."""

Strategies = dict[str, st.SearchStrategy[Any]]

ANY: dict[str, Strategies] = {
    "request_intake_supplement": {"guidance": st.sampled_from(list(GUIDANCE))},
    "resubmit": {"checklist": st.sampled_from(list(CHECKLISTS))},
    "accept": {"checklist": st.none() | st.sampled_from(list(CHECKLISTS))},
    "reject": {"reason": REASONS},
    "assign": {
        "handler": st.sampled_from(["handler-1", " "]),
        "expected": st.sampled_from(["none", "current", "stale"]),
    },
    "complete_step": {"outcome": st.sampled_from(["Đạt", ""])},
    "return_step": {"reason": REASONS},
    "hand_over": {"partner": st.sampled_from([TAX, OFFICE])},
    "take_back": {
        "partner": st.sampled_from([TAX, OFFICE]),
        "outcome": st.sampled_from(["Đã xác định nghĩa vụ thuế", " "]),
    },
    "request_supplement": {
        "variant": st.sampled_from(
            ["good", "blank reason", "no items", "outside the list", "past"]
        ),
        "respond_in": st.none() | st.integers(0, 20),
    },
    "submit_supplement": {"checklist": st.sampled_from(list(CHECKLISTS))},
    "accept_supplement": {},
    "request_payment": {"charges": st.sampled_from(list(CHARGES))},
    "confirm_online_payment": {
        "amount": st.sampled_from(["due", "more", "less", "zero"]),
        "reference": st.sampled_from(["PAY-0001", ""]),
    },
    "record_counter_payment": {
        "amount": st.sampled_from(["due", "more", "less", "zero"]),
        "receipt": st.sampled_from(["BL-0001", " "]),
    },
    "extend": {
        "variant": st.sampled_from(["later", "same moment", "day off", "blank reason"]),
        "days": st.integers(1, 5),
    },
    "issue_result": {"number": st.sampled_from(["12/GP", ""])},
    "return_result": {"delivery": st.sampled_from(Delivery), "reference": NAMES},
    "confirm_postal_delivery": {"receiver": NAMES},
    "stop": {"reason": REASONS},
    "withdraw": {"expected": st.sampled_from(["none", "current", "stale"])},
    "return_papers": {
        "delivery": st.sampled_from([Delivery.COUNTER, Delivery.POSTAL]),
        "receiver": NAMES,
    },
    "rate": {"satisfaction": st.sampled_from(Satisfaction)},
}
"""Each command rule's arguments: good ones and bad ones."""

GOOD: dict[str, Strategies] = {
    **ANY,
    "request_intake_supplement": {"guidance": st.just("fix the form")},
    "resubmit": {"checklist": st.sampled_from(COMPLETE_LISTS)},
    "accept": {"checklist": st.none() | st.sampled_from(COMPLETE_LISTS)},
    "assign": {"handler": st.just("handler-1"), "expected": st.sampled_from(["none", "current"])},
    "complete_step": {"outcome": st.just("Đạt")},
    "return_step": {"reason": st.just(REASON)},
    "hand_over": {"partner": st.just(TAX)},
    "take_back": {"partner": st.just(TAX), "outcome": st.just("Đã xác định nghĩa vụ thuế")},
    "request_supplement": {
        "variant": st.just("good"),
        "respond_in": st.none() | st.integers(0, 20),
    },
    "submit_supplement": {"checklist": st.sampled_from(COMPLETE_LISTS)},
    "request_payment": {"charges": st.sampled_from(["fee", "fee and tax"])},
    "confirm_online_payment": {"amount": st.just("due"), "reference": st.just("PAY-0001")},
    "record_counter_payment": {"amount": st.just("due"), "receipt": st.just("BL-0001")},
    "extend": {"variant": st.just("later"), "days": st.integers(1, 5)},
    "issue_result": {"number": st.just("12/GP")},
    "return_result": {"delivery": st.sampled_from(Delivery), "reference": st.just(NAME)},
    "confirm_postal_delivery": {"receiver": st.just(NAME)},
    "return_papers": {
        "delivery": st.sampled_from([Delivery.COUNTER, Delivery.POSTAL]),
        "receiver": st.just(NAME),
    },
}
"""Arguments every guard accepts (the guards that depend on state may still refuse)."""

ACTION = {name: name for name in ANY} | {
    "confirm_online_payment": "record_payment",
    "record_counter_payment": "record_payment",
    "confirm_postal_delivery": "confirm_delivery",
}
"""The ``ALLOWED`` entry of each command rule."""

FORWARD = [
    "accept",
    "request_supplement",
    "submit_supplement",
    "accept_supplement",
    "request_payment",
    "confirm_online_payment",
    "record_counter_payment",
    "complete_step",
    "return_step",
    "hand_over",
    "take_back",
    "issue_result",
    "return_result",
    "confirm_postal_delivery",
    "extend",
    "resubmit",
    "assign",
    "request_intake_supplement",
    "rate",
    "return_papers",
]
"""The command rules ``proceed`` chooses from; the endings (reject, stop, withdraw) are not."""


# ---------------------------------------------------------------- the model

Command = TypeVar("Command", bound=c.DossierCommand)


@dataclass
class Done:
    """A command that succeeded, and the dossier it returned (for repeating its command id)."""

    call: Callable[[Any], Dossier]
    command: c.DossierCommand
    result: Dossier


@dataclass
class Expected:
    """What the model expects of one dossier, and what the invariants last saw of it."""

    id: UUID
    name: str
    restart: bool
    steps: int
    status: Status
    version: int
    live: Dossier
    complete: bool = True
    received: bool = False
    step: int | None = None
    partners: set[AgencyCode] = field(default_factory=set)
    paused_since: datetime | None = None
    paused_for: str | None = None
    pauses: list[tuple[datetime, datetime]] = field(default_factory=list)
    supplement_in: bool = False
    charges: int = 0
    extensions: int = 0
    result_issued: bool = False
    returned_by: Delivery | None = None
    delivered: bool = False
    papers_returned: bool = False
    rated: bool = False
    done: list[Done] = field(default_factory=list)
    terminal: Status | None = None
    latest_due: datetime | None = None
    statutory: date | None = None
    seen_events: int = 0

    def receive(self) -> None:
        """Received: a code, the clock and the first step start."""
        self.status = Status.RECEIVED
        self.received = True
        self.step = 0

    def pause(self, reason: str, now: datetime) -> None:
        """The clock stops."""
        self.paused_since, self.paused_for = now, reason

    def resume(self, now: datetime) -> None:
        """The clock runs again: the pause closes; a restarted clock restarts the steps."""
        assert self.paused_since is not None
        self.pauses.append((self.paused_since, now))
        if self.paused_for == SUPPLEMENT and self.restart:
            self.step = 0
        self.paused_since = self.paused_for = None

    def close(self, status: Status) -> None:
        """Rejected, stopped or withdrawn: an open pause is dropped, no step runs."""
        self.status = status
        self.paused_since = self.paused_for = None
        self.step = None


def _blank(text: str) -> bool:
    return not text.strip()


def _nothing() -> None:
    return None


DOSSIERS: Bundle[UUID] = Bundle("dossiers")

RuleFunction = Callable[..., None]


def command_rule(name: str) -> Callable[[RuleFunction], RuleFunction]:
    """A rule for command ``name`` (a dossier, an aim, the arguments), while some dossier fits."""
    strategies: dict[str, Any] = {"dossier": DOSSIERS, "aim": AIMS, **ANY[name]}
    action = ACTION[name]

    def fits(machine: DossierMachine) -> bool:
        return any(ex.status in ALLOWED[action] for ex in machine.expected.values())

    as_rule: Callable[[RuleFunction], RuleFunction] = rule(**strategies)

    def decorate(function: RuleFunction) -> RuleFunction:
        return precondition(fits)(as_rule(function))

    return decorate


def _may_open(machine: DossierMachine) -> bool:
    return machine.open_count() < MAX_OPEN and len(machine.expected) < MAX_DOSSIERS


def _can_proceed(machine: DossierMachine) -> bool:
    return any(machine.next_commands(ex) for ex in machine.expected.values())


# ---------------------------------------------------------------- the machine


class DossierMachine(RuleBasedStateMachine):
    """Random dossier commands through the service, checked against a plain model."""

    dossiers = DOSSIERS

    def __init__(self) -> None:
        super().__init__()
        self.app = self.open_store()
        self.desk = Desk(self.app, POLICY, procedure=PAUSING)
        self.desk.catalog.publish(PublishProcedure(spec=RESTARTING, decision=DECISION))
        self.expected: dict[UUID, Expected] = {}

    def open_store(self) -> OneStop:
        """The event store the machine writes to: memory."""
        return OneStop(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})

    def teardown(self) -> None:
        """Close the event store."""
        self.app.close()

    # ------------------------------------------------------------ helpers

    @property
    def now(self) -> datetime:
        """The desk's clock."""
        return self.desk.clock()

    @property
    def service(self) -> Dossiers:
        """The service under test."""
        return self.desk.dossiers

    def open_count(self) -> int:
        """How many dossiers are not terminal."""
        return sum(1 for ex in self.expected.values() if ex.status not in TERMINAL)

    def aim(self, drawn: UUID, action: str, aim: int | None) -> Expected:
        """The dossier drawn (``aim`` None), or the ``aim``-th whose status allows ``action``."""
        fitting = [i for i, ex in self.expected.items() if ex.status in ALLOWED[action]]
        if aim is not None and fitting:
            drawn = fitting[aim % len(fitting)]
        ex = self.expected[drawn]
        note(f"{action} on {ex.name} ({ex.status}, v{ex.version}) at {self.now:%Y-%m-%d %H:%M}")
        return ex

    def calendar(self, ex: Expected) -> WorkingCalendar:
        """The receiving unit's calendar now."""
        return self.service.calendar_for(ex.live, self.now)

    def stored_version(self, ex: Expected) -> int:
        """The version in the store, checked against the number of events."""
        stored: Dossier = self.app.repository.get(ex.id)
        assert stored.version == len(self.service.history(ex.id))
        return stored.version

    def attempt(
        self,
        ex: Expected,
        action: str,
        call: Callable[[Command], Dossier],
        command: Command,
        *,
        ok: bool = True,
        events: int = 1,
        then: Callable[[], None] = _nothing,
    ) -> Dossier | None:
        """Send ``command``: it succeeds iff the status allows ``action`` and the guards pass."""
        if ex.status in ALLOWED[action] and ok:
            result = call(command)
            then()
            ex.version += events
            self.took(ex, call, command, result)
            return result
        self.refused(ex, call, command)
        return None

    def took(
        self,
        ex: Expected,
        call: Callable[[Any], Dossier],
        command: c.DossierCommand,
        result: Dossier,
    ) -> None:
        """Record a success in the model."""
        note(f"  -> {result.status} v{result.version}")
        assert result.version == ex.version, (ex.name, result.version, ex.version)
        assert result.status is ex.status, (ex.name, result.status, ex.status)
        ex.live = result
        ex.done.append(Done(call, command, result))

    def refused(self, ex: Expected, call: Callable[[Command], Dossier], command: Command) -> None:
        """The command must raise a domain or application error and record nothing."""
        before = self.stored_version(ex)
        assert before == ex.version
        try:
            result = call(command)
        except (DomainError, ApplicationError) as error:
            note(f"  -> refused: {type(error).__name__}: {error}")
        else:
            message = (
                f"{type(command).__name__} on {ex.name} ({ex.status}) should have been refused, "
                f"but it gave {result.status} v{result.version}"
            )
            raise AssertionError(message)
        assert self.stored_version(ex) == before

    def fields(self, ex: Expected, actor: Actor, **fields: Any) -> dict[str, Any]:
        """What every command on ``ex`` carries, with a fresh command id."""
        return self.desk.on(ex.id, actor, **fields)

    @staticmethod
    def expected_version(ex: Expected, variant: str) -> int | None:
        """No expected version, the current one, or a stale one."""
        return {"none": None, "current": ex.version, "stale": ex.version - 1}[variant]

    # ------------------------------------------------------------ time and progress

    @initialize(
        target=dossiers,
        start=START_MOMENTS,
        restart=st.booleans(),
        checklist=st.sampled_from(LISTED),
    )
    def open_desk(self, *, start: datetime, restart: bool, checklist: str) -> MultipleResults[UUID]:
        """Open the desk at any moment of 2025 to mid-2026: one walk-in, one online dossier."""
        self.desk.clock.set(start)
        walk_in = self.receive(restart=restart, checklist="complete")
        online = self.submit_online(restart=not restart, checklist=checklist, eid_level=2)
        assert isinstance(walk_in, UUID)
        assert isinstance(online, UUID)
        return multiple(walk_in, online)

    @rule(delta=WAITS)
    def wait(self, *, delta: timedelta) -> None:
        """Let minutes to days pass, never beyond 2026."""
        if self.now + delta <= LAST_MOMENT:
            self.desk.clock.advance(seconds=delta.total_seconds())

    @precondition(_can_proceed)
    @rule(data=st.data())
    def proceed(self, *, data: st.DataObject) -> None:
        """Move dossiers on: a burst of commands their state allows, with arguments guards pass."""
        # Bursts, with time passing between commands and the invariants checked after
        # each, get dossiers deep into their lives within a few dozen steps.
        for _ in range(data.draw(st.integers(1, BURST), label="commands")):
            movable = [i for i, ex in self.expected.items() if self.next_commands(ex)]
            if not movable:
                return
            delta = data.draw(st.none() | WAITS, label="wait")
            if delta is not None:
                self.wait(delta=delta)
            dossier = data.draw(st.sampled_from(movable), label="dossier")
            commands = self.next_commands(self.expected[dossier])
            name = data.draw(st.sampled_from(commands), label="command")
            arguments = data.draw(st.fixed_dictionaries(GOOD[name]), label="arguments")
            getattr(self, name)(dossier=dossier, aim=None, **arguments)
            self.every_dossier_agrees_with_the_model()

    def next_commands(self, ex: Expected) -> list[str]:
        """The command rules that make sense for ``ex`` now, first one turning with its version."""
        commands = [name for name in FORWARD if self.sensible(ex, name)]
        turn = ex.version % len(commands) if commands else 0
        return commands[turn:] + commands[:turn]

    @staticmethod
    def sensible(ex: Expected, name: str) -> bool:
        """Whether command rule ``name`` fits ``ex``: its status, and the guards that need state."""
        if ex.status not in ALLOWED[ACTION[name]]:
            return False
        needs = {
            "request_intake_supplement": not ex.complete,
            "complete_step": ex.step is not None,
            "return_step": bool(ex.step),
            "hand_over": TAX not in ex.partners,
            "take_back": TAX in ex.partners,
            "submit_supplement": not ex.supplement_in,
            "accept_supplement": ex.supplement_in,
            "issue_result": not ex.partners,
            "extend": ex.extensions == 0 and not ex.result_issued,
            "confirm_postal_delivery": ex.returned_by is Delivery.POSTAL and not ex.delivered,
            "return_papers": not ex.papers_returned,
            "rate": not ex.rated,
        }
        return needs.get(name, True)

    # ------------------------------------------------------------ opening

    def _new(self, dossier: Dossier, *, restart: bool, status: Status, version: int) -> Expected:
        procedure = RESTARTING if restart else PAUSING
        ex = Expected(
            id=dossier.id,
            name=f"d{len(self.expected) + 1}",
            restart=restart,
            steps=len(procedure.cases[0].steps),
            status=status,
            version=version,
            live=dossier,
        )
        self.expected[dossier.id] = ex
        note(f"  -> {ex.name} is {dossier.id}")
        return ex

    def _refused_opening(
        self, call: Callable[[Any], Dossier], command: c.ReceiveDossier | c.SubmitOnline
    ) -> None:
        try:
            result = call(command)
        except (DomainError, ApplicationError) as error:
            note(f"  -> refused: {type(error).__name__}: {error}")
        else:
            message = f"{type(command).__name__} should have been refused, but gave {result.status}"
            raise AssertionError(message)
        assert self.service.find(dossier_id_for(command)) is None

    @precondition(_may_open)
    @rule(target=dossiers, restart=st.booleans(), checklist=st.sampled_from(list(CHECKLISTS)))
    def receive(self, *, restart: bool, checklist: str) -> UUID | MultipleResults[UUID]:
        """Tiếp nhận trực tiếp: only a complete, listed walk-in checklist, received at once."""
        handed = CHECKLISTS[checklist]
        command = c.ReceiveDossier(
            command_id=self.desk.command_id(),
            actor=OFFICER,
            submission=submission(
                procedure=RESTARTING if restart else PAUSING, documents=handed.documents
            ),
        )
        note(f"receive {checklist!r} at {self.now:%Y-%m-%d %H:%M}")
        if not (handed.complete and handed.listed):
            self._refused_opening(self.service.receive, command)
            return multiple()
        dossier = self.service.receive(command)
        ex = self._new(dossier, restart=restart, status=Status.RECEIVED, version=2)
        ex.receive()
        self.took(ex, self.service.receive, command, dossier)
        return dossier.id

    @precondition(_may_open)
    @rule(
        target=dossiers,
        restart=st.booleans(),
        checklist=st.sampled_from(list(CHECKLISTS)),
        eid_level=st.integers(0, 3),
    )
    def submit_online(
        self, *, restart: bool, checklist: str, eid_level: int
    ) -> UUID | MultipleResults[UUID]:
        """Nộp trực tuyến: any listed checklist, complete or not, waits for the one-stop check."""
        handed = CHECKLISTS[checklist]
        command = c.SubmitOnline(
            command_id=self.desk.command_id(),
            actor=APPLICANT,
            submission=submission(
                procedure=RESTARTING if restart else PAUSING,
                documents=handed.documents,
                delivery=Delivery.ONLINE,
            ),
            eid_level=eid_level,
        )
        note(f"submit_online {checklist!r}, e-ID {eid_level}, at {self.now:%Y-%m-%d %H:%M}")
        if not handed.listed or eid_level not in {0, 1, 2}:
            self._refused_opening(self.service.submit_online, command)
            return multiple()
        dossier = self.service.submit_online(command)
        ex = self._new(dossier, restart=restart, status=Status.SUBMITTED, version=1)
        ex.complete = handed.complete
        self.took(ex, self.service.submit_online, command, dossier)
        return dossier.id

    # ------------------------------------------------------------ intake

    @command_rule("request_intake_supplement")
    def request_intake_supplement(self, *, dossier: UUID, aim: int | None, guidance: str) -> None:
        """Mẫu 02: refused when nothing is missing and nothing is asked, or outside the list."""
        ex = self.aim(dossier, "request_intake_supplement", aim)
        asks, asks_something, listed = GUIDANCE[guidance]

        def then() -> None:
            ex.status = Status.INTAKE_INCOMPLETE

        self.attempt(
            ex,
            "request_intake_supplement",
            self.service.request_intake_supplement,
            c.RequestIntakeSupplement(**self.fields(ex, OFFICER, guidance=asks)),
            ok=listed and (not ex.complete or asks_something),
            then=then,
        )

    @command_rule("resubmit")
    def resubmit(self, *, dossier: UUID, aim: int | None, checklist: str) -> None:
        """Nộp lại: any listed checklist goes back to the one-stop check."""
        ex = self.aim(dossier, "resubmit", aim)
        handed = CHECKLISTS[checklist]

        def then() -> None:
            ex.status = Status.SUBMITTED
            ex.complete = handed.complete

        self.attempt(
            ex,
            "resubmit",
            self.service.resubmit,
            c.Resubmit(**self.fields(ex, APPLICANT, documents=handed.documents)),
            ok=handed.listed,
            then=then,
        )

    @command_rule("accept")
    def accept(self, *, dossier: UUID, aim: int | None, checklist: str | None) -> None:
        """Tiếp nhận: only a complete, listed checklist (as submitted or as corrected)."""
        ex = self.aim(dossier, "accept", aim)
        handed = CHECKLISTS[checklist] if checklist else None
        documents = handed.documents if handed else None
        self.attempt(
            ex,
            "accept",
            self.service.accept,
            c.AcceptSubmission(**self.fields(ex, OFFICER, documents=documents)),
            ok=handed.complete and handed.listed if handed else ex.complete,
            then=ex.receive,
        )

    @command_rule("reject")
    def reject(self, *, dossier: UUID, aim: int | None, reason: str) -> None:
        """Mẫu 03: refusal at intake needs a written reason."""
        ex = self.aim(dossier, "reject", aim)
        self.attempt(
            ex,
            "reject",
            self.service.reject,
            c.RejectAtIntake(**self.fields(ex, OFFICER, reason=reason)),
            ok=not _blank(reason),
            then=lambda: ex.close(Status.REJECTED),
        )

    # ------------------------------------------------------------ processing

    @command_rule("assign")
    def assign(self, *, dossier: UUID, aim: int | None, handler: str, expected: str) -> None:
        """Phân công: needs a handler; a client's stale version is refused."""
        ex = self.aim(dossier, "assign", aim)

        def then() -> None:
            ex.status = Status.PROCESSING

        command = c.AssignHandler(
            **self.fields(ex, HANDLER, handler=handler, unit="Phòng"),
            expected_version=self.expected_version(ex, expected),
        )
        self.attempt(
            ex,
            "assign",
            self.service.assign,
            command,
            ok=not _blank(handler) and expected != "stale",
            then=then,
        )

    @command_rule("complete_step")
    def complete_step(self, *, dossier: UUID, aim: int | None, outcome: str) -> None:
        """Chuyển bước: only while a step runs; after the last one, none does."""
        ex = self.aim(dossier, "complete_step", aim)

        def then() -> None:
            assert ex.step is not None
            ex.status = Status.PROCESSING
            ex.step = ex.step + 1 if ex.step + 1 < ex.steps else None

        self.attempt(
            ex,
            "complete_step",
            self.service.complete_step,
            c.CompleteStep(**self.fields(ex, HANDLER, outcome=outcome)),
            ok=ex.step is not None and not _blank(outcome),
            then=then,
        )

    @command_rule("return_step")
    def return_step(self, *, dossier: UUID, aim: int | None, reason: str) -> None:
        """Trả lại bước trước: only after the first step, with a written reason."""
        ex = self.aim(dossier, "return_step", aim)

        def then() -> None:
            assert ex.step is not None
            ex.step -= 1

        self.attempt(
            ex,
            "return_step",
            self.service.return_step,
            c.ReturnStep(**self.fields(ex, LEADER, reason=reason)),
            ok=bool(ex.step) and not _blank(reason),
            then=then,
        )

    @command_rule("hand_over")
    def hand_over(self, *, dossier: UUID, aim: int | None, partner: AgencyCode) -> None:
        """Liên thông: only to a listed partner that does not already hold a step."""
        ex = self.aim(dossier, "hand_over", aim)
        self.attempt(
            ex,
            "hand_over",
            self.service.hand_over,
            c.HandOverToPartner(**self.fields(ex, HANDLER, partner=partner)),
            ok=partner == TAX and partner not in ex.partners,
            then=lambda: ex.partners.add(partner),
        )

    @command_rule("take_back")
    def take_back(
        self, *, dossier: UUID, aim: int | None, partner: AgencyCode, outcome: str
    ) -> None:
        """Liên thông: only from a partner holding a step, with an outcome."""
        ex = self.aim(dossier, "take_back", aim)
        self.attempt(
            ex,
            "take_back",
            self.service.take_back,
            c.TakePartnerResult(**self.fields(ex, HANDLER, partner=partner, outcome=outcome)),
            ok=partner in ex.partners and not _blank(outcome),
            then=lambda: ex.partners.discard(partner),
        )

    # ------------------------------------------------------------ pauses

    @command_rule("request_supplement")
    def request_supplement(
        self, *, dossier: UUID, aim: int | None, variant: str, respond_in: int | None
    ) -> None:
        """Yêu cầu bổ sung: listed items, a reason, a deadline not past; the clock pauses."""
        ex = self.aim(dossier, "request_supplement", aim)
        now = self.now
        items = {"no items": (), "outside the list": ASKED_OUTSIDE}.get(variant, ASKED)
        reason = " " if variant == "blank reason" else "Tờ khai chưa ký"
        respond_by = None if respond_in is None else now.date() + timedelta(days=respond_in)
        if variant == "past":
            respond_by = now.date() - timedelta(days=1)

        def then() -> None:
            ex.status = Status.SUPPLEMENT_REQUESTED
            ex.supplement_in = False
            ex.pause(SUPPLEMENT, now)

        self.attempt(
            ex,
            "request_supplement",
            self.service.request_supplement,
            c.RequestSupplement(
                **self.fields(ex, HANDLER, items=items, reason=reason, respond_by=respond_by)
            ),
            ok=variant == "good",
            then=then,
        )

    @command_rule("submit_supplement")
    def submit_supplement(self, *, dossier: UUID, aim: int | None, checklist: str) -> None:
        """Nộp bổ sung: at least one listed document; the clock stays paused."""
        ex = self.aim(dossier, "submit_supplement", aim)
        handed = CHECKLISTS[checklist]

        def then() -> None:
            ex.supplement_in = True

        self.attempt(
            ex,
            "submit_supplement",
            self.service.submit_supplement,
            c.SubmitSupplement(**self.fields(ex, APPLICANT, documents=handed.documents)),
            ok=bool(handed.documents) and handed.listed,
            then=then,
        )

    @command_rule("accept_supplement")
    def accept_supplement(self, *, dossier: UUID, aim: int | None) -> None:
        """Tiếp nhận bổ sung: only once handed in; processing goes on and the clock resumes."""
        ex = self.aim(dossier, "accept_supplement", aim)
        now = self.now

        def then() -> None:
            ex.status = Status.PROCESSING
            ex.resume(now)

        self.attempt(
            ex,
            "accept_supplement",
            self.service.accept_supplement,
            c.AcceptSupplement(**self.fields(ex, OFFICER)),
            ok=ex.supplement_in,
            events=2,  # Supplemented, ClockResumed
            then=then,
        )

    @command_rule("request_payment")
    def request_payment(self, *, dossier: UUID, aim: int | None, charges: str) -> None:
        """Nghĩa vụ tài chính: more than 0 VND; the clock pauses unless the result is out."""
        ex = self.aim(dossier, "request_payment", aim)
        asked = CHARGES[charges]
        total = sum(charge.amount for charge in asked)
        now = self.now

        def then() -> None:
            ex.status = Status.AWAITING_PAYMENT
            ex.charges = total
            if not ex.result_issued:
                ex.pause(PAYMENT, now)

        self.attempt(
            ex,
            "request_payment",
            self.service.request_payment,
            c.RequestPayment(**self.fields(ex, HANDLER, charges=asked)),
            ok=total > 0,
            then=then,
        )

    def _paid(self, ex: Expected) -> Callable[[], None]:
        now = self.now

        def then() -> None:
            ex.status = Status.RESULT_READY if ex.result_issued else Status.PROCESSING
            if ex.paused_since is not None:
                ex.resume(now)

        return then

    @staticmethod
    def _amount(ex: Expected, variant: str) -> int:
        return {"due": 0, "more": 1_000, "less": -1, "zero": -ex.charges}[variant] + ex.charges

    @command_rule("confirm_online_payment")
    def confirm_online_payment(
        self, *, dossier: UUID, aim: int | None, amount: str, reference: str
    ) -> None:
        """Thanh toán trực tuyến: exactly the amount asked, with the platform's references."""
        ex = self.aim(dossier, "record_payment", aim)
        paid = self._amount(ex, amount)
        command = c.ConfirmOnlinePayment(
            **self.fields(ex, SYSTEM),
            payment_ref=reference,
            transaction_id="TX-1",
            bank_code="VCB",
            amount=paid,
            paid_at=self.now,
        )
        self.attempt(
            ex,
            "record_payment",
            self.service.confirm_online_payment,
            command,
            ok=paid == ex.charges and not _blank(reference),
            events=2 if ex.paused_since else 1,  # and ClockResumed, if the clock stood still
            then=self._paid(ex),
        )

    @command_rule("record_counter_payment")
    def record_counter_payment(
        self, *, dossier: UUID, aim: int | None, amount: str, receipt: str
    ) -> None:
        """Thu tại quầy: exactly the amount asked, with a receipt number."""
        ex = self.aim(dossier, "record_payment", aim)
        paid = self._amount(ex, amount)
        self.attempt(
            ex,
            "record_payment",
            self.service.record_counter_payment,
            c.RecordCounterPayment(**self.fields(ex, OFFICER, receipt_number=receipt, amount=paid)),
            ok=paid == ex.charges and not _blank(receipt),
            events=2 if ex.paused_since else 1,
            then=self._paid(ex),
        )

    # ------------------------------------------------------------ lateness and results

    def _new_appointment(
        self, ex: Expected, variant: str, days: int, calendar: WorkingCalendar
    ) -> datetime:
        due = ex.live.current_due_at
        base = local(due) if due else self.now
        if variant == "day off":
            day = base.date() + timedelta(days=1)
            while calendar.is_working_day(day):
                day += timedelta(days=1)
            return datetime.combine(day, time(10), tzinfo=VIETNAM)
        if variant == "same moment":
            return base
        day = calendar.nth_working_day_after(base.date(), days)
        return datetime.combine(day, base.time(), tzinfo=VIETNAM)

    @command_rule("extend")
    def extend(self, *, dossier: UUID, aim: int | None, variant: str, days: int) -> None:
        """Mẫu 04: once, before the result and the appointment, to a later working day."""
        ex = self.aim(dossier, "extend", aim)
        now, due = self.now, ex.live.current_due_at
        calendar = self.calendar(ex)
        new_due = self._new_appointment(ex, variant, days, calendar)
        reason = " " if variant == "blank reason" else "Cần xác minh thêm"
        note(f"  appointment {due}, new {new_due}, extended {ex.extensions} time(s)")
        ok = (
            due is not None
            and not ex.result_issued
            and not _blank(reason)
            and ex.extensions < 1
            and new_due > due
            and calendar.is_working_day(new_due.date())
            and now <= due
        )

        def then() -> None:
            ex.extensions += 1

        command = c.ExtendDeadline(
            **self.fields(ex, LEADER), new_due_at=new_due, reason=reason, signed_by="Giám đốc Sở"
        )
        result = self.attempt(ex, "extend", self.service.extend, command, ok=ok, then=then)
        if result is not None:
            assert result.current_due_at == new_due

    @command_rule("issue_result")
    def issue_result(self, *, dossier: UUID, aim: int | None, number: str) -> None:
        """Có kết quả: not while a partner holds a step; needs a number."""
        ex = self.aim(dossier, "issue_result", aim)

        def then() -> None:
            ex.status = Status.RESULT_READY
            ex.result_issued = True
            ex.step = None

        self.attempt(
            ex,
            "issue_result",
            self.service.issue_result,
            c.IssueResult(**self.fields(ex, LEADER, result_number=number, signed_by="Lãnh đạo")),
            ok=not ex.partners and not _blank(number),
            then=then,
        )

    @command_rule("return_result")
    def return_result(
        self, *, dossier: UUID, aim: int | None, delivery: Delivery, reference: str
    ) -> None:
        """Trả kết quả at the counter, by post or online; each needs its reference."""
        ex = self.aim(dossier, "return_result", aim)

        def then() -> None:
            ex.status = Status.RETURNED
            ex.returned_by = delivery
            ex.delivered = delivery is not Delivery.POSTAL

        self.attempt(
            ex,
            "return_result",
            self.service.return_result,
            c.ReturnResult(**self.fields(ex, OFFICER, delivery=delivery, reference=reference)),
            ok=not _blank(reference),
            then=then,
        )

    @command_rule("confirm_postal_delivery")
    def confirm_postal_delivery(self, *, dossier: UUID, aim: int | None, receiver: str) -> None:
        """Phát thành công: only for a result in the post, once."""
        ex = self.aim(dossier, "confirm_delivery", aim)

        def then() -> None:
            ex.delivered = True

        self.attempt(
            ex,
            "confirm_delivery",
            self.service.confirm_postal_delivery,
            c.ConfirmPostalDelivery(**self.fields(ex, SYSTEM, receiver_name=receiver)),
            ok=ex.returned_by is Delivery.POSTAL and not ex.delivered and not _blank(receiver),
            then=then,
        )

    # ------------------------------------------------------------ endings

    @command_rule("stop")
    def stop(self, *, dossier: UUID, aim: int | None, reason: str) -> None:
        """Dừng xử lý: needs a written reason."""
        ex = self.aim(dossier, "stop", aim)
        self.attempt(
            ex,
            "stop",
            self.service.stop,
            c.StopProcessing(**self.fields(ex, LEADER, reason=reason)),
            ok=not _blank(reason),
            then=lambda: ex.close(Status.STOPPED),
        )

    @command_rule("withdraw")
    def withdraw(self, *, dossier: UUID, aim: int | None, expected: str) -> None:
        """Rút hồ sơ: only before the result is issued; a stale version is refused."""
        ex = self.aim(dossier, "withdraw", aim)
        command = c.WithdrawDossier(
            **self.fields(ex, APPLICANT), expected_version=self.expected_version(ex, expected)
        )
        self.attempt(
            ex,
            "withdraw",
            self.service.withdraw,
            command,
            ok=not ex.result_issued and expected != "stale",
            then=lambda: ex.close(Status.WITHDRAWN),
        )

    @command_rule("return_papers")
    def return_papers(
        self, *, dossier: UUID, aim: int | None, delivery: Delivery, receiver: str
    ) -> None:
        """Trả lại hồ sơ of a stopped or withdrawn dossier, once."""
        ex = self.aim(dossier, "return_papers", aim)

        def then() -> None:
            ex.papers_returned = True

        self.attempt(
            ex,
            "return_papers",
            self.service.return_papers,
            c.ReturnPapers(**self.fields(ex, OFFICER, delivery=delivery, receiver_name=receiver)),
            ok=not ex.papers_returned and not _blank(receiver),
            then=then,
        )

    @command_rule("rate")
    def rate(self, *, dossier: UUID, aim: int | None, satisfaction: Satisfaction) -> None:
        """Đánh giá: once per finished dossier."""
        ex = self.aim(dossier, "rate", aim)

        def then() -> None:
            ex.rated = True

        self.attempt(
            ex,
            "rate",
            self.service.rate,
            c.RateService(**self.fields(ex, APPLICANT, satisfaction=satisfaction)),
            ok=not ex.rated,
            then=then,
        )

    # ------------------------------------------------------------ repeats and strangers

    def _again(self, ex: Expected, done: Done, how: str) -> tuple[Callable[[Any], Dossier], Any]:
        """The command ``done`` again: as it was, with other content, or as another command."""
        first = done.command
        if how == "as it was":
            return done.call, first
        if how == "another command" or not isinstance(
            first, c.OnDossier | c.ReceiveDossier | c.SubmitOnline
        ):
            withdraw = c.WithdrawDossier(
                command_id=first.command_id, actor=first.actor, dossier_id=ex.id
            )
            return self.service.withdraw, withdraw
        if isinstance(first, c.OnDossier):  # a stale version: the repeat is answered first
            return done.call, evolve(first, expected_version=0)
        unlisted = (_doc("GT.99", Form.COPY),)  # an opening the domain would now refuse
        return done.call, evolve(first, submission=evolve(first.submission, documents=unlisted))

    @rule(
        dossier=dossiers,
        pick=st.integers(0, 60),
        how=st.sampled_from(["as it was", "another command", "other content"]),
    )
    def repeat_command(self, *, dossier: UUID, pick: int, how: str) -> None:
        """A command id already applied returns the first result and records nothing."""
        ex = self.expected[dossier]
        done = ex.done[pick % len(ex.done)]
        call, command = self._again(ex, done, how)
        note(f"repeat {done.command.command_id} ({type(done.command).__name__}) {how}")
        before = self.stored_version(ex)
        result = call(command)
        assert result == done.result, ex.name
        assert result.version == done.result.version, ex.name
        assert self.stored_version(ex) == before == ex.version, ex.name

    @rule(action=st.sampled_from(["assign", "withdraw"]), stranger=st.uuids())
    def act_on_a_stranger(self, *, action: str, stranger: UUID) -> None:
        """A command on a dossier nobody received is refused."""
        try:
            if action == "assign":
                self.service.assign(
                    c.AssignHandler(**self.desk.on(stranger, HANDLER, handler="h", unit="u"))
                )
            else:
                self.service.withdraw(c.WithdrawDossier(**self.desk.on(stranger, APPLICANT)))
        except ApplicationError:
            pass
        else:
            raise AssertionError("a command on an unknown dossier succeeded")
        assert self.service.find(stranger) is None

    # ------------------------------------------------------------ invariants

    @invariant()
    def every_dossier_agrees_with_the_model(self) -> None:
        """Each dossier matches the model and its history; codes run 1, 2, 3... each day."""
        numbers: dict[date, list[int]] = {}
        for ex in self.expected.values():
            stored = self.check_dossier(ex)
            assert (stored.code is not None) is ex.received, ex.name
            if stored.code is not None:
                numbers.setdefault(stored.code.day, []).append(stored.code.number)
                assert self.service.find_id(str(stored.code)) == ex.id, (ex.name, stored.code)
        for day, issued in numbers.items():
            assert sorted(issued) == list(range(1, len(issued) + 1)), (day, sorted(issued))

    def check_dossier(self, ex: Expected) -> Dossier:
        """Reload one dossier and hold it against the model, the history and what was seen."""
        stored: Dossier = self.app.repository.get(ex.id)
        # Commands work on cheap copies (domain.copies): every state must allow them.
        assert breaks_the_copy_rule(stored) == [], ex.name
        history = self.service.history(ex.id)
        status = stored.status
        assert isinstance(status, Status)
        assert 1 <= status.national_code <= 10
        assert status is ex.status, (ex.name, status, ex.status)
        if ex.terminal is not None:
            assert status is ex.terminal, (ex.name, ex.terminal, status)
        elif status in TERMINAL:
            ex.terminal = status
        assert stored == ex.live, ex.name
        assert stored.version == len(history) == ex.version, (ex.name, stored.version)
        # the clock's pauses
        assert [(p.start, p.end) for p in stored.pauses] == ex.pauses, ex.name
        total = sum((end - start for start, end in ex.pauses), timedelta(0))
        assert stored.paused_time == total, ex.name
        assert stored.paused_since == ex.paused_since, ex.name
        # other facts the model keeps
        assert stored.step == ex.step, (ex.name, stored.step, ex.step)
        assert set(stored.partners) == {p.value for p in ex.partners}, ex.name
        assert stored.extensions == ex.extensions, ex.name
        assert (stored.result_issued_at is not None) is ex.result_issued, ex.name
        # deadlines never move earlier; the statutory date only when a clock resumes
        recorded = {type(event).__name__ for event in history[ex.seen_events :]}
        due = stored.current_due_at
        if ex.latest_due is not None:
            assert due is not None
            assert due >= ex.latest_due, (ex.name, due, ex.latest_due, recorded)
        statutory = stored.statutory_due_date
        if statutory != ex.statutory:
            assert statutory is not None
            if ex.statutory is None:
                assert "Received" in recorded, (ex.name, recorded)
            else:
                assert "ClockResumed" in recorded, (ex.name, statutory, recorded)
                assert statutory > ex.statutory, (ex.name, statutory, ex.statutory)
        ex.latest_due, ex.statutory, ex.seen_events = due, statutory, len(history)
        return stored


TestDossierMachine = DossierMachine.TestCase
"""The machine on the in-memory store, sized for CI (about ten seconds on two cores)."""
TestDossierMachine.settings = settings(
    max_examples=100,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


class PostgresDossierMachine(DossierMachine):
    """The same machine over a PostgreSQL event store, in a schema dropped afterwards."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._folder = Path(tempfile.mkdtemp())
        try:
            super().__init__()
        except BaseException:
            self._close()
            raise

    def open_store(self) -> OneStop:
        """The event store the machine writes to: a new PostgreSQL schema."""
        make = self._stack.enter_context(store(StoreKind.POSTGRES, self._folder))
        return make()

    def teardown(self) -> None:
        """Close the application and drop its schema."""
        self._close()

    def _close(self) -> None:
        try:
            self._stack.close()
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)


# mypy cannot see the TestCase class that Hypothesis builds on first access: hence the ignore.
class TestDossierMachineOnPostgres(PostgresDossierMachine.TestCase):  # type: ignore[misc,valid-type]
    """The machine, briefly, on PostgreSQL; under CI=true an unreachable server fails it."""

    settings = settings(
        max_examples=5,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )

    def setUp(self) -> None:
        """Skip (or, under CI=true, fail) before Hypothesis starts if PostgreSQL is unreachable."""
        require_postgres()
