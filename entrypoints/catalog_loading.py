"""Importing a catalog file from the command line, with a progress bar and a one-line summary."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from adapters.catalog.dvcqg import read_catalog
from application.catalog_import import ImportReport, Outcome, import_catalog
from entrypoints.bootstrap import Container


def load_catalog(container: Container, file: Path) -> ImportReport:
    """Import ``file`` into the container's catalog with a progress bar on stderr."""
    total, items = read_catalog(file)
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"importing {file.name}", total=total)
        return import_catalog(
            container.catalog, items, progress=lambda n: progress.advance(task, n)
        )


def summary(report: ImportReport) -> str:
    """``N items: imported a, amended b, ...``."""
    counts = ", ".join(f"{outcome} {report.count(outcome)}" for outcome in Outcome)
    return f"{len(report.items)} items: {counts}"
