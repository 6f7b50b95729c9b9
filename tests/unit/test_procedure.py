"""The Procedure aggregate: its events, its decisions' rules, and where it stands on a day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.onestop import OneStop
from domain.errors import ProcedureLifecycleError, ProcedureNotInForceError
from domain.procedure import (
    DISTRICT_LEVEL_ENDED,
    Ending,
    Procedure,
    ProcedureVersion,
    Standing,
    procedure_id,
)
from domain.procedure_spec import Level, ProcedureSpec, PublicationDecision
from domain.time_limit import TimeLimit
from domain.values import AgencyCode, LocalCode
from tests.unit.test_procedure_spec import LOCAL, a_case, a_spec, terms

UBND_TINH = AgencyCode("000.00.00.H56")
SUCCESSOR = LocalCode("2.000505.000.00.00.H57")

PUBLISHED_ON = date(2025, 7, 1)
AMENDED_ON = date(2025, 9, 15)
ENDED_ON = date(2026, 1, 1)

SPEC = a_spec()
SHORTER = a_spec(cases=(a_case("", terms(TimeLimit.working_days(7))),))
"""The same procedure with its limit cut from ten to seven working days."""


def decision(effective: date, number: str = "1234/QĐ-UBND") -> PublicationDecision:
    """A decision of the provincial People's Committee taking effect on ``effective``."""
    return PublicationDecision(
        number=number,
        signed_on=effective - timedelta(days=6),
        signer="Chủ tịch UBND tỉnh",
        effective=effective,
        issuing_agency=UBND_TINH,
    )


def published(spec: ProcedureSpec = SPEC, on: date = PUBLISHED_ON) -> Procedure:
    """A procedure published with ``spec`` from ``on``, its events already collected."""
    procedure = Procedure.publish(spec, decision(on))
    procedure.collect_events()
    return procedure


def amended() -> Procedure:
    """Published on 1 July 2025, cut to seven days from 15 September 2025; events collected."""
    procedure = published()
    procedure.amend(SHORTER, decision(AMENDED_ON, "2000/QĐ-UBND"))
    procedure.collect_events()
    return procedure


def ended(standing: Standing) -> Procedure:
    """The amended procedure, replaced or abolished from 1 January 2026; events collected."""
    procedure = amended()
    if standing is Standing.REPLACED:
        procedure.replace(SUCCESSOR, decision(ENDED_ON, "3000/QĐ-UBND"))
    else:
        procedure.abolish(decision(ENDED_ON, "3000/QĐ-UBND"))
    procedure.collect_events()
    return procedure


# ---------------------------------------------------------------- identity and publication


def test_procedure_id_is_derived_from_the_local_code() -> None:
    """The same local code always gives the same UUID; another code gives another."""
    assert procedure_id(LocalCode(LOCAL.value)) == procedure_id(LOCAL)
    assert procedure_id(LOCAL) != procedure_id(SUCCESSOR)
    assert procedure_id(LOCAL) != procedure_id(LocalCode("2.000505.H56"))
    assert isinstance(procedure_id(LOCAL), UUID)
    assert procedure_id(LOCAL).version == 5


def test_publish_emits_exactly_one_published_event() -> None:
    """Publishing records one Published event with the spec and decision, under the code's id."""
    the_decision = decision(PUBLISHED_ON)
    procedure = Procedure.publish(SPEC, the_decision)
    events = procedure.collect_events()
    assert len(events) == 1
    [event] = events
    assert isinstance(event, Procedure.Published)
    assert event.spec == SPEC
    assert event.decision == the_decision
    assert event.originator_id == procedure_id(LOCAL)
    assert event.originator_version == 1
    assert procedure.id == procedure_id(SPEC.local_code)
    assert procedure.version == 1


def test_publish_creates_version_one() -> None:
    """A new procedure has one version, numbered 1, no ending, and its spec's local code."""
    the_decision = decision(PUBLISHED_ON)
    procedure = Procedure.publish(SPEC, the_decision)
    assert procedure.versions == [ProcedureVersion(1, SPEC, the_decision)]
    assert procedure.current == ProcedureVersion(1, SPEC, the_decision)
    assert procedure.ending is None
    assert procedure.local_code == LOCAL


