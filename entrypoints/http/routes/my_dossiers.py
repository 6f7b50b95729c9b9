"""Hồ sơ của tôi: an applicant's own dossiers, newest submission first, from the lookup view.

The list is chosen by the token alone: the dossiers its subject submitted
online, and those whose applicant has its id number (``application.access``
rule ``my_dossiers``); no parameter names an owner, so nobody lists another's
dossiers. Dossiers waiting for intake (no code yet: ``ref`` is their id) and
those closed before reception (refused, withdrawn) are listed too, with
their status. Other roles get 403: staff read dossiers through their agencies.
"""

from __future__ import annotations

from attrs import evolve
from fastapi import APIRouter

from application.lookup import Cursor, owned_query
from entrypoints.http.deps import ContainerDep
from entrypoints.http.routes import views
from entrypoints.http.routes.views import AfterQuery, LimitQuery
from entrypoints.http.security import PrincipalDep
from entrypoints.http.view_schemas import MyDossierOut, MyDossiersPage
from entrypoints.presenters import moment

router = APIRouter(prefix="/api/v1/my", tags=["views"])


@router.get("/dossiers", response_model=MyDossiersPage)
def my_dossiers(
    container: ContainerDep,
    principal: PrincipalDep,
    *,
    limit: LimitQuery = 50,
    after: AfterQuery = None,
) -> MyDossiersPage:
    """Your own dossiers (applicants): submitted by you or in your name, newest first."""
    query = owned_query(principal, limit=limit + 1)  # refuses other roles before reading input
    if after:
        query = evolve(query, after=_cursor(after))
    found = container.lookup.list_owned(query)
    page = found[:limit]
    return MyDossiersPage(
        items=[MyDossierOut.of(item) for item in page],
        next=_next(page[-1].row.cursor) if len(found) > limit else None,
    )


def _next(cursor: Cursor) -> str:
    submitted_at, dossier_id = cursor
    return views.encode_cursor([moment(submitted_at), str(dossier_id)])


def _cursor(text: str) -> Cursor:
    submitted_at, dossier_id = views.decode_cursor(text, 2)
    return (views.cursor_moment(submitted_at), views.cursor_id(dossier_id))
