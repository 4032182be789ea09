"""Start a generated project's service as a real server process on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from productionize.adapters.serving import project_env, serve_command


def generated_python() -> str:
    """The interpreter of the generated-project environment (skip when it is not configured)."""
    python = os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON")
    if not python or not Path(python).exists():
        pytest.skip("PRODUCTIONIZE_GENERATED_PYTHON is not set (make test sets it)")
    return python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_service(project: Path, python: str, env: dict | None = None, startup: float = 90):
    """Serve ``project`` with its framework's server; yield an httpx client; always stop it."""
    port = free_port()
    command = serve_command(project, "127.0.0.1", port, python)
    log = project / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command,
            cwd=project,
            env={**project_env(project), **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        deadline = time.monotonic() + startup
        while True:  # wait for the port to answer (a readiness wait, not a timing assertion)
            if process.poll() is not None:
                raise AssertionError(f"server exited {process.returncode}:\n{log.read_text()}")
            try:
                if client.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"server did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield client
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate, attempts: int = 300, pause: float = 0.1):
    """Poll ``predicate`` a bounded number of times; return its last value."""
    value = predicate()
    for _ in range(attempts):
        if value:
            return value
        time.sleep(pause)
        value = predicate()
    return value
