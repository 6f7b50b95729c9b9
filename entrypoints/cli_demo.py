"""``motcua demo generate``: realistic dossier histories, through the real application."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from application.demo import DemoGenerator, SimulatedClock, window
from application.dossiers import Dossiers
from domain.values import VIETNAM
from entrypoints.bootstrap import Container, bootstrap, configure_logging
from entrypoints.catalog_loading import load_catalog, summary

demo_app = typer.Typer(help="Demo and load-test data, made through the real application.")


@demo_app.command("generate")
def generate(
    dossiers: Annotated[int, typer.Option(min=1, max=10_000_000, help="How many dossiers.")] = 1000,
    years: Annotated[int, typer.Option(min=1, max=10, help="Spread over this many years.")] = 2,
    agencies: Annotated[int, typer.Option(min=1, max=90, help="Receiving units.")] = 20,
    seed: Annotated[int, typer.Option(help="The same seed makes the same histories.")] = 2025,
    load_catalog_file: Annotated[
        Path | None,
        typer.Option("--load-catalog", help="Import this catalog file first if it is empty."),
    ] = None,
) -> None:
    """Receive, process and return dossiers over past working days, then update the views."""
    container = bootstrap()
    configure_logging(container.settings)
    if container.catalog.index.count() == 0:
        if load_catalog_file is None:
            raise typer.BadParameter(
                "the catalog is empty: pass --load-catalog data/catalog/demo.json "
                "(or run motcua catalog import first)"
            )
        typer.echo(f"motcua: {summary(load_catalog(container, load_catalog_file))}", err=True)
    report = _generate(container, dossiers, years, agencies, seed)
    typer.echo(json.dumps(report, ensure_ascii=False))


def _generate(
    container: Container, count: int, years: int, agencies: int, seed: int
) -> dict[str, object]:
    today = datetime.now(VIETNAM)
    clock = SimulatedClock(today)
    service = Dossiers(
        container.app,
        container.catalog,
        container.calendars,
        clock=clock,
        extension_rules=container.settings.extension_rules,
    )
    generator = DemoGenerator(service, container.catalog, clock, agencies=agencies, seed=seed)
    if not generator.procedures:
        raise typer.BadParameter("no procedure of the catalog has an internal process to follow")
    start, end = window(today.date(), years, generator.procedures)
    began = time.perf_counter()
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("generating dossiers", total=count)
        summary = generator.generate(count, start, end, lambda n: progress.advance(task, n))
    seconds = time.perf_counter() - began
    projected = container.projections.catch_up()
    return {
        "dossiers": summary.dossiers,
        "events": summary.events,
        "statuses": summary.statuses,
        "refused": summary.refused,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "seconds": round(seconds, 1),
        "dossiers_per_second": round(summary.dossiers / seconds) if seconds else None,
        "view_events_applied": projected,
    }
