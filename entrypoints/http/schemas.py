"""What the HTTP API answers, as pydantic models (kept at the edge)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.calendar import DayKind


class DeadlineOut(BaseModel):
    """Clock start, appointment (Model H) and statutory due date (Model D)."""

    clock_start: str = Field(description="When the clock really started, ISO-8601, +07:00.")
    due_at: str = Field(description="The appointment printed on the receipt, ISO-8601, +07:00.")
    statutory_due_date: str = Field(description="The legal due date (YYYY-MM-DD).")


class DayOut(BaseModel):
    """One day of the working calendar."""

    model_config = ConfigDict(populate_by_name=True)

    day: str = Field(alias="date", description="YYYY-MM-DD")
    weekday: str = Field(description="Mon ... Sun")
    kind: DayKind
    is_working: bool
    name: str | None = Field(description="The holiday's name, for a holiday.")
    sessions: list[str] = Field(description="Office sessions HH:MM-HH:MM of a working day.")


class WorkingDaysOut(BaseModel):
    """The days of a range, with how many of them are working days."""

    start: str = Field(alias="from")
    end: str = Field(alias="to")
    agency: str | None
    working_days: int
    days: list[DayOut]


class ProcedureList(BaseModel):
    """One page of procedures; pass ``next`` as ``after`` for the following page."""

    items: list[dict[str, Any]]
    next: str | None = Field(description="Cursor of the next page; null on the last page.")


class Health(BaseModel):
    """The process is alive."""

    status: str = "ok"
