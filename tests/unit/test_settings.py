"""Settings come from MOTCUA_* variables; a bad value is refused with its variable's name."""

from __future__ import annotations

import pytest

from adapters.eventstore.config import StoreKind
from domain.dossier_values import ExtensionRules
from entrypoints.bootstrap import Settings, SettingsError


def test_defaults_are_one_extension_before_the_due_date_and_sqlite() -> None:
    """With nothing set: at most one extension, no notice days, not after due; a SQLite file."""
    settings = Settings.from_env({})
    assert settings.extension_rules == ExtensionRules()
    assert settings.extension_rules.max_extensions == 1
    assert settings.store.kind is StoreKind.SQLITE


def test_extension_rules_are_read_from_the_environment() -> None:
    """MOTCUA_EXTENSION_MAX, _NOTICE_DAYS and _AFTER_DUE set the extension rules."""
    settings = Settings.from_env(
        {
            "MOTCUA_EXTENSION_MAX": "2",
            "MOTCUA_EXTENSION_NOTICE_DAYS": "1",
            "MOTCUA_EXTENSION_AFTER_DUE": "yes",
        }
    )
    assert settings.extension_rules == ExtensionRules(
        max_extensions=2, notice_working_days=1, after_due=True
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MOTCUA_EXTENSION_MAX", "one"),
        ("MOTCUA_EXTENSION_MAX", "-1"),
        ("MOTCUA_EXTENSION_NOTICE_DAYS", "99"),
        ("MOTCUA_EXTENSION_AFTER_DUE", "maybe"),
        ("MOTCUA_LOG_LEVEL", "loud"),
        ("MOTCUA_HTTP_THREADS", "0"),
        ("MOTCUA_HTTP_THREADS", "257"),
        ("MOTCUA_HTTP_THREADS", "many"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(name: str, value: str) -> None:
    """A value the system cannot use raises SettingsError that names the variable."""
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_routes_run_on_eight_threads_unless_told() -> None:
    """MOTCUA_HTTP_THREADS sets how many threads run the blocking routes; 8 by default."""
    assert Settings.from_env({}).http.threads == 8
    assert Settings.from_env({"MOTCUA_HTTP_THREADS": "3"}).http.threads == 3
