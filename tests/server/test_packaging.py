"""The wheel carries the prebuilt labextension and enables the server extension.

Builds the wheel offline from the checkout (the front-end must already be built: `make`), unpacks
it as pip would lay it out, and asks Jupyter's own `labextension list` / `server extension list`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

LABEXT = ROOT / "toolkit" / "productionize" / "labextension"
JUPYTER = Path(sys.executable).with_name("jupyter")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory) -> Path:
    """The wheel unpacked into a prefix: purelib/ and the data scheme's share/ and etc/."""
    assert (LABEXT / "static" / "style.js").exists(), "front-end not built: run `make frontend`"
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            out,
            ROOT,
        ],
        check=True,
        env={**os.environ, "PIP_NO_INDEX": "1"},
    )
    (wheel,) = out.glob("jupyterlab_productionize-*.whl")
    prefix = out / "prefix"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(prefix / "purelib")
    (data,) = (prefix / "purelib").glob("*.data")
    data.joinpath("data").rename(prefix / "data")
    return prefix


def jupyter(prefix: Path, *args: str) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": str(prefix / "purelib"),
        "JUPYTER_PATH": str(prefix / "data" / "share" / "jupyter"),
        "JUPYTER_CONFIG_PATH": str(prefix / "data" / "etc" / "jupyter"),
        # `server extension list` reads the user config dir, not JUPYTER_CONFIG_PATH
        "JUPYTER_CONFIG_DIR": str(prefix / "data" / "etc" / "jupyter"),
    }
    done = subprocess.run([JUPYTER, *args], capture_output=True, text=True, env=env, check=True)
    return re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)  # drop colours


def test_the_wheel_holds_the_prebuilt_front_end_and_the_server_switch(installed_wheel):
    share = installed_wheel / "data" / "share" / "jupyter" / "labextensions"
    extension = share / "jupyterlab-productionize"
    assert (extension / "package.json").is_file()
    assert (extension / "install.json").is_file()
    assert list((extension / "static").glob("remoteEntry.*.js"))
    assert (extension / "schemas" / "jupyterlab-productionize" / "plugin.json").is_file()
    config = installed_wheel / "data" / "etc" / "jupyter" / "jupyter_server_config.d"
    assert (config / "jupyter-productionize.json").is_file()
    assert (installed_wheel / "purelib" / "productionize" / "server" / "handlers.py").is_file()


def test_jupyter_lists_the_labextension_as_enabled_and_prebuilt(installed_wheel):
    listing = jupyter(installed_wheel, "labextension", "list")
    section = listing.split(str(installed_wheel / "data" / "share" / "jupyter" / "labextensions"))[
        1
    ]
    line = next(row for row in section.splitlines() if "jupyterlab-productionize" in row)
    assert "enabled" in line and "OK" in line
    assert "(python, jupyterlab-productionize)" in line  # prebuilt, installed by pip


def test_jupyter_lists_the_server_extension_as_enabled(installed_wheel):
    listing = jupyter(installed_wheel, "server", "extension", "list")
    assert "productionize enabled" in listing
    assert "productionize 0.1.0 OK" in listing


def test_the_wheel_ships_the_templates_and_finds_them(installed_wheel):
    purelib = installed_wheel / "purelib"
    shipped = {
        p.relative_to(purelib / "productionize" / "templates").as_posix()
        for p in (purelib / "productionize" / "templates").rglob("*.j2")
    }
    in_checkout = {
        p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*.j2")
    }
    assert shipped == in_checkout and shipped
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "from productionize.resources import templates_dir; print(templates_dir())",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=installed_wheel,
        env={**os.environ, "PYTHONPATH": str(purelib)},
    )
    assert Path(found.stdout.strip()) == purelib / "productionize" / "templates"
