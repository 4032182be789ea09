"""Start a generated project's service as a real server process on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from productionize.adapters.serving import project_env, serve_command
from tests.loopback import free_port, http_ok, stop, wait_until_answers


def generated_python() -> str:
    """The interpreter of the generated-project environment (skip when it is not configured)."""
    python = os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON")
    if not python or not Path(python).exists():
        pytest.skip("PRODUCTIONIZE_GENERATED_PYTHON is not set (make test sets it)")
    return python


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
        wait_until_answers(process, http_ok(client, "/health"), log, "server", startup)
        yield client
    finally:
        client.close()
        stop(process, grace=15)
