"""Projections catch every view up together, survive races, and keep following after errors."""

from __future__ import annotations

import threading

from structlog.testing import capture_logs

from application.errors import StalePositionError
from application.projections import Projections


class Raced:
    """A projector whose first batch another process applied first."""

    def __init__(self) -> None:
        self.calls = 0

    def catch_up(self, batch_size: int | None = 500) -> int:
        """Refuse once as stale, then apply three events."""
        del batch_size
        self.calls += 1
        if self.calls == 1:
            raise StalePositionError(view="dossier_queue", position=7)
        return 3


class Broken:
    """A projector whose view cannot be written, and a stop signal to end the test."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop

    def catch_up(self, batch_size: int | None = 500) -> int:
        """Fail, after asking the follower to stop."""
        del batch_size
        self.stop.set()
        raise RuntimeError("disk full")


def test_a_raced_batch_is_read_again_from_the_new_position() -> None:
    """A stale-position refusal is not an error: the projector simply reads on."""
    raced = Raced()
    with capture_logs() as logs:
        assert Projections([raced, Raced()]).catch_up() == 6
    assert raced.calls == 2
    assert [entry["event"] for entry in logs] == ["projection.raced", "projection.raced"]


def test_following_logs_a_failure_and_goes_on_until_stopped() -> None:
    """A failing catch-up is logged with its error; the follower returns once stopped."""
    stop = threading.Event()
    with capture_logs() as logs:
        Projections([Broken(stop)]).follow(stop, interval=0.01)
    assert [entry["event"] for entry in logs] == ["projection.failed"]
    assert logs[0]["log_level"] == "error"
