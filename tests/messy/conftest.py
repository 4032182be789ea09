"""Helpers for notebooks written the way people really write them (untagged, Kaggle-style)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main


@pytest.fixture
def split_untagged(tmp_path):
    """Write NB, run `split --no-verify --infer-tags` on it; return (result, project dir)."""

    def run(nb, name: str = "messy.ipynb", *extra: str):
        path = tmp_path / name
        path.write_text(json.dumps(nb, indent=1))
        out = tmp_path / "project"
        result = CliRunner().invoke(
            main, ["split", str(path), "-o", str(out), "--no-verify", "--infer-tags", *extra]
        )
        return result, out

    return run


def ruff_problems(out: Path) -> str:
    """Ruff's report on a generated project ('' when it is clean)."""
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
        capture_output=True,
        text=True,
        cwd=out,
    )
    return "" if ruff.returncode == 0 else ruff.stdout + ruff.stderr
