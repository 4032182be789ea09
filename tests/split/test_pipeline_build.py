"""End to end: split each example (with verify), build it with ploomber in the generated-project
venv, rebuild incrementally; verify catches a divergence and explains unseeded randomness."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.splitting import split_to_dir
from productionize.options import Options
from tests.conftest import EXAMPLES, make_notebook

GENERATED_PYTHON = os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not GENERATED_PYTHON, reason="PRODUCTIONIZE_GENERATED_PYTHON not set"),
]
TASKS = ("load", "clean", "train", "predict", "register")


def _ploomber(cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PLOOMBER_STATS_ENABLED": "false"}
    ploomber = Path(GENERATED_PYTHON).parent / "ploomber"  # console script of the generated venv
    return subprocess.run(
        [str(ploomber), "build"], cwd=cwd, capture_output=True, text=True, env=env
    )


def _ran(stdout: str) -> dict[str, str]:
    rows = [line.split() for line in stdout.splitlines()]
    return {row[0]: row[1] for row in rows if len(row) > 1 and row[0] in TASKS}


@pytest.fixture(scope="module")
def churn_project(tmp_path_factory):
    out = tmp_path_factory.mktemp("churn") / "project"
    result = split_to_dir(EXAMPLES / "churn_classifier.ipynb", out, Options(), verify=True)
    return out, result


@pytest.mark.parametrize("name", ["churn_classifier", "house_prices_regressor"])
def test_split_verifies_builds_and_rebuilds_incrementally(name, tmp_path, churn_project):
    if name == "churn_classifier":
        out, result = churn_project
    else:
        out = tmp_path / "project"
        result = split_to_dir(EXAMPLES / f"{name}.ipynb", out, Options(), verify=True)
    verify = result.report["verify"]
    assert verify["ok"] is True, verify
    statuses = {(c["stage"], c["name"]): c["status"] for c in verify["checks"]}
    assert set(statuses.values()) <= {"equal", "skipped"}
    assert statuses[("predict", result.spec.predictions_name)] == "equal"
    assert {s for s, _ in statuses} == {"load", "clean", "train", "predict"}
    saved = json.loads((out / "productionize-report.json").read_text())
    assert saved["verify"]["ok"] is True

    first = _ploomber(out)
    assert first.returncode == 0, first.stdout + first.stderr
    assert _ran(first.stdout) == dict.fromkeys(TASKS, "True")
    metrics = json.loads((out / "products" / "predict" / "metrics.json").read_text())
    assert metrics and all(isinstance(v, float) for v in metrics.values())
    assert (out / "models" / "CURRENT").read_text().strip() == "v0001"
    metadata = json.loads((out / "models" / "v0001" / "metadata.json").read_text())
    assert metadata["features"]["columns"] and metadata["features"]["example"]
    assert metadata["metrics"] == metrics
    assert metadata["notebook_hash"] == saved["notebook"]["sha256"]

    second = _ploomber(out)
    assert second.returncode == 0, second.stderr
    assert _ran(second.stdout) == dict.fromkeys(TASKS, "False")
    assert sorted(p.name for p in (out / "models").iterdir() if p.is_dir()) == ["v0001"]


def test_verify_reports_a_divergent_stage(churn_project, tmp_path):
    out, _result = churn_project
    edited = tmp_path / "edited"
    shutil.copytree(out, edited, ignore=shutil.ignore_patterns("products", "models"))
    clean = edited / "src" / "churn_classifier" / "clean.py"
    clean.write_text(clean.read_text().replace('errors="coerce"', 'errors="coerce") * 1.01 + (0'))
    result = CliRunner().invoke(
        main, ["verify", str(EXAMPLES / "churn_classifier.ipynb"), str(edited)]
    )
    assert result.exit_code == 1, result.output
    rows = {tuple(line.split()[:3]) for line in result.output.splitlines()}
    assert ("clean", "X", "divergent") in rows
    assert ("load", "raw", "equal") in rows
    assert "DIVERGENT" in result.output


def test_unseeded_randomness_is_nondeterministic_not_divergent(write_notebook, tmp_path):
    rows = "\n".join(f"{i},{i % 7},{i % 2}" for i in range(60))
    (tmp_path / "data.csv").write_text("a,b,y\n" + rows + "\n")
    nb = make_notebook(
        (
            "code",
            "import numpy as np\nimport pandas as pd\nraw = pd.read_csv('data.csv')\n"
            "raw = raw.sample(frac=1)",
            ["load"],
        ),
        ("code", "X = raw[['a', 'b']] + np.random.rand(len(raw), 2)\ny = raw['y']", ["clean"]),
        (
            "code",
            "from sklearn.linear_model import LogisticRegression\n"
            "model = LogisticRegression().fit(X, y)",
            ["train"],
        ),
        ("code", "predictions = model.predict(X)", ["predict"]),
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["split", str(write_notebook(nb)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = {tuple(line.split()[:3]) for line in result.output.splitlines()}
    assert ("load", "raw", "equal") in rows
    assert ("clean", "X", "nondeterministic") in rows
    assert "seed them" in result.output
    check = next(
        c
        for c in json.loads((out / "productionize-report.json").read_text())["verify"]["checks"]
        if c["name"] == "X"
    )
    assert check["rule"] and check["rule"].startswith("PN6")


def test_kubeflow_export_compiles_with_kfp(churn_project, tmp_path):
    """The Kubeflow pipeline compiles with the kfp SDK into the DAG of the ploomber pipeline."""
    out, _result = churn_project
    project = tmp_path / "kfp"
    shutil.copytree(out, project, ignore=shutil.ignore_patterns("products", "models"))
    run = subprocess.run(
        [GENERATED_PYTHON, "deploy/kubeflow_pipeline.py"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    spec = yaml.safe_load((project / "deploy" / "kubeflow_pipeline.yaml").read_text())
    tasks = spec["root"]["dag"]["tasks"]
    assert set(tasks) == {f"{t}-task" for t in TASKS}
    assert tasks["clean-task"]["dependentTasks"] == ["load-task"]
    # register describes the raw rows the service takes (load), with the model and fitted values
    assert set(tasks["register-task"]["dependentTasks"]) == {
        "load-task",
        "predict-task",
        "train-task",
    }
    assert spec["root"]["inputDefinitions"]["parameters"]["test_size"]["defaultValue"] == 0.25
    executor = spec["deploymentSpec"]["executors"]["exec-train-task"]["container"]
    assert executor["command"] == ["python", "-m", "churn_classifier.run_task"]

    # the entry point each container runs, called here for the first task
    product = tmp_path / "raw.pkl"
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    load = subprocess.run(
        [
            GENERATED_PYTHON,
            "-m",
            "churn_classifier.run_task",
            "load",
            "--param",
            "data_path",
            "data/churn.csv",
            "--product",
            "raw",
            str(product),
        ],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )
    assert load.returncode == 0, load.stderr
    assert product.stat().st_size > 0


def test_a_notebook_that_does_not_run_is_reported_with_its_cell(write_notebook, tmp_path):
    (tmp_path / "data.csv").write_text("a,y\n1,0\n2,1\n3,0\n4,1\n")
    nb = make_notebook(
        ("code", "import pandas as pd\nraw = pd.read_csv('data.csv')", ["load"]),
        ("code", "X = raw[['a']]\ny = raw['y']\nraw['missing_column'].sum()", ["clean"]),
        (
            "code",
            "from sklearn.linear_model import LogisticRegression\n"
            "model = LogisticRegression().fit(X, y)",
            ["train"],
        ),
    )
    path = write_notebook(nb)
    out = tmp_path / "out"
    split = CliRunner().invoke(main, ["split", str(path), "-o", str(out)])
    assert (
        split.exit_code == 0
    ), split.output  # the project is written; verify says why it could not run
    assert "verify skipped:" in split.output and ":cell 1:" in split.output
    assert "KeyError" in split.output
    verify = CliRunner().invoke(main, ["verify", str(path), str(out)])
    assert verify.exit_code == 1 and ":cell 1:" in verify.output
