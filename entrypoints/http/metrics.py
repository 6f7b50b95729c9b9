"""Đo lường (metrics): Prometheus counters for requests and commands, and projection lag.

Labels stay bounded and free of personal data: ``route`` is the route
template (``/api/v1/dossiers/{code}/assign``), never the raw path, and
``unmatched`` when no route handled the request (a 404, or an answer given
before routing: a refused body, a CORS preflight); an unusual method is
``OTHER``.

Every app has its own ``CollectorRegistry``: tests create many apps, and one
registry refuses a second metric of the same name. ``count_command`` has no
app in hand, so the middleware puts the serving app's metrics in a context
variable for the length of the request (FastAPI's threadpool copies it into
``def`` routes). Outside a request (the CLI) nothing is counted, since
nothing would serve it.

Multi-process (``uvicorn --workers N``): set ``PROMETHEUS_MULTIPROC_DIR`` to
an empty directory before the workers start (prometheus_client chooses where
values live when it is imported), and empty it on every restart. Counters
and histograms then live in one file per worker. ``/metrics`` answers from a
registry made for each scrape that holds a ``MultiProcessCollector`` (the sum
over every worker's files) and the lag collector. The per-app registry is left
out there: it holds this worker's values, which its files already hold, so
they would be counted twice. The lag gauges are read from the database at
scrape time, so every worker gives the same answer and they need no
multiprocess mode (custom collectors would not work in it anyway).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import structlog
from attrs import frozen
from eventsourcing.domain import DomainEvent
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.pulling import Puller
from entrypoints.bootstrap import Container

log = structlog.get_logger()

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0)
"""Seconds: from a cached read (1 ms) to a slow command (2 s); slower lands in +Inf."""
UNMATCHED = "unmatched"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def _utc_now() -> datetime:
    return datetime.now(UTC)


@frozen
class ViewLag:
    """How far one view is behind the event log."""

    view: str
    events: int
    seconds: float


class ProjectionLag:
    """Độ trễ (lag) of the views, measured from their positions and the head of the log.

    ``events`` counts the notifications from the oldest one the view has not
    applied up to the head (notification ids may have gaps, so it is an upper
    bound), and 0 when nothing of the view's topics is pending. ``seconds`` is
    how long ago that oldest pending event was recorded, read from the
    timestamp of that one event: one indexed query and one decoded event per
    view. ``clock`` says what "now" is (tests move it).
    """

    def __init__(self, container: Container, clock: Callable[[], datetime] = _utc_now) -> None:
        self.container = container
        self.clock = clock

    def measure(self) -> list[ViewLag]:
        """Each view's lag; reading the head first checks that the store answers."""
        head = self.container.app.recorder.max_notification_id() or 0
        now = self.clock()
        return [
            _lag_of(projector, head, now)
            for projector in self.container.projections.projectors
            if isinstance(projector, Puller)
        ]


def _lag_of(projector: Puller[Any], head: int, now: datetime) -> ViewLag:
    view = type(projector).__name__.removesuffix("Projector").lower()
    pending = projector.app.recorder.select_notifications(
        start=projector.target.position(),
        limit=1,
        topics=projector.topics,
        inclusive_of_start=False,
    )
    if not pending:
        return ViewLag(view, 0, 0.0)
    oldest = pending[0]
    event = projector.app.mapper.to_domain_event(oldest)
    # Every motcua event is a DomainEvent with a timestamp; anything else has no age to report.
    recorded = event.timestamp if isinstance(event, DomainEvent) else now
    return ViewLag(view, max(head - oldest.id + 1, 1), max((now - recorded).total_seconds(), 0.0))


class LagCollector:
    """The lag gauges, computed at scrape time; a store that does not answer omits them."""

    def __init__(self, lag: ProjectionLag) -> None:
        self.lag = lag

    def collect(self) -> Iterator[Metric]:
        """``motcua_projection_lag_events{view}`` and ``motcua_projection_lag_seconds``."""
        try:
            lags = self.lag.measure()
        except Exception as error:  # noqa: BLE001 (a scrape must answer even when the store fails)
            log.warning("metrics.lag_unavailable", error_type=type(error).__name__)
            return
        events = GaugeMetricFamily(
            "motcua_projection_lag_events",
            "Notifications from the oldest event a view has not applied to the head of the log.",
            labels=["view"],
        )
        for lag in lags:
            events.add_metric([lag.view], lag.events)
        yield events
        yield GaugeMetricFamily(
            "motcua_projection_lag_seconds",
            "Age of the oldest event any view has not applied (0 when all are caught up).",
            value=max((lag.seconds for lag in lags), default=0.0),
        )


class Metrics:
    """One app's registry: requests, their durations, commands, and the lag gauges."""

    def __init__(self, lag: ProjectionLag) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "motcua_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.duration = Histogram(
            "motcua_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ("method", "route"),
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.commands = Counter(
            "motcua_commands",
            "Commands handled, by command and outcome (ok, or the problem type's slug).",
            ("command", "outcome"),
            registry=self.registry,
        )
        self.lag = lag
        self.lag_collector = LagCollector(lag)
        self.registry.register(self.lag_collector)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        self.requests.labels(method, route, str(status)).inc()
        self.duration.labels(method, route).observe(seconds)

    def exposition(self) -> bytes:
        """The text format: this app's registry, or every worker's files in multiprocess mode."""
        if not os.environ.get(_MULTIPROC_DIR):
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # the library's is untyped
        registry.register(self.lag_collector)
        return generate_latest(registry)


_serving: ContextVar[Metrics | None] = ContextVar("motcua_metrics", default=None)


def count_command(command: str, outcome: str) -> None:
    """Count one command with its outcome ("ok", or the error's class) in the serving app."""
    metrics = _serving.get()
    if metrics is not None:
        metrics.commands.labels(command, outcome).inc()


class MetricsMiddleware:
    """Counts and times every HTTP request by method, route template and final status."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # an exception that escapes is answered 500 outside this middleware
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        token = _serving.set(self.metrics)
        try:
            await self.app(scope, receive, send_status)
        finally:
            _serving.reset(token)
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            elapsed = time.perf_counter() - started
            self.metrics.observe(method, _route(scope), status, elapsed)


def _route(scope: Scope) -> str:
    """The template of the route the router chose (it leaves it in the scope), or ``unmatched``."""
    template = getattr(scope.get("route"), "path_format", None)
    return template if isinstance(template, str) else UNMATCHED


def install_metrics(app: FastAPI) -> Metrics:
    """Add the metrics middleware (outermost: it sees every final status) to ``app``."""
    metrics = Metrics(ProjectionLag(app.state.container))
    app.state.metrics = metrics
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return metrics


def metrics_of(app: FastAPI) -> Metrics:
    """The metrics ``install_metrics`` gave ``app``."""
    metrics: Metrics = app.state.metrics
    return metrics
