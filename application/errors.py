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
