"""Composition root: settings from the environment, logging, and the applications."""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Mapping
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Literal

import attrs
import structlog
from attrs import frozen

from adapters.calendar.policy_file import load_policy
from adapters.eventstore.config import StoreConfig, StoreConfigError, StoreKind, library_env
from adapters.idempotency import IdempotencyRecordsAdapter, idempotency_records_from_env
from adapters.tokens import Tokens, TokenSettings
from adapters.views import QueueViewAdapter, queue_view_from_env
from adapters.views.facts_factory import FactsViewAdapter, facts_view_from_env
from adapters.views.lookup_factory import LookupViewAdapter, lookup_view_from_env
from adapters.views.register_factory import RegisterViewAdapter, register_view_from_env
from application.calendars import Calendars
from application.catalog import Catalog
from application.dossiers import Dossiers
from application.group_commit import DirectCommit, GroupCommit
from application.lookup_projector import LookupProjector
from application.onestop import OneStop
from application.projections import Projections
from application.projector import QueueProjector
from application.register_projector import RegisterProjector
from application.statistics_projector import FactsProjector
from domain.calendar_policy import CalendarPolicy
from domain.dossier_values import ExtensionRules
from domain.errors import InvalidValueError
from domain.values import VIETNAM

LogFormat = Literal["auto", "json", "console"]
_LEVELS = ("debug", "info", "warning", "error")
_EXTENSION_VARIABLES = {
    "max_extensions": "MOTCUA_EXTENSION_MAX",
    "notice_working_days": "MOTCUA_EXTENSION_NOTICE_DAYS",
}
MAX_HTTP_THREADS = 256
_BOOLEANS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


class SettingsError(ValueError):
    """An environment variable has a value the system cannot use."""


def store_from_env(env: Mapping[str, str]) -> StoreConfig:
    """PostgreSQL when a URL or POSTGRES_DBNAME is set, memory for ``:memory:``, else SQLite."""
    url = env.get("MOTCUA_DATABASE_URL") or None
    cipher = env.get("MOTCUA_CIPHER_KEY") or None
    if url or env.get("POSTGRES_DBNAME"):
        return StoreConfig(kind=StoreKind.POSTGRES, database_url=url, cipher_key=cipher)
    path = env.get("MOTCUA_DB", "var/motcua.db")
    if path == ":memory:":
        return StoreConfig(kind=StoreKind.MEMORY, cipher_key=cipher)
    return StoreConfig(kind=StoreKind.SQLITE, sqlite_path=Path(path), cipher_key=cipher)


def extension_rules_from_env(env: Mapping[str, str]) -> ExtensionRules:
    """The extension (gia hạn) rules: how often, how early, and whether after the due date."""
    after_due = _boolean(env, "MOTCUA_EXTENSION_AFTER_DUE", default=False)
    try:
        return ExtensionRules(
            max_extensions=_integer(env, "MOTCUA_EXTENSION_MAX", 1),
            notice_working_days=_integer(env, "MOTCUA_EXTENSION_NOTICE_DAYS", 0),
            after_due=after_due,
        )
    except InvalidValueError as error:
        variable = _EXTENSION_VARIABLES.get(error.field, "MOTCUA_EXTENSION_*")
        raise SettingsError(f"{variable} must be {error.reason} (got {error.value})") from None


def token_settings_from_env(env: Mapping[str, str]) -> TokenSettings:
    """Where token keys come from: an OIDC JWKS URL, a PEM public key, or the local dev key."""
    key_file = env.get("MOTCUA_JWT_PUBLIC_KEY_FILE") or None
    public_key = None
    if key_file:
        try:
            public_key = Path(key_file).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as error:
            raise SettingsError(f"MOTCUA_JWT_PUBLIC_KEY_FILE cannot be read: {error}") from None
    algorithms = tuple(a for a in env.get("MOTCUA_JWT_ALGORITHMS", "").replace(",", " ").split())
    defaults = TokenSettings()
    return TokenSettings(
        jwks_url=env.get("MOTCUA_JWT_JWKS_URL") or None,
        public_key=public_key,
        algorithms=algorithms or defaults.algorithms,
        issuer=env.get("MOTCUA_JWT_ISSUER") or None,
        audience=env.get("MOTCUA_JWT_AUDIENCE") or defaults.audience,
        dev_key_file=Path(env["MOTCUA_DEV_KEY_FILE"])
        if env.get("MOTCUA_DEV_KEY_FILE")
        else defaults.dev_key_file,
    )


