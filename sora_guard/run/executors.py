"""Where the per-file work runs: this machine (:class:`LocalExecutor`) or a Dask cluster, chosen by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

from sora_guard.config import Settings
from sora_guard.run.pool import LocalExecutor
from sora_guard.vocabulary.exceptions import ExecutorError, unknown

__all__ = ["EXECUTORS", "Executor", "make_executor"]

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Where the per-file engine runs: ``map(func, items, settings)`` yields ``func(item, settings)`` in order."""

    def map(
        self, func: Callable[[T, Settings], R], items: Iterable[T], settings: Settings
    ) -> Iterator[R]: ...


EXECUTORS = ("local", "dask")


def make_executor(
    name: str | None = None, *, jobs: int | None = None, scheduler: str | None = None, progress: bool = False
) -> Executor:
    """``local``, or ``dask`` (the ``scheduler`` address, or a local cluster of ``jobs`` workers;
    ``progress``: a bar on a terminal, for runs that draw none of their own; a ``fix`` on a console
    draws its own and turns this one off). Without a name:
    ``dask`` when a scheduler is given, else ``local``."""
    name = name or ("dask" if scheduler else "local")
    if name == "local" and scheduler:
        raise ExecutorError("--scheduler needs --executor dask")
    if name == "local":
        return LocalExecutor(jobs)
    if name == "dask":
        from sora_guard.run.dask_executor import (
            DaskExecutor,  # dask and distributed load only for a cluster run
        )

        return DaskExecutor(scheduler=scheduler, workers=jobs, progress=progress)
    raise ExecutorError(str(unknown("executor", name, EXECUTORS)))
