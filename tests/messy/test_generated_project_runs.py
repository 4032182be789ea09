"""A notebook of functions, a main block, no parameters and an array-shaped training set:
the generated project has a valid env.yaml, a product for every task, its data file, and builds."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from productionize.adapters.cli import main
from tests.conftest import make_notebook

GENERATED_PYTHON = os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON")

NOTEBOOK = make_notebook(
    "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n"
    "from sklearn.model_selection import train_test_split\n"
    "from sklearn.preprocessing import StandardScaler",
    ("code", "def load_data(file_path):\n    return pd.read_csv(file_path, sep='\\t')", ["load"]),
    "def train_model(X_train, y_train):\n"
    "    model = LinearRegression()\n    model.fit(X_train, y_train)\n    return model",
    (
        "code",
        'if __name__ == "__main__":\n'
        "    file_path = 'Seminar1.txt'\n"
        "    data = load_data(file_path)\n"
        "    X = StandardScaler().fit_transform(data.drop(columns=['y']))\n"
        "    X_train, X_test, y_train, y_test = train_test_split(X, data['y'], random_state=0)\n"
        "    model = train_model(X_train, y_train)",
        ["train"],
    ),
)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("seminar")
    rng = np.random.default_rng(0)
    data = pd.DataFrame({"a": rng.random(40), "b": rng.random(40)})
    data["y"] = 2 * data.a - data.b
    data.to_csv(root / "Seminar1.txt", sep="\t", index=False)
    (root / "seminar.ipynb").write_text(json.dumps(NOTEBOOK))
    out = root / "project"
    result = CliRunner().invoke(
        main, ["split", str(root / "seminar.ipynb"), "-o", str(out), "--no-verify", "--infer-tags"]
    )
    assert result.exit_code == 0, result.output
    return out


def test_env_yaml_is_a_mapping_even_without_parameters_and_lists_the_data_file(project):
    env = yaml.safe_load((project / "env.yaml").read_text())
    assert env == {"seminar1_path": "data/Seminar1.txt"}
    assert (project / "data" / "Seminar1.txt").is_file()
    assert "file_path = seminar1_path" in (project / "src" / "seminar" / "train.py").read_text()


def test_every_task_declares_a_product(project):
    pipeline = yaml.safe_load((project / "pipeline.yaml").read_text())
    products = {task["name"]: task["product"] for task in pipeline["tasks"]}
    assert products["load"] == {"done": "products/load/done.pkl"}  # load returns nothing
    assert all(products.values())


@pytest.mark.slow
@pytest.mark.skipif(not GENERATED_PYTHON, reason="PRODUCTIONIZE_GENERATED_PYTHON not set")
def test_ploomber_builds_it_and_registers_the_array_trained_model(project):
    env = {**os.environ, "PLOOMBER_STATS_ENABLED": "false"}
    build = subprocess.run(
        [str(Path(GENERATED_PYTHON).parent / "ploomber"), "build"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    metadata = json.loads((project / "models" / "v0001" / "metadata.json").read_text())
    assert [c["name"] for c in metadata["features"]["columns"]] == ["0", "1"]
    assert len(metadata["examples"]["records"]) == len(metadata["examples"]["predictions"]) > 0
