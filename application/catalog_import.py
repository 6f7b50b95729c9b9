"""Nhập danh mục (catalog import): idempotent, item by item, never half a procedure."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from itertools import islice

from attrs import frozen

from application.catalog import Catalog
from application.errors import ConcurrentChangeError
from domain.errors import DomainError
from domain.procedure import Procedure, procedure_id
from domain.procedure_spec import ProcedureSpec, PublicationDecision

BATCH = 100
"""Procedures saved per transaction; a conflict falls back to one at a time."""


class Outcome(StrEnum):
    """What the import did with one item."""

    CREATED = "created"
    AMENDED = "amended"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@frozen
class Entry:
    """One readable item of a catalog file: a procedure's content under a decision."""

    index: int
    spec: ProcedureSpec
    decision: PublicationDecision


@frozen
class Unreadable:
    """One item of a catalog file that could not be read, and why."""

    index: int
    code: str | None
    reason: str


@frozen
class ItemReport:
    """The outcome for one item, by its index in the file (from 0)."""

    index: int
    code: str | None
    outcome: Outcome
    reason: str | None = None


@frozen
class ImportReport:
    """The outcome of every item."""

    items: tuple[ItemReport, ...]

    def count(self, outcome: Outcome) -> int:
        """How many items ended with ``outcome``."""
        return sum(item.outcome is outcome for item in self.items)


def import_catalog(
    catalog: Catalog,
    items: Iterable[Entry | Unreadable],
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Publish new procedures, amend changed ones, leave unchanged ones; report each item."""
    reports: list[ItemReport] = []
    seen: dict[str, int] = {}
    catalog.index.catch_up()  # once: codes this import adds are tracked in `seen`
    for chunk in _chunks(items):
        pending: list[tuple[Entry, Procedure, Outcome]] = []
        for item in chunk:
            decided = _decide(catalog, item, seen)
            if isinstance(decided, ItemReport):
                reports.append(decided)
            else:
                pending.append(decided)
        reports.extend(_save(catalog, pending))
        if progress is not None:
            progress(len(chunk))
    return ImportReport(tuple(sorted(reports, key=lambda report: report.index)))


def _chunks(items: Iterable[Entry | Unreadable]) -> Iterator[list[Entry | Unreadable]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, BATCH)):
        yield chunk


def _decide(
    catalog: Catalog, item: Entry | Unreadable, seen: dict[str, int]
) -> ItemReport | tuple[Entry, Procedure, Outcome]:
    if isinstance(item, Unreadable):
        return ItemReport(item.index, item.code, Outcome.REJECTED, item.reason)
    code = item.spec.local_code.value
    if code in seen:
        reason = f"the local code appears twice in the file (first at item {seen[code]})"
        return ItemReport(item.index, code, Outcome.REJECTED, reason)
    seen[code] = item.index
    try:
        return _apply(catalog, item)
    except DomainError as error:
        return ItemReport(item.index, code, Outcome.REJECTED, str(error))


def _apply(catalog: Catalog, item: Entry) -> ItemReport | tuple[Entry, Procedure, Outcome]:
    # The catalog view says which codes exist without a round trip per item; a code that
    # another process publishes meanwhile makes the save conflict, and the item is reported.
    identity = procedure_id(item.spec.local_code)
    if catalog.index.find(identity, catch_up=False) is None:
        return item, Procedure.publish(item.spec, item.decision), Outcome.CREATED
    procedure: Procedure = catalog.app.repository.get(identity)
    if procedure.current.spec == item.spec:
        return ItemReport(item.index, item.spec.local_code.value, Outcome.UNCHANGED)
    procedure.amend(item.spec, item.decision)
    return item, procedure, Outcome.AMENDED


def _save(catalog: Catalog, pending: list[tuple[Entry, Procedure, Outcome]]) -> list[ItemReport]:
    if not pending:
        return []
    try:
        catalog.save(*(procedure for _, procedure, _ in pending))
    except ConcurrentChangeError:
        return [report for one in pending for report in _save_one(catalog, one)]
    return [
        ItemReport(entry.index, entry.spec.local_code.value, outcome)
        for entry, _, outcome in pending
    ]


def _save_one(catalog: Catalog, pending: tuple[Entry, Procedure, Outcome]) -> list[ItemReport]:
    entry, procedure, outcome = pending
    code = entry.spec.local_code.value
    try:
        catalog.save(procedure)
    except ConcurrentChangeError as error:
        return [ItemReport(entry.index, code, Outcome.REJECTED, str(error))]
    return [ItemReport(entry.index, code, outcome)]
