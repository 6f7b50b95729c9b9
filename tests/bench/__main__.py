"""``python -m tests.bench`` (what `make bench` runs): speed figures beside their baselines."""

from __future__ import annotations

import sys

from tests.bench import catalog, deadlines, dossiers, queries, views


def main() -> None:
    """Run each bench and print its report."""
    sys.stdout.write(deadlines.render(deadlines.run()))
    sys.stdout.write("\n")
    sys.stdout.write(catalog.render())
    sys.stdout.write("\n")
    sys.stdout.write(dossiers.render())
    sys.stdout.write("\n")
    sys.stdout.write(views.render())
    sys.stdout.write("\n")
    sys.stdout.write(queries.render())


if __name__ == "__main__":
    main()