@frozen(kw_only=True)
class HttpSettings:
    """Limits and origins of the HTTP API."""

    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1_048_576
    lookup_rate: str = "30/minute"
    idempotency_hours: int = 24
    threads: int = 8

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> HttpSettings:
        """From ``MOTCUA_CORS_ORIGINS``, ``MOTCUA_MAX_BODY_BYTES``, ``MOTCUA_LOOKUP_RATE``, ..."""
        origins = tuple(o for o in env.get("MOTCUA_CORS_ORIGINS", "").replace(",", " ").split())
        defaults = cls()
        rate = env.get("MOTCUA_LOOKUP_RATE", defaults.lookup_rate).strip()
        if not re.fullmatch(r"\d+/(second|minute|hour)", rate):
            raise SettingsError(f"MOTCUA_LOOKUP_RATE must look like 30/minute (got {rate!r})")
        settings = cls(
            cors_origins=origins,
            max_body_bytes=_integer(env, "MOTCUA_MAX_BODY_BYTES", defaults.max_body_bytes),
            lookup_rate=rate,
            idempotency_hours=_integer(env, "MOTCUA_IDEMPOTENCY_HOURS", defaults.idempotency_hours),
            threads=_integer(env, "MOTCUA_HTTP_THREADS", defaults.threads),
        )
        if settings.max_body_bytes < 1024:  # noqa: PLR2004 (a sanity bound)
            raise SettingsError("MOTCUA_MAX_BODY_BYTES must be at least 1024")
        if settings.idempotency_hours < 1:
            raise SettingsError("MOTCUA_IDEMPOTENCY_HOURS must be at least 1")
        if not 1 <= settings.threads <= MAX_HTTP_THREADS:
            raise SettingsError(f"MOTCUA_HTTP_THREADS must be from 1 to {MAX_HTTP_THREADS}")
        return settings


