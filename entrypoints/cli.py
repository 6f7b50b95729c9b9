"""The ``motcua`` command line."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Annotated

import attrs
import typer

from adapters.catalog.dvcqg import CatalogFileError
from adapters.eventstore.config import StoreKind, new_cipher_key
from application.catalog_import import Outcome
from application.errors import ApplicationError
from application.queries import ComputeDeadline, ListDays
from domain.dossier_values import STAFF, Role
from domain.errors import DomainError
from domain.values import AgencyCode
from entrypoints.bootstrap import Container, Settings, SettingsError, bootstrap, configure_logging
from entrypoints.catalog_loading import load_catalog, summary
from entrypoints.cli_demo import demo_app
from entrypoints.cli_token import token_app
from entrypoints.cli_views import project, rebuild, report_06a
from entrypoints.parsing import (
    InputError,
    make_limit,
    parse_agency,
    parse_clock_time,
    parse_date,
    parse_moment,
    parse_unit,
)
from entrypoints.presenters import day_document, deadline_document

USAGE_ERROR = 2

app = typer.Typer(
    name="motcua",
    help="Một cửa: the one-stop system for administrative procedures.",
    add_completion=False,
    pretty_exceptions_enable=False,
)
calendar_app = typer.Typer(help="Working calendar and deadlines.")
app.add_typer(calendar_app, name="calendar")
catalog_app = typer.Typer(help="The procedure catalog (thủ tục hành chính).")
app.add_typer(catalog_app, name="catalog")
cipher_app = typer.Typer(help="Encryption at rest of event payloads.")
app.add_typer(cipher_app, name="cipher")
app.add_typer(demo_app, name="demo")
stats_app = typer.Typer(help="Reports from the views (report 06a and its rates).")
app.add_typer(stats_app, name="stats")
app.add_typer(token_app, name="token")


@app.callback(invoke_without_command=True)
@calendar_app.callback(invoke_without_command=True)
@catalog_app.callback(invoke_without_command=True)
@cipher_app.callback(invoke_without_command=True)
@demo_app.callback(invoke_without_command=True)
@stats_app.callback(invoke_without_command=True)
@token_app.callback(invoke_without_command=True)
def _help_without_command(context: typer.Context) -> None:
    """Without a command, show the help rather than an error."""
    if context.invoked_subcommand is None:
        typer.echo(context.get_help())


PolicyFile = Annotated[
    Path | None,
    typer.Option(
        "--policy-file",
        help="Calendar policy file (TOML); default: MOTCUA_CALENDAR_FILE or the built-in one.",
    ),
]
Agency = Annotated[
    str | None, typer.Option("--agency", help="Agency identifier (QCVN 102), e.g. 000.00.12.H56.")
]


def _container(policy_file: Path | None) -> Container:
    settings = Settings.from_env()
    if policy_file is not None:
        settings = attrs.evolve(settings, calendar_file=policy_file)
    return bootstrap(settings)


def _print_json(document: object) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False))


@calendar_app.command("due")
def due(  # noqa: PLR0913 (one option per input of the computation)
    *,
    received: Annotated[
        str, typer.Option(help="When the dossier was received, ISO-8601; no offset means +07:00.")
    ],
    unit: Annotated[
        str, typer.Option(help="working_days, working_hours, calendar_days or same_day.")
    ],
    limit: Annotated[
        int | None, typer.Option(help="The time limit in UNIT (not needed for same_day).")
    ] = None,
    cutoff: Annotated[
        str, typer.Option(help="Same-day cut-off, HH:MM: received later → next working day.")
    ] = "15:00",
    policy_file: PolicyFile = None,
    agency: Agency = None,
) -> None:
    """Print the clock start, the appointment (due_at) and the statutory due date as JSON."""
    query = ComputeDeadline(
        received_at=parse_moment(received, "received"),
        limit=make_limit(limit, parse_unit(unit)),
        agency=parse_agency(agency),
        same_day_cutoff=parse_clock_time(cutoff, "cutoff"),
    )
    _print_json(deadline_document(_container(policy_file).calendars.compute_deadline(query)))


@calendar_app.command("working-days")
def working_days(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    policy_file: PolicyFile = None,
    agency: Agency = None,
) -> None:
    """Print each day with its kind (working day, weekend, holiday, working weekend) as JSON."""
    query = ListDays(
        start=parse_date(start, "from"), end=parse_date(end, "to"), agency=parse_agency(agency)
    )
    calendars = _container(policy_file).calendars
    calendar = calendars.calendar(query.agency)
    _print_json([day_document(calendar, day) for day in calendars.list_days(query)])


@catalog_app.command("import")
def import_catalog_file(
    file: Annotated[Path, typer.Argument(help="A catalog file (see data/catalog/README.md).")],
) -> None:
    """Publish new procedures, amend changed ones; report every item. Exit 1 if any is rejected."""
    container = bootstrap()
    report = load_catalog(container, file)
    for item in report.items:
        reason = f"  {item.reason}" if item.reason else ""
        typer.echo(f"item {item.index}\t{item.code or '-'}\t{item.outcome}{reason}")
    typer.echo(summary(report))
    if report.count(Outcome.REJECTED):
        raise typer.Exit(1)


@cipher_app.command("new-key")
def new_key() -> None:
    """Print a new random AES-256 key for MOTCUA_CIPHER_KEY (keep it safe: see the README)."""
    typer.echo(new_cipher_key())


app.command("project")(project)
app.command("rebuild")(rebuild)
stats_app.command("report-06a")(report_06a)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (PostgreSQL only, beyond 1).")
    ] = 1,
    load_catalog_file: Annotated[
        Path | None,
        typer.Option(
            "--load-catalog", help="Import this catalog file first if the catalog is empty."
        ),
    ] = None,
) -> None:
    """Serve the HTTP API (what `make run` does)."""
    import uvicorn  # noqa: PLC0415 (only the server needs it)

    from entrypoints.http.app import create_app  # noqa: PLC0415 (only the server needs it)

    container = bootstrap()
    configure_logging(container.settings)
    on_postgres = container.settings.store.kind is StoreKind.POSTGRES
    if workers > 1 and not on_postgres:
        raise InputError("workers", "above 1 needs PostgreSQL (MOTCUA_DATABASE_URL)")
    container.calendars  # noqa: B018 (a bad policy file is reported now, not on the first request)
    if load_catalog_file is not None and container.catalog.index.count() == 0:
        typer.echo(f"motcua: {summary(load_catalog(container, load_catalog_file))}", err=True)
    typer.echo(_welcome(container, f"http://{host}:{port}"), err=True)
    if workers > 1:
        # Each worker wires itself from the same environment; metrics add up across them.
        os.environ.setdefault(
            "PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="motcua-metrics-")
        )
        uvicorn.run(
            "entrypoints.http.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            # A worker importing the app on a busy machine can take more than uvicorn's 5 s.
            timeout_worker_healthcheck=30,
            access_log=False,
            log_config=None,
        )
        return
    stop = threading.Event()
    if not on_postgres:
        # One process on SQLite: the views follow the log here (on PostgreSQL: `motcua project`).
        threading.Thread(
            target=container.projections.follow, args=(stop,), name="projections", daemon=True
        ).start()
    try:
        uvicorn.run(create_app(container), host=host, port=port, access_log=False, log_config=None)
    finally:
        stop.set()


DEMO_AGENCY = "000.01.40.H56"  # Ủy ban nhân dân phường Hạc Thành, in the demo catalog


def _welcome(container: Container, base: str) -> str:
    """Where to look first; in development, a demo token that can walk a dossier end to end."""
    lines = [f"motcua: serving on {base}  (API docs: {base}/docs)"]
    if container.settings.tokens.development:
        token = container.tokens.issue(
            subject="demo",
            name="Cán bộ demo",
            roles=[*STAFF, Role.AUDITOR, Role.CATALOG_ADMIN],
            agencies=[AgencyCode(DEMO_AGENCY)],
        )
        lines += [
            f"  demo token (every staff role at {DEMO_AGENCY}, 8 hours; development keys only):",
            f"  export TOKEN={token}",
            f"  try: curl -H \"Authorization: Bearer $TOKEN\" '{base}/api/v1/queue'",
            "  more tokens: motcua token issue --user U --role R --agency A",
        ]
    else:
        lines.append("  tokens come from the identity provider (MOTCUA_JWT_JWKS_URL / _PUBLIC_KEY)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; bad input is one line on stderr and exit code 2."""
    try:
        # Without standalone mode, a raised typer.Exit comes back as the return value.
        code = app(args=argv, prog_name="motcua", standalone_mode=False)
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort:
        return 130
    except typer.TyperException as error:
        return _fail(_typer_message(error))
    except InputError as error:
        return _fail(f"--{error.field} {error.message}")
    except (DomainError, ApplicationError, SettingsError, CatalogFileError) as error:
        return _fail(str(error))
    return code if isinstance(code, int) else 0


def _typer_message(error: typer.TyperException) -> str:
    formatted = getattr(error, "format_message", None)
    return str(formatted() if callable(formatted) else error)


def _fail(message: str) -> int:
    line = " ".join(message.split())
    sys.stderr.write(f"motcua: error: {line}\n")
    return USAGE_ERROR


def run() -> None:
    """The console script ``motcua``."""
    raise SystemExit(main())


if __name__ == "__main__":
    run()
