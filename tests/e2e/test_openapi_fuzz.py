"""Schemathesis against our own OpenAPI document, in process: no 5xx, every answer as documented.

Each operation is its own test (``[METHOD /path]``). Reads share one world;
each command gets a fresh one, so no test changes another's answers and the
same seed sends the same requests, and gets the same answers, in any order.
Hooks point half the requests at real dossiers, procedures, agencies and the
lookup secret, so that the routes behind the 404s and 422s run too.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, TypeAlias

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, HookContext
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from domain.calendar_policy import CalendarPolicy
from entrypoints.http.app import create_app
from tests.dossier_fixtures import CENTRE, OFFICE
from tests.e2e.openapi_fuzz_world import (
    CODES,
    PROCEDURE_CODES,
    REFS,
    SECRET,
    World,
    fuzz_container,
    valid_openings,
)

pytestmark = pytest.mark.slow

AnyOperation: TypeAlias = APIOperation[Any, Any, Any, Any]
"""Any operation (schemathesis's parameter, response and schema types left open)."""
AnyCase: TypeAlias = Case[AnyOperation]
"""A generated request for any operation."""
SEED = 20250303
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "phases": {
            # The coverage phase (every boundary of every parameter, every other method)
            # adds a third to the run; the bounded fuzzing below is what `make test` affords.
            "coverage": {"enabled": False},
            # Our OpenAPI has no examples: make one, for `before_add_examples` to aim.
            "examples": {"fill-missing": True},
        },
    }
)
SCHEMA = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(fuzz_container()), config=CONFIG
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BOUNDED = hypothesis.settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,  # no example database: every run starts from the seed alone
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the report names the request
    # One world per operation, shared by its examples, is the point of the fixture.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

AGENCIES = (CENTRE.value, OFFICE.value)
MARCH: dict[str, tuple[str, ...]] = {"from": ("2025-03-01",), "to": ("2025-03-31",)}
QUERY_POOLS: dict[str, dict[str, tuple[str, ...]]] = {
    "/api/v1/calendar/due": {"received_at": ("2025-01-24T10:00",)},
    "/api/v1/calendar/working-days": MARCH,
    "/api/v1/lookup/{code}": {"secret": (SECRET,)},
    "/api/v1/queue": {"receiving_unit": AGENCIES},
    "/api/v1/deadlines": {"competent_agency": AGENCIES},
    "/api/v1/register": {"agency": AGENCIES, **MARCH},
    "/api/v1/stats/report-06a": {"agency": AGENCIES, **MARCH},
}
"""Query values that get past 422: real agencies (the token names two), days in the calendar."""


@pytest.fixture(scope="module")
def shared_world(policy: CalendarPolicy) -> World:
    """One world for every read: reads change nothing a later read could see."""
    return World(policy)


@pytest.fixture
def world(policy: CalendarPolicy) -> World:
    """A fresh world for each command's examples, so no other test sees its changes."""
    return World(policy)


def _with(values: dict[str, Any], name: str, pool: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """The generated values as they are, or with ``name`` set to one from ``pool``."""
    real = st.sampled_from(pool).map(lambda value: {**values, name: value})
    return st.one_of(st.just(values), real)


def _path(context: HookContext) -> str:
    return context.operation.path if context.operation else ""


@SCHEMA.hook
def flatmap_path_parameters(context: HookContext, path_parameters: object) -> Any:
    """Half the paths name a real dossier (by code or id) or the published procedure."""
    if not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    if "ref" in path_parameters:
        return _with(path_parameters, "ref", REFS)
    if "code" in path_parameters:
        return _with(path_parameters, "code", _codes(_path(context)))
    return st.just(path_parameters)


@SCHEMA.hook
def flatmap_query(context: HookContext, query: object) -> Any:
    """Each value in ``QUERY_POOLS`` is, half the time, a real one (secret, agency, day)."""
    pools = QUERY_POOLS.get(_path(context))
    if pools is None or not isinstance(query, dict):
        return st.just(query)
    strategy: st.SearchStrategy[Any] = st.just(query)
    for name, pool in pools.items():
        strategy = strategy.flatmap(partial(_with, name=name, pool=pool))
    return strategy


@SCHEMA.hook
def flatmap_body(context: HookContext, body: object) -> Any:
    """Half the new dossiers are complete applications, at the counter, online or by post."""
    operation = context.operation
    if operation is not None and operation.label == "POST /api/v1/dossiers":
        return st.one_of(st.just(body), st.sampled_from(valid_openings()))
    return st.just(body)


@SCHEMA.hook
def before_add_examples(context: HookContext, examples: list[AnyCase]) -> None:
    """Explicit examples: the operation's valid example, at every real dossier or procedure."""
    if context.operation is not None and examples:
        examples.extend(_aimed(context.operation, examples[0]))


def _aimed(operation: AnyOperation, example: AnyCase) -> Iterator[AnyCase]:
    """``example`` with real path values, agencies and secret, a real new dossier, no If-Match."""
    path = operation.path
    query = {name: pool[0] for name, pool in QUERY_POOLS.get(path, {}).items()}
    bodies = valid_openings() if operation.label == "POST /api/v1/dossiers" else [example.body]
    for path_parameters in _real_paths(path, example.path_parameters or {}):
        for body in bodies:
            yield operation.Case(
                path_parameters=path_parameters,
                query={**(example.query or {}), **query},
                body=body,
                media_type=example.media_type,
            )


def _real_paths(path: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    if "ref" in values:
        return [{**values, "ref": ref} for ref in REFS]
    if "code" in values:
        return [{**values, "code": code} for code in _codes(path)]
    return [values]


def _codes(path: str) -> tuple[str, ...]:
    """The real values of a ``{code}``: procedures' under /procedures, else dossiers'."""
    return PROCEDURE_CODES if path.startswith("/api/v1/procedures") else CODES


def _call_and_check(case: AnyCase, world: World) -> None:
    """Send the case to ``world``'s app as the fuzzer, and check the answer."""
    response = case.call(app=world.app, headers=world.headers())
    case.validate_response(response, checks=CHECKS)


@SCHEMA.include(method="GET").parametrize()
@BOUNDED
def test_every_read_is_answered_as_documented(case: AnyCase, shared_world: World) -> None:
    """A generated read never gets a 5xx, nor a status, media type or body the OpenAPI omits."""
    _call_and_check(case, shared_world)


@SCHEMA.include(method="POST").parametrize()
@BOUNDED
def test_every_command_is_answered_as_documented(case: AnyCase, world: World) -> None:
    """A generated command never gets a 5xx, nor a status, media type or body the OpenAPI omits."""
    _call_and_check(case, world)
