"""Errors as ``application/problem+json`` (RFC 9457): one handler per error family.

Each family has a stable ``type``; ``title`` and ``detail`` are Vietnamese
unless the client sends ``Accept-Language: en``. The domain error's data
(current status, allowed actions, the rule broken, the fields) travels as
extension members, so clients never parse the prose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import psycopg
import psycopg_pool
import structlog
from attrs import frozen
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from application.access import AccessDeniedError
from application.errors import (
    ConcurrentChangeError,
    DossierNotFoundError,
    InvalidTokenError,
    ProcedureNotFoundError,
    StaleVersionError,
)
from domain.dossier_status import Status
from domain.errors import (
    DomainError,
    DossierRuleError,
    IncompleteDossierError,
    OutsideCalendarError,
    TransitionError,
)
from entrypoints.http import messages
from entrypoints.http.action_schemas import ACTIONS
from entrypoints.parsing import InputError

PROBLEM_JSON = "application/problem+json"
PATHS = {action.action: action.path for action in ACTIONS}
"""Each dossier action's path segment under ``/dossiers/{ref}``, by its domain name."""
RETRY_AFTER_SECONDS = 5
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


@frozen
class Text:
    """A detail in both languages."""

    vi: str
    en: str


F = Family
MALFORMED = F("malformed-request", 400, "Yêu cầu sai cú pháp", "Malformed request")
UNAUTHENTICATED = F("unauthenticated", 401, "Chưa xác thực", "Not authenticated")
FORBIDDEN = F("forbidden", 403, "Không có quyền", "Forbidden")
NOT_FOUND = F("not-found", 404, "Không tìm thấy", "Not found")
PROCEDURE_NOT_FOUND = F("procedure-not-found", 404, "Không tìm thấy thủ tục", "Procedure not found")
DOSSIER_NOT_FOUND = F("dossier-not-found", 404, "Không tìm thấy hồ sơ", "Dossier not found")
TRANSITION = F(
    "transition-not-allowed", 409, "Thao tác không hợp lệ ở trạng thái này", "Not allowed now"
)
RULE = F("rule-violated", 409, "Vi phạm quy định", "A rule forbids it")
CONCURRENT = F("concurrent-change", 409, "Hồ sơ vừa được thay đổi", "Changed at the same time")
STALE = F("stale-version", 412, "Phiên bản đã cũ", "Stale version")
TOO_LARGE = F("payload-too-large", 413, "Dữ liệu gửi lên quá lớn", "Request body too large")
INVALID_INPUT = F("invalid-input", 422, "Dữ liệu không hợp lệ", "Invalid input")
INCOMPLETE = F("incomplete-dossier", 422, "Hồ sơ chưa đầy đủ", "Incomplete dossier")
KEY_REUSED = F(
    "idempotency-key-reused", 422, "Khóa Idempotency-Key đã dùng", "Idempotency-Key reused"
)
OUTSIDE_CALENDAR = F(
    "outside-calendar", 422, "Ngày nằm ngoài lịch làm việc", "Date outside the working calendar"
)
RATE_LIMITED = F("rate-limited", 429, "Quá nhiều yêu cầu", "Too many requests")
UNAVAILABLE = F("store-unavailable", 503, "Cơ sở dữ liệu tạm thời không sẵn sàng", "Unavailable")
INTERNAL = F("internal", 500, "Lỗi hệ thống", "Internal error")


STORE_UNAVAILABLE: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg_pool.PoolTimeout,
)
"""What the stores raise when the database cannot be reached: 503, never 500."""


def english(request: Request) -> bool:
    """The client asked for English (the first language of ``Accept-Language``)."""
    return request.headers.get("accept-language", "").strip().lower().startswith("en")


