"""Split the bundled examples: the generated project is complete, formatted and lint-clean."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from tests.conftest import EXAMPLES

EXAMPLE_NOTEBOOKS = ["churn_classifier", "house_prices_regressor"]


@pytest.fixture(scope="module", params=EXAMPLE_NOTEBOOKS)
def project(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param) / "project"
    result = CliRunner().invoke(
        main, ["split", str(EXAMPLES / f"{request.param}.ipynb"), "-o", str(out), "--no-verify"]
    )
    assert result.exit_code == 0, result.output
    return request.param, out


def test_project_layout(project):
    name, out = project
    pkg = out / "src" / name
    for rel in ("load.py", "clean.py", "train.py", "predict.py", "tasks.py", "registry.py"):
        assert (pkg / rel).is_file(), rel
    for rel in ("pipeline.yaml", "env.yaml", "requirements.txt", "README.md", ".gitignore"):
        assert (out / rel).is_file(), rel
    assert (out / "notebooks" / f"{name}.ipynb").is_file()
    data = [p.name for p in (out / "data").iterdir()]
    assert data == [{"churn_classifier": "churn.csv"}.get(name, "housing.csv")]
    report = json.loads((out / "productionize-report.json").read_text())
    assert [s["name"] for s in report["stages"]][:4] == ["load", "clean", "train", "predict"]
    assert report["mermaid"].startswith("graph LR")
    assert len(report["notebook"]["sha256"]) == 64


def test_generated_code_is_black_and_ruff_clean(project):
    _name, out = project
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(out)],
        capture_output=True,
        text=True,
        cwd=out,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    black = subprocess.run(
        [sys.executable, "-m", "black", "--check", "--quiet", str(out)],
        capture_output=True,
        text=True,
        cwd=out,
    )
    assert black.returncode == 0, black.stderr


def test_no_absolute_paths_in_code(project):
    _name, out = project
    for path in (out / "src").rglob("*.py"):
        text = path.read_text()
        assert "/work/" not in text and "/tmp/" not in text, path


def test_requirements_are_pinned(project):
    _name, out = project
    lines = [
        line
        for line in (out / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    names = {line.split("==")[0] for line in lines}
    assert {"ploomber", "pandas", "scikit-learn", "joblib"} <= names
    assert "matplotlib" not in names  # only the dropped plots used it
    assert all("==" in line for line in lines), lines


def test_notebook_copy_reads_the_copied_data(project):
    name, out = project
    copy = json.loads((out / "notebooks" / f"{name}.ipynb").read_text())
    sources = "".join(
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in copy["cells"]
    )
    data = {"churn_classifier": "churn.csv"}.get(name, "housing.csv")
    assert f'"../data/{data}"' in sources  # nbmake runs it from notebooks/
    assert (out / "notebooks" / "../data" / data).resolve().is_file()