# ---------------------------------------------------------------- amendment


def test_amend_emits_amended_and_adds_version_two() -> None:
    """An amendment records one Amended event and appends version 2 with the new content."""
    procedure = published()
    the_decision = decision(AMENDED_ON, "2000/QĐ-UBND")
    procedure.amend(SHORTER, the_decision)
    events = procedure.collect_events()
    assert len(events) == 1
    [event] = events
    assert isinstance(event, Procedure.Amended)
    assert event.spec == SHORTER
    assert event.decision == the_decision
    assert event.originator_version == 2
    assert procedure.version == 2
    assert len(procedure.versions) == 2
    assert procedure.current == ProcedureVersion(2, SHORTER, the_decision)


def test_amend_keeps_version_one_unchanged() -> None:
    """After an amendment, pinned(1) is still the first content and decision."""
    procedure = amended()
    assert procedure.pinned(1) == ProcedureVersion(1, SPEC, decision(PUBLISHED_ON))
    assert procedure.pinned(1).spec.case().channels[0].limit == TimeLimit.working_days(10)
    assert procedure.pinned(2).spec == SHORTER
    assert procedure.local_code == LOCAL


def test_amend_with_identical_content_is_refused() -> None:
    """An amendment that changes nothing is refused and records no event."""
    procedure = published()
    with pytest.raises(ProcedureLifecycleError) as raised:
        procedure.amend(a_spec(), decision(AMENDED_ON))
    assert raised.value.rule == "content_unchanged"
    assert raised.value.code == LOCAL.value
    assert raised.value.action == "amend"
    assert raised.value.status == Standing.IN_FORCE
    assert "same" in raised.value.reason
    assert procedure.collect_events() == []
    assert len(procedure.versions) == 1


def test_amend_back_to_an_earlier_content_is_allowed() -> None:
    """Only the current content counts: returning to version 1's content makes version 3."""
    procedure = amended()
    procedure.amend(SPEC, decision(ENDED_ON))
    assert [v.number for v in procedure.versions] == [1, 2, 3]
    assert procedure.current.spec == SPEC


def test_amend_with_another_local_code_is_refused() -> None:
    """An amendment must keep the local code: another code is refused with no event."""
    procedure = published()
    other = attrs.evolve(SHORTER, local_code=LocalCode("2.000505.H56"))
    with pytest.raises(ProcedureLifecycleError) as raised:
        procedure.amend(other, decision(AMENDED_ON))
    assert raised.value.rule == "local_code_unchanged"
    assert raised.value.action == "amend"
    assert raised.value.code == LOCAL.value
    assert "2.000505.H56" in raised.value.reason
    assert procedure.collect_events() == []


DECISIONS: dict[str, Callable[[Procedure, PublicationDecision], None]] = {
    "amend": lambda p, d: p.amend(a_spec(name="Cấp Phiếu lý lịch tư pháp (sửa đổi)"), d),
    "replace": lambda p, d: p.replace(SUCCESSOR, d),
    "abolish": lambda p, d: p.abolish(d),
}


@pytest.mark.parametrize("action", DECISIONS)
def test_a_decision_effective_before_the_latest_version_is_refused(action: str) -> None:
    """Amending, replacing or abolishing from before the latest version's date is refused."""
    procedure = amended()
    with pytest.raises(ProcedureLifecycleError) as raised:
        DECISIONS[action](procedure, decision(AMENDED_ON - timedelta(days=1)))
    assert raised.value.rule == "decision_not_earlier"
    assert raised.value.action == action
    assert raised.value.status == Standing.IN_FORCE
    assert AMENDED_ON.isoformat() in raised.value.reason
    assert procedure.collect_events() == []
    assert len(procedure.versions) == 2
    assert procedure.ending is None


@pytest.mark.parametrize("action", DECISIONS)
def test_a_decision_effective_on_the_latest_version_day_is_allowed(action: str) -> None:
    """A decision taking effect the same day as the latest version is accepted."""
    procedure = amended()
    DECISIONS[action](procedure, decision(AMENDED_ON))
    assert len(procedure.collect_events()) == 1


