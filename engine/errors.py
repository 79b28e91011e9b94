"""Errors the user sees as one line: what went wrong, and with which file."""
from __future__ import annotations

from pathlib import Path


class EngineError(Exception):
    """A failure we can explain in one line; the CLI prints it without a traceback."""

    exit_code = 2

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        self.path = str(path) if path is not None else None
        super().__init__(f"{self.path}: {message}" if self.path else message)


class InputError(EngineError):
    """The input media is missing, empty or unreadable."""


class ProjectError(EngineError):
    """The output folder is missing a file a stage needs, or holds an invalid one."""


class StageFailed(EngineError):
    """A stage's worker process failed; the message is the worker's one-line reason."""

    def __init__(self, message: str, exit_code: int = 3) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Cancelled(EngineError):
    """The job was cancelled by the user or a signal."""

    exit_code = 130