def problem(  # noqa: PLR0913 (the RFC's members, plus headers)
    request: Request,
    family: Family,
    detail: Text | str,
    *,
    status: int | None = None,
    errors: Sequence[dict[str, str]] = (),
    headers: Mapping[str, str] | None = None,
    **extensions: object,
) -> JSONResponse:
    """A problem document in the language the client asked for (Vietnamese by default)."""
    en = english(request)
    text = detail if isinstance(detail, str) else (detail.en if en else detail.vi)
    body: dict[str, Any] = {
        "type": family.type,
        "title": family.title_en if en else family.title_vi,
        "status": status or family.status,
        "detail": text,
        "instance": request.url.path,
        **extensions,
    }
    if errors:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=headers)


def install(app: FastAPI) -> None:
    """Register the problem handlers on ``app``."""
    handlers: list[tuple[type[Exception], Any]] = [
        (InputError, _input_error),
        (RequestValidationError, _validation_error),
        (InvalidTokenError, _invalid_token),
        (AccessDeniedError, _access_denied),
        (OutsideCalendarError, _outside_calendar),
        (ProcedureNotFoundError, _procedure_not_found),
        (DossierNotFoundError, _dossier_not_found),
        (TransitionError, _transition),
        (IncompleteDossierError, _incomplete),
        (DossierRuleError, _rule),
        (ConcurrentChangeError, _concurrent),
        (StaleVersionError, _stale),
        (DomainError, _domain_error),
        (HTTPException, _http_error),
        *[(error_class, _unavailable) for error_class in STORE_UNAVAILABLE],
        (Exception, _unexpected),
    ]
    for error_class, handler in handlers:
        app.add_exception_handler(error_class, handler)


async def _input_error(request: Request, error: InputError) -> JSONResponse:
    errors = [{"field": error.field, "message": error.message}]
    text = Text(f"Trường {error.field}: {error.message}", f"{error.field} {error.message}")
    return problem(request, INVALID_INPUT, text, errors=errors)


async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    if any(e.get("type") == "json_invalid" for e in error.errors()):
        text = Text("Nội dung không phải JSON hợp lệ", "The body is not valid JSON")
        return problem(request, MALFORMED, text)
    errors = [
        {"field": ".".join(str(part) for part in e["loc"][1:]) or "body", "message": e["msg"]}
        for e in error.errors()
    ]
    listed = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(
        request, INVALID_INPUT, Text(f"Trường không hợp lệ: {listed}", listed), errors=errors
    )


async def _invalid_token(request: Request, error: InvalidTokenError) -> JSONResponse:
    text = Text(f"Cần mã truy cập hợp lệ ({error.reason})", str(error))
    challenge = 'Bearer realm="motcua"'
    if "no bearer token" not in error.reason:
        challenge += ', error="invalid_token"'
    return problem(request, UNAUTHENTICATED, text, headers={"WWW-Authenticate": challenge})


async def _access_denied(request: Request, error: AccessDeniedError) -> JSONResponse:
    text = Text(f"Không được phép {messages.action_vi(error.action)}: {error.reason}", str(error))
    return problem(request, FORBIDDEN, text, action=error.action, roles=list(error.roles))


async def _outside_calendar(request: Request, error: OutsideCalendarError) -> JSONResponse:
    text = Text(
        f"Ngày {error.requested.isoformat()} nằm ngoài lịch làm việc "
        f"({error.first_day.isoformat()} đến {error.last_day.isoformat()})",
        str(error),
    )
    return problem(
        request,
        OUTSIDE_CALENDAR,
        text,
        requested=error.requested.isoformat(),
        first_day=error.first_day.isoformat(),
        last_day=error.last_day.isoformat(),
    )


async def _procedure_not_found(request: Request, error: ProcedureNotFoundError) -> JSONResponse:
    text = Text(f"Không có thủ tục mã {error.code}", str(error))
    return problem(
        request, PROCEDURE_NOT_FOUND, text, code=error.code, candidates=list(error.candidates)
    )


async def _dossier_not_found(request: Request, error: DossierNotFoundError) -> JSONResponse:
    text = Text(f"Không có hồ sơ mã {error.dossier}", str(error))
    return problem(request, DOSSIER_NOT_FOUND, text, dossier=error.dossier)


