"""Thủ tục hành chính (administrative procedure): published, amended, replaced, abolished.

A procedure is one aggregate per local code (mã TTHC địa phương): its identity is
derived from that code, so no two procedures can ever share one, and two
processes publishing the same code at once collide on the event store. Each
publication decision adds an immutable version; a dossier pins the version it
was received under, and later decisions never change it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import NoReturn
from uuid import UUID, uuid5

from attrs import field, frozen
from eventsourcing.domain import Aggregate, event

from domain.errors import ProcedureLifecycleError, ProcedureNotInForceError
from domain.procedure_spec import Level, ProcedureSpec, PublicationDecision
from domain.values import LocalCode

DISTRICT_LEVEL_ENDED = date(2025, 7, 1)
"""Two-level local government (Resolution 202/2025/QH15): no district level from this day."""

_NAMESPACE = UUID("6f1c1f64-4f0e-5b8e-9d0a-6d6f74637561")


def procedure_id(local_code: LocalCode) -> UUID:
    """The identity of the procedure with ``local_code``."""
    return uuid5(_NAMESPACE, f"procedure:{local_code.value}")


class Standing(StrEnum):
    """Where a procedure stands on a given day."""

    NOT_YET_IN_FORCE = "not_yet_in_force"  # chưa có hiệu lực
    IN_FORCE = "in_force"  # đang có hiệu lực
    REPLACED = "replaced"  # đã bị thay thế
    ABOLISHED = "abolished"  # đã bị bãi bỏ


@frozen
class ProcedureVersion:
    """Phiên bản: the content a decision gave the procedure, numbered from 1."""

    number: int
    spec: ProcedureSpec
    decision: PublicationDecision


@frozen
class Ending:
    """How the procedure ended: replaced by a successor, or abolished."""

    standing: Standing = field(converter=Standing)
    decision: PublicationDecision
    successor: LocalCode | None = None


class Procedure(Aggregate):
    """Thủ tục hành chính: one procedure of the provincial catalog, with all its versions."""

    class Published(Aggregate.Created):
        """Công bố mới: the procedure enters the catalog."""

        spec: ProcedureSpec
        decision: PublicationDecision

    class Amended(Aggregate.Event):
        """Sửa đổi, bổ sung: a new version replaces the content from the decision's date."""

        spec: ProcedureSpec
        decision: PublicationDecision

    class Replaced(Aggregate.Event):
        """Thay thế: another procedure takes over from the decision's date."""

        successor: LocalCode
        decision: PublicationDecision

    class Abolished(Aggregate.Event):
        """Bãi bỏ: no new dossiers from the decision's date; dossiers in flight continue."""

        decision: PublicationDecision

    @staticmethod
    def create_id(spec: ProcedureSpec, decision: PublicationDecision) -> UUID:  # noqa: ARG004 (the library passes every argument)
        """The identity follows the local code."""
        return procedure_id(spec.local_code)

    @classmethod
    def publish(cls, spec: ProcedureSpec, decision: PublicationDecision) -> Procedure:
        """Công bố: a new procedure under ``decision``."""
        _check_levels(spec, decision, "publish", Standing.NOT_YET_IN_FORCE)
        return cls(spec, decision)

    @event(Published)
    def __init__(self, spec: ProcedureSpec, decision: PublicationDecision) -> None:
        self.versions: list[ProcedureVersion] = [ProcedureVersion(1, spec, decision)]
        self.ending: Ending | None = None

    # ------------------------------------------------------------------ decisions

    def amend(self, spec: ProcedureSpec, decision: PublicationDecision) -> None:
        """Sửa đổi: a new version with ``spec`` from ``decision.effective``."""
        self._check_open("amend", decision)
        if spec.local_code != self.local_code:
            self._refuse(
                "amend",
                f"the new content has another local code, {spec.local_code}",
                "local_code_unchanged",
            )
        if spec == self.current.spec:
            self._refuse(
                "amend", "the new content is the same as the current version", "content_unchanged"
            )
        _check_levels(spec, decision, "amend", Standing.IN_FORCE)
        self._amended(spec, decision)

    @event(Amended)
    def _amended(self, spec: ProcedureSpec, decision: PublicationDecision) -> None:
        self.versions.append(ProcedureVersion(len(self.versions) + 1, spec, decision))

    def replace(self, successor: LocalCode, decision: PublicationDecision) -> None:
        """Thay thế: ``successor`` takes over from ``decision.effective``."""
        self._check_open("replace", decision)
        if successor == self.local_code:
            self._refuse("replace", "a procedure cannot replace itself", "not_own_successor")
        self._replaced(successor, decision)

    @event(Replaced)
    def _replaced(self, successor: LocalCode, decision: PublicationDecision) -> None:
        self.ending = Ending(Standing.REPLACED, decision, successor)

    def abolish(self, decision: PublicationDecision) -> None:
        """Bãi bỏ: no new dossiers from ``decision.effective``."""
        self._check_open("abolish", decision)
        self._abolished(decision)

    @event(Abolished)
    def _abolished(self, decision: PublicationDecision) -> None:
        self.ending = Ending(Standing.ABOLISHED, decision)

    # ------------------------------------------------------------------ reading

    @property
    def local_code(self) -> LocalCode:
        """The local code, which is the procedure's identity."""
        return self.versions[0].spec.local_code

    @property
    def current(self) -> ProcedureVersion:
        """The latest version decided."""
        return self.versions[-1]

    def pinned(self, number: int) -> ProcedureVersion:
        """Version ``number`` (from 1), as a dossier pinned it."""
        if not 1 <= number <= len(self.versions):
            self._refuse("read", f"there is no version {number}", "no_such_version")
        return self.versions[number - 1]

    def version_at(self, day: date) -> ProcedureVersion | None:
        """The version in effect on ``day``: the latest whose decision took effect by then."""
        effective = [v for v in self.versions if v.decision.effective <= day]
        return effective[-1] if effective else None

    def standing_on(self, day: date) -> Standing:
        """Whether the procedure was (or will be) in force on ``day``."""
        if self.ending is not None and self.ending.decision.effective <= day:
            return self.ending.standing
        if self.version_at(day) is None:
            return Standing.NOT_YET_IN_FORCE
        return Standing.IN_FORCE

    def version_for_reception(self, day: date) -> ProcedureVersion:
        """The version a dossier received on ``day`` pins; refused when not in force."""
        standing = self.standing_on(day)
        version = self.version_at(day)
        if standing is not Standing.IN_FORCE or version is None:
            raise ProcedureNotInForceError(code=self.local_code.value, on=day, status=standing)
        return version

    def _check_open(self, action: str, decision: PublicationDecision) -> None:
        if self.ending is not None:
            self._refuse(action, f"it was already {self.ending.standing}", "procedure_ended")
        latest = max(v.decision.effective for v in self.versions)
        if decision.effective < latest:
            self._refuse(
                action,
                f"the decision takes effect {decision.effective}, before the current version "
                f"({latest})",
                "decision_not_earlier",
            )

    def _refuse(self, action: str, reason: str, rule: str) -> NoReturn:
        standing = self.ending.standing if self.ending else Standing.IN_FORCE
        raise ProcedureLifecycleError(
            code=self.local_code.value, status=standing, action=action, reason=reason, rule=rule
        )


def _check_levels(
    spec: ProcedureSpec, decision: PublicationDecision, action: str, standing: Standing
) -> None:
    if Level.DISTRICT in spec.levels and decision.effective >= DISTRICT_LEVEL_ENDED:
        raise ProcedureLifecycleError(
            code=spec.local_code.value,
            status=standing,
            action=action,
            reason=f"there is no district level from {DISTRICT_LEVEL_ENDED.isoformat()}",
            rule="no_district_level",
        )
