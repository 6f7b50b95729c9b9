"""Dependencies of the routes, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from application.calendars import Calendars
from application.catalog import Catalog
from entrypoints.bootstrap import Container


def container(request: Request) -> Container:
    """The wired system this app was created with."""
    wired: Container = request.app.state.container
    return wired


def calendars(request: Request) -> Calendars:
    """The calendar application."""
    return container(request).calendars


def catalog(request: Request) -> Catalog:
    """The procedure catalog."""
    return container(request).catalog


ContainerDep = Annotated[Container, Depends(container)]
CalendarsDep = Annotated[Calendars, Depends(calendars)]
CatalogDep = Annotated[Catalog, Depends(catalog)]