# ---------------------------------------------------------------- replacement and abolition


def test_replace_emits_replaced_with_the_successor() -> None:
    """Replacing records one Replaced event naming the successor; the ending says replaced."""
    procedure = amended()
    the_decision = decision(ENDED_ON, "3000/QĐ-UBND")
    procedure.replace(SUCCESSOR, the_decision)
    events = procedure.collect_events()
    assert len(events) == 1
    [event] = events
    assert isinstance(event, Procedure.Replaced)
    assert event.successor == SUCCESSOR
    assert event.decision == the_decision
    assert procedure.ending == Ending(Standing.REPLACED, the_decision, SUCCESSOR)
    assert len(procedure.versions) == 2


def test_a_procedure_cannot_replace_itself() -> None:
    """Replacing a procedure by its own local code is refused with no event."""
    procedure = amended()
    with pytest.raises(ProcedureLifecycleError) as raised:
        procedure.replace(LocalCode(LOCAL.value), decision(ENDED_ON))
    assert raised.value.rule == "not_own_successor"
    assert raised.value.action == "replace"
    assert raised.value.code == LOCAL.value
    assert procedure.collect_events() == []
    assert procedure.ending is None


def test_abolish_emits_abolished() -> None:
    """Abolishing records one Abolished event; the ending says abolished, with no successor."""
    procedure = amended()
    the_decision = decision(ENDED_ON, "3000/QĐ-UBND")
    procedure.abolish(the_decision)
    events = procedure.collect_events()
    assert len(events) == 1
    [event] = events
    assert isinstance(event, Procedure.Abolished)
    assert event.decision == the_decision
    assert procedure.ending == Ending(Standing.ABOLISHED, the_decision)
    assert procedure.ending.successor is None


@pytest.mark.parametrize("standing", [Standing.REPLACED, Standing.ABOLISHED])
@pytest.mark.parametrize("action", DECISIONS)
def test_nothing_is_decided_after_an_ending(standing: Standing, action: str) -> None:
    """After replacement or abolition every further decision is refused, naming the standing."""
    procedure = ended(standing)
    with pytest.raises(ProcedureLifecycleError) as raised:
        DECISIONS[action](procedure, decision(ENDED_ON + timedelta(days=30)))
    assert raised.value.rule == "procedure_ended"
    assert raised.value.status == standing
    assert raised.value.action == action
    assert raised.value.code == LOCAL.value
    assert standing.value in raised.value.reason
    assert procedure.collect_events() == []
    assert procedure.ending is not None
    assert procedure.ending.standing is standing


# ---------------------------------------------------------------- reading by day


def test_version_at_before_publication_is_none() -> None:
    """Before the first decision takes effect there is no version."""
    procedure = amended()
    assert procedure.version_at(PUBLISHED_ON - timedelta(days=1)) is None
    assert procedure.version_at(date(2015, 1, 1)) is None


@pytest.mark.parametrize(
    ("day", "number"),
    [
        (PUBLISHED_ON, 1),
        (AMENDED_ON - timedelta(days=1), 1),
        (AMENDED_ON, 2),
        (ENDED_ON, 2),
        (date(2030, 1, 1), 2),
    ],
)
def test_version_at_picks_the_version_in_effect(day: date, number: int) -> None:
    """Each day gets the latest version whose decision took effect by then, its day included."""
    version = amended().version_at(day)
    assert version is not None
    assert version.number == number


@given(
    gaps=st.lists(st.integers(0, 40), min_size=1, max_size=5),
    offset=st.integers(-5, 250),
)
def test_version_at_is_the_last_version_effective_by_the_day(gaps: list[int], offset: int) -> None:
    """For any series of dated versions, version_at(day) is the last one effective by ``day``."""
    days: list[date] = []
    on = PUBLISHED_ON
    for gap in gaps:
        on += timedelta(days=gap)
        days.append(on)
    procedure = Procedure.publish(SPEC, decision(days[0]))
    for n, effective in enumerate(days[1:], start=2):
        procedure.amend(a_spec(name=f"Phiên bản {n}"), decision(effective))
    day = PUBLISHED_ON + timedelta(days=offset)
    expected = [n for n, effective in enumerate(days, start=1) if effective <= day]
    version = procedure.version_at(day)
    if expected:
        assert version is not None
        assert version.number == expected[-1]
        assert procedure.standing_on(day) is Standing.IN_FORCE
    else:
        assert version is None
        assert procedure.standing_on(day) is Standing.NOT_YET_IN_FORCE


