"""The rule ``domain.copies.shallow_copy`` relies on, for tests to hold aggregate states to."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from uuid import UUID

import attrs

_SCALARS = (
    type(None),
    bool,
    int,
    float,
    str,
    bytes,
    Decimal,
    UUID,
    date,
    datetime,
    time,
    timedelta,
    Enum,
)


def immutable(value: object) -> bool:
    """Whether nothing reachable from ``value`` can change in place."""
    if isinstance(value, _SCALARS):
        return True
    if isinstance(value, tuple | frozenset):
        return all(immutable(item) for item in value)
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))  # type: ignore[arg-type]  # attrs.has() checked it
        return _frozen(value, fields) and all(immutable(getattr(value, f.name)) for f in fields)
    return False


def _frozen(value: object, fields: tuple[attrs.Attribute, ...]) -> bool:  # type: ignore[type-arg]
    if not fields:
        return True
    try:
        setattr(value, fields[0].name, getattr(value, fields[0].name))  # the same value: harmless
    except attrs.exceptions.FrozenInstanceError:
        return True
    return False


def breaks_the_copy_rule(aggregate: object) -> list[str]:
    """The attributes that are neither immutable nor a list or dict of immutable values."""
    broken = []
    for name, value in vars(aggregate).items():
        if type(value) is list:
            ok = all(immutable(item) for item in value)
        elif type(value) is dict:
            ok = all(immutable(key) and immutable(item) for key, item in value.items())
        else:
            ok = immutable(value)
        if not ok:
            broken.append(name)
    return broken
