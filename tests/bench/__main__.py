"""``python -m tests.bench``: print the due-date throughput figures (not a test)."""

from __future__ import annotations

import sys

from tests.bench.deadlines import render, run


def main() -> None:
    """Run the due-date bench and print its report."""
    sys.stdout.write(render(run()))


if __name__ == "__main__":
    main()
