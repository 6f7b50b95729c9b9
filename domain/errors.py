"""Lỗi nghiệp vụ (domain errors): each carries its data as attributes, not only a message."""

from __future__ import annotations

from datetime import date


class DomainError(Exception):
    """The root of every rule the domain refuses to break."""


class CalendarError(DomainError):
    """The working calendar cannot answer the question asked."""


class OutsideCalendarError(CalendarError):
    """A date lies outside the days the calendar covers; the calendar never guesses."""

    def __init__(self, *, requested: date, first_day: date, last_day: date) -> None:
        self.requested = requested
        self.first_day = first_day
        self.last_day = last_day
        super().__init__(
            f"{requested.isoformat()} is outside the working calendar, "
            f"which covers {first_day.isoformat()} to {last_day.isoformat()}"
        )


class InvalidCalendarError(CalendarError):
    """The calendar's own definition is inconsistent (sessions, days or changes)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class InvalidTimeLimitError(DomainError):
    """A time limit is negative, absurd, or does not fit its unit."""

    def __init__(self, *, value: int, unit: str, reason: str) -> None:
        self.value = value
        self.unit = unit
        self.reason = reason
        super().__init__(f"invalid time limit {value} {unit}: {reason}")


class InvalidPauseError(DomainError):
    """Pauses of a clock must be ordered, not overlap, and not start before the clock."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class InvalidValueError(DomainError):
    """A value does not have the format the domain requires."""

    def __init__(self, *, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}: {reason} (got {value!r})")


class NaiveDatetimeError(DomainError):
    """A moment was given without a time zone; the domain never guesses one."""

    def __init__(self, *, value: object) -> None:
        self.value = value
        super().__init__(f"a moment needs a time zone offset (got {value!r})")


class ProcedureError(DomainError):
    """A procedure (thủ tục hành chính) breaks a rule of the catalog."""


class InvalidProcedureError(ProcedureError):
    """A procedure's content breaks an invariant; ``rule`` names it, ``data`` gives the figures."""

    def __init__(self, *, rule: str, message: str, **data: object) -> None:
        self.rule = rule
        self.data = data
        super().__init__(message)


class ProcedureLifecycleError(ProcedureError):
    """A catalog decision does not fit where the procedure is in its life."""

    def __init__(self, *, code: str, status: str, action: str, reason: str, rule: str) -> None:
        self.code = code
        self.status = status
        self.action = action
        self.reason = reason
        self.rule = rule
        super().__init__(f"cannot {action} procedure {code} ({status}): {reason}")


class ProcedureNotInForceError(ProcedureError):
    """On that day the procedure receives nothing: not yet published, abolished or replaced."""

    def __init__(self, *, code: str, on: date, status: str) -> None:
        self.code = code
        self.on = on
        self.status = status
        super().__init__(f"procedure {code} is not in force on {on.isoformat()} ({status})")


class DossierError(DomainError):
    """A dossier (hồ sơ) command breaks a rule of the one-stop mechanism."""


class TransitionError(DossierError):
    """The command is not allowed in the dossier's status; ``allowed`` lists what is."""

    def __init__(self, *, dossier: str, status: str, action: str, allowed: tuple[str, ...]) -> None:
        self.dossier = dossier
        self.status = status
        self.action = action
        self.allowed = allowed
        super().__init__(
            f"cannot {action} dossier {dossier}: it is {status}; "
            f"allowed now: {', '.join(allowed) or 'nothing'}"
        )


class DossierRuleError(DossierError):
    """A guard rule refused the command; ``rule`` names it, ``data`` gives the figures."""

    def __init__(self, *, dossier: str, rule: str, message: str, **data: object) -> None:
        self.dossier = dossier
        self.rule = rule
        self.data = data
        super().__init__(f"dossier {dossier}: {message}")


class IncompleteDossierError(DossierError):
    """Reception needs every required document; ``missing`` lists all that are not there."""

    def __init__(self, *, dossier: str, missing: tuple[str, ...]) -> None:
        self.dossier = dossier
        self.missing = missing
        self.rule = "complete_checklist"
        super().__init__(
            f"dossier {dossier} cannot be received: missing {', '.join(missing)}; "
            "request an intake supplement listing them"
        )
