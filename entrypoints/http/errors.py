"""Errors as ``application/problem+json`` (RFC 9457): one handler per error family."""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

import structlog
from attrs import frozen
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from application.errors import ProcedureNotFoundError
from domain.errors import DomainError, OutsideCalendarError
from entrypoints.parsing import InputError

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger()


@frozen
class Family:
    """One family of errors: a stable type URI, a status and a title in each language."""

    slug: str
    status: int
    title_vi: str
    title_en: str

    @property
    def type(self) -> str:
        """The stable problem type."""
        return f"urn:motcua:problem:{self.slug}"


INVALID_INPUT = Family("invalid-input", 422, "Dữ liệu không hợp lệ", "Invalid input")
OUTSIDE_CALENDAR = Family(
    "outside-calendar", 422, "Ngày nằm ngoài lịch làm việc", "Date outside the working calendar"
)
NOT_FOUND = Family("not-found", 404, "Không tìm thấy", "Not found")
PROCEDURE_NOT_FOUND = Family(
    "procedure-not-found", 404, "Không tìm thấy thủ tục", "Procedure not found"
)
INTERNAL = Family("internal", 500, "Lỗi hệ thống", "Internal error")


def problem(
    request: Request,
    family: Family,
    detail: str,
    *,
    status: int | None = None,
    errors: Sequence[dict[str, str]] = (),
    **extensions: object,
) -> JSONResponse:
    """A problem document in the language the client asked for (Vietnamese by default)."""
    english = request.headers.get("accept-language", "").lower().startswith("en")
    body: dict[str, Any] = {
        "type": family.type,
        "title": family.title_en if english else family.title_vi,
        "status": status or family.status,
        "detail": detail,
        "instance": request.url.path,
        **extensions,
    }
    if errors:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON)


def install(app: FastAPI) -> None:
    """Register the problem handlers on ``app``."""
    app.add_exception_handler(InputError, _input_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(OutsideCalendarError, _outside_calendar)  # type: ignore[arg-type]
    app.add_exception_handler(ProcedureNotFoundError, _procedure_not_found)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


async def _input_error(request: Request, error: InputError) -> JSONResponse:
    errors = [{"field": error.field, "message": error.message}]
    return problem(request, INVALID_INPUT, f"{error.field} {error.message}", errors=errors)


async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = [
        {"field": ".".join(str(part) for part in e["loc"][1:]) or "body", "message": e["msg"]}
        for e in error.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(request, INVALID_INPUT, detail, errors=errors)


async def _outside_calendar(request: Request, error: OutsideCalendarError) -> JSONResponse:
    return problem(
        request,
        OUTSIDE_CALENDAR,
        str(error),
        requested=error.requested.isoformat(),
        first_day=error.first_day.isoformat(),
        last_day=error.last_day.isoformat(),
    )


async def _procedure_not_found(request: Request, error: ProcedureNotFoundError) -> JSONResponse:
    return problem(
        request, PROCEDURE_NOT_FOUND, str(error), code=error.code, candidates=list(error.candidates)
    )


async def _domain_error(request: Request, error: DomainError) -> JSONResponse:
    field, reason = getattr(error, "field", None), getattr(error, "reason", str(error))
    errors = [{"field": field, "message": reason}] if isinstance(field, str) else []
    return problem(request, INVALID_INPUT, str(error), errors=errors)


async def _http_error(request: Request, error: HTTPException) -> JSONResponse:
    status = HTTPStatus(error.status_code)
    family = (
        NOT_FOUND
        if status == HTTPStatus.NOT_FOUND
        else Family(status.phrase.lower().replace(" ", "-"), status, status.phrase, status.phrase)
    )
    detail = error.detail if isinstance(error.detail, str) else status.description
    return problem(request, family, detail, status=int(status))


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.error("http.unexpected_error", error_type=type(error).__name__, exc_info=error)
    return problem(request, INTERNAL, "The server failed; the request id identifies the log entry.")
