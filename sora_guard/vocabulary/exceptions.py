"""Every exception and warning sora-guard raises, and the one "unknown X; known: ..." lookup."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from sora_guard.vocabulary.model import Diagnostic, FileReport

V = TypeVar("V")


class SoraGuardError(Exception):
    """The base of every error sora-guard raises on purpose; each subclass says what went wrong."""


class ConfigError(SoraGuardError, ValueError):
    """A configuration file or setting is wrong; the message names the file (or ``command line``) and key."""


class UsageError(SoraGuardError, ValueError):
    """A door was called wrongly: a missing path, arguments that do not go together."""


class ExecutorError(SoraGuardError, RuntimeError):
    """The executor itself failed: the cluster is unreachable, or a task failed on every retry."""


class GitError(SoraGuardError, RuntimeError):
    """git is missing, this is not a work tree, or a git command failed."""


class FitError(SoraGuardError):
    """The image could not be fitted; the message says why.

    ``kind`` is ``"corrupt"`` (the pixel data does not decode), ``"timeout"`` (decoding took longer
    than allowed) or ``"strategy"`` (the strategy failed or returned the wrong size or mode).
    """

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


class TooManyPixels(SoraGuardError):
    """An image declares more pixels than the limit allows; raised from its header, before any decoding."""

    def __init__(self, size: tuple[int, int], limit: int):
        width, height = size
        super().__init__(
            f"{width}x{height} = {width * height} pixels, over the limit of {limit} pixels; not decoded"
        )
        self.size, self.limit = size, limit


class DecodeTimeout(BaseException):
    """Raised by the decode timer; a BaseException, so no ``except Exception`` in a decoder swallows it."""


class PreflightError(SoraGuardError, ValueError):
    """A guarded call was stopped before any request was sent.

    ``reports`` holds one :class:`~sora_guard.vocabulary.model.FileReport` per checked input (the
    request's own parameters report under ``<request>``); the message names each file, what is
    wrong and how to fix it.
    """

    def __init__(
        self, message: str, reports: Sequence[FileReport] = ()
    ):  # default: unpickling passes the message only
        super().__init__(message)
        self.reports = list(reports)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every diagnostic of every checked input, errors and warnings."""
        return [d for r in self.reports for d in r.diagnostics]


class PreflightWarning(UserWarning):
    """An input the guard could not check locally (a remote URL, a ``file_id``) was sent unchecked."""


class TargetWarning(UserWarning):
    """The run's target is a closed service or a retired model, or a model name was taken as a target."""


class PluginWarning(UserWarning):
    """A third-party plugin could not be loaded and was skipped."""


def unknown(kind: str, name: object, known: Iterable[str]) -> ConfigError:
    """The error for a name that is not one of ``known``: ``unknown KIND 'name'; known: a, b``."""
    return ConfigError(f"unknown {kind} {name!r}; known: {', '.join(sorted(known))}")


def lookup(kind: str, name: str, table: Mapping[str, V]) -> V:
    """``table[name]``, or the :func:`unknown` error naming every key."""
    try:
        return table[name]
    except KeyError:
        raise unknown(kind, name, table) from None
