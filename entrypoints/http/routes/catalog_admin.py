"""Quyết định về danh mục (catalog decisions): publish, amend, replace and abolish procedures.

Only catalog admins decide (``access.VIEWS["catalog"]``): no token is 401, any
other role 403. Each answer is the procedure document as of the decision's
effective date, so it shows what the decision did: the new version, or the new
standing. The catalog's index catches up from the event log on every read, so
the answer (and every later read) already sees the decision.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response, status

from application import access
from application.access import Principal
from application.catalog import Catalog
from application.commands import (
    AbolishProcedure,
    AmendProcedure,
    PublishProcedure,
    ReplaceProcedure,
)
from application.errors import ProcedureNotFoundError
from domain.procedure_spec import PublicationDecision
from domain.values import LocalCode
from entrypoints.http.catalog_schemas import AbolishIn, CatalogItemIn, ReplaceIn, local_code
from entrypoints.http.deps import CatalogDep
from entrypoints.http.idempotency import IdempotentRoute
from entrypoints.http.security import PrincipalDep
from entrypoints.parsing import InputError
from entrypoints.presenters import procedure_document


def catalog_admin(principal: PrincipalDep) -> Principal:
    """The caller, if they may decide on the catalog (403 otherwise)."""
    access.view_agencies(principal, "catalog")
    return principal


def idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=200,
            description="Repeat a decision safely: the same key and body answer the first "
            "response again instead of deciding twice.",
        ),
    ] = None,
) -> str | None:
    """The client's idempotency key (documented here; the route settles it: `IdempotentRoute`)."""
    return key


router = APIRouter(
    route_class=IdempotentRoute,
    prefix="/api/v1/procedures",
    tags=["catalog"],
    dependencies=[Depends(catalog_admin), Depends(idempotency_key)],
)


@router.post("", status_code=status.HTTP_201_CREATED)
def publish_procedure(
    catalog: CatalogDep, item: CatalogItemIn, response: Response
) -> dict[str, Any]:
    """Công bố: a new procedure, from one catalog item; its local code must be new."""
    spec, decision = item.read()
    catalog.publish(PublishProcedure(spec=spec, decision=decision))
    response.headers["Location"] = f"{router.prefix}/{spec.local_code.value}"
    return _document(catalog, spec.local_code, decision)


@router.post("/{code}/amend")
def amend_procedure(catalog: CatalogDep, code: str, item: CatalogItemIn) -> dict[str, Any]:
    """Sửa đổi, bổ sung: a new version, from one catalog item with the same local code."""
    path_code = local_code(code, "code")
    spec, decision = item.read()
    if spec.local_code != path_code:
        raise InputError("MATTHCDP", f"must be the local code in the path, {path_code.value}")
    catalog.amend(AmendProcedure(spec=spec, decision=decision))
    return _document(catalog, path_code, decision)


@router.post("/{code}/replace")
def replace_procedure(catalog: CatalogDep, code: str, body: ReplaceIn) -> dict[str, Any]:
    """Thay thế: ``successor`` (already in the catalog) takes over from the decision's date."""
    command = ReplaceProcedure(
        code=local_code(code, "code"),
        successor=local_code(body.successor, "successor"),
        decision=body.decision.read("decision"),
    )
    try:
        catalog.replace(command)
    except ProcedureNotFoundError as error:
        if error.code != command.successor.value:
            raise
        raise InputError("successor", "is not in the catalog: publish it first") from None
    return _document(catalog, command.code, command.decision)


@router.post("/{code}/abolish")
def abolish_procedure(catalog: CatalogDep, code: str, body: AbolishIn) -> dict[str, Any]:
    """Bãi bỏ: no new dossiers from the decision's date; dossiers in flight continue."""
    command = AbolishProcedure(
        code=local_code(code, "code"), decision=body.decision.read("decision")
    )
    catalog.abolish(command)
    return _document(catalog, command.code, command.decision)


def _document(catalog: Catalog, code: LocalCode, decision: PublicationDecision) -> dict[str, Any]:
    return procedure_document(catalog.get(code.value, decision.effective))
