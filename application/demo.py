"""Dữ liệu mẫu (demo data): realistic dossier histories, made through the real application.

Every dossier is received, processed, paused, extended, finished, returned or
stopped by the same commands the counter and the handlers use, with the
service clock set to each moment of its life, so the events, codes and
deadlines are exactly what production would record. Nothing is written
behind the application's back. Receptions are spread over working hours of
working days in the window; a life that would run past "now" stops there,
and the dossier stays open, as real ones do.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from attrs import frozen

from application import dossier_commands as c
from application.catalog import Catalog
from application.dossiers import Dossiers
from domain.calendar import WorkingCalendar
from domain.dossier import Dossier
from domain.dossier_status import Status
from domain.dossier_values import (
    Actor,
    Applicant,
    ApplicantKind,
    Charge,
    Delivery,
    HandedDocument,
    RequestedDocument,
    Role,
    Satisfaction,
    Submission,
)
from domain.errors import DomainError
from domain.procedure import Procedure, Standing
from domain.procedure_spec import Case, Channel
from domain.time_limit import local
from domain.values import AgencyCode

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Thu")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Hà", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Tâm")
HOUR = timedelta(hours=1)
DAY = timedelta(hours=8)  # one working day of working time


class SimulatedClock:
    """The service clock of a simulation: it reads what the generator last set."""

    def __init__(self, start: datetime) -> None:
        self.now = local(start)

    def __call__(self) -> datetime:
        """The moment the generator is at."""
        return self.now


@frozen
class DemoSummary:
    """What a generation made: dossiers by final status, events, and commands refused."""

    dossiers: int
    events: int
    statuses: dict[str, int]
    refused: int


class DemoGenerator:
    """Makes dossier histories through ``Dossiers``, whose clock must be ``clock``."""

    def __init__(
        self,
        dossiers: Dossiers,
        catalog: Catalog,
        clock: SimulatedClock,
        *,
        agencies: int = 20,
        seed: int = 2025,
    ) -> None:
        self.dossiers = dossiers
        self.catalog = catalog
        self.clock = clock
        self.rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
        self.units = tuple(AgencyCode(f"000.00.{10 + n:02d}.H56") for n in range(agencies))
        self.procedures = [
            p for p, _ in catalog.index.all() if any(case.steps for case in p.current.spec.cases)
        ]
        self._ids = iter(range(1, 10**12))

    def generate(
        self, count: int, start: date, end: date, progress: Callable[[int], None] | None = None
    ) -> DemoSummary:
        """``count`` dossiers received from ``start`` to ``end``, each lived until ``end``."""
        statuses: Counter[str] = Counter()
        events = refused = 0
        for n in range(count):
            try:
                dossier = self._life(self._reception_moment(start, end), end)
            except DomainError:
                refused += 1
            else:
                if dossier is not None:
                    statuses[dossier.status.value] += 1
                    events += dossier.version
            if progress is not None and (n + 1) % 100 == 0:
                progress(100)
        if progress is not None:
            progress(count % 100)
        return DemoSummary(sum(statuses.values()), events, dict(statuses), refused)

    # ------------------------------------------------------------------ one life

    def _life(self, received: datetime, end: date) -> Dossier | None:
        procedure = self._procedure_on(received.date())
        if procedure is None or received.date() > end:
            return None
        unit = self.rng.choice(self.units)
        calendar = self.dossiers.calendars.policy.calendar(unit, as_of=received.date())
        life = _Life(self, procedure, unit, calendar, end)
        return life.run(received)

    def _procedure_on(self, day: date) -> Procedure | None:
        open_ = [p for p in self.procedures if p.standing_on(day) is Standing.IN_FORCE]
        return self.rng.choice(open_) if open_ else None

    def _reception_moment(self, start: date, end: date) -> datetime:
        calendar = self.dossiers.calendars.policy.calendar()
        day = start + timedelta(days=self.rng.randrange(max(1, (end - start).days)))
        opening = calendar.normalize(
            datetime.combine(day, datetime.min.time(), self.clock.now.tzinfo)
        )
        return calendar.add_working_time(opening, timedelta(minutes=self.rng.randrange(0, 450)))

    def command_id(self) -> str:
        """A fresh command id."""
        return f"demo-{next(self._ids)}"

    def applicant(self) -> Applicant:
        """A citizen with a plausible Vietnamese name."""
        rng = self.rng
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        return Applicant(
            kind=ApplicantKind.CITIZEN,
            name=name,
            id_number=f"0{rng.randrange(10**10, 10**11)}",
            phone=f"09{rng.randrange(10**7, 10**8)}",
            address="Thanh Hóa",
        )


class _Life:
    """One dossier's life: each step at its own moment, until the end of the window."""

    def __init__(
        self,
        generator: DemoGenerator,
        procedure: Procedure,
        unit: AgencyCode,
        calendar: WorkingCalendar,
        end: date,
    ) -> None:
        self.g = generator
        self.rng = generator.rng
        self.procedure = procedure
        self.spec = procedure.current.spec
        self.case: Case = self.rng.choice([case for case in self.spec.cases if case.steps])
        self.unit = unit
        self.calendar = calendar
        self.end = end
        self.officer = Actor("demo-officer", Role.INTAKE_OFFICER, unit)
        competent = self.spec.agencies[0]
        self.handler = Actor("demo-handler", Role.HANDLER, competent)
        self.leader = Actor("demo-leader", Role.LEADER, competent)
        self.applicant = Actor("demo-applicant", Role.APPLICANT)
        self.system = Actor("payment-platform", Role.SYSTEM)

    def run(self, received: datetime) -> Dossier | None:
        channel = self._channel()
        submission = self._submission(channel)
        dossier = self._open(channel, submission, received)
        if dossier is None:
            return None
        for step in self._steps(dossier):
            dossier = step
        return dossier

    def _channel(self) -> Channel:
        offered = [terms.channel for terms in self.case.channels]
        weights = {Channel.COUNTER: 6, Channel.ONLINE: 3, Channel.POSTAL: 1}
        return self.rng.choices(offered, [weights[c] for c in offered])[0]

    def _submission(self, channel: Channel) -> Submission:
        delivery = {
            Channel.COUNTER: Delivery.COUNTER,
            Channel.ONLINE: Delivery.ONLINE,
            Channel.POSTAL: Delivery.POSTAL,
        }[channel]
        documents = [HandedDocument(d.code, d.form, d.count) for d in self.case.documents]
        return Submission(
            procedure=self.spec.local_code,
            case=self.case.name,
            applicant=self.g.applicant(),
            documents=documents,
            receiving_unit=self.unit,
            competent_agency=self.spec.agencies[0],
            delivery=delivery,
        )

    def _at(self, moment: datetime) -> bool:
        """Move the clock to ``moment``; ``False`` when it lies past the window."""
        if local(moment).date() > self.end:
            return False
        self.g.clock.now = local(moment)
        return True

    def _open(self, channel: Channel, submission: Submission, received: datetime) -> Dossier | None:
        d = self.g.dossiers
        if channel is Channel.COUNTER:
            self._at(received)
            return d.receive(c.ReceiveDossier(**self._by(self.officer), submission=submission))
        self._at(received - timedelta(hours=self.rng.randrange(1, 30)))
        if channel is Channel.ONLINE:
            opened = d.submit_online(
                c.SubmitOnline(**self._by(self.applicant), submission=submission, eid_level=2)
            )
        else:
            opened = d.submit_by_post(
                c.SubmitByPost(
                    **self._by(self.officer),
                    submission=submission,
                    postal_item_code=f"EP{self.rng.randrange(10**8, 10**9)}VN",
                )
            )
        self._at(received)
        if self.rng.random() < 0.03:  # noqa: PLR2004 (a share of refusals at intake)
            return d.reject(
                c.RejectAtIntake(
                    **self._on(opened, self.officer), reason="Không thuộc thẩm quyền giải quyết"
                )
            )
        return d.accept(c.AcceptSubmission(**self._on(opened, self.officer)))

    def _steps(self, dossier: Dossier) -> Iterator[Dossier]:
        d = self.g.dossiers
        if dossier.status.is_terminal:
            return
        t = dossier.received_at
        assert t is not None  # noqa: S101 (a received dossier)
        t = self._later(t, HOUR)
        if not self._at(t):
            return
        yield (
            dossier := d.assign(
                c.AssignHandler(
                    **self._on(dossier, self.handler),
                    handler="demo-handler",
                    unit="Phòng chuyên môn",
                )
            )
        )
        for hours in [step.hours for step in self.case.steps][:-1]:
            t = self._later(t, timedelta(hours=float(hours) * self.rng.uniform(0.3, 1.1)))
            if not self._at(t):
                return
            yield (
                dossier := d.complete_step(
                    c.CompleteStep(**self._on(dossier, self.handler), outcome="Đạt")
                )
            )
        roll = self.rng.random()
        if roll < 0.10:  # noqa: PLR2004 (share of supplements)
            dossier = yield from self._supplement(dossier, t)
            t = self.g.clock.now
        elif roll < 0.15:  # noqa: PLR2004 (share of payments)
            dossier = yield from self._payment(dossier, t)
            t = self.g.clock.now
        if dossier.status is not Status.PROCESSING:
            return
        if self.rng.random() < 0.02:  # noqa: PLR2004 (share of stops)
            if self._at(self._later(t, DAY)):
                yield d.stop(
                    c.StopProcessing(**self._on(dossier, self.leader), reason="Không đủ điều kiện")
                )
            return
        yield from self._finish(dossier, t)

    def _supplement(self, dossier: Dossier, t: datetime) -> Generator[Dossier, None, Dossier]:
        d = self.g.dossiers
        first = self.case.documents[0] if self.case.documents else None
        if first is None or not self._at(t):
            return dossier
        item = RequestedDocument(first.code, first.name, "Cần bổ sung, hoàn thiện")
        dossier = d.request_supplement(
            c.RequestSupplement(
                **self._on(dossier, self.handler), items=[item], reason="Hồ sơ chưa đầy đủ"
            )
        )
        yield dossier
        back = t + timedelta(days=self.rng.randrange(1, 10))
        if not self._at(self.calendar.normalize(back)):
            return dossier
        documents = [HandedDocument(first.code, first.form, first.count)]
        yield (
            dossier := d.submit_supplement(
                c.SubmitSupplement(**self._on(dossier, self.applicant), documents=documents)
            )
        )
        yield (
            dossier := d.accept_supplement(c.AcceptSupplement(**self._on(dossier, self.officer)))
        )
        return dossier

    def _payment(self, dossier: Dossier, t: datetime) -> Generator[Dossier, None, Dossier]:
        d = self.g.dossiers
        if not self._at(t):
            return dossier
        charge = Charge("LP", "Lệ phí", 50_000)
        yield (
            dossier := d.request_payment(
                c.RequestPayment(**self._on(dossier, self.handler), charges=[charge])
            )
        )
        if not self._at(self._later(t, DAY * self.rng.randrange(1, 4))):
            return dossier
        command = c.ConfirmOnlinePayment(
            **self._on(dossier, self.system),
            payment_ref=f"PAY{self.rng.randrange(10**9)}",
            transaction_id=f"TX{self.rng.randrange(10**9)}",
            bank_code="VCB",
            amount=charge.amount,
            paid_at=self.g.clock.now,
        )
        yield (dossier := d.confirm_online_payment(command))
        return dossier

    def _finish(self, dossier: Dossier, t: datetime) -> Iterator[Dossier]:
        d = self.g.dossiers
        due = dossier.current_due_at
        assert due is not None  # noqa: S101 (a received dossier)
        roll = self.rng.random()
        if roll < 0.93:  # noqa: PLR2004 (most finish early)
            done = max(t, self._earlier(due, DAY * self.rng.uniform(0.2, 3)))
        elif roll < 0.97:  # noqa: PLR2004 (some on the day)
            done = max(t, self.calendar.normalize(due))
        else:
            apology = self._earlier(due, HOUR * 4)
            if self.rng.random() < 0.5 and t < apology and self._at(apology):  # noqa: PLR2004 (half apologise in time)
                yield (dossier := self._extend(dossier, due))
                t = apology
            done = max(t, self._later(due, DAY * self.rng.uniform(0.5, 3)))
        if not self._at(done):
            return
        yield (
            dossier := d.issue_result(
                c.IssueResult(
                    **self._on(dossier, self.leader),
                    result_number=f"{self.rng.randrange(1, 9999)}/GP",
                    signed_by="Lãnh đạo",
                )
            )
        )
        if not self._at(self._later(done, DAY * self.rng.uniform(0, 3))):
            return
        delivery = dossier.submission.delivery
        reference = {
            Delivery.COUNTER: dossier.submission.applicant.name,
            Delivery.POSTAL: f"RR{self.rng.randrange(10**8, 10**9)}VN",
            Delivery.ONLINE: "ket-qua.pdf",
        }[delivery]
        yield (
            dossier := d.return_result(
                c.ReturnResult(
                    **self._on(dossier, self.officer), delivery=delivery, reference=reference
                )
            )
        )
        if self.rng.random() < 0.5:  # noqa: PLR2004 (half rate the service)
            satisfaction = self.rng.choices(list(Satisfaction), [6, 3, 1])[0]
            yield d.rate(
                c.RateService(**self._on(dossier, self.applicant), satisfaction=satisfaction)
            )

    def _extend(self, dossier: Dossier, due: datetime) -> Dossier:
        new_due = self.calendar.add_working_time(due, DAY * self.rng.randrange(2, 6))
        command = c.ExtendDeadline(
            **self._on(dossier, self.leader),
            new_due_at=new_due,
            reason="Cần thêm thời gian xác minh",
            signed_by="Lãnh đạo",
        )
        return self.g.dossiers.extend(command)

    def _later(self, moment: datetime, amount: timedelta) -> datetime:
        return self.calendar.add_working_time(moment, amount)

    def _earlier(self, moment: datetime, amount: timedelta) -> datetime:
        position = self.calendar.position(moment) - int(amount / timedelta(microseconds=1))
        return self.calendar.instant(max(position, 0))

    def _by(self, actor: Actor) -> dict[str, Any]:
        return {"command_id": self.g.command_id(), "actor": actor}

    def _on(self, dossier: Dossier, actor: Actor) -> dict[str, Any]:
        return {**self._by(actor), "dossier_id": dossier.id}


def window(today: date, years: int, procedures: Sequence[Procedure]) -> tuple[date, date]:
    """From ``years`` before ``today`` (or the first day a procedure was in force) to ``today``."""
    start = today.replace(year=today.year - years)
    first = min((p.versions[0].decision.effective for p in procedures), default=start)
    return max(start, first), today