def _boolean(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    text = env.get(name, "").strip().lower()
    if not text:
        return default
    if text not in _BOOLEANS:
        raise SettingsError(f"{name} must be yes or no (got {text!r})")
    return _BOOLEANS[text]


def _integer(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number (got {text!r})") from None


@frozen(kw_only=True)
class Settings:
    """What the environment configures (documented in the README)."""

    calendar_file: Path | None = None
    log_level: str = "info"
    log_format: LogFormat = "auto"
    store: StoreConfig = attrs.field(factory=lambda: StoreConfig(kind=StoreKind.MEMORY))
    extension_rules: ExtensionRules = attrs.field(factory=ExtensionRules)
    tokens: TokenSettings = attrs.field(factory=TokenSettings)
    group_commit: bool = False
    http: HttpSettings = attrs.field(factory=HttpSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Settings from ``MOTCUA_*`` variables; a bad value is refused with its name."""
        level = env.get("MOTCUA_LOG_LEVEL", "info").lower()
        if level not in _LEVELS:
            raise SettingsError(f"MOTCUA_LOG_LEVEL must be one of {', '.join(_LEVELS)}")
        log_format = env.get("MOTCUA_LOG_FORMAT", "auto").lower()
        if log_format not in ("auto", "json", "console"):
            raise SettingsError("MOTCUA_LOG_FORMAT must be auto, json or console")
        calendar_file = env.get("MOTCUA_CALENDAR_FILE")
        return cls(
            calendar_file=Path(calendar_file) if calendar_file else None,
            log_level=level,
            log_format=log_format,  # type: ignore[arg-type]  # checked just above
            store=store_from_env(env),
            extension_rules=extension_rules_from_env(env),
            tokens=token_settings_from_env(env),
            group_commit=_boolean(env, "MOTCUA_GROUP_COMMIT", default=False),
            http=HttpSettings.from_env(env),
        )


class Container:
    """The wired system: what entrypoints use. Calendars and the event store load on first use."""

    def __init__(self, settings: Settings, policy: CalendarPolicy | None = None) -> None:
        self.settings = settings
        self._policy = policy

    @cached_property
    def calendars(self) -> Calendars:
        """Deadlines and working days, under the calendar policy (loaded on first use)."""
        policy = self._policy or load_policy(
            self.settings.calendar_file, today=datetime.now(VIETNAM).date()
        )
        return Calendars(policy)

    @cached_property
    def app(self) -> OneStop:
        """The event store, opened (and its tables created) on first use."""
        try:
            return OneStop(env=library_env(self.settings.store))
        except StoreConfigError as error:
            raise SettingsError(str(error)) from None

    @cached_property
    def catalog(self) -> Catalog:
        """The procedure catalog over the event store."""
        return Catalog(self.app)

    @cached_property
    def queue(self) -> QueueViewAdapter:
        """The queue view, in the same database as the event store (memory beside memory)."""
        return queue_view_from_env(self.app.env)

    @cached_property
    def lookup(self) -> LookupViewAdapter:
        """The public lookup view (code + secret), in the same database as the event store."""
        return lookup_view_from_env(self.app.env)

    @cached_property
    def register(self) -> RegisterViewAdapter:
        """The tracking register (Mẫu 06) and control sheet (Mẫu 05), beside the event store."""
        return register_view_from_env(self.app.env)

    @cached_property
    def facts(self) -> FactsViewAdapter:
        """The per-dossier facts that report 06a counts, beside the event store."""
        return facts_view_from_env(self.app.env)

    @cached_property
    def projections(self) -> Projections:
        """Every view's projector, caught up together."""
        return Projections(
            [
                QueueProjector(self.app, self.queue),
                LookupProjector(self.app, self.lookup),
                RegisterProjector(self.app, self.register),
                FactsProjector(self.app, self.facts),
            ]
        )

    @cached_property
    def idempotency(self) -> IdempotencyRecordsAdapter:
        """The first response to each Idempotency-Key, beside the event store."""
        return idempotency_records_from_env(self.app.env)

    @cached_property
    def tokens(self) -> Tokens:
        """Bearer-token verification (and, in development, issuing)."""
        return Tokens(self.settings.tokens)

    @cached_property
    def dossiers(self) -> Dossiers:
        """Dossiers over the event store, the catalog and the calendars."""
        return Dossiers(
            self.app,
            self.catalog,
            self.calendars,
            extension_rules=self.settings.extension_rules,
            committer=GroupCommit(self.app)
            if self.settings.group_commit
            else DirectCommit(self.app),
        )


def bootstrap(settings: Settings | None = None, policy: CalendarPolicy | None = None) -> Container:
    """Wire the applications from ``settings`` (default: the environment).

    ``policy`` skips loading the calendar policy file (tests share one).
    """
    return Container(settings or Settings.from_env(), policy)


def configure_logging(settings: Settings) -> None:
    """Configure structlog once: JSON when stderr is not a terminal, readable text when it is."""
    as_json = settings.log_format == "json" or (
        settings.log_format == "auto" and not sys.stderr.isatty()
    )
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if as_json
        else structlog.dev.ConsoleRenderer()
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    level = logging.getLevelName(settings.log_level.upper())
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        # Not cached: a logger bound once would ignore later configuration (tests capture logs).
        cache_logger_on_first_use=False,
    )
    # Libraries that log through the standard library (uvicorn) get the same format.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
