"""A real Jupyter server with the Productionize extension, as a separate process on loopback."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.loopback import free_port, http_ok, stop, wait_until_answers


@dataclass
class JupyterServer:
    """Where the server listens, its contents root, and an authenticated client factory."""

    url: str
    token: str
    root: Path

    def client(self, timeout: float = 120) -> httpx.Client:
        """An httpx client with the token (token-authenticated requests need no XSRF cookie)."""
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"token {self.token}"}, timeout=timeout
        )


@contextlib.contextmanager
def running_jupyter_server(workdir: Path, startup: float = 120) -> Iterator[JupyterServer]:
    """Start ``jupyter server`` with only our extension enabled; always stop it."""
    root = workdir / "root"
    config = workdir / "config"
    runtime = workdir / "runtime"
    for folder in (root, config, runtime):
        folder.mkdir(parents=True, exist_ok=True)
    (config / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"productionize": True}}})
    )
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyter_server",
        "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
    ]  # fmt: skip
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "PLOOMBER_STATS_ENABLED": "false",
    }
    log = workdir / "jupyter-server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = JupyterServer(f"http://127.0.0.1:{port}", token, root)
    try:
        with server.client(timeout=5) as client:
            probe = http_ok(client, "/productionize/info")
            wait_until_answers(process, probe, log, "jupyter server", startup, pause=0.25)
        yield server
    finally:
        stop(process)