@pytest.mark.parametrize(
    ("day", "standing"),
    [
        (PUBLISHED_ON - timedelta(days=1), Standing.NOT_YET_IN_FORCE),
        (PUBLISHED_ON, Standing.IN_FORCE),
        (ENDED_ON - timedelta(days=1), Standing.IN_FORCE),
        (ENDED_ON, None),
        (date(2030, 1, 1), None),
    ],
)
@pytest.mark.parametrize("ending", [Standing.REPLACED, Standing.ABOLISHED])
def test_standing_on_each_day(day: date, standing: Standing | None, ending: Standing) -> None:
    """Not yet in force before publication, in force until the ending, then ended from its day."""
    expected = standing if standing is not None else ending
    assert ended(ending).standing_on(day) is expected


def test_an_open_procedure_stays_in_force() -> None:
    """Without an ending, a published procedure is in force for ever from its effective date."""
    procedure = amended()
    assert procedure.standing_on(date(2099, 12, 31)) is Standing.IN_FORCE
    assert procedure.standing_on(PUBLISHED_ON - timedelta(days=1)) is Standing.NOT_YET_IN_FORCE


def test_version_for_reception_pins_the_version_of_the_day() -> None:
    """A dossier received while the procedure is in force pins the version of that day."""
    procedure = ended(Standing.ABOLISHED)
    assert procedure.version_for_reception(PUBLISHED_ON).number == 1
    assert procedure.version_for_reception(AMENDED_ON - timedelta(days=1)).number == 1
    assert procedure.version_for_reception(AMENDED_ON).number == 2
    assert procedure.version_for_reception(ENDED_ON - timedelta(days=1)).number == 2


@pytest.mark.parametrize(
    ("ending", "day", "status"),
    [
        (Standing.ABOLISHED, PUBLISHED_ON - timedelta(days=1), Standing.NOT_YET_IN_FORCE),
        (Standing.ABOLISHED, ENDED_ON, Standing.ABOLISHED),
        (Standing.ABOLISHED, ENDED_ON + timedelta(days=365), Standing.ABOLISHED),
        (Standing.REPLACED, ENDED_ON, Standing.REPLACED),
    ],
)
def test_version_for_reception_refuses_days_out_of_force(
    ending: Standing, day: date, status: Standing
) -> None:
    """No dossier is received before publication or from the ending's effective date."""
    procedure = ended(ending)
    with pytest.raises(ProcedureNotInForceError) as raised:
        procedure.version_for_reception(day)
    assert raised.value.code == LOCAL.value
    assert raised.value.on == day
    assert raised.value.status == status


def test_pinned_versions_survive_abolition() -> None:
    """Dossiers in flight keep their version: pinned(n) still answers after abolition."""
    procedure = ended(Standing.ABOLISHED)
    assert procedure.pinned(1).spec == SPEC
    assert procedure.pinned(2).spec == SHORTER
    assert procedure.pinned(2).decision.effective == AMENDED_ON


@pytest.mark.parametrize("number", [0, 3, -1])
def test_pinned_refuses_versions_that_do_not_exist(number: int) -> None:
    """Asking for a version number outside 1..len(versions) is refused."""
    procedure = amended()
    with pytest.raises(ProcedureLifecycleError) as raised:
        procedure.pinned(number)
    assert raised.value.rule == "no_such_version"
    assert raised.value.action == "read"
    assert str(number) in raised.value.reason


# ---------------------------------------------------------------- the district level

DISTRICT_SPEC = a_spec(levels=(Level.DISTRICT,))


