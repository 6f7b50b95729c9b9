"""The OpenAPI document says which problems each operation can answer, as problem+json.

FastAPI documents only the success response and a 422 in its own validation
format. Ours are RFC 9457 problems, so every operation's error statuses are
written here from what its routes can raise:

- every ``/api/v1`` operation: 422 (invalid input) and 503 (database unreachable);
- a POST: 400 (malformed body) and 413 (body too large);
- an operation that needs a token: 401 and 403;
- an operation on a dossier or a procedure in its path: 404;
- a command on a dossier, and catalog decisions: 409 (state or concurrent change);
- a command on an existing dossier: 412 (stale ``If-Match``); its receipt: 409 (not received);
- the public lookup: 404 and 429; ``/readyz``: 503.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from entrypoints.http.errors import PROBLEM_JSON

DESCRIPTIONS = {
    400: "Malformed request: the body is not JSON (or not UTF-8).",
    401: "No bearer token, or an invalid one.",
    403: "Your roles or agencies do not allow it.",
    404: "No such dossier or procedure (for the lookup: no match of code and secret).",
    409: "Not allowed in the current state, a rule refuses it, or someone changed it first.",
    412: "The dossier changed since the ETag sent in If-Match.",
    413: "The request body is too large.",
    422: "Invalid input: each bad field is named in `errors`.",
    429: "Too many requests from this address; see Retry-After.",
    503: "The database cannot be reached just now; see Retry-After.",
}


class Problem(BaseModel):
    """An RFC 9457 problem; extension members carry the error's data."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="Stable per error family, e.g. urn:motcua:problem:not-found.")
    title: str = Field(description="The family's title (Vietnamese, or English if asked).")
    status: int
    detail: str = Field(description="What went wrong here, in the same language.")
    instance: str = Field(description="The path of the request.")


def install(app: FastAPI) -> None:
    """Make ``app`` serve an OpenAPI document with its problem responses written in."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_problems(plain())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend


def with_problems(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with each operation's problem responses, and FastAPI's 422 format gone."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = Problem.model_json_schema()
    reference = {"$ref": "#/components/schemas/Problem"}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(problems(path, method.upper(), operation)):
                responses[str(status)] = {
                    "description": DESCRIPTIONS[status],
                    "content": {PROBLEM_JSON: {"schema": reference}},
                }
    return document


def problems(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """The problem statuses the operation at ``method path`` can answer."""
    if path == "/readyz":
        return {503}
    if not path.startswith("/api/v1"):
        return set()
    found = {422, 503}
    if method == "POST":
        found |= {400, 413}
    if operation.get("security"):
        found |= {401, 403}
    on_one = "{ref}" in path or "{code}" in path
    if on_one:
        found.add(404)
    if method == "POST" and (path.startswith(("/api/v1/dossiers", "/api/v1/procedures"))):
        found.add(409)
    if method == "POST" and "{ref}" in path:
        found.add(412)
    if path.endswith("/receipt"):
        found.add(409)
    if path.startswith("/api/v1/lookup"):
        found |= {404, 429}
    return found
