"""A dossier id no view can write, to make a batch fail mid-write in its transaction."""

from __future__ import annotations

from typing import NoReturn
from uuid import UUID

SLOT = UUID.__dict__["int"]  # where a UUID keeps its number


class PoisonedError(Exception):
    """Raised by any attempt to store an ``Unwritable`` id."""


def _refuse(_: UUID) -> NoReturn:
    """Refuse: every way of storing a UUID reads its number."""
    raise PoisonedError


def _keep(uuid: UUID, number: int) -> None:
    """Set the number, as ``UUID.__init__`` does."""
    SLOT.__set__(uuid, number)


class Unwritable(UUID):
    """A UUID whose number cannot be read: hashing it (memory), ``str`` (SQLite), psycopg fail."""

    int = property(_refuse, _keep)  # type: ignore[misc]  # the poison


UNWRITABLE = Unwritable(int=0)
