"""End to end: split each example, build the pipeline with ploomber in the generated-project venv."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from productionize.adapters.splitting import split_to_dir
from productionize.options import Options
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow

GENERATED_PYTHON = os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON")


def _ploomber(python: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PLOOMBER_STATS_ENABLED": "false"}
    ploomber = Path(python).parent / "ploomber"  # the console script of the generated venv
    return subprocess.run(
        [str(ploomber), "build"], cwd=cwd, capture_output=True, text=True, env=env
    )


@pytest.mark.skipif(not GENERATED_PYTHON, reason="PRODUCTIONIZE_GENERATED_PYTHON not set")
@pytest.mark.parametrize("name", ["churn_classifier", "house_prices_regressor"])
def test_ploomber_build_and_incremental_rebuild(name, tmp_path):
    out = tmp_path / "project"
    split_to_dir(EXAMPLES / f"{name}.ipynb", out, Options(), verify=False)
    first = _ploomber(GENERATED_PYTHON, out)
    assert first.returncode == 0, first.stdout + first.stderr
    table = first.stdout
    for task in ("load", "clean", "train", "predict", "register"):
        assert f"{task} " in table
    metrics = json.loads((out / "products" / "predict" / "metrics.json").read_text())
    assert metrics and all(isinstance(v, float) for v in metrics.values())
    assert (out / "models" / "CURRENT").read_text().strip() == "v0001"
    metadata = json.loads((out / "models" / "v0001" / "metadata.json").read_text())
    assert metadata["features"]["columns"] and metadata["features"]["example"]
    assert metadata["metrics"] == metrics
    second = _ploomber(GENERATED_PYTHON, out)
    assert second.returncode == 0, second.stderr
    ran = [
        line.split()
        for line in second.stdout.splitlines()
        if line.split()[:1] in (["load"], ["clean"], ["train"], ["predict"], ["register"])
    ]
    assert ran and all(row[1] == "False" for row in ran), second.stdout
    assert sorted(p.name for p in (out / "models").iterdir() if p.is_dir()) == ["v0001"]
