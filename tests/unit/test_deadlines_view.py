"""Due today, due within N working days, overdue: read from the queue, measured in working time."""

from __future__ import annotations

from datetime import timedelta

from adapters.views.memory_queue import InMemoryQueueView
from application import dossier_commands as c
from application.calendars import Calendars
from application.deadlines import Deadlines
from application.onestop import OneStop
from application.projector import QueueProjector
from application.queue import QueueQuery
from domain.calendar_policy import CalendarPolicy
from domain.dossier_values import RequestedDocument
from domain.time_limit import TimeLimit
from tests.dossier_fixtures import CENTRE, FORM, HANDLER, Desk, at, spec

UNIT = QueueQuery(receiving_unit=str(CENTRE))


def setting(policy: CalendarPolicy) -> tuple[Desk, Deadlines, QueueProjector]:
    """A desk for a two-working-day procedure, its queue view and the deadline lists."""
    desk = Desk(OneStop(), policy, procedure=spec(limit=TimeLimit.working_days(2), steps=()))
    view = InMemoryQueueView()
    return desk, Deadlines(view, Calendars(policy)), QueueProjector(desk.app, view)


def test_lists_follow_working_days_and_give_working_time_left(policy: CalendarPolicy) -> None:
    """Received Mon 3 and Tue 4 March 2025, 09:00, two working days: due Wed 5 and Thu 6."""
    desk, deadlines, projector = setting(policy)
    desk.clock.set(at(2025, 3, 3, 9))
    monday = desk.receive()
    desk.clock.set(at(2025, 3, 4, 9))
    tuesday = desk.receive()
    projector.catch_up()
    now = at(2025, 3, 5, 8)
    today = deadlines.due_within(UNIT, 0, now)
    assert [item.row.dossier_id for item in today] == [monday.id]
    assert today[0].remaining == timedelta(hours=1)  # 08:00 to 09:00 on Wed 5
    within_one = deadlines.due_within(UNIT, 1, now)
    assert [item.row.dossier_id for item in within_one] == [monday.id, tuesday.id]
    assert within_one[1].remaining == timedelta(hours=9)  # the rest of Wed 5, then to 09:00 Thu
    assert deadlines.overdue(UNIT, now) == []


def test_late_dossiers_are_overdue_with_negative_time_left(policy: CalendarPolicy) -> None:
    """The day after its statutory date a dossier is overdue, its time left below zero."""
    desk, deadlines, projector = setting(policy)
    desk.clock.set(at(2025, 3, 3, 9))
    late = desk.receive()
    projector.catch_up()
    (item,) = deadlines.overdue(UNIT, at(2025, 3, 6, 9))
    assert item.row.dossier_id == late.id
    assert item.remaining == -timedelta(hours=8)


def test_a_paused_dossier_is_on_no_list(policy: CalendarPolicy) -> None:
    """Waiting for a supplement stops the clock: neither due nor overdue."""
    desk, deadlines, projector = setting(policy)
    desk.clock.set(at(2025, 3, 3, 9))
    dossier = desk.assign(desk.receive())
    item = RequestedDocument(FORM, "Tờ khai", "Thiếu chữ ký")
    desk.dossiers.request_supplement(
        c.RequestSupplement(**desk.on(dossier, HANDLER, items=[item], reason="Bổ sung"))
    )
    projector.catch_up()
    now = at(2025, 3, 10, 9)
    assert deadlines.due_within(UNIT, 5, now) == []
    assert deadlines.overdue(UNIT, now) == []


def test_on_a_day_off_today_means_the_next_working_day(policy: CalendarPolicy) -> None:
    """On Saturday 8 March, "due today" lists what is due on Monday 10 March."""
    desk, deadlines, projector = setting(policy)
    desk.clock.set(at(2025, 3, 6, 9))
    dossier = desk.receive()  # due Mon 10 March, 09:00
    projector.catch_up()
    (item,) = deadlines.due_within(UNIT, 0, at(2025, 3, 8, 10))
    assert item.row.dossier_id == dossier.id
    assert item.remaining == timedelta(hours=2)  # Monday 07:00 to 09:00
