"""Servers the tests start on loopback: a free port, and bounded waits until they answer.

One copy for every test package (service, reliability, browser); readiness waits are bounded
polls, never timing assertions.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], object], attempts: int = 300, pause: float = 0.1):
    """Poll ``predicate`` a bounded number of times; return its last value."""
    value = predicate()
    for _ in range(attempts):
        if value:
            return value
        time.sleep(pause)
        value = predicate()
    return value


def http_ok(client: httpx.Client, path: str) -> Callable[[], bool]:
    """A readiness probe: ``GET path`` answers 200."""
    return lambda: client.get(path).status_code == 200


def wait_until_answers(
    process: subprocess.Popen,
    probe: Callable[[], bool],
    log: Path,
    what: str = "server",
    seconds: float = 120,
    pause: float = 0.2,
) -> None:
    """Poll ``probe`` (connection errors count as "not yet") until it is true.

    Fails with the tail of ``log`` when the process exits first or ``seconds`` pass.
    """
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited {process.returncode}:\n{_tail(log)}")
        try:
            if probe():
                return
        except (httpx.TransportError, OSError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not start within {seconds:.0f} s:\n{_tail(log)}")
        time.sleep(pause)


def stop(process: subprocess.Popen, grace: float = 20) -> None:
    """Terminate ``process`` and wait for it; kill it when it ignores the request."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tail(log: Path, size: int = 3000) -> str:
    try:
        return log.read_text(errors="replace")[-size:]
    except OSError:
        return f"(no log at {log})"
