"""A notebook naming another machine's data path (Kaggle's /kaggle/input, Colab's Drive, a
Windows laptop) builds when the file lies beside it: split copies that file, verify reads it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.data_files import found_elsewhere, locate_data_file, read_nearby
from tests.conftest import make_notebook

ABSENT = "/kaggle/input/productionize-absent-competition"  # no machine has this folder


def test_a_file_named_elsewhere_is_found_beside_the_notebook_or_in_data(tmp_path):
    (tmp_path / "train.csv").write_text("a\n1\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "test.csv").write_text("a\n1\n")
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "extra.csv").write_text("a\n1\n")
    assert found_elsewhere(tmp_path, f"{ABSENT}/train.csv") == "train.csv"
    assert found_elsewhere(tmp_path, "C:\\Users\\me\\Downloads\\test.csv") == "data/test.csv"
    assert found_elsewhere(tmp_path, "/content/drive/MyDrive/extra.csv") == "input/extra.csv"
    assert found_elsewhere(tmp_path, "../input/train.csv") == "train.csv"
    # where the path as written works, or nothing of that name is nearby, nothing moves
    assert found_elsewhere(tmp_path, "train.csv") is None
    assert locate_data_file(tmp_path, "train.csv") == tmp_path / "train.csv"
    assert found_elsewhere(tmp_path, f"{ABSENT}/missing.csv") is None
    assert locate_data_file(tmp_path, f"{ABSENT}/missing.csv") is None
    assert locate_data_file(tmp_path, f"{ABSENT}/") is None


def test_the_notebook_reads_the_file_found_nearby_in_string_literals_only():
    moves = {f"{ABSENT}/train.csv": "train.csv", "C:\\Users\\me\\test.csv": "data/test.csv"}
    source = (
        f"df = pd.read_csv('{ABSENT}/train.csv')\n"
        f'other = pd.read_csv("{ABSENT}/train.csv")\n'
        "test = pd.read_csv('C:\\\\Users\\\\me\\\\test.csv')\n"
        "raw = pd.read_csv(r'C:\\Users\\me\\test.csv')\n"
        f"# notes: {ABSENT}/train.csv came from Kaggle\n"
    )
    moved = read_nearby(source, moves)
    assert moved.splitlines()[:4] == [
        "df = pd.read_csv('train.csv')",
        "other = pd.read_csv('train.csv')",
        "test = pd.read_csv('data/test.csv')",
        "raw = pd.read_csv(r'data/test.csv')",
    ]
    assert moved.splitlines()[4] == f"# notes: {ABSENT}/train.csv came from Kaggle"


KAGGLE = make_notebook(
    "import numpy as np\nimport pandas as pd\nimport os\n"
    "for dirname, _, filenames in os.walk('/kaggle/input'):\n"
    "    for filename in filenames:\n"
    "        print(os.path.join(dirname, filename))",
    f"train = pd.read_csv('{ABSENT}/train.csv')\ntrain.head()",
    "test = pd.read_csv(r'C:\\Users\\me\\Downloads\\test.csv')\ntest.head()",
    "from sklearn.ensemble import RandomForestClassifier\n"
    "y = train['Survived']\n"
    "features = ['Pclass', 'Sex']\n"
    "X = pd.get_dummies(train[features])\n"
    "X_test = pd.get_dummies(test[features])\n"
    "model = RandomForestClassifier(n_estimators=20, max_depth=4, random_state=1)\n"
    "model.fit(X, y)\n"
    "predictions = model.predict(X_test)\n"
    "output = pd.DataFrame({'PassengerId': test.PassengerId, 'Survived': predictions})\n"
    "output.to_csv('submission.csv', index=False)",
)


def _write_data(folder: Path) -> None:
    rng = np.random.default_rng(0)

    def rows(n, start):
        return {
            "PassengerId": range(start, start + n),
            "Pclass": rng.integers(1, 4, n),
            "Sex": rng.choice(["male", "female"], n),
        }

    pd.DataFrame({**rows(120, 1), "Survived": rng.integers(0, 2, 120)}).to_csv(
        folder / "train.csv", index=False
    )
    (folder / "data").mkdir()
    pd.DataFrame(rows(40, 200)).to_csv(folder / "data" / "test.csv", index=False)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
def test_a_kaggle_notebook_with_its_data_beside_it_splits_and_verifies(tmp_path):
    assert not Path(ABSENT).exists()
    _write_data(tmp_path)
    notebook = tmp_path / "titanic.ipynb"
    nbformat.write(KAGGLE, notebook)
    before = notebook.read_bytes()
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["split", str(notebook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"note: {ABSENT}/train.csv is not on this machine: read train.csv beside" in (
        result.output
    )
    assert "read data/test.csv beside the notebook" in result.output
    assert (out / "data" / "train.csv").read_bytes() == (tmp_path / "train.csv").read_bytes()
    assert (out / "data" / "test.csv").is_file()
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["verify"]["ok"] is True, report["verify"]
    statuses = {c["status"] for c in report["verify"]["checks"]}
    assert statuses <= {"equal", "skipped"} and "equal" in statuses
    assert notebook.read_bytes() == before  # the notebook itself keeps its paths
