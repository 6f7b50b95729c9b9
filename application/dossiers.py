"""Hồ sơ (dossiers): one method per command, and queries by id and by code.

``Dossiers`` is a service over the one event store (``OneStop``), as the
catalog is: one eventsourcing Application holds every aggregate, so one
notification log serves every projection and audit. Each command:

1. loads the dossier (fresh from the store);
2. if the same user already applied the same command id, returns the dossier
   as that command left it, and records nothing;
3. lets the aggregate decide, at the service clock's "now";
4. saves the new events atomically. Someone else's write in between is a
   conflict (``ConcurrentChangeError``), never a lost update; our own command
   id found after a conflict means a retry raced its original, and the first
   result is returned.

Receptions also take the next number from the receiving agency's daily code
book in the same transaction; a race for a number is retried here.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID, uuid5

import structlog
from attrs import frozen
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import IntegrityError

from application import dossier_commands as c
from application.calendars import Calendars
from application.catalog import Catalog
from application.errors import (
    ConcurrentChangeError,
    DossierNotFoundError,
    ProcedureNotFoundError,
    StaleVersionError,
)
from application.group_commit import Committer, GroupCommit
from application.onestop import OneStop
from domain.calendar import WorkingCalendar
from domain.dossier import Dossier
from domain.dossier_sequence import DailySequence, sequence_id
from domain.dossier_values import (
    DossierCode,
    Envelope,
    ExtensionRules,
    HandedDocument,
    command_key,
)
from domain.errors import DomainError, InvalidValueError
from domain.procedure import Procedure, procedure_id
from domain.time_limit import local
from domain.values import VIETNAM, AgencyCode, LocalCode

log = structlog.get_logger()

Clock = Callable[[], datetime]
Command = TypeVar("Command", bound=c.OnDossier)

_NAMESPACE = UUID("9b0f3c55-2f6d-5c3e-a7b1-6d6f74637561")
# No 0/O or 1/I: the secret is read aloud and typed by hand. Not a password, an alphabet.
_SECRET_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # noqa: S105
SECRET_LENGTH = 8
RECEPTION_ATTEMPTS = 50
CODES_REMEMBERED = 100_000
"""Codes whose dossier id each service remembers (an entry is about 200 bytes)."""


def now_in_vietnam() -> datetime:
    """The service clock: now, in Vietnam time."""
    return datetime.now(VIETNAM)


def new_lookup_secret() -> str:
    """Mã tra cứu: 8 characters printed on the receipt, used with the code to look it up.

    One read of the system's random source for all 8: each byte picks a
    character by its low 5 bits, and 256 is a multiple of the alphabet's 32,
    so every character is equally likely (40 bits of secret).
    """
    drawn = secrets.token_bytes(SECRET_LENGTH)
    return "".join(_SECRET_ALPHABET[byte % len(_SECRET_ALPHABET)] for byte in drawn)


def dossier_id_for(command: c.DossierCommand) -> UUID:
    """The id a new dossier takes: derived from its opening command, so a retry finds it."""
    return uuid5(_NAMESPACE, command_key(command.actor, command.command_id))


@frozen
class Reception:
    """One attempt at a reception: the dossier, the code book, and the version first loaded."""

    dossier: Dossier
    book: DailySequence
    loaded_version: int


class Dossiers:
    """Hồ sơ: receives, routes, pauses, extends, finishes and returns dossiers."""

    def __init__(  # noqa: PLR0913 (the service's collaborators, each replaceable in tests)
        self,
        app: OneStop,
        catalog: Catalog,
        calendars: Calendars,
        *,
        clock: Clock = now_in_vietnam,
        extension_rules: ExtensionRules | None = None,
        lookup_secret: Callable[[], str] = new_lookup_secret,
        committer: Committer | None = None,
    ) -> None:
        self.app = app
        self.catalog = catalog
        self.calendars = calendars
        self.clock = clock
        self.extension_rules = extension_rules or ExtensionRules()
        self.lookup_secret = lookup_secret
        self.committer = committer or GroupCommit(app)
        self._book_locks: dict[tuple[str, date], threading.Lock] = {}
        self._guard = threading.Lock()
        self._handed = threading.local()
        self._ids_by_code: dict[DossierCode, UUID] = {}

    # ------------------------------------------------------------------ opening

    def submit_online(self, command: c.SubmitOnline) -> Dossier:
        """Nộp trực tuyến: the dossier waits for the one-stop check (status 1)."""
        return self._open(
            command,
            lambda envelope, dossier_id, procedure: Dossier.submit_online(
                envelope,
                dossier_id=dossier_id,
                submission=command.submission,
                procedure=procedure,
                eid_level=command.eid_level,
            ),
        )

    def submit_by_post(self, command: c.SubmitByPost) -> Dossier:
        """Nộp qua bưu chính: the dossier waits for the one-stop check (status 1)."""
        return self._open(
            command,
            lambda envelope, dossier_id, procedure: Dossier.submit_by_post(
                envelope,
                dossier_id=dossier_id,
                submission=command.submission,
                procedure=procedure,
                postal_item_code=command.postal_item_code,
            ),
        )

    def receive(self, command: c.ReceiveDossier) -> Dossier:
        """Tiếp nhận trực tiếp: a walk-in dossier, received with a code and an appointment."""
        dossier_id = dossier_id_for(command)
        procedure = self._procedure(command.submission.procedure)

        def attempt(envelope: Envelope) -> Reception:
            # No look-up first: a repeated command collides with its dossier on save.
            dossier = Dossier.submit_at_counter(
                envelope, dossier_id=dossier_id, submission=command.submission, procedure=procedure
            )
            return Reception(dossier, self._accept(dossier, envelope, procedure, None), 0)

        return self._receive(command, command.submission.receiving_unit, attempt)

    def accept(self, command: c.AcceptSubmission) -> Dossier:
        """Tiếp nhận: accept an online or postal dossier; issue its code and appointment."""
        loaded = [self._fresh(command)]
        known = self._replay(loaded[0], command)
        if known is not None:
            return known
        self._check_expected(loaded[0], command)
        agency = loaded[0].submission.receiving_unit

        def attempt(envelope: Envelope) -> Reception:
            dossier = loaded.pop() if loaded else self._fresh(command)
            procedure = self._procedure(dossier.submission.procedure)
            book = self._accept(dossier, envelope, procedure, command.documents)
            return Reception(dossier, book, dossier.version - 1)

        return self._receive(command, agency, attempt)

    def _accept(
        self,
        dossier: Dossier,
        envelope: Envelope,
        procedure: Procedure,
        documents: tuple[HandedDocument, ...] | None,
    ) -> DailySequence:
        """Receive ``dossier`` under the next number of its agency's code book; return the book."""
        agency = dossier.submission.receiving_unit
        dossier.check("accept")
        book = self._next_number(agency, envelope.at.date(), dossier.id)
        dossier.accept(
            envelope,
            procedure=procedure,
            calendar=self._calendar(agency, envelope.at),
            code=book.last,
            lookup_secret=self.lookup_secret(),
            documents=documents,
        )
        return book

    # ------------------------------------------------------------------ intake

    def request_intake_supplement(self, command: c.RequestIntakeSupplement) -> Dossier:
        """Mẫu 02: every missing or defective document at once, with guidance."""
        return self._act(
            command,
            lambda d, e: d.request_intake_supplement(
                e, procedure=self._of(d), guidance=command.guidance, note=command.note
            ),
        )

    def resubmit(self, command: c.Resubmit) -> Dossier:
        """Nộp lại: the completed checklist goes back to the one-stop check."""
        return self._act(
            command,
            lambda d, e: d.resubmit(e, procedure=self._of(d), documents=command.documents),
        )

    def reject(self, command: c.RejectAtIntake) -> Dossier:
        """Mẫu 03: refused at intake, with a written reason."""
        return self._act(
            command,
            lambda d, e: d.reject(e, reason=command.reason, legal_ground=command.legal_ground),
        )

    # ------------------------------------------------------------------ processing

    def assign(self, command: c.AssignHandler) -> Dossier:
        """Phân công: a handler takes the dossier."""
        return self._act(
            command, lambda d, e: d.assign(e, handler=command.handler, unit=command.unit)
        )

    def complete_step(self, command: c.CompleteStep) -> Dossier:
        """Chuyển bước: the next step starts with its allotted time."""
        return self._act(
            command,
            lambda d, e: d.complete_step(
                e,
                procedure=self._of(d),
                calendar=self._calendar_of(d, e),
                outcome=command.outcome,
                medium=command.medium,
            ),
        )

    def return_step(self, command: c.ReturnStep) -> Dossier:
        """Trả lại bước trước: the previous step runs again with its allotted time."""
        return self._act(
            command,
            lambda d, e: d.return_step(
                e, procedure=self._of(d), calendar=self._calendar_of(d, e), reason=command.reason
            ),
        )

    def hand_over(self, command: c.HandOverToPartner) -> Dossier:
        """Liên thông: a step goes to a partner agency, with its allotted time."""
        return self._act(
            command,
            lambda d, e: d.hand_over(
                e,
                procedure=self._of(d),
                calendar=self._calendar_of(d, e),
                partner=command.partner,
                note=command.note,
            ),
        )

    def take_back(self, command: c.TakePartnerResult) -> Dossier:
        """Liên thông: the partner's result comes back."""
        return self._act(
            command,
            lambda d, e: d.take_back(
                e, partner=command.partner, outcome=command.outcome, partner_ref=command.partner_ref
            ),
        )

    # ------------------------------------------------------------------ pauses

    def request_supplement(self, command: c.RequestSupplement) -> Dossier:
        """Yêu cầu bổ sung: the clock pauses until the supplement is accepted."""
        return self._act(
            command,
            lambda d, e: d.request_supplement(
                e,
                procedure=self._of(d),
                items=command.items,
                reason=command.reason,
                respond_by=command.respond_by,
            ),
        )

    def submit_supplement(self, command: c.SubmitSupplement) -> Dossier:
        """Nộp bổ sung: the supplement waits to be checked."""
        return self._act(
            command,
            lambda d, e: d.submit_supplement(e, procedure=self._of(d), documents=command.documents),
        )

    def accept_supplement(self, command: c.AcceptSupplement) -> Dossier:
        """Tiếp nhận bổ sung: the clock resumes with a new appointment."""
        return self._act(
            command,
            lambda d, e: d.accept_supplement(
                e, procedure=self._of(d), calendar=self._calendar_of(d, e)
            ),
        )

    def request_payment(self, command: c.RequestPayment) -> Dossier:
        """Nghĩa vụ tài chính: the clock pauses while processing."""
        return self._act(
            command,
            lambda d, e: d.request_payment(e, charges=command.charges, note=command.note),
        )

    def confirm_online_payment(self, command: c.ConfirmOnlinePayment) -> Dossier:
        """Thanh toán trực tuyến: the payment platform confirmed; the clock resumes."""
        return self._act(
            command,
            lambda d, e: d.pay_online(
                e,
                procedure=self._of(d),
                calendar=self._calendar_of(d, e),
                payment_ref=command.payment_ref,
                transaction_id=command.transaction_id,
                bank_code=command.bank_code,
                amount=command.amount,
                paid_at=command.paid_at,
            ),
        )

    def record_counter_payment(self, command: c.RecordCounterPayment) -> Dossier:
        """Thu tại quầy: the cashier took the payment; the clock resumes."""
        return self._act(
            command,
            lambda d, e: d.pay_at_counter(
                e,
                procedure=self._of(d),
                calendar=self._calendar_of(d, e),
                receipt_number=command.receipt_number,
                amount=command.amount,
            ),
        )

    # ------------------------------------------------------------------ lateness, results, endings

    def extend(self, command: c.ExtendDeadline) -> Dossier:
        """Mẫu 04: apology and a new appointment, within the configured rules."""
        return self._act(
            command,
            lambda d, e: d.extend(
                e,
                rules=self.extension_rules,
                calendar=self._calendar_of(d, e),
                new_due_at=command.new_due_at,
                reason=command.reason,
                signed_by=command.signed_by,
            ),
        )

    def issue_result(self, command: c.IssueResult) -> Dossier:
        """Có kết quả: processing is finished."""
        return self._act(
            command,
            lambda d, e: d.issue_result(
                e,
                result_number=command.result_number,
                signed_by=command.signed_by,
                file_ref=command.file_ref,
            ),
        )

    def return_result(self, command: c.ReturnResult) -> Dossier:
        """Trả kết quả: at the counter, by post or online."""
        return self._act(
            command,
            lambda d, e: d.return_result(e, delivery=command.delivery, reference=command.reference),
        )

    def confirm_postal_delivery(self, command: c.ConfirmPostalDelivery) -> Dossier:
        """Phát thành công: the postal operator delivered the result."""
        return self._act(
            command, lambda d, e: d.confirm_delivery(e, receiver_name=command.receiver_name)
        )

    def stop(self, command: c.StopProcessing) -> Dossier:
        """Dừng xử lý, with written reasons."""
        return self._act(
            command,
            lambda d, e: d.stop(e, reason=command.reason, legal_ground=command.legal_ground),
        )

    def withdraw(self, command: c.WithdrawDossier) -> Dossier:
        """Rút hồ sơ, before the result is issued."""
        return self._act(command, lambda d, e: d.withdraw(e, reason=command.reason))

    def return_papers(self, command: c.ReturnPapers) -> Dossier:
        """Trả lại hồ sơ, thông báo of a stopped or withdrawn dossier."""
        return self._act(
            command,
            lambda d, e: d.return_papers(
                e, delivery=command.delivery, receiver_name=command.receiver_name
            ),
        )

    def rate(self, command: c.RateService) -> Dossier:
        """Đánh giá mức độ hài lòng."""
        return self._act(
            command,
            lambda d, e: d.rate(e, satisfaction=command.satisfaction, comment=command.comment),
        )

    # ------------------------------------------------------------------ queries

    @contextmanager
    def starting_from(self, dossier: Dossier) -> Iterator[None]:
        """The next command in this thread on ``dossier`` starts from it, not from a new read.

        For a caller that has just loaded the dossier to decide who may act
        (the HTTP routes): the command would read the same version again.
        Only the first read is spared; a retry after a conflict reads afresh,
        and the handed copy is dropped when the block ends, used or not.
        """
        self._handed.dossier = dossier
        try:
            yield
        finally:
            self._handed.dossier = None

    def get(self, dossier_id: UUID, version: int | None = None) -> Dossier:
        """The dossier with ``dossier_id`` (as of ``version``, if given)."""
        dossier = self.find(dossier_id, version)
        if dossier is None:
            raise DossierNotFoundError(dossier=str(dossier_id))
        return dossier

    def find(self, dossier_id: UUID, version: int | None = None) -> Dossier | None:
        """The dossier with ``dossier_id``, or ``None``."""
        try:
            dossier: object = self.app.repository.get(dossier_id, version=version)
        except AggregateNotFoundError:
            return None
        return dossier if isinstance(dossier, Dossier) else None

    def find_id(self, code: str) -> UUID | None:
        """The id of the dossier with ``code``, from the agency's code book; ``None`` if none."""
        try:
            parsed = DossierCode.parse(code)
        except InvalidValueError:
            return None
        known = self._ids_by_code.get(parsed)
        if known is not None:
            return known
        book = sequence_id(parsed.agency, parsed.day)
        entries = list(self.app.events.get(book, gt=parsed.number - 1, lte=parsed.number))
        if not entries:
            return None
        entry: DailySequence.Event = entries[0]  # type: ignore[assignment]  # the book's events
        # A number, once issued, names its dossier for good: remembered, the oldest forgotten.
        with self._guard:
            while len(self._ids_by_code) >= CODES_REMEMBERED:
                del self._ids_by_code[next(iter(self._ids_by_code))]
            self._ids_by_code[parsed] = entry.dossier_id
        return entry.dossier_id

    def get_by_code(self, code: str) -> Dossier:
        """The dossier with ``code`` (mã hồ sơ)."""
        dossier_id = self.find_id(code)
        if dossier_id is None:
            raise DossierNotFoundError(dossier=code)
        return self.get(dossier_id)

    def history(self, dossier_id: UUID) -> list[DomainEventProtocol[UUID]]:
        """Every event of the dossier, oldest first: the audit trail."""
        events = list(self.app.events.get(dossier_id))
        if not events:
            raise DossierNotFoundError(dossier=str(dossier_id))
        return events

    def calendar_for(self, dossier: Dossier, now: datetime | None = None) -> WorkingCalendar:
        """The receiving unit's calendar, under the rules known ``now``."""
        return self._calendar(dossier.submission.receiving_unit, local(now or self.clock()))

    # ------------------------------------------------------------------ plumbing

    def _open(
        self,
        command: c.SubmitOnline | c.SubmitByPost,
        make: Callable[[Envelope, UUID, Procedure], Dossier],
    ) -> Dossier:
        dossier_id = dossier_id_for(command)
        procedure = self._procedure(command.submission.procedure)
        try:
            dossier = make(self._envelope(command), dossier_id, procedure)
        except DomainError:
            known = self._known(dossier_id, command)
            if known is not None:
                return known
            raise
        # No look-up first: a repeated command collides with its dossier on save.
        return self._save(command, dossier)

    def _act(self, command: Command, decide: Callable[[Dossier, Envelope], None]) -> Dossier:
        dossier = self._fresh(command)
        known = self._replay(dossier, command)
        if known is not None:
            return known
        self._check_expected(dossier, command)
        decide(dossier, self._envelope(command))
        return self._save(command, dossier)

    def _receive(
        self,
        command: c.ReceiveDossier | c.AcceptSubmission,
        agency: AgencyCode,
        attempt: Callable[[Envelope], Reception],
    ) -> Dossier:
        """Run a reception; retry when only the code book moved under it (§7.3)."""
        envelope = self._envelope(command)
        key = (agency.value, envelope.at.date())
        with self._book_lock(key):
            for _ in range(RECEPTION_ATTEMPTS):
                try:
                    reception = attempt(envelope)
                except DomainError:
                    # A walk-in repeated after its procedure changed: the first result stands.
                    if isinstance(command, c.ReceiveDossier):
                        known = self._known(dossier_id_for(command), command)
                        if known is not None:
                            return known
                    raise
                dossier = reception.dossier
                try:
                    self.committer.save(dossier, reception.book)
                except IntegrityError:
                    stored = self.find(dossier.id)
                    known = self._known(dossier.id, command, stored)
                    if known is not None:
                        return known
                    if (stored.version if stored else 0) != reception.loaded_version:
                        raise ConcurrentChangeError(what=f"dossier {dossier.id}") from None
                    continue  # another process took the number: take the next one
                self._log(command, dossier)
                return dossier
        raise ConcurrentChangeError(what=f"the code book of {agency} on {envelope.at.date()}")

    def _save(self, command: c.DossierCommand, dossier: Dossier) -> Dossier:
        try:
            self.committer.save(dossier)
        except IntegrityError:
            known = self._known(dossier.id, command)
            if known is not None:
                return known
            raise ConcurrentChangeError(what=f"dossier {dossier.reference}") from None
        self._log(command, dossier)
        return dossier

    def _known(
        self, dossier_id: UUID, command: c.DossierCommand, dossier: Dossier | None = None
    ) -> Dossier | None:
        """The first result of ``command`` if the same user already applied its id."""
        dossier = dossier or self.find(dossier_id)
        return self._replay(dossier, command) if dossier is not None else None

    def _replay(self, dossier: Dossier, command: c.DossierCommand) -> Dossier | None:
        """``dossier`` as ``command`` left it, if the same user already applied its id."""
        version = dossier.commands.get(command_key(command.actor, command.command_id))
        if version is None:
            return None
        log.info("dossier.command_repeated", command=type(command).__name__, version=version)
        return dossier if version == dossier.version else self.get(dossier.id, version)

    def _fresh(self, command: c.OnDossier) -> Dossier:
        """The dossier, fresh from the store (or as this thread just loaded it, once)."""
        handed: Dossier | None = getattr(self._handed, "dossier", None)
        self._handed.dossier = None
        if handed is not None and handed.id == command.dossier_id:
            return handed
        return self.get(command.dossier_id)

    @staticmethod
    def _check_expected(dossier: Dossier, command: c.OnDossier) -> None:
        expected = command.expected_version
        if expected is not None and expected != dossier.version:
            raise StaleVersionError(
                dossier=dossier.reference, expected=expected, actual=dossier.version
            )

    def _envelope(self, command: c.DossierCommand) -> Envelope:
        return Envelope(command.actor, self.clock(), command.command_id)

    def _procedure(self, code: LocalCode) -> Procedure:
        """The procedure as stored now: one indexed read past the cached copy.

        Read-only here, so the cached copy is shared rather than copied. When
        another thread is bringing the cached copy up to date at this very
        moment, its read is as fresh as ours would be, so ours is skipped
        rather than queued behind it.
        """
        try:
            procedure: object = self.app.repository.get(
                procedure_id(code), deepcopy_from_cache=False, fastforward_skipping=True
            )
        except AggregateNotFoundError:
            procedure = None
        if not isinstance(procedure, Procedure):
            raise ProcedureNotFoundError(code=code.value)
        return procedure

    def _of(self, dossier: Dossier) -> Procedure:
        return self._procedure(dossier.submission.procedure)

    def _calendar(self, agency: AgencyCode, at: datetime) -> WorkingCalendar:
        return self.calendars.policy.calendar(agency, as_of=local(at).date())

    def _calendar_of(self, dossier: Dossier, envelope: Envelope) -> WorkingCalendar:
        return self._calendar(dossier.submission.receiving_unit, envelope.at)

    def _next_number(self, agency: AgencyCode, day: date, dossier_id: UUID) -> DailySequence:
        """The agency's code book of ``day`` with one more number, for ``dossier_id``.

        Read through the repository every time: its cached copy is brought up to
        date with one small read, so a number another process took meanwhile is
        seen before the save instead of colliding with it.
        """
        try:
            book: DailySequence = self.app.repository.get(sequence_id(agency, day))
        except AggregateNotFoundError:
            return DailySequence.open(agency, day, dossier_id)
        book.issue(dossier_id)
        return book

    def _book_lock(self, key: tuple[str, date]) -> threading.Lock:
        """One lock per receiving agency and day: this process's receptions never race."""
        with self._guard:
            return self._book_locks.setdefault(key, threading.Lock())

    def _log(self, command: c.DossierCommand, dossier: Aggregate) -> None:
        # Ids, codes, versions and roles only: nothing personal is ever logged.
        log.info(
            "dossier.command",
            command=type(command).__name__,
            dossier_id=str(dossier.id),
            version=dossier.version,
            role=command.actor.role.value,
        )
