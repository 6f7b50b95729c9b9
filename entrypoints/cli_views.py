"""``motcua project``, ``rebuild`` and ``stats``: keep the views, rebuild them, report from them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from decimal import Decimal
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
from application.report06a import CountingRules, Rates, ReportQuery, Rounding, UnitKind
from application.statistics_projector import FactsProjector
from application.statistics_projector import replay as replay_facts
from entrypoints.bootstrap import Container, bootstrap, configure_logging
from entrypoints.parsing import InputError, parse_agency, parse_date

VIEWS = ("queue", "lookup", "register", "facts")


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
        self, batch_size: int | None = ..., progress: Callable[[int], None] | None = ...
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
    if view == "facts":
        return (
            container.facts,
            FactsProjector(app, container.facts),
            lambda: len(replay_facts(app)),
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


def report_06a(
    unit: Annotated[str, typer.Option("--unit", help="Agency identifier, e.g. 000.00.12.H56.")],
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    by: Annotated[
        UnitKind, typer.Option("--by", help="Count the unit as receiving unit or competent agency.")
    ] = UnitKind.RECEIVING,
    rounding: Annotated[
        Rounding, typer.Option(help="half_up (default), or truncate as some reports print.")
    ] = Rounding.HALF_UP,
) -> None:
    """Report 06a (Biểu số II.06a/VPCP/KSTT) for one unit and period, with its rates."""
    first, last = parse_date(start, "from"), parse_date(end, "to")
    if last < first:
        raise InputError("to", "must not be before --from")
    if parse_agency(unit) is None:
        raise InputError("unit", "is required")
    container = bootstrap()
    configure_logging(container.settings)
    container.projections.catch_up()
    query = ReportQuery(unit=unit, start=first, end=last, unit_kind=by)
    report = container.facts.report06a(query, CountingRules())
    rates = Rates.of(report, rounding)
    document = {
        "unit": unit,
        "by": by.value,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "columns": {str(number): value for number, value in report.columns().items()},
        "rates": {
            "on_time": _decimal(rates.on_time),
            "late": _decimal(rates.late),
            "online": _decimal(rates.online),
            "online_payment": _decimal(rates.online_payment),
            "postal": _decimal(rates.postal),
        },
        "satisfaction": {kind.value: count for kind, count in rates.satisfaction.items()},
    }
    typer.echo(json.dumps(document, ensure_ascii=False))


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
