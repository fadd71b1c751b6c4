"""Exceptions and warnings the pre-flight guard raises. No openai import: usable without the extra."""

from __future__ import annotations

from collections.abc import Sequence

from .model import Diagnostic, FileReport

__all__ = ["PreflightError", "PreflightWarning"]


class PreflightError(ValueError):
    """A guarded call was stopped before any request was sent.

    ``reports`` holds one :class:`~sora_guard.model.FileReport` per checked input (the request's
    own parameters report under ``<request>``); the message names each file, what is wrong and
    how to fix it.
    """

    def __init__(self, message: str, reports: Sequence[FileReport] = ()):  # default: unpickling passes the message only
        super().__init__(message)
        self.reports = list(reports)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every diagnostic of every checked input, errors and warnings."""
        return [d for r in self.reports for d in r.diagnostics]


class PreflightWarning(UserWarning):
    """An input the guard could not check locally (a remote URL, a ``file_id``) was sent unchecked."""
