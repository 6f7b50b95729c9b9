"""Giải mã một phần (partial decoding): stored events with only the fields a fold reads.

A rebuild decodes every event of the log, and the library's mapper decodes
all of each one: every value object through its constructor, every moment,
the library's own timestamp. A fold reads a few fields. ``PartialDecoder``
parses the stored JSON (orjson) and decodes only the fields named in
``reads``, each through the application's own transcodings, so every field
present is exactly what the mapper would give. The events are of the same
classes, with the same ids and versions; a field left out is absent, and a
fold that reads it fails with ``AttributeError`` instead of seeing a wrong
value. A unit test folds varied and generated histories both ways and
checks that each fold's ``READS`` give the rows of whole events.

A read may name fields inside a value object: ``submission.applicant.name``
reads the submission's applicant's name and nothing else of it. The value
object is then made without its constructor, holding only the fields named
(each through its field's converter, as the constructor would give it), so
the rest of it is absent too. A submission carries the whole checklist and
the applicant's contact details: decoding them through their constructors
for every dossier a rebuild opens cost more than all the dossier's other
events together. Only values stored by ``AttrsTranscoding`` are cut so; any
other value named in a dotted read is decoded whole.

Whatever this cannot do as the mapper does goes through the mapper, whole:
events of a class the library would upcast, states it cannot read (a
cipher's refusal, JSON orjson refuses such as NaN, an unknown transcoding),
read fields holding a float (orjson reads an integer beyond 64 bits as a
float, the json module as an integer), and transcoders other than JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import attrs
import orjson
from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Mapper,
    Notification,
    Transcoding,
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic

from application.transcodings import AttrsTranscoding

Event = DomainEventProtocol[UUID]
PLAIN = (str, int, bool, type(None))
"""JSON values that decode as themselves (a float is looked at: see ``_decoded``)."""
Tree = dict[str, "Tree"]
"""Dotted reads as a tree: each field read, with the fields read inside it (empty: all of it)."""


def read_tree(reads: frozenset[str]) -> Tree:
    """``reads`` as a tree; a field read whole as well as in part is read whole."""
    tree: Tree = {}
    for read in sorted(reads, key=lambda path: path.count(".")):  # outer fields first
        node = tree
        *outer, last = read.split(".")
        for name in outer:
            if name in node and not node[name]:
                break  # already read whole
            node = node.setdefault(name, {})
        else:
            node.setdefault(last, {})
    return tree


class PartialDecoder:
    """Decodes notifications of ``app`` with only the fields in ``reads``."""

    def __init__(self, app: Application[Any], reads: frozenset[str]) -> None:
        self.mapper: Mapper[UUID] = app.mapper
        self.reads = reads
        self.tree = read_tree(reads)
        transcoder = app.mapper.transcoder
        self.names: dict[str, Transcoding] = (
            transcoder.names if isinstance(transcoder, JSONTranscoder) else {}
        )
        self.decoders: dict[str, Callable[[Any], Any]] = {
            name: _fast(transcoding) for name, transcoding in self.names.items()
        }
        self._classes: dict[str, type | None] = {}
        self._converters: dict[type, dict[str, Any] | None] = {}

    def decode(self, notifications: Sequence[Notification]) -> list[Event]:
        """The events of ``notifications``, in order."""
        return [self.event(notification) for notification in notifications]

    def event(self, notification: Notification) -> Event:
        """One event, with only the fields in ``reads`` (or whole, from the mapper)."""
        cls = self._class(notification.topic)
        if cls is None:
            return self.mapper.to_domain_event(notification)
        try:
            state = self._state(notification.state)
        except Exception:  # noqa: BLE001 (the mapper reads it, or raises its own error)
            return self.mapper.to_domain_event(notification)
        originator_id = notification.originator_id
        convert = find_id_convertor(cls, cast("Hashable", type(originator_id)))
        state["originator_id"] = convert(originator_id)
        state["originator_version"] = notification.originator_version
        event: Event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)  # as the mapper makes its events
        return event

    def _class(self, topic: str) -> type | None:
        """The event class of ``topic``; ``None`` when the mapper must decode it."""
        try:
            return self._classes[topic]
        except KeyError:
            cls: type = resolve_topic(topic)
            plain = bool(self.names) and getattr(cls, "class_version", 1) == 1
            found = self._classes[topic] = cls if plain else None
            return found

    def _state(self, stored: bytes) -> dict[str, Any]:
        """The fields in ``reads`` of a stored state, decoded."""
        mapper = self.mapper
        if mapper.cipher:
            stored = mapper.cipher.decrypt(stored)
        if mapper.compressor:
            stored = mapper.compressor.decompress(stored)
        tree = self.tree
        if not tree:  # nothing read (an event the fold passes over): nothing to parse
            return {}
        decoded = self._decoded
        part = self._part
        return {
            name: value
            if type(value) in PLAIN
            else (part(value, tree[name]) if tree[name] else decoded(value))
            for name, value in orjson.loads(stored).items()
            if name in tree
        }

    def _part(self, value: Any, reads: Tree) -> Any:  # noqa: ANN401 (a JSON value, decoded)
        """A stored value object with only the fields in ``reads``; any other value, whole."""
        if type(value) is dict and len(value) == 2 and "_type_" in value and "_data_" in value:  # noqa: PLR2004 (a pair)
            transcoding = self.names[value["_type_"]]
            data = value["_data_"]
            if isinstance(transcoding, AttrsTranscoding) and type(data) is dict:
                converters = self._converters_of(transcoding.type)
                if converters is not None:
                    return self._made(transcoding.type, converters, data, reads)
        return self._decoded(value)

    def _converters_of(self, cls: type) -> dict[str, Any] | None:
        """Each field's converter; ``None`` when one takes more than the value (made whole)."""
        try:
            return self._converters[cls]
        except KeyError:
            converters = {f.name: f.converter for f in attrs.fields(cls)}
            plain = not any(isinstance(c, attrs.Converter) for c in converters.values())
            found = self._converters[cls] = converters if plain else None
            return found

    def _made(
        self, cls: type, converters: dict[str, Any], data: dict[str, Any], reads: Tree
    ) -> Any:  # noqa: ANN401 (a value object)
        """An instance of ``cls`` with only the fields in ``reads``, as its constructor sets them.

        Each field goes through its converter; validators are not run (the value passed them
        when its event was made). The other fields are not set, so reading one fails.
        """
        made: Any = object.__new__(cls)
        for name, inner in reads.items():
            value = data[name]
            if type(value) not in PLAIN:
                value = self._part(value, inner) if inner else self._decoded(value)
            convert = converters[name]
            object.__setattr__(made, name, value if convert is None else convert(value))
        return made

    def _decoded(self, value: Any) -> Any:  # noqa: ANN401 (a JSON value, decoded)
        """A JSON object or array decoded as the library's ``JSONTranscoder`` does: inside out."""
        decoded = self._decoded
        kind = type(value)
        if kind is list:
            return [item if type(item) in PLAIN else decoded(item) for item in value]
        if kind is not dict:
            # A float: orjson reads an integer beyond 64 bits as one, where the json module
            # reads the integer. Motcua's events hold no floats; let the mapper read it.
            raise InexactNumberError
        if len(value) == 2 and "_type_" in value and "_data_" in value:  # noqa: PLR2004 (a pair)
            data = value["_data_"]
            return self.decoders[value["_type_"]](data if type(data) in PLAIN else decoded(data))
        return {
            name: item if type(item) in PLAIN else decoded(item) for name, item in value.items()
        }


def _fast(transcoding: Transcoding) -> Callable[[Any], Any]:
    """The transcoding's ``decode``; for the library's own moments, what it calls, directly."""
    if type(transcoding) is DatetimeAsISO:
        return datetime.fromisoformat  # what its decode returns, without the method call
    return transcoding.decode


class InexactNumberError(ValueError):
    """A number orjson may not have read as the json module does."""
