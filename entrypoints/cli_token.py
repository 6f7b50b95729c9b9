"""``motcua token issue``: development bearer tokens, signed with the local key."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from domain.dossier_values import Role
from entrypoints.bootstrap import bootstrap
from entrypoints.parsing import InputError, parse_agency

token_app = typer.Typer(help="Development bearer tokens (production tokens come from the SSO).")
_ROLES = ", ".join(role.value for role in Role)


@token_app.command("issue")
def issue(  # noqa: PLR0913 (one option per claim)
    *,
    user: Annotated[str, typer.Option("--user", help="The user id (sub claim).")],
    role: Annotated[list[str], typer.Option("--role", help=f"Repeatable. One of: {_ROLES}.")],
    agency: Annotated[
        list[str] | None,
        typer.Option("--agency", help="Repeatable. Agency codes (QCVN 102) the user works for."),
    ] = None,
    name: Annotated[str, typer.Option("--name", help="The display name.")] = "",
    id_number: Annotated[
        str | None, typer.Option("--id-number", help="An applicant's personal id number.")
    ] = None,
    hours: Annotated[int, typer.Option(min=1, max=24 * 30, help="Lifetime in hours.")] = 8,
) -> None:
    """Print a signed token for these claims (development mode only)."""
    roles = []
    for text in role:
        try:
            roles.append(Role(text))
        except ValueError:
            raise InputError("role", f"must be one of {_ROLES} (got {text!r})") from None
    agencies = [parse_agency(code) for code in agency or []]
    token = bootstrap().tokens.issue(
        subject=user,
        roles=roles,
        agencies=[a for a in agencies if a is not None],
        name=name,
        id_number=id_number,
        lifetime=timedelta(hours=hours),
    )
    typer.echo(token)
