"""``motcua stats report-06a`` over generated history in a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from entrypoints.cli import main

DEMO = Path(__file__).parent.parent.parent / "data" / "catalog" / "demo.json"
UNIT = "000.00.10.H56"  # the first receiving unit the generator uses


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A SQLite store with 60 generated dossiers over two receiving units."""
    monkeypatch.setenv("MOTCUA_DB", str(tmp_path / "motcua.db"))
    monkeypatch.setenv("MOTCUA_LOG_LEVEL", "warning")
    argv = ["demo", "generate", "--dossiers", "60", "--agencies", "2", "--load-catalog", str(DEMO)]
    assert main(argv) == 0


@pytest.mark.usefixtures("history")
def test_report_06a_adds_up_and_carries_its_rates(capsys: pytest.CaptureFixture[str]) -> None:
    """Columns 3 = 4 + 5 + 6 = 7 + 11, 7 = 8 + 9 + 10, 11 = 12 + 13; rates are percents."""
    capsys.readouterr()
    code = main(
        ["stats", "report-06a", "--unit", UNIT, "--from", "2025-07-01", "--to", "2026-11-30"]
    )
    out, _ = capsys.readouterr()
    report = json.loads(out)
    c = {int(k): v for k, v in report["columns"].items()}
    assert code == 0
    assert c[3] > 0
    assert c[3] == c[4] + c[5] + c[6] == c[7] + c[11]
    assert (c[7], c[11]) == (c[8] + c[9] + c[10], c[12] + c[13])
    assert 0 <= float(report["rates"]["on_time"]) <= 100


@pytest.mark.usefixtures("history")
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--unit", UNIT, "--from", "2026-01-31", "--to", "2026-01-01"], "--to"),
        (["--unit", UNIT, "--from", "yesterday", "--to", "2026-01-01"], "--from"),
        (["--unit", "H56", "--from", "2026-01-01", "--to", "2026-01-31"], "agency"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Dates out of order, a date that is not one, and a malformed unit are refused."""
    capsys.readouterr()
    code = main(["stats", "report-06a", *argv])
    _, err = capsys.readouterr()
    assert code == 2
    assert message in err
    assert err.count("\n") == 1
