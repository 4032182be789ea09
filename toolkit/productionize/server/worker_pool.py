"""Quick calls (lint, split preview) in a small pool of worker processes, not in Jupyter's.

A thread pool inside the Jupyter server still shares its GIL: CPU-bound linting and rendering
made every other request (contents, kernels, status) wait hundreds of milliseconds. The workers
are spawned once per server process and warmed (they import the toolkit before the first call);
only plain data crosses the boundary (the raw request body in, a JSON-ready dict out, failures as
dicts). A worker that dies answers its request with a clear 503 and the pool starts afresh; too
many waiting calls answer 503 "busy, retry" instead of queueing without bound.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..errors import ProductionizeError
from .child_process import rebuild_error
from .requests import NotAvailable, RequestFailed

WORKERS = 2
MAX_PENDING = 32  # calls waiting or running; more answer 503 "busy"
WARM_MODULES = (
    "productionize.core.flow",
    "productionize.adapters.linting",
    "productionize.adapters.splitting",
    "productionize.adapters.building",
    "productionize.server.quick_calls",
)
ORPHAN_CHECK_SECONDS = 1.0
# on a busy machine the server's own event loop (status, contents, kernels) must win the CPU
WORKER_NICENESS = 5


class WorkerBusy(Exception):
    """Too many quick calls are waiting: the client should retry shortly."""


class WorkerFailed(Exception):
    """A worker process died while running a call (the pool restarts; the next call works)."""


class WorkerCrashed(Exception):
    """The call raised an unexpected exception inside the worker (traceback in the server log)."""


class WorkerPool:
    """A lazily started, bounded pool of worker processes for CPU-bound request work."""

    def __init__(self, workers: int = WORKERS, max_pending: int = MAX_PENDING):
        self.workers = workers
        self.max_pending = max_pending
        self.pending = 0
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def executor(self) -> ProcessPoolExecutor:
        """The running executor, started on first use (and again after a worker died)."""
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_initialize_worker,
                    initargs=(os.getpid(),),
                )
            return self._executor

    def warm(self) -> None:
        """Start the workers now, in the background, so the first request finds them ready."""
        executor = self.executor()
        for _ in range(self.workers):
            executor.submit(_ready)

    async def run(self, fn: Callable, *args: Any) -> Any:
        """Run ``fn(*args)`` (a module-level function taking and returning plain data)."""
        if self.pending >= self.max_pending:
            raise WorkerBusy(f"{self.pending} lint/preview requests are already waiting")
        self.pending += 1
        try:
            executor = self.executor()
            try:
                future = executor.submit(_call, fn, args)
                outcome = await asyncio.wrap_future(future)
            except BrokenProcessPool:
                self._discard(executor)
                raise WorkerFailed(
                    "the worker process stopped unexpectedly while handling this request"
                ) from None
        finally:
            self.pending -= 1
        return _unpack(outcome)

    def shutdown(self) -> None:
        """Stop the workers (queued calls are cancelled)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)


_SHARED: WorkerPool | None = None


def shared_pool() -> WorkerPool:
    """The server process's one pool (every server app in a process shares it), warmed."""
    global _SHARED
    if _SHARED is None:
        _SHARED = WorkerPool()
        _SHARED.warm()
        atexit.register(_SHARED.shutdown)
    return _SHARED


def _call(fn: Callable, args: tuple) -> tuple:
    """Run in the worker: the result, or the failure as plain data (exceptions may not pickle)."""
    try:
        return ("ok", fn(*args))
    except RequestFailed as exc:
        return ("request", exc.status, exc.body)
    except NotAvailable as exc:
        return ("missing", exc.feature)
    except ProductionizeError as exc:
        return ("error", exc.to_dict())
    except Exception as exc:  # the traceback goes to the server log (inherited stderr)
        traceback.print_exc()
        return ("crash", f"{type(exc).__name__}: {exc}")


def _unpack(outcome: tuple) -> Any:
    kind = outcome[0]
    if kind == "ok":
        return outcome[1]
    if kind == "request":
        raise RequestFailed(outcome[1], outcome[2])
    if kind == "missing":
        raise NotAvailable(outcome[1])
    if kind == "error":
        raise rebuild_error(outcome[1])
    raise WorkerCrashed(outcome[1])


def _ready() -> bool:
    return True


def _initialize_worker(parent: int) -> None:
    # a worker outlives a SIGKILLed server unless it notices: exit once re-parented
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)
    for module in WARM_MODULES:
        try:
            importlib.import_module(module)
        except ImportError:  # a stage not installed: its handler answers 501 when asked
            pass


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(0)
