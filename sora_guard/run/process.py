"""The one process set-up of the command line. Library doors (the API, the guard) never call it:
they leave a host program's warnings, memory allocator and garbage collector as they were."""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import warnings
from collections.abc import Iterator

from sora_guard.run.pool import allow_keeping_freed_memory
from sora_guard.run.progress import Console

__all__ = ["command_line_process"]


@contextlib.contextmanager
def command_line_process(console: Console) -> Iterator[None]:
    """Set this process up for one command, and put the warnings display back afterwards:

    - warnings print as ``sora-guard: warning: ...`` through ``console`` (clearing its progress bar);
    - a batch keeps freed memory for its next file (``pool.keep_freed_memory``, -15% CPU on a fix);
    - numpy (loaded with fix's scaled JPEG decoder) starts no BLAS thread pool fix never uses;
    - at exit the interpreter's last garbage collections skip what start-up loaded (a tenth of a
      one-file check): ``gc.freeze`` runs as an exit callback registered before the command's own.
    """
    atexit.unregister(gc.freeze)  # once per process, however often a command runs in it
    atexit.register(gc.freeze)
    allow_keeping_freed_memory()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    shown = warnings.showwarning
    warnings.showwarning = lambda message, *args, **kwargs: console.warn(str(message))
    try:
        yield
    finally:
        warnings.showwarning = shown
