"""Danh mục thủ tục hành chính (the catalog): publication decisions in, procedures out."""

from __future__ import annotations

from datetime import date

from attrs import frozen
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from application.commands import (
    AbolishProcedure,
    AmendProcedure,
    PublishProcedure,
    ReplaceProcedure,
)
from application.errors import ConcurrentChangeError, ProcedureNotFoundError
from application.onestop import OneStop
from application.procedure_index import ProcedureIndex, fold
from application.queries import ListProcedures
from domain.errors import InvalidValueError, ProcedureLifecycleError
from domain.procedure import Procedure, ProcedureVersion, Standing, procedure_id
from domain.values import LocalCode

MAX_PAGE = 200


@frozen
class ProcedureAt:
    """A procedure as it stood on a day: the version in effect and its standing."""

    procedure: Procedure
    version: ProcedureVersion | None
    standing: Standing
    on: date


@frozen
class ProcedurePage:
    """One page of a listing; ``next_after`` continues it, ``None`` at the end."""

    items: tuple[ProcedureAt, ...]
    next_after: str | None


class Catalog:
    """Danh mục TTHC: publishes, amends, replaces and abolishes procedures; answers lookups."""

    def __init__(self, app: OneStop) -> None:
        self.app = app
        self.index = ProcedureIndex(app)

    # ------------------------------------------------------------------ commands

    def publish(self, command: PublishProcedure) -> Procedure:
        """Công bố: a new procedure; its local code must be new."""
        code = command.spec.local_code
        if procedure_id(code) in self.app.repository:
            raise ProcedureLifecycleError(
                code=code.value,
                status=Standing.IN_FORCE,
                action="publish",
                reason="the local code is already published; amend it instead",
                rule="local_code_taken",
            )
        procedure = Procedure.publish(command.spec, command.decision)
        self.save(procedure)
        return procedure

    def amend(self, command: AmendProcedure) -> Procedure:
        """Sửa đổi: a new version of the procedure with the same local code."""
        procedure = self.load(command.spec.local_code)
        procedure.amend(command.spec, command.decision)
        self.save(procedure)
        return procedure

    def replace(self, command: ReplaceProcedure) -> Procedure:
        """Thay thế: the successor must already be in the catalog."""
        self.load(command.successor)
        procedure = self.load(command.code)
        procedure.replace(command.successor, command.decision)
        self.save(procedure)
        return procedure

    def abolish(self, command: AbolishProcedure) -> Procedure:
        """Bãi bỏ: no new dossiers from the decision's date."""
        procedure = self.load(command.code)
        procedure.abolish(command.decision)
        self.save(procedure)
        return procedure

    def load(self, code: LocalCode) -> Procedure:
        """The procedure with local code ``code``, fresh from the event store."""
        try:
            procedure: Procedure = self.app.repository.get(procedure_id(code))
        except AggregateNotFoundError:
            raise ProcedureNotFoundError(code=code.value) from None
        return procedure

    def save(self, *procedures: Procedure) -> None:
        """Record the procedures' new events atomically, or none of them."""
        try:
            self.app.save(*procedures)
        except IntegrityError:
            codes = ", ".join(p.local_code.value for p in procedures)
            raise ConcurrentChangeError(what=f"procedure {codes}") from None

    # ------------------------------------------------------------------ queries

    def get(self, code: str, on: date) -> ProcedureAt:
        """The procedure with local (or unique national) code ``code``, as it stood ``on``."""
        procedure = self._find(code)
        return ProcedureAt(procedure, procedure.version_at(on), procedure.standing_on(on), on)

    def _find(self, code: str) -> Procedure:
        try:
            local: LocalCode | None = LocalCode(code)
        except InvalidValueError:
            local = None
        found = self.index.find(procedure_id(local)) if local else None
        if found is not None:
            return found
        matches = self.index.by_national_code(code)
        if len(matches) == 1:
            return matches[0]
        candidates = tuple(sorted(p.local_code.value for p in matches))
        raise ProcedureNotFoundError(code=code, candidates=candidates)

    def list(self, query: ListProcedures, today: date) -> ProcedurePage:
        """Procedures matching every filter, by local code, one page after ``query.after``."""
        limit = max(1, min(query.limit, MAX_PAGE))
        words = fold(query.text).split() if query.text else []
        on = query.in_force_on or today
        items: list[ProcedureAt] = []
        for procedure, name in self.index.all():
            if query.after is not None and procedure.local_code.value <= query.after:
                continue
            if not all(word in name for word in words) or not _matches(procedure, query):
                continue
            standing = procedure.standing_on(on)
            if query.in_force_on is not None and standing is not Standing.IN_FORCE:
                continue
            if len(items) == limit:
                return ProcedurePage(tuple(items), items[-1].procedure.local_code.value)
            items.append(ProcedureAt(procedure, procedure.version_at(on), standing, on))
        return ProcedurePage(tuple(items), None)


def _matches(procedure: Procedure, query: ListProcedures) -> bool:
    spec = procedure.current.spec
    return (
        (query.agency is None or query.agency in spec.agencies)
        and (query.sector is None or spec.sector.code == query.sector)
        and (query.level is None or query.level in spec.levels)
    )
