"""Run a blocking toolkit call in a child process, so that cancelling a job really stops it.

A thread cannot be stopped from outside; a build executes notebooks and trains models for
minutes, so it runs in a spawned process the job terminates on cancel. Writes of the toolkit are
atomic (temp folder + rename), so a terminated build leaves no half-written project behind.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import traceback
from typing import Any

from .. import errors
from ..errors import ProductionizeError
from ..model import Location
from .jobs import JobCancelled, Reporter

POLL_SECONDS = 0.2


def run_in_child(target: str, args: tuple, reporter: Reporter) -> Any:
    """Call ``module:function(report, *args)`` in a child, relaying its ``report(step, detail)``
    calls to the job; terminate it (and what it started) once the job is cancelled."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child_main, args=(sender, target, args), daemon=True)
    process.start()
    sender.close()
    try:
        outcome = _follow(process, receiver, reporter)
    except JobCancelled:
        _terminate_group(process)
        raise
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join(timeout=10)
        receiver.close()
    kind, payload = outcome
    if kind == "ok":
        return payload
    if kind == "error":
        raise rebuild_error(payload)
    raise ChildFailed(payload)


def _follow(process, receiver, reporter: Reporter) -> tuple[str, Any]:
    while True:
        if receiver.poll(POLL_SECONDS):
            try:
                message = receiver.recv()
            except EOFError:
                raise ChildFailed(
                    f"the worker process died (exit code {process.exitcode})"
                ) from None
            if message[0] != "progress":
                return message
            reporter(message[1], message[2])  # raises JobCancelled after a cancel
        elif reporter.cancel_requested():
            raise JobCancelled()
        elif not process.is_alive() and not receiver.poll():
            raise ChildFailed(f"the worker process died (exit code {process.exitcode})")


class ChildFailed(Exception):
    """The child process failed unexpectedly (its traceback is in the server log)."""


def _terminate_group(process) -> None:
    """Stop the child and what it started (kernels, ploomber runs): its whole process group."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except (AttributeError, ProcessLookupError, PermissionError):
        process.terminate()


class _Terminated(BaseException):
    """Raised in the child by SIGTERM (a cancel): unwinds the work so its cleanups run."""


def _raise_terminated(signum, frame) -> None:
    raise _Terminated()


def _child_main(sender, target: str, args: tuple) -> None:
    if hasattr(os, "setpgrp"):
        os.setpgrp()  # own process group, so a cancel reaches grandchildren too
    # a cancel must not leave the build's staging folder behind: unwind instead of dying
    signal.signal(signal.SIGTERM, _raise_terminated)
    module, name = target.split(":")

    def report(step: str, detail: str = "") -> None:
        sender.send(("progress", step, detail))

    try:
        result = getattr(importlib.import_module(module), name)(report, *args)
        sender.send(("ok", result))
    except _Terminated:
        return  # cancelled: nobody is listening any more
    except ProductionizeError as exc:
        sender.send(("error", exc.to_dict()))
    except BaseException as exc:  # the traceback goes to the server log (inherited stderr)
        traceback.print_exc()
        sender.send(("crash", f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()


def rebuild_error(data: dict) -> ProductionizeError:
    """The typed error a child process reported as ``to_dict()`` data."""
    kind = getattr(errors, data.get("error") or "", None)
    if not (isinstance(kind, type) and issubclass(kind, ProductionizeError)):
        kind = ProductionizeError
    location = None
    if data.get("path") is not None:
        location = Location(
            data["path"],
            data.get("cell_index"),
            data.get("cell_id"),
            data.get("line"),
            data.get("column"),
        )
    return kind(data.get("message") or "failed", location)
