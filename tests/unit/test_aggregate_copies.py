"""Aggregates copy themselves for commands: the copy shares nothing a command can change."""

from __future__ import annotations

import copy
from datetime import date
from uuid import uuid4

import attrs
import pytest

from application.onestop import OneStop
from domain.calendar_policy import CalendarPolicy
from domain.dossier import Dossier
from domain.dossier_sequence import DailySequence
from domain.values import AgencyCode
from tests.copy_rule import breaks_the_copy_rule, immutable
from tests.dossier_fixtures import Desk

UNIT = AgencyCode("000.00.12.H56")


@attrs.frozen
class Frozen:
    """A value object holding whatever it is given."""

    held: object


@attrs.define
class Thawed:
    """A value object that can change."""

    held: object


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ((1, "a", None, date(2025, 3, 3)), True),
        (Frozen((1, Frozen("x"))), True),
        (Frozen([1]), False),
        (Thawed(1), False),
        ({1, 2}, False),
        ((1, [2]), False),
    ],
)
def test_the_rule_tells_immutable_values_from_changeable_ones(
    value: object, *, expected: bool
) -> None:
    """Scalars, tuples and frozen attrs of them pass; lists, sets and thawed attrs do not."""
    assert immutable(value) is expected


def _saved_book() -> DailySequence:
    """A book with numbers 1 and 2 issued and collected, as the cache holds it after a save."""
    book = DailySequence.open(UNIT, date(2025, 3, 3), uuid4())
    book.issue(uuid4())
    book.collect_events()
    return book


def test_a_copy_of_a_book_has_its_state_and_issues_on_its_own() -> None:
    """The copy equals the book; it takes number 3 while the cached book stays at 2."""
    book = _saved_book()
    assert breaks_the_copy_rule(book) == []
    taken = copy.deepcopy(book)
    assert vars(taken) == vars(book)
    taken.issue(uuid4())
    assert (taken.version, book.version) == (3, 2)
    assert len(taken.collect_events()) == 1
    assert book.collect_events() == []


def test_a_copy_of_a_dossier_changes_without_touching_the_original(
    policy: CalendarPolicy,
) -> None:
    """A command on the copy (a handler, a command id) leaves the original as it was."""
    desk = Desk(OneStop(), policy)
    dossier = desk.receive()
    original: Dossier = desk.app.repository.get(dossier.id, deepcopy_from_cache=False)
    before = copy.copy(vars(original))
    lengths = {name: len(value) for name, value in before.items() if type(value) in (list, dict)}
    assigned = desk.assign(dossier)
    assert vars(original) == before
    assert {name: len(getattr(original, name)) for name in lengths} == lengths
    assert (assigned.handler, original.handler) == ("handler-1", None)
    assert len(assigned.commands) == len(original.commands) + 1
