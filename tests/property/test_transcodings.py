"""Every value object events carry survives the application's transcoder, and so do procedures."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from application.onestop import OneStop
from application.transcodings import VALUE_OBJECTS
from domain.procedure import Procedure, procedure_id
from domain.procedure_spec import ProcedureSpec, PublicationDecision
from tests.dossier_strategies import dossier_value_objects
from tests.procedure_strategies import decisions, procedure_specs, value_objects

APP = OneStop(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
"""One in-memory application whose transcoder every round-trip goes through."""

STRATEGIES = {**value_objects(), **dossier_value_objects()}


def test_every_value_object_has_a_strategy() -> None:
    """Each class in VALUE_OBJECTS has a strategy, and no strategy is for an unlisted class."""
    assert set(STRATEGIES) == set(VALUE_OBJECTS)
    assert len(VALUE_OBJECTS) == len(set(VALUE_OBJECTS))


@pytest.mark.parametrize("cls", VALUE_OBJECTS, ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_value_objects_round_trip_through_the_transcoder(cls: type, data: st.DataObject) -> None:
    """decode(encode(x)) is an equal object of the same class, stored under motcua.<Class>."""
    value = data.draw(STRATEGIES[cls])
    assert type(value) is cls
    encoded = APP.mapper.transcoder.encode(value)
    assert f'"_type_":"motcua.{cls.__name__}"'.encode() in encoded
    decoded = APP.mapper.transcoder.decode(encoded)
    assert type(decoded) is cls
    assert decoded == value
    assert APP.mapper.transcoder.encode(decoded) == encoded


@given(spec=procedure_specs(), decision=decisions(), amendment=procedure_specs())
def test_a_saved_procedure_reloads_equal(
    spec: ProcedureSpec, decision: PublicationDecision, amendment: ProcedureSpec
) -> None:
    """A generated procedure, published, amended and saved in a OneStop, reloads equal."""
    app = OneStop(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    procedure = Procedure.publish(spec, decision)
    app.save(procedure)
    reloaded: Procedure = app.repository.get(procedure_id(spec.local_code))
    assert reloaded.versions == procedure.versions
    assert reloaded.current.spec == spec
    assert reloaded.ending is None

    second = attrs.evolve(amendment, national_code=spec.national_code, local_code=spec.local_code)
    assume(second != spec)
    procedure.amend(second, attrs.evolve(decision, number=f"{decision.number}-SĐ"))
    app.save(procedure)
    again: Procedure = app.repository.get(procedure.id)
    assert again.versions == procedure.versions
    assert again.current.spec == second
    assert again.version == procedure.version == 2
