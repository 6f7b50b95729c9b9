"""Copies of aggregates for commands, cheaper than a generic deep copy.

The repository hands each command a copy of the cached aggregate, so that a
command's changes reach the cache only once they are saved. ``copy.deepcopy``
walks every value. The aggregates that use ``shallow_copy`` keep only
immutable values (numbers, text, times, enums, UUIDs, frozen attrs value
objects, tuples of them) plus lists and dicts of such values that their
events change in place; so copying the attribute dict, and each list and dict
in it, gives a copy that shares nothing a command can change. A test walks
the state of every aggregate that uses it and holds it to that rule.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


def shallow_copy(aggregate: T, memo: dict[int, Any]) -> T:
    """``aggregate`` with its own attribute dict, and its own copy of each list and dict in it."""
    copy = object.__new__(type(aggregate))
    copy.__dict__.update(
        {
            name: list(value)
            if type(value) is list
            else dict(value)
            if type(value) is dict
            else value
            for name, value in vars(aggregate).items()
        }
    )
    memo[id(aggregate)] = copy
    return copy
