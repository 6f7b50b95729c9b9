"""Operations: liveness, readiness, and the Prometheus metrics (no token needed)."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from pydantic import BaseModel

from entrypoints.http.errors import (
    PROBLEM_JSON,
    RETRY_AFTER_SECONDS,
    UNAVAILABLE,
    Family,
    Text,
    problem,
)
from entrypoints.http.metrics import ViewLag, metrics_of
from entrypoints.http.schemas import Health

router = APIRouter(tags=["operations"])
log = structlog.get_logger()

READY_LAG_SECONDS = 5.0
"""A view whose oldest unapplied event is older than this makes the process not ready."""
NOT_READY = Family("not-ready", 503, "Hệ thống chưa sẵn sàng", "Not ready")
_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"description": "Not ready", "content": {PROBLEM_JSON: {}}}
}


class Readiness(BaseModel):
    """Ready: the event store answers and every view is close behind the log."""

    status: str = "ready"
    database: str = "ok"
    projections: dict[str, int]
    """Per view, how many notifications it is behind the head of the log."""
    lag_seconds: float
    """Age of the oldest event some view has not applied yet (0 when caught up)."""


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is alive (it does not check the database)."""
    return Health()


@router.get("/readyz", response_model=Readiness, responses=_UNAVAILABLE)
def readyz(request: Request) -> Readiness | JSONResponse:
    """Ready for traffic: the store answers a read and every view is within 5 s of the log."""
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    try:
        lags = metrics_of(request.app).lag.measure()
    except Exception as error:  # noqa: BLE001 (any failure to read the store means not ready)
        log.warning("http.not_ready", reason="store", error_type=type(error).__name__)
        text = Text(
            "Cơ sở dữ liệu không trả lời; hãy thử lại sau ít giây",
            "The database does not answer; try again in a few seconds",
        )
        return problem(request, UNAVAILABLE, text, headers=retry, database="unavailable")
    projections, seconds = _summary(lags)
    if seconds > READY_LAG_SECONDS:
        log.warning("http.not_ready", reason="projection_lag", lag_seconds=seconds)
        text = Text(
            f"Dữ liệu hiển thị đang chậm {seconds:.1f} giây so với sổ sự kiện",
            f"The views are {seconds:.1f} s behind the event log",
        )
        return problem(
            request,
            NOT_READY,
            text,
            headers=retry,
            database="ok",
            projections=projections,
            lag_seconds=seconds,
        )
    return Readiness(projections=projections, lag_seconds=seconds)


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(request: Request) -> Response:
    """Prometheus metrics in the text format (version 0.0.4)."""
    body = metrics_of(request.app).exposition()
    return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)


def _summary(lags: list[ViewLag]) -> tuple[dict[str, int], float]:
    seconds = round(max((lag.seconds for lag in lags), default=0.0), 3)
    return {lag.view: lag.events for lag in lags}, seconds
