"""Hồ sơ: receive a dossier, act on it (one POST per lifecycle command), read it.

A dossier is addressed by its code (mã hồ sơ) once received, or by its id
before (online and postal submissions get their code at acceptance).

- ``Idempotency-Key`` becomes the command id: the domain applies a command
  id once per user, and the idempotency middleware answers a retry with the
  first response.
- ``ETag`` is the dossier's version; ``If-Match`` on an action refuses (412)
  to act on a version the client has not seen.
- Every command and read is checked against ``application.access``: the
  caller's role and agencies decide, and the event records who acted.
"""

# No ``from __future__ import annotations``: the action routes are built in a
# loop, and FastAPI must see each body class itself, not its name.

from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Header, Response

from application import access
from application.access import Principal
from application.dossiers import Dossiers
from domain.dossier import Dossier
from entrypoints.bootstrap import Container
from entrypoints.dossier_presenters import dossier_document, history_document, receipt_document
from entrypoints.http.action_schemas import ACTIONS, ActionIn
from entrypoints.http.deps import ContainerDep
from entrypoints.http.dossier_schemas import NewDossierIn
from entrypoints.http.idempotency import IdempotentRoute
from entrypoints.http.metrics import count_command
from entrypoints.http.security import PrincipalDep
from entrypoints.parsing import InputError

router = APIRouter(prefix="/api/v1/dossiers", tags=["dossiers"], route_class=IdempotentRoute)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Your id for this command: a retry with the same key gets the first answer.",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag you last read: refused with 412 if the dossier changed since.",
    ),
]
Document = dict[str, Any]
DOMAIN_ACTION = {"confirm_online_payment": "record_payment"}
"""Access actions the domain's status table knows under another name."""


@router.post("", status_code=201)
def open_dossier(
    body: NewDossierIn,
    principal: PrincipalDep,
    container: ContainerDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Document:
    """Tiếp nhận: a walk-in dossier (received at once), or an online or postal submission."""
    submission = body.submission.value()
    actor = access.act_on_new(principal, body.action, submission)
    command = body.command(submission, command_id=_command_id(idempotency_key), actor=actor)
    run = getattr(container.dossiers, body.action)
    dossier: Dossier = _counted(body.action, lambda: run(command))
    response.headers["Location"] = f"{router.prefix}/{dossier.reference}"
    return _document(container, dossier, response, principal)


@router.get("/{ref}")
def get_dossier(
    ref: str, principal: PrincipalDep, container: ContainerDep, response: Response
) -> Document:
    """The dossier as staff see it (an applicant, their own): status, deadlines, pauses, result."""
    dossier = _load(container.dossiers, ref)
    access.read(principal, dossier)
    return _document(container, dossier, response, principal)


@router.get("/{ref}/history")
def get_history(ref: str, principal: PrincipalDep, container: ContainerDep) -> list[Document]:
    """Every event of the dossier, oldest first, with who did it and when: the audit trail."""
    dossier = _load(container.dossiers, ref)
    access.read(principal, dossier)
    return history_document(container.dossiers.history(dossier.id))


@router.get("/{ref}/receipt")
def get_receipt(ref: str, principal: PrincipalDep, container: ContainerDep) -> Document:
    """Mẫu 01, giấy tiếp nhận hồ sơ và hẹn trả kết quả, as data to print."""
    dossier = _load(container.dossiers, ref)
    access.read(principal, dossier)
    return receipt_document(dossier, container.catalog.load(dossier.submission.procedure))


def _add_action(model: type[ActionIn]) -> None:
    def act(  # noqa: PLR0913 (path, body, caller, system, response and two headers)
        ref: str,
        body: ActionIn,
        *,
        principal: PrincipalDep,
        container: ContainerDep,
        response: Response,
        idempotency_key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ) -> Document:
        dossier = _load(container.dossiers, ref)
        command = body.command(
            command_id=_command_id(idempotency_key),
            actor=access.act_on(principal, model.action, dossier),
            dossier_id=dossier.id,
            expected_version=_expected_version(if_match),
        )
        run = getattr(container.dossiers, model.method)
        with container.dossiers.starting_from(dossier):
            result = _counted(model.action, lambda: run(command))
        return _document(container, result, response, principal)

    act.__annotations__["body"] = model  # FastAPI reads the body's class from here
    router.add_api_route(
        f"/{{ref}}/{model.path}",
        act,
        methods=["POST"],
        name=model.action,
        operation_id=f"dossier_{model.action}",
        summary=(model.__doc__ or model.path).split("\n")[0],
    )


for _model in ACTIONS:
    _add_action(_model)


def _load(dossiers: Dossiers, ref: str) -> Dossier:
    try:
        dossier_id = UUID(ref)
    except ValueError:
        return dossiers.get_by_code(ref)
    return dossiers.get(dossier_id)


def _command_id(idempotency_key: str | None) -> str:
    """The client's key, or a fresh id: a command sent without a key is never a retry."""
    return idempotency_key or f"http-{uuid4().hex}"


def _expected_version(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InputError("If-Match", 'must be the ETag you read, e.g. "7"')
    return int(text)


def _counted(action: str, run: Any) -> Dossier:  # noqa: ANN401 (a callable)
    """Run the command, counting it by type and outcome (the error's class when it fails)."""
    try:
        dossier: Dossier = run()
    except Exception as error:
        count_command(action, type(error).__name__)
        raise
    count_command(action, "ok")
    return dossier


def _document(
    container: Container, dossier: Dossier, response: Response, principal: Principal
) -> Document:
    response.headers["ETag"] = f'"{dossier.version}"'
    now = container.dossiers.clock()
    calendar = container.dossiers.calendar_for(dossier, now)
    return dossier_document(dossier, now, calendar, _actions(principal, dossier))


def _actions(principal: Principal, dossier: Dossier) -> list[str]:
    """What the dossier's status allows now and ``principal`` may do, as path segments."""
    allowed = set(dossier.allowed())
    return [
        model.path
        for model in ACTIONS
        if DOMAIN_ACTION.get(model.action, model.action) in allowed
        and access.may(principal, model.action, dossier)
    ]
