"""Reliability fixtures, and a report of how many hostile notebooks went through each surface."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.reliability.jupyter_server import running_jupyter_server
from tests.reliability.profile import FIGURES, MEASUREMENTS, TALLY


def pytest_terminal_summary(terminalreporter):
    surfaces = {k: v for k, v in TALLY.items() if ":" not in k}
    if surfaces:
        total = sum(surfaces.values())
        detail = ", ".join(f"{k} {v}" for k, v in sorted(surfaces.items()))
        terminalreporter.write_line(f"reliability: {total} hostile notebooks ({detail})")
    for line in MEASUREMENTS:
        terminalreporter.write_line(f"reliability: {line}")
    target = os.environ.get("PRODUCTIONIZE_RELIABILITY_JSON")
    if target and FIGURES:
        Path(target).write_text(json.dumps(FIGURES, indent=2, sort_keys=True) + "\n")
        terminalreporter.write_line(f"reliability: figures written to {target}")


@pytest.fixture(scope="session")
def jupyter(tmp_path_factory):
    """One real Jupyter server with the extension for the whole reliability run."""
    with running_jupyter_server(tmp_path_factory.mktemp("jupyter")) as server:
        yield server
