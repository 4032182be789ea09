"""A notebook whose work all sits in ``def main(...): ...`` then ``main()``: split opens the
function up, ploomber builds the project, and verify (run on the notebook restructured the same
way) finds every stage equal; the opened-up cell is cut into load, clean and train stages."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from tests.conftest import make_notebook

GENERATED_PYTHON = os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON")

NOTEBOOK = make_notebook(
    "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n"
    "from sklearn.metrics import r2_score\nfrom sklearn.model_selection import train_test_split",
    "def load_data(file_path):\n    return pd.read_csv(file_path)\n\n"
    "def show(df):\n    print(df.describe())",
    "# Main execution\n"
    "def main(data_path='data.csv'):\n"
    "    df = load_data(data_path)\n"
    "    show(df)\n"
    "    df = df.dropna()\n"
    "    X = df[['x1', 'x2']]\n"
    "    y = df['y']\n"
    "    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
    "    model = LinearRegression().fit(X_train, y_train)\n"
    "    preds = model.predict(X_test)\n"
    "    print(r2_score(y_test, preds))\n"
    "\n"
    "main()",
)


@pytest.mark.slow
@pytest.mark.skipif(not GENERATED_PYTHON, reason="PRODUCTIONIZE_GENERATED_PYTHON not set")
def test_a_main_only_notebook_splits_builds_and_verifies(tmp_path):
    rng = np.random.default_rng(0)
    data = pd.DataFrame({"x1": rng.normal(size=40), "x2": rng.normal(size=40)})
    data["y"] = 2 * data["x1"] - data["x2"] + rng.normal(scale=0.1, size=40)
    data.to_csv(tmp_path / "data.csv", index=False)
    path = tmp_path / "main_only.ipynb"
    path.write_text(json.dumps(NOTEBOOK))
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["split", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "faithful: every stage equal" in result.output
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["verify"]["ok"] is True
    assert any(n.startswith("function `main()` was opened up") for n in report["notes"])
    assert [s["name"] for s in report["stages"]][:3] == ["load", "clean", "train"]
    assert "cell 2 held the whole pipeline" in "\n".join(report["notes"])
    stages = ("load", "clean", "train", "predict", "evaluate")
    code = "\n".join(p.read_text() for p in (out / "src").glob("*/*.py") if p.stem in stages)
    assert "model = LinearRegression().fit(X_train, y_train)" in code
    assert "def main" not in code


ONE_CELL = make_notebook(
    "import pandas as pd\n"
    "from sklearn.tree import DecisionTreeClassifier\n"
    "grades = pd.read_csv('grades.csv')\n"
    "grades['passed'] = (grades['score'] >= 50).astype(int)\n"
    "X = grades[['hours']]\n"
    "y = grades['passed']\n"
    "tree = DecisionTreeClassifier(random_state=0).fit(X, y)"
)


def test_the_stages_of_a_cell_cut_at_statement_level_say_where_they_come_from(tmp_path):
    pd.DataFrame({"hours": [1, 5, 9, 2], "score": [30, 60, 90, 40]}).to_csv(
        tmp_path / "grades.csv", index=False
    )
    path = tmp_path / "one_cell.ipynb"
    path.write_text(json.dumps(ONE_CELL))
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["split", str(path), "-o", str(out), "--no-verify"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("inferred tags (the notebook has no stage tags): cell 0 -> load (")
    assert "()" not in first and "cell 1 -> clean (statements of one cell, cut by stage" in first
