"""The HTTP API: ``create_app`` wires routers, errors and request logging."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from anyio import to_thread
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from entrypoints.bootstrap import Container, bootstrap, configure_logging
from entrypoints.http import catalog_errors, errors, openapi
from entrypoints.http.guards import BodyLimitMiddleware, install_cors
from entrypoints.http.idempotency import IdempotencyMiddleware
from entrypoints.http.metrics import install_metrics
from entrypoints.http.middleware import RequestLogMiddleware
from entrypoints.http.routes import (
    calendar,
    catalog_admin,
    dossiers,
    health,
    lookup,
    my_dossiers,
    procedures,
    queue,
    register,
    stats,
)


def create_app(container: Container | None = None) -> FastAPI:
    """The FastAPI application over ``container`` (default: wired from the environment)."""
    app = FastAPI(
        lifespan=_threads,
        title="motcua",
        summary="Một cửa: the one-stop system for Vietnam's administrative procedures.",
        version=version("motcua"),
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    if container is None:  # a worker process of `motcua serve --workers N`: wire it here
        container = bootstrap()
        configure_logging(container.settings)
    app.state.container = container
    app.include_router(health.router)
    app.include_router(calendar.router)
    app.include_router(procedures.router)
    app.include_router(queue.router)
    app.include_router(register.router)
    app.include_router(stats.router)
    app.include_router(lookup.router)
    app.include_router(my_dossiers.router)
    app.include_router(dossiers.router)
    app.include_router(catalog_admin.router)
    catalog_errors.install(app)
    app.add_api_route("/", _to_docs, include_in_schema=False)
    errors.install(app)
    openapi.install(app)
    app.add_middleware(IdempotencyMiddleware, container=lambda: app.state.container)
    http_settings = app.state.container.settings.http
    app.add_middleware(BodyLimitMiddleware, max_bytes=http_settings.max_body_bytes)
    install_cors(app, http_settings.cors_origins)
    app.add_middleware(RequestLogMiddleware)
    install_metrics(app)
    return app


@asynccontextmanager
async def _threads(app: FastAPI) -> AsyncIterator[None]:
    """Run blocking routes on ``MOTCUA_HTTP_THREADS`` threads (anyio's default is 40).

    The routes are CPU work between short database waits, all under one GIL:
    a few threads finish requests in turn, where many interleave them, so
    every request is slow (measured at 64 connections: p99 about 0.4 s on 8
    threads against 0.6-0.9 s on 40, with more requests served).
    """
    container: Container = app.state.container
    to_thread.current_default_thread_limiter().total_tokens = container.settings.http.threads
    yield


def _to_docs() -> RedirectResponse:
    return RedirectResponse("/docs")
