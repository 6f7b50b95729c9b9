"""The daily code book: a copy from the repository's cache issues numbers on its own."""

from __future__ import annotations

import copy
from datetime import date
from uuid import uuid4

from domain.dossier_sequence import DailySequence
from domain.values import AgencyCode

UNIT = AgencyCode("000.00.12.H56")


def _saved_book() -> DailySequence:
    """A book with numbers 1 and 2 issued and collected, as the cache holds it after a save."""
    book = DailySequence.open(UNIT, date(2025, 3, 3), uuid4())
    book.issue(uuid4())
    book.collect_events()
    return book


def test_a_copy_has_the_same_state_as_the_book() -> None:
    """Every attribute of the copy equals the book's, as a generic deep copy's would."""
    book = _saved_book()
    assert vars(copy.deepcopy(book)) == vars(book)
    assert str(copy.deepcopy(book).last) == "000.00.12.H56-250303-0002"


def test_issuing_from_a_copy_leaves_the_book_untouched() -> None:
    """The copy takes number 3 and holds the pending event; the cached book is still at 2."""
    book = _saved_book()
    before = dict(vars(book))
    taken = copy.deepcopy(book)
    taken.issue(uuid4())
    assert (taken.version, book.version) == (3, 2)
    assert len(taken.collect_events()) == 1
    assert vars(book) == before
    assert book.collect_events() == []
