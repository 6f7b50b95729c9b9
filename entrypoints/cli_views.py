"""``motcua project`` and ``motcua rebuild``: keep the views, or build them again from the log."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Annotated, Protocol

import typer
from rich.console import Console
from rich.progress import Progress

from application.lookup_projector import LookupProjector
from application.lookup_projector import replay as replay_lookup
from application.projector import QueueProjector
from application.projector import replay as replay_queue
from application.register_projector import RegisterProjector
from application.register_projector import replay as replay_register
from entrypoints.bootstrap import Container, bootstrap, configure_logging

VIEWS = ("queue", "lookup", "register")


def project(
    interval: Annotated[
        float, typer.Option(min=0.05, max=60.0, help="Seconds between catch-ups.")
    ] = 0.2,
    once: Annotated[bool, typer.Option("--once", help="Catch up once, then stop.")] = False,  # noqa: FBT002 (a CLI flag)
) -> None:
    """Keep every view caught up with the event log (run beside `serve` on PostgreSQL)."""
    container = bootstrap()
    configure_logging(container.settings)
    if once:
        applied = container.projections.catch_up()
        typer.echo(json.dumps({"events": applied, "queue_position": container.queue.position()}))
        return
    stop = threading.Event()
    typer.echo(f"motcua: following the event log every {interval} s; Ctrl-C stops", err=True)
    try:
        container.projections.follow(stop, interval)
    except KeyboardInterrupt:
        stop.set()
        typer.echo("motcua: stopped", err=True)


def rebuild(
    view: Annotated[
        str, typer.Option("--view", help=f"The view to rebuild: {', '.join(VIEWS)}.")
    ] = "queue",
) -> None:
    """Drop a view and build it again from the event log; then check it against a second pass."""
    if view not in VIEWS:
        raise typer.BadParameter(f"unknown view {view!r}; known: {', '.join(VIEWS)}")
    container = bootstrap()
    configure_logging(container.settings)
    report = _rebuild(container, view)
    typer.echo(json.dumps(report, ensure_ascii=False))
    if not report["matches"]:
        raise typer.Exit(1)


class _View(Protocol):
    def drop(self) -> None: ...
    def count(self) -> int: ...


class _Projector(Protocol):
    def catch_up(
        self, batch_size: int = ..., progress: Callable[[int], None] | None = ...
    ) -> int: ...


def _parts(container: Container, view: str) -> tuple[_View, _Projector, Callable[[], int]]:
    """The view, its projector, and a second pass that counts its rows from the log."""
    app = container.app
    if view == "queue":
        return (
            container.queue,
            QueueProjector(app, container.queue),
            lambda: len(replay_queue(app)),
        )
    if view == "lookup":
        return (
            container.lookup,
            LookupProjector(app, container.lookup),
            lambda: len(replay_lookup(app)[0]),
        )
    return (
        container.register,
        RegisterProjector(app, container.register),
        lambda: sum(e.row.received_at is not None for e in replay_register(app).values()),
    )


def _rebuild(container: Container, view: str) -> dict[str, object]:
    app = container.app
    target, projector, second_pass = _parts(container, view)
    head = app.recorder.max_notification_id() or 0
    began = time.perf_counter()
    target.drop()
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"rebuilding the {view}", total=head or 1)
        events = projector.catch_up(
            progress=lambda position: progress.update(task, completed=position)
        )
    seconds = time.perf_counter() - began
    expected, rows = second_pass(), target.count()
    return {
        "view": view,
        "events": events,
        "rows": rows,
        "second_pass_rows": expected,
        "matches": rows == expected,
        "seconds": round(seconds, 3),
        "events_per_second": round(events / seconds) if seconds else None,
    }
