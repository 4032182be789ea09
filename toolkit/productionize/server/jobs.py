"""Long-running work (build, publish) in a worker thread, with a job id, progress and cancel."""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = (
    "queued",
    "running",
    "succeeded",
    "failed",
    "cancelled",
)
FINISHED = frozenset({SUCCEEDED, FAILED, CANCELLED})
MAX_KEPT_JOBS = 100  # finished jobs are forgotten oldest-first beyond this


class JobCancelled(Exception):
    """Raised inside a job's work at its next progress report after a cancel request."""


class Reporter:
    """What a job's work is given: report a step (raises JobCancelled once a cancel is asked)."""

    def __init__(self, runner: JobRunner, job: Job):
        self._runner = runner
        self._job = job

    def __call__(self, step: str, detail: str = "") -> None:
        with self._runner._lock:
            self._job.messages.append(_message(step, detail))
            if self._job.cancel_requested:
                raise JobCancelled()

    def cancel_requested(self) -> bool:
        """Whether the user asked to stop (for work that polls instead of reporting steps)."""
        return self._job.cancel_requested


Work = Callable[[Reporter], Any]  # returns a JSON-ready result; raises on failure


@dataclass
class Job:
    """One unit of background work as the front-end sees it."""

    id: str
    kind: str
    state: str = QUEUED
    messages: list[dict] = field(default_factory=list)
    result: Any = None
    error: dict | None = None
    cancel_requested: bool = False
    future: Future | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "finished": self.state in FINISHED,
            "cancel_requested": self.cancel_requested,
            "messages": list(self.messages),
            "result": self.result,
            "error": self.error,
        }


class JobRunner:
    """Run jobs one at a time off the event loop (builds and pushes must not interleave)."""

    def __init__(self, describe_error: Callable[[BaseException], dict], max_workers: int = 1):
        self._describe_error = describe_error
        self._executor = ThreadPoolExecutor(max_workers, thread_name_prefix="productionize-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._counter = itertools.count(1)

    def submit(self, kind: str, work: Work) -> Job:
        """Queue ``work(progress)``; return its job immediately."""
        job = Job(id=f"{next(self._counter)}-{secrets.token_hex(6)}", kind=kind)
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        job.future = self._executor.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def snapshot(self, job_id: str) -> dict | None:
        """The job as JSON-ready data, read under the lock (the worker may be updating it)."""
        with self._lock:
            job = self._jobs.get(job_id)
            return job.to_dict() if job else None

    def cancel(self, job_id: str) -> dict | None:
        """Ask a job to stop: a queued job never starts, a running one stops at its next step."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            if job.state not in FINISHED:
                job.cancel_requested = True
                if job.future is not None and job.future.cancel():
                    job.state = CANCELLED
                    job.messages.append(_message("cancelled", "cancelled before it started"))
            return job.to_dict()

    def shutdown(self) -> None:
        with self._lock:
            for job in self._jobs.values():
                job.cancel_requested = True
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: Job, work: Work) -> None:
        progress = Reporter(self, job)
        with self._lock:
            if job.cancel_requested:
                job.state = CANCELLED
                return
            job.state = RUNNING
        try:
            result = work(progress)
        except JobCancelled:
            with self._lock:
                job.state = CANCELLED
                job.messages.append(_message("cancelled", "stopped on request"))
            return
        except BaseException as exc:  # reported to the client as data, never re-raised
            error = self._describe_error(exc)
            with self._lock:
                job.state, job.error = FAILED, error
                job.messages.append(_message("failed", error.get("message", "")))
            return
        with self._lock:
            if job.cancel_requested:
                # the work finished before it looked at the request; its result stands
                job.messages.append(_message("note", "finished before the cancel took effect"))
            job.state, job.result = SUCCEEDED, result

    def _forget_old(self) -> None:
        finished = [j.id for j in self._jobs.values() if j.state in FINISHED]
        while len(self._jobs) > MAX_KEPT_JOBS and finished:
            self._jobs.pop(finished.pop(0), None)


def _message(step: str, detail: str) -> dict:
    return {"step": step, "detail": detail, "time": time.time()}
