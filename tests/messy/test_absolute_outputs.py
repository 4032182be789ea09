"""A file the kept code writes to another machine's folder (Kaggle's
``sub.to_csv('/kaggle/working/submission.csv')``, ``out = 'C:\\\\work\\\\scores.csv'`` then
``sub.to_csv(out)``) is written in the project's products/ folder, through a parameter
(``submission_path: "products/submission.csv"``): the pipeline wrote to the absolute path and
failed where that folder does not exist. Verify lets the notebook write it in a scratch folder."""

from __future__ import annotations

import json
import os

import nbformat
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.options import Options
from tests.conftest import make_notebook
from tests.split.conftest import split_nb

INFER = Options(infer_tags=True)
COMPETITION = "/kaggle/input/productionize-absent-plants"
PLANTS = make_notebook(
    "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression",
    f"train = pd.read_csv('{COMPETITION}/train.csv')\n"
    f"test = pd.read_csv('{COMPETITION}/test.csv')",
    "model = LogisticRegression(random_state=0)\nmodel.fit(train[['height']], train['wilted'])",
    "pred = model.predict(test[['height']])\n"
    "sub = pd.DataFrame({'id': test['id'], 'wilted': pred})\n"
    "sub.to_csv('/kaggle/working/submission.csv', index=False)\n"
    "scores = 'C:\\\\work\\\\scores.csv'\nsub.to_csv(scores)",
)
SIZES = {f"{COMPETITION}/train.csv": 3_000, f"{COMPETITION}/test.csv": 800}


def test_an_absolute_output_path_is_a_parameter_inside_products():
    result = split_nb(PLANTS, INFER, sizes=SIZES)
    parameters = {p.name: (p.default, p.is_path) for p in result.spec.parameters}
    assert parameters["submission_path"] == ("products/submission.csv", False)
    assert parameters["scores_path"] == ("products/scores.csv", False)
    assert [f.project_path for f in result.spec.data_files] == ["data/train.csv", "data/test.csv"]
    files = {f.path: f.content for f in result.files}
    evaluate = files["src/nb/evaluate.py"]
    assert "sub.to_csv(submission_path, index=False)" in evaluate
    assert "scores = scores_path" in evaluate
    assert "scores" not in result.spec.metrics  # a path the project chooses: no measurement
    assert 'submission_path: "products/submission.csv"' in files["env.yaml"]
    generated = [text for path, text in files.items() if not path.startswith("notebooks/")]
    assert not any("/kaggle/working" in text or "C:\\\\work" in text for text in generated)


def test_a_relative_output_path_stays_as_written():
    nb = make_notebook(
        *[c.source for c in PLANTS.cells[:3]],
        "pred = model.predict(test[['height']])\n"
        "pd.DataFrame({'wilted': pred}).to_csv('submission.csv')",
    )
    result = split_nb(nb, INFER, sizes=SIZES)
    assert "submission_path" not in {p.name for p in result.spec.parameters}
    assert (
        'to_csv("submission.csv")'
        in {f.path: f.content for f in result.files}["src/nb/evaluate.py"]
    )


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
def test_a_kaggle_submission_is_written_in_products_and_the_notebook_verifies(tmp_path):
    assert not os.path.isdir("/kaggle/working")
    rng = np.random.default_rng(2)
    pd.DataFrame(
        {"id": range(90), "height": rng.normal(30, 8, 90), "wilted": rng.integers(0, 2, 90)}
    ).to_csv(tmp_path / "train.csv", index=False)
    pd.DataFrame({"id": range(90, 120), "height": rng.normal(30, 8, 30)}).to_csv(
        tmp_path / "test.csv", index=False
    )
    notebook = tmp_path / "plants.ipynb"
    nbformat.write(PLANTS, notebook)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(notebook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["verify"]["ok"] is True, report["verify"]
    submission = pd.read_csv(out / "products" / "submission.csv")
    assert list(submission.columns) == ["id", "wilted"] and len(submission) == 30
    assert (out / "products" / "scores.csv").is_file()
    # verify wrote the notebook's copies in its scratch folder, not beside the notebook
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "plants.ipynb",
        "project",
        "test.csv",
        "train.csv",
    ]