@pytest.mark.parametrize("day", [DISTRICT_LEVEL_ENDED, date(2026, 1, 1)])
def test_district_level_is_refused_from_1_july_2025(day: date) -> None:
    """Publishing a district-level procedure effective on or after 2025-07-01 is refused."""
    assert date(2025, 7, 1) == DISTRICT_LEVEL_ENDED
    with pytest.raises(ProcedureLifecycleError) as raised:
        Procedure.publish(DISTRICT_SPEC, decision(day))
    assert raised.value.rule == "no_district_level"
    assert raised.value.code == LOCAL.value
    assert raised.value.action == "publish"
    assert raised.value.status == Standing.NOT_YET_IN_FORCE
    assert "district" in raised.value.reason


def test_district_level_is_allowed_before_1_july_2025() -> None:
    """A district-level procedure effective on 30 June 2025 or earlier is published."""
    procedure = Procedure.publish(DISTRICT_SPEC, decision(date(2025, 6, 30)))
    assert procedure.current.spec.levels == (Level.DISTRICT,)
    assert len(procedure.collect_events()) == 1


def test_amending_to_a_district_level_from_1_july_2025_is_refused() -> None:
    """An amendment keeping the district level cannot take effect on or after 2025-07-01."""
    procedure = published(DISTRICT_SPEC, date(2024, 1, 1))
    kept = attrs.evolve(DISTRICT_SPEC, name="Cấp Phiếu lý lịch tư pháp (sửa đổi)")
    with pytest.raises(ProcedureLifecycleError):
        procedure.amend(kept, decision(DISTRICT_LEVEL_ENDED))
    assert procedure.collect_events() == []
    procedure.amend(kept, decision(DISTRICT_LEVEL_ENDED - timedelta(days=1)))
    procedure.amend(SPEC, decision(DISTRICT_LEVEL_ENDED))
    assert [v.spec.levels for v in procedure.versions] == [
        (Level.DISTRICT,),
        (Level.DISTRICT,),
        (Level.PROVINCE,),
    ]


def test_district_refusal_of_an_amendment_names_the_amendment() -> None:
    """The district refusal of an amendment reports action amend and the procedure's standing."""
    procedure = published(DISTRICT_SPEC, date(2024, 1, 1))
    kept = attrs.evolve(DISTRICT_SPEC, name="Cấp Phiếu lý lịch tư pháp (sửa đổi)")
    with pytest.raises(ProcedureLifecycleError) as raised:
        procedure.amend(kept, decision(DISTRICT_LEVEL_ENDED))
    assert raised.value.action == "amend"
    assert raised.value.status == Standing.IN_FORCE


def test_abolishing_a_district_procedure_after_1_july_2025_is_allowed() -> None:
    """District-level procedures can still be abolished once the district level is gone."""
    procedure = published(DISTRICT_SPEC, date(2024, 1, 1))
    procedure.abolish(decision(DISTRICT_LEVEL_ENDED))
    assert procedure.standing_on(DISTRICT_LEVEL_ENDED) is Standing.ABOLISHED


# ---------------------------------------------------------------- persistence


def test_reloaded_procedure_equals_the_original() -> None:
    """Saved to an in-memory OneStop and read back, the procedure has the same state."""
    app = OneStop(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    procedure = Procedure.publish(SPEC, decision(PUBLISHED_ON))
    procedure.amend(SHORTER, decision(AMENDED_ON, "2000/QĐ-UBND"))
    procedure.abolish(decision(ENDED_ON, "3000/QĐ-UBND"))
    app.save(procedure)

    reloaded: Procedure = app.repository.get(procedure_id(LOCAL))
    assert reloaded.id == procedure.id
    assert reloaded.version == procedure.version == 3
    assert reloaded.versions == procedure.versions
    assert reloaded.ending == procedure.ending
    assert reloaded.ending is not None
    assert reloaded.ending.standing is Standing.ABOLISHED
    assert reloaded.standing_on(ENDED_ON) is Standing.ABOLISHED
    assert reloaded.pinned(1).spec == SPEC

    first: Procedure = app.repository.get(procedure_id(LOCAL), version=1)
    assert first.versions == procedure.versions[:1]
    assert first.ending is None
