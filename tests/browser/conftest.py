"""A real JupyterLab (own process, free loopback port, temp root) and headless Debian Chromium."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT
from tests.loopback import free_port, stop, wait_until_answers

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
LABEXTENSION = ROOT / "toolkit" / "productionize" / "labextension"
STARTUP_SECONDS = 90


class JupyterLab:
    """A running `jupyter lab` process: its URL, token and root directory."""

    def __init__(self, root: Path, home: Path):
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = home / "jupyter.log"
        # the labextension under test, whatever is installed in this environment
        labextensions = home / "share" / "jupyter" / "labextensions"
        labextensions.mkdir(parents=True)
        (labextensions / "jupyterlab-productionize").symlink_to(LABEXTENSION)
        config = home / "config"
        config.mkdir()
        (config / "jupyter_server_config.json").write_text(
            json.dumps({"ServerApp": {"jpserver_extensions": {"productionize": True}}})
        )
        # no "get notified about Jupyter news?" toast over the page
        news = home / "settings" / "@jupyterlab" / "apputils-extension"
        news.mkdir(parents=True)
        (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
        # user settings of the extension: skip the (slow) faithfulness check when building
        ours = home / "settings" / "jupyterlab-productionize"
        ours.mkdir(parents=True)
        (ours / "plugin.jupyterlab-settings").write_text(json.dumps({"verify": False}))
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT / "toolkit"), os.environ.get("PYTHONPATH", "")]
            ),
            "JUPYTER_PATH": str(home / "share" / "jupyter"),
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "PLOOMBER_STATS_ENABLED": "false",
            # publishing from the UI: a git identity and a private clone cache
            "XDG_CACHE_HOME": str(home / "cache"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Data Scientist",
            "GIT_AUTHOR_EMAIL": "ds@example.com",
            "GIT_COMMITTER_NAME": "Data Scientist",
            "GIT_COMMITTER_EMAIL": "ds@example.com",
        }
        for name in ("GITHUB_TOKEN", "GITLAB_TOKEN"):
            self.env.pop(name, None)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            str(Path(sys.executable).with_name("jupyter")),
            "lab",
            "--allow-root",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

        def status_ok() -> bool:
            with urllib.request.urlopen(f"{self.url}api/status?token={self.token}", timeout=2):
                return True

        wait_until_answers(self.process, status_ok, self.log, "jupyter lab", STARTUP_SECONDS, 0.5)

    def api(self, path: str) -> dict:
        with urllib.request.urlopen(f"{self.url}{path}?token={self.token}", timeout=10) as answer:
            return json.loads(answer.read())

    def stop(self) -> None:
        if self.process:
            stop(self.process)


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    assert (LABEXTENSION / "package.json").exists(), "front-end not built: run `make frontend`"
    home = tmp_path_factory.mktemp("lab-home")
    root = tmp_path_factory.mktemp("lab-root")
    shutil.copytree(EXAMPLES / "data", root / "data")
    lab = JupyterLab(root, home)
    lab.start()
    yield lab
    lab.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Save a screenshot under test-artifacts/ (kept for CI and humans)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return take
