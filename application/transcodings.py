"""One transcoding per value object that events (or snapshots) carry.

Names are stable strings, not module paths, so classes can move without
breaking stored events. Decoding goes through each class's constructor, so
validators and converters run again on load.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

import attrs
from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.dossier_values import (
    Actor,
    Applicant,
    Charge,
    DossierCode,
    HandedDocument,
    RequestedDocument,
    Submission,
)
from domain.procedure import Ending, ProcedureVersion
from domain.procedure_spec import (
    Case,
    ChannelTerms,
    Fee,
    LegalBasis,
    Partner,
    ProcedureSpec,
    ProcessStep,
    PublicationDecision,
    RequiredDocument,
    ResultDocument,
    Sector,
)
from domain.time_limit import TimeLimit
from domain.values import AgencyCode, LocalCode, NationalCode

VALUE_OBJECTS: tuple[type, ...] = (
    AgencyCode,
    NationalCode,
    LocalCode,
    TimeLimit,
    Fee,
    ChannelTerms,
    RequiredDocument,
    ResultDocument,
    ProcessStep,
    Case,
    Sector,
    Partner,
    LegalBasis,
    PublicationDecision,
    ProcedureSpec,
    ProcedureVersion,
    Ending,
    Actor,
    Applicant,
    HandedDocument,
    RequestedDocument,
    Charge,
    DossierCode,
    Submission,
)
"""Every attrs value object stored in events or snapshots; each gets a transcoding."""

SMALL_VALUES: frozenset[type] = frozenset({AgencyCode, NationalCode, LocalCode, Actor})
"""Immutable values that recur in nearly every event: decoded (and validated) once per distinct
value, then shared. Replays and rebuilds decode the same few agencies and officers again and
again; their constructors (a regular expression each) would dominate."""
SMALL_VALUES_KEPT = 10_000


class AttrsTranscoding(Transcoding):
    """Encodes an attrs value object as its fields, and decodes through its constructor."""

    def __init__(self, cls: type) -> None:
        self.type = cls
        self.name = f"motcua.{cls.__name__}"
        self.fields = tuple(f.name for f in attrs.fields(cls) if f.init)
        self._known: dict[tuple[Any, ...], Any] | None = {} if cls in SMALL_VALUES else None

    def encode(self, obj: Any) -> dict[str, Any]:  # noqa: ANN401 (the library's signature)
        """The object's fields; nested values are encoded by the transcoder."""
        return {name: getattr(obj, name) for name in self.fields}

    def decode(self, data: Any) -> Any:  # noqa: ANN401 (the library's signature)
        """The object rebuilt through its constructor (small values: once per distinct value)."""
        known = self._known
        if known is None:
            return self.type(**data)
        key = tuple(data.values())
        value = known.get(key)
        if value is None:
            value = self.type(**data)
            if len(known) >= SMALL_VALUES_KEPT:
                known.clear()
            known[key] = value
        return value


class DateAsISO(Transcoding):
    """A calendar date as YYYY-MM-DD."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        """ISO date."""
        return obj.isoformat()

    def decode(self, data: str) -> date:
        """From an ISO date."""
        return date.fromisoformat(data)


class TimeAsISO(Transcoding):
    """A wall-clock time as HH:MM:SS."""

    type = time
    name = "time_iso"

    def encode(self, obj: time) -> str:
        """ISO time."""
        return obj.isoformat()

    def decode(self, data: str) -> time:
        """From an ISO time."""
        return time.fromisoformat(data)


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """Register every motcua transcoding on ``transcoder``."""
    transcoder.register(DateAsISO())
    transcoder.register(TimeAsISO())
    for cls in VALUE_OBJECTS:
        transcoder.register(AttrsTranscoding(cls))
