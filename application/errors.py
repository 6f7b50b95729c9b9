"""Errors of the application layer: things the domain cannot know, such as configuration."""

from __future__ import annotations

from pathlib import Path


class ApplicationError(Exception):
    """The root of the application's own errors."""


class InvalidPolicyFileError(ApplicationError):
    """A calendar policy file cannot be read or does not say what it must."""

    def __init__(self, *, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"calendar policy file {self.path}: {reason}")


class ProcedureNotFoundError(ApplicationError):
    """No procedure has that code; ``candidates`` lists local codes sharing a national code."""

    def __init__(self, *, code: str, candidates: tuple[str, ...] = ()) -> None:
        self.code = code
        self.candidates = candidates
        hint = f"; local codes under it: {', '.join(candidates)}" if candidates else ""
        super().__init__(f"no procedure has the code {code}{hint}")


class ConcurrentChangeError(ApplicationError):
    """Someone else changed the same aggregate first; reload and try again."""

    def __init__(self, *, what: str) -> None:
        self.what = what
        super().__init__(f"{what} was changed by someone else at the same time; try again")


class DossierNotFoundError(ApplicationError):
    """No dossier has that id or code."""

    def __init__(self, *, dossier: str) -> None:
        self.dossier = dossier
        super().__init__(f"no dossier has the id or code {dossier}")


class StaleVersionError(ApplicationError):
    """The client acted on an older version of the dossier than the one stored."""

    def __init__(self, *, dossier: str, expected: int, actual: int) -> None:
        self.dossier = dossier
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"dossier {dossier} is at version {actual}, not {expected}: reload it and try again"
        )


class StalePositionError(ApplicationError):
    """A batch does not move the view beyond its stored position: it was applied already."""

    def __init__(self, *, view: str, position: int) -> None:
        self.view = view
        self.position = position
        super().__init__(f"view {view} is already at or beyond position {position}")


class ViewRowExistsError(ApplicationError):
    """A batch inserts a dossier its view holds already: the view is not what its position says."""

    def __init__(self, *, view: str) -> None:
        self.view = view
        super().__init__(
            f"view {view} already holds a dossier the batch sees for the first time;"
            " rebuild the view (motcua rebuild)"
        )


class InvalidTokenError(ApplicationError):
    """A bearer token is missing, expired, badly signed, or names unknown roles."""

    def __init__(self, *, reason: str) -> None:
        self.reason = reason
        super().__init__(f"invalid token: {reason}")
