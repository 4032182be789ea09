"""Features standardised by hand before the fit: ``X = (X - X.mean()) / X.std()`` (or a
min-max scaling) in its own cell after reading the data, then ``train_test_split``. The cell is
a cleaning (it was taken for more loading, so the service took scaled rows and said nothing):
predict() replays it on raw rows with the means and standard deviations of training time. Where
it cannot be replayed (the scaling sits in the cell reading the file, or no split follows) the
build says the service takes scaled rows, and why."""

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
from tests.service.servers import running_service
from tests.split.conftest import split_nb

INFER = Options(infer_tags=True)
IMPORTS = (
    "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
    "from sklearn.linear_model import LogisticRegression"
)
READ = "bees = pd.read_csv('hives.csv')"
FEATURES = "X = bees.drop('swarmed', axis=1)\ny = bees['swarmed']"
STANDARD = "X = (X - X.mean()) / X.std()"
SPLIT = "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=1)"
FIT = (
    "clf = LogisticRegression()\nclf.fit(X_train, y_train)\n"
    "print('accuracy', clf.score(X_test, y_test))"
)
SCALED_APART = make_notebook(IMPORTS, READ, f"{FEATURES}\n{STANDARD}", SPLIT, FIT)


def _file(result, name):
    return next(f.content for f in result.files if f.path.endswith(name))


@pytest.mark.parametrize(
    "scaling, replayed",
    [
        (STANDARD, 'X = (X - fitted["X.mean()"]) / fitted["X.std()"]'),
        (
            "X = (X - X.min()) / (X.max() - X.min())",
            'X = (X - fitted["X.min()"]) / (fitted["X.max()"] - fitted["X.min() #2"])',
        ),
    ],
)
def test_a_scaling_cell_is_replayed_with_the_training_statistics(scaling, replayed):
    nb = make_notebook(IMPORTS, READ, f"{FEATURES}\n{scaling}", SPLIT, FIT)
    result = split_nb(nb, INFER, sizes={"hives.csv": 2_000})
    assert [c.stage for c in result.graph.cells if c.index == 2] == ["clean"]
    predict = _file(result, "predict.py")
    assert "def predict(model, records, fitted):" in predict
    assert replayed in predict
    assert "receives raw rows of `bees`" in result.spec.records_note


def test_scaling_in_the_cell_reading_the_data_is_said_to_be_served_scaled():
    nb = make_notebook(IMPORTS, f"{READ}\n{FEATURES}\n{STANDARD}\n{SPLIT}", FIT)
    result = split_nb(nb, INFER, sizes={"hives.csv": 2_000})
    note = result.spec.records_note
    assert "cell 1 line 4 standardises by hand (`X = (X - X.mean()) / X.std()`)" in note
    assert "the service takes rows of `X_train` as scaled there" in note
    assert "def predict(model, records):" in _file(result, "predict.py")


def test_a_fit_on_the_scaled_frame_itself_is_said_to_be_served_scaled():
    nb = make_notebook(
        IMPORTS, READ, f"{FEATURES}\n{STANDARD}", "clf = LogisticRegression()\nclf.fit(X, y)"
    )
    result = split_nb(nb, INFER, sizes={"hives.csv": 2_000})
    assert "the service takes rows of `X` as scaled there" in result.spec.records_note


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
def test_raw_rows_are_scaled_by_the_service_as_in_training(tmp_path):
    rng = np.random.default_rng(8)
    frame = pd.DataFrame(
        {"weight": rng.normal(50, 10, 120).round(1), "frames": rng.integers(5, 12, 120)}
    )
    frame["swarmed"] = (frame["weight"] > 50).astype(int)
    frame.to_csv(tmp_path / "hives.csv", index=False)
    notebook = tmp_path / "hives.ipynb"
    nbformat.write(SCALED_APART, notebook)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(notebook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    metadata = json.loads((out / "models" / "v0001" / "metadata.json").read_text())
    assert [c["name"] for c in metadata["features"]["columns"]] == ["weight", "frames"]
    with running_service(out, os.environ["PRODUCTIONIZE_GENERATED_PYTHON"]) as http:
        # raw values: unscaled, 30 and 70 would both be far above the scaled weights' range
        rows = [{"weight": 30.0, "frames": 8}, {"weight": 70.0, "frames": 8}]
        answer = http.post("/predict", json=rows)
        assert answer.status_code == 200, answer.text
        assert answer.json()["predictions"] == [0, 1]
        # one record alone gets the same answer: the statistics are the training data's
        alone = http.post("/predict", json=rows[:1])
        assert alone.json()["predictions"] == [0]
