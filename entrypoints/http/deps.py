"""Dependencies of the routes, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from application.calendars import Calendars
from application.catalog import Catalog
from entrypoints.bootstrap import Container


def wired(request: Request) -> Container:
    """The wired system this app was created with."""
    system: Container = request.app.state.container
    return system


async def container(request: Request) -> Container:
    """The wired system, as a dependency (``async``: no thread is needed to hand it over)."""
    return wired(request)


def calendars(request: Request) -> Calendars:
    """The calendar application (loaded on first use: a thread may wait for the file)."""
    return wired(request).calendars


def catalog(request: Request) -> Catalog:
    """The procedure catalog (opened on first use: a thread may wait for the database)."""
    return wired(request).catalog


ContainerDep = Annotated[Container, Depends(container)]
CalendarsDep = Annotated[Calendars, Depends(calendars)]
CatalogDep = Annotated[Catalog, Depends(catalog)]
