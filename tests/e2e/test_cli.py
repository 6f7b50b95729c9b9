"""The ``motcua`` command line: JSON on stdout, or one line on stderr and exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from entrypoints.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``motcua argv``."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_due_prints_the_three_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """Example A from the CLI: clock start, appointment and statutory due date as one object."""
    code, out, err = run(
        capsys, "calendar", "due", "--received", "2025-01-24T10:00", "--limit", "5",
        "--unit", "working_days",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "clock_start": "2025-01-24T10:00:00+07:00",
        "due_at": "2025-02-07T10:00:00+07:00",
        "statutory_due_date": "2025-02-07",
    }


def test_due_reads_offsets_and_same_day(capsys: pytest.CaptureFixture[str]) -> None:
    """A UTC receipt is read in Vietnam time; same_day needs no limit."""
    code, out, _ = run(
        capsys, "calendar", "due", "--received", "2025-03-10T08:30Z", "--unit", "same_day"
    )
    assert code == 0
    assert json.loads(out)["statutory_due_date"] == "2025-03-11"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--received", "tomorrow", "--limit", "5", "--unit", "working_days"], "--received"),
        (["--received", "2025-01-24", "--limit", "5", "--unit", "working_days"], "needs a time"),
        (["--received", "2025-01-24T10:00", "--limit", "-1", "--unit", "working_days"], "--limit"),
        (["--received", "2025-01-24T10:00", "--limit", "999", "--unit", "working_days"], "at most"),
        (["--received", "2025-01-24T10:00", "--limit", "x", "--unit", "working_days"], "--limit"),
        (["--received", "2025-01-24T10:00", "--limit", "5", "--unit", "weeks"], "--unit"),
        (["--received", "2025-01-24T10:00", "--unit", "working_days"], "--limit is required"),
        (["--received", "2035-01-24T10:00", "--limit", "5", "--unit", "working_days"], "outside"),
        (["--received", "2014-06-01T10:00", "--limit", "5", "--unit", "working_days"], "outside"),
        (["--limit", "5", "--unit", "working_days"], "--received"),
        (
            ["--received", "2025-01-24T10:00", "--limit", "5", "--unit", "working_days",
             "--agency", "H56"],
            "--agency",
        ),
        (
            ["--received", "2025-01-24T10:00", "--limit", "5", "--unit", "working_days",
             "--policy-file", "/nonexistent/calendar.toml"],
            "/nonexistent/calendar.toml",
        ),
        (
            ["--received", "2025-01-24T10:00", "--unit", "same_day", "--cutoff", "3pm"],
            "--cutoff",
        ),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Unparseable times, bad limits, unknown units and dates outside the calendar exit 2."""
    code, out, err = run(capsys, "calendar", "due", *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("motcua: error: ")
    assert message in err


def test_policy_file_and_agency_change_the_result(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A day off for one agency in --policy-file moves that agency's deadline only."""
    policy = tmp_path / "calendar.toml"
    policy.write_text(
        '[[day_off]]\ndate = 2025-03-12\nname = "Nghỉ"\neffective = 2025-03-01\n'
        'agencies = ["000.00.12.H56"]\n',
        encoding="utf-8",
    )
    argv = ["calendar", "due", "--received", "2025-03-11T10:00", "--limit", "3",
            "--unit", "working_days", "--policy-file", str(policy)]  # fmt: skip
    _, national, _ = run(capsys, *argv)
    _, local, _ = run(capsys, *argv, "--agency", "000.00.12.H56")
    assert json.loads(national)["statutory_due_date"] == "2025-03-14"
    assert json.loads(local)["statutory_due_date"] == "2025-03-17"


def test_working_days_lists_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    """The listing shows the working Saturday of 26 April 2025 and the named holidays."""
    code, out, _ = run(
        capsys, "calendar", "working-days", "--from", "2025-04-26", "--to", "2025-04-30"
    )
    days = {d["date"]: d for d in json.loads(out)}
    assert code == 0
    assert days["2025-04-26"]["kind"] == "working_weekend"
    assert days["2025-04-27"]["kind"] == "weekend"
    assert days["2025-04-30"]["name"] == "Ngày Chiến thắng"


def test_working_days_refuses_a_reversed_range(capsys: pytest.CaptureFixture[str]) -> None:
    """A range that runs backwards exits 2 with one line."""
    code, _, err = run(
        capsys, "calendar", "working-days", "--from", "2025-05-01", "--to", "2025-04-01"
    )
    assert code == 2
    assert "must not be before" in err


def test_help_without_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    """`motcua` alone shows its commands and succeeds."""
    code, out, _ = run(capsys)
    assert code == 0
    assert "calendar" in out
    assert "serve" in out


def test_console_script_is_installed() -> None:
    """The `motcua` console script runs the same CLI, exit codes included."""
    script = Path(sys.executable).with_name("motcua")
    done = subprocess.run(  # noqa: S603 (our own console script)
        [
            str(script),
            "calendar",
            "due",
            "--received",
            "x",
            "--limit",
            "1",
            "--unit",
            "working_days",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("motcua: error: --received")
