"""Catalog errors as problem+json: the rule a procedure's content or a decision breaks.

``InvalidProcedureError`` (the content breaks an invariant) answers 422 with
its ``rule`` and figures (``data``). ``ProcedureLifecycleError`` (a decision
that does not fit where the procedure is in its life) answers 409 with the
procedure's ``code``, its ``standing``, the ``action`` refused, the ``reason``
and a ``rule``; the two rules about the content itself (a district level after
1 July 2025, a procedure succeeding itself) answer 422. Publishing a local code that exists is
``local_code_taken`` (409): amend it instead.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from domain.errors import InvalidProcedureError, ProcedureLifecycleError
from entrypoints.http.errors import Family, Text, problem

INVALID_PROCEDURE = Family(
    "invalid-procedure", 422, "Nội dung thủ tục không hợp lệ", "Invalid procedure content"
)
LIFECYCLE = Family(
    "procedure-lifecycle",
    409,
    "Quyết định không phù hợp với tình trạng thủ tục",
    "The decision does not fit the procedure's state",
)

CONTENT_RULES: dict[str, str] = {
    "text_required": "thiếu nội dung bắt buộc",
    "not_negative": "số tiền, số giờ phải là số không âm",
    "hours_are_a_number": "số giờ làm việc phải là một số",
    "document_count": "số lượng giấy tờ phải từ 1 trở lên",
    "channels": "mỗi trường hợp cần ít nhất một kênh, mỗi kênh một lần",
    "step_allotments_within_limit": "tổng số giờ các bước quy trình vượt thời hạn giải quyết",
    "agencies": "cần ít nhất một cơ quan thực hiện, mỗi cơ quan một lần",
    "levels": "cần ít nhất một cấp thực hiện, mỗi cấp một lần",
    "cases": "cần ít nhất một trường hợp, tên các trường hợp không trùng nhau",
    "local_code_extends_national_code": "mã địa phương phải bắt đầu bằng mã quốc gia",
    "cut_limit_within_statutory": "thời hạn cắt giảm vượt thời hạn theo luật hoặc khác đơn vị",
    "unknown_case": "thủ tục không có trường hợp này",
}

# rule -> (HTTP status, Vietnamese sentence)
LIFECYCLE_RULES: dict[str, tuple[int, str]] = {
    "local_code_taken": (409, "mã thủ tục đã được công bố; hãy sửa đổi"),
    "procedure_ended": (409, "thủ tục đã bị thay thế hoặc bãi bỏ"),
    "decision_not_earlier": (409, "hiệu lực trước phiên bản hiện hành"),
    "content_unchanged": (409, "nội dung trùng với phiên bản hiện hành"),
    "local_code_unchanged": (422, "nội dung mới mang mã địa phương khác"),
    "not_own_successor": (422, "thủ tục không thể tự thay thế chính nó"),
    "no_district_level": (422, "từ 01/7/2025 không còn cấp huyện"),
}
ACTIONS = {"publish": "công bố", "amend": "sửa đổi", "replace": "thay thế", "abolish": "bãi bỏ"}
STANDINGS = {
    "not_yet_in_force": "chưa có hiệu lực",
    "in_force": "đang có hiệu lực",
    "replaced": "đã bị thay thế",
    "abolished": "đã bị bãi bỏ",
}


def install(app: FastAPI) -> None:
    """Register the catalog's problem handlers on ``app``."""
    handlers: list[tuple[type[Exception], Any]] = [
        (InvalidProcedureError, _invalid_procedure),
        (ProcedureLifecycleError, _lifecycle),
    ]
    for error_class, handler in handlers:
        app.add_exception_handler(error_class, handler)


def lifecycle_rule(error: ProcedureLifecycleError) -> tuple[str, int, str]:
    """The rule ``error`` breaks, its HTTP status, and the rule in Vietnamese."""
    status, vietnamese = LIFECYCLE_RULES.get(error.rule, (LIFECYCLE.status, error.reason))
    return error.rule, status, vietnamese


async def _invalid_procedure(request: Request, error: InvalidProcedureError) -> JSONResponse:
    vietnamese = CONTENT_RULES.get(error.rule, f"vi phạm quy tắc {error.rule}")
    text = Text(f"Nội dung thủ tục không hợp lệ: {vietnamese}", str(error))
    data = {key: _jsonable(value) for key, value in error.data.items()}
    return problem(request, INVALID_PROCEDURE, text, rule=error.rule, data=data)


async def _lifecycle(request: Request, error: ProcedureLifecycleError) -> JSONResponse:
    rule, status, vietnamese = lifecycle_rule(error)
    action = ACTIONS.get(error.action, error.action)
    standing = STANDINGS.get(str(error.status), str(error.status))
    text = Text(f"Không thể {action} thủ tục {error.code} ({standing}): {vietnamese}", str(error))
    family = LIFECYCLE if status == LIFECYCLE.status else INVALID_PROCEDURE
    return problem(
        request,
        family,
        text,
        status=status,
        rule=rule,
        code=error.code,
        standing=str(error.status),
        action=error.action,
        reason=error.reason,
    )


def _jsonable(value: object) -> Any:  # noqa: ANN401 (any JSON value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return str(value)