async def _transition(request: Request, error: TransitionError) -> JSONResponse:
    status = Status(error.status)
    text = Text(
        f"Không thể {messages.action_vi(error.action)} hồ sơ {error.dossier}: "
        f"hồ sơ đang ở trạng thái {status.label} ({status.national_code})",
        str(error),
    )
    return problem(
        request,
        TRANSITION,
        text,
        dossier=error.dossier,
        status_name=error.status,
        status_code=status.national_code,
        action=error.action,
        allowed=[PATHS.get(a, a.replace("_", "-")) for a in error.allowed],
    )


async def _incomplete(request: Request, error: IncompleteDossierError) -> JSONResponse:
    text = Text(
        f"Hồ sơ thiếu giấy tờ: {', '.join(error.missing)}; "
        "cần lập phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)",
        str(error),
    )
    return problem(request, INCOMPLETE, text, rule=error.rule, missing=list(error.missing))


async def _rule(request: Request, error: DossierRuleError) -> JSONResponse:
    text = Text(messages.rule_vi(error.rule, error.dossier), str(error))
    data = {key: _jsonable(value) for key, value in error.data.items()}
    return problem(request, RULE, text, dossier=error.dossier, rule=error.rule, data=data)


async def _concurrent(request: Request, error: ConcurrentChangeError) -> JSONResponse:
    text = Text(f"{error.what}: vừa có người khác thay đổi; hãy tải lại và thử lại", str(error))
    return problem(request, CONCURRENT, text)


async def _stale(request: Request, error: StaleVersionError) -> JSONResponse:
    text = Text(
        f"Hồ sơ {error.dossier} đang ở phiên bản {error.actual}, không phải {error.expected}: "
        "hãy tải lại hồ sơ",
        str(error),
    )
    return problem(
        request, STALE, text, dossier=error.dossier, expected=error.expected, actual=error.actual
    )


async def _domain_error(request: Request, error: DomainError) -> JSONResponse:
    field, reason = getattr(error, "field", None), getattr(error, "reason", str(error))
    errors = [{"field": field, "message": reason}] if isinstance(field, str) else []
    rule = getattr(error, "rule", None)
    where = f"Trường {field}: " if isinstance(field, str) else ""
    text = Text(f"{where}{reason}", str(error))
    if isinstance(rule, str):
        return problem(request, INVALID_INPUT, text, errors=errors, rule=rule)
    return problem(request, INVALID_INPUT, text, errors=errors)


async def _http_error(request: Request, error: HTTPException) -> JSONResponse:
    status = HTTPStatus(error.status_code)
    if status == HTTPStatus.BAD_REQUEST:  # the framework could not read the body
        text = Text("Không đọc được nội dung yêu cầu (JSON, UTF-8)", "The body cannot be read")
        return problem(request, MALFORMED, text, headers=error.headers)
    family = (
        NOT_FOUND
        if status == HTTPStatus.NOT_FOUND
        else Family(status.phrase.lower().replace(" ", "-"), status, status.phrase, status.phrase)
    )
    detail = error.detail if isinstance(error.detail, str) else status.description
    return problem(request, family, detail, status=int(status), headers=error.headers)


async def _unavailable(request: Request, error: Exception) -> JSONResponse:
    return unavailable(request, error)


def unavailable(request: Request, error: Exception) -> JSONResponse:
    """503 with Retry-After: the database did not answer (also for middleware, outside routes)."""
    log.warning("http.store_unavailable", error_type=type(error).__name__)
    text = Text(
        "Cơ sở dữ liệu tạm thời không truy cập được; hãy thử lại sau ít giây",
        "The database cannot be reached just now; try again in a few seconds",
    )
    return problem(request, UNAVAILABLE, text, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.error("http.unexpected_error", error_type=type(error).__name__, exc_info=error)
    text = Text(
        "Hệ thống gặp lỗi; mã yêu cầu (x-request-id) giúp tìm bản ghi nhật ký",
        "The server failed; the request id identifies the log entry.",
    )
    return problem(request, INTERNAL, text)


def _jsonable(value: object) -> object:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return str(value)
