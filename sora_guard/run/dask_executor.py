"""Run the per-file engine on a Dask cluster: the same functions as a local run, so the same report."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from sora_guard.config import Settings
from sora_guard.run.pool import default_jobs, windowed
from sora_guard.vocabulary.exceptions import ExecutorError
from sora_guard.vocabulary.formats import is_url

__all__ = ["DaskExecutor"]

#: tasks in flight per worker thread: enough to keep workers busy, few enough to keep memory flat
IN_FLIGHT_PER_THREAD = 4
#: most files in one task (fewer when there are few files, so the workers stay evenly loaded to the end)
MAX_CHUNK = 32


_cwd_lock = threading.Lock()


def _relative(item: Any) -> bool:
    """True when the item (a path, or a job with ``path`` and ``out``) names a local path relative to a folder."""
    paths = [item] if isinstance(item, str) else [getattr(item, "path", None), getattr(item, "out", None)]
    return any(isinstance(p, str) and not is_url(p) and not os.path.isabs(p) for p in paths)


def _run(func: Callable[[Any, Settings], Any], chunk: list, settings: Settings, cwd: str) -> list:
    """One task on a worker: ``func(item, settings)`` per item, each decode under the run's time limit.

    Relative local paths mean the client's folder ``cwd``; a worker has one working folder for
    all its threads, so such tasks take turns in it (one thread per worker, the default, never waits).
    """
    from sora_guard.engine import probe

    probe.keep_deadlines_in_thread()  # tasks run off the main thread: keep max-decode-seconds as a local run does
    if not any(_relative(item) for item in chunk):
        return [func(item, settings) for item in chunk]
    with _cwd_lock:
        here = os.getcwd()
        with contextlib.suppress(OSError):  # no such folder on this worker: its files are reported missing
            os.chdir(cwd)
        try:
            return [func(item, settings) for item in chunk]
        finally:
            os.chdir(here)


@dataclass(frozen=True)
class DaskExecutor:
    """Map the per-file engine over a Dask cluster (see the module docstring).

    ``progress``: True for a progress bar on stderr when it is a terminal (:class:`progress.Progress`),
    or a stream to draw it on.
    """

    scheduler: str | None = None
    workers: int | None = None
    retries: int = 2
    progress: bool | IO[str] = False

    @contextlib.contextmanager
    def client(self) -> Iterator[Any]:
        """A connected ``distributed.Client``, closed (with the local cluster it started) on exit."""
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError(
                "--executor dask needs the cloud extra: pip install 'sora-guard[cloud]'"
            ) from None
        address = self.scheduler or dask.config.get("scheduler-address", None)
        cluster = None
        try:
            if address:
                client = Client(
                    address, set_as_default=False
                )  # Dask's distributed.comm.timeouts.connect applies
            else:
                cluster = LocalCluster(
                    n_workers=self.workers or default_jobs(),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    scheduler_kwargs={
                        "dashboard_address": "127.0.0.1:0"
                    },  # its HTTP server (health, metrics) on a free port
                    silence_logs=logging.ERROR,
                )
                client = Client(cluster, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            if cluster is not None:
                cluster.close()
            raise ExecutorError(
                f"cannot reach the Dask scheduler at {address or 'a local cluster'}: {exc}"
            ) from None
        try:
            yield client
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def map(
        self, func: Callable[[Any, Settings], Any], items: Iterable[Any], settings: Settings
    ) -> Iterator[Any]:
        """``func(item, settings)`` for every item, run on the cluster, yielded in input order."""
        from sora_guard.run.progress import Progress

        items = list(items)
        if not items:
            return
        with self.client() as client:
            threads = sum(client.nthreads().values()) or 1
            stream = None if isinstance(self.progress, bool) else self.progress
            with Progress(
                len(items),
                f"{threads} Dask workers",
                stream,
                enabled=None if self.progress is True else stream is not None,
            ) as bar:
                size = max(1, min(MAX_CHUNK, len(items) // (threads * 8)))
                window = threads * IN_FLIGHT_PER_THREAD
                cwd = os.getcwd()

                def submit(chunk: list) -> Any:
                    return client.submit(_run, func, chunk, settings, cwd, retries=self.retries, pure=False)

                for chunk, future in windowed(items, size, window, submit):
                    yield from self._results(chunk, future, bar)

    def _results(self, chunk: list, future: Any, bar: Any) -> Iterator[Any]:
        try:
            results = future.result()
        except Exception as exc:
            more = f" (or one of the {len(chunk) - 1} other files in its task)" if len(chunk) > 1 else ""
            raise ExecutorError(
                f"{chunk[0]}{more}: failed on the Dask cluster after {self.retries + 1} tries: {type(exc).__name__}: {exc}"
            ) from None
        for result in results:
            yield result
            bar.advance()
