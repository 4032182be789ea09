"""A model fitted on expressions instead of names: ``model.fit(raw[["sqft", "rooms"]],
raw["price"])`` or ``model.fit(df.drop("price", axis=1), df.price)``, with no split and no predict
cell (a beginner's regression, scored on its training rows). The build stopped: "cannot tell which
records the served predict() receives ... an expression, not a name". The fit is rewritten as
``X = ...``, ``y = ...``, ``model.fit(X, y)`` (names the notebook does not use), said in a note,
verified against the notebook, and the service takes rows with the selected columns."""

from __future__ import annotations

import json
import os

import nbformat
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.core.fit_arguments import name_fit_arguments
from productionize.core.notebook import notebook_from_dict
from productionize.options import Options
from tests.conftest import make_notebook
from tests.service.servers import running_service
from tests.split.conftest import split_nb

INFER = Options(infer_tags=True)
IMPORTS = "import pandas as pd\nfrom sklearn.linear_model import LinearRegression"
READ = "raw = pd.read_csv('houses.csv')\nraw.head()"
FIT = "model = LinearRegression()\nmodel.fit(raw[['sqft', 'rooms']], raw['price'])"
SCORE = "print(model.score(raw[['sqft', 'rooms']], raw['price']))"


def _source(notebook, index):
    return next(c.source for c in notebook.cells if c.index == index)


@pytest.mark.parametrize(
    "fit, expected",
    [
        (
            "model.fit(raw[['sqft', 'rooms']], raw['price'])",
            "X = raw[['sqft', 'rooms']]\ny = raw['price']\nmodel.fit(X, y)",
        ),
        (
            "model.fit(raw.drop('price', axis=1), raw.price, sample_weight=None)",
            "X = raw.drop('price', axis=1)\ny = raw.price\nmodel.fit(X, y, sample_weight=None)",
        ),
        ("model.fit(raw[FEATURES], target)", "X = raw[FEATURES]\nmodel.fit(X, target)"),
    ],
)
def test_a_fit_on_expressions_is_bound_to_names(fit, expected):
    nb = make_notebook(IMPORTS, READ, f"model = LinearRegression()\n{fit}")
    notebook, _ = notebook_from_dict(nb, "houses.ipynb")
    named = name_fit_arguments(notebook)
    assert _source(named.notebook, 2) == f"model = LinearRegression()\n{expected}"
    assert "fits on expressions; they are bound to `X`" in named.notes[0]


@pytest.mark.parametrize(
    "cell",
    [
        "model.fit(X, y)",  # names already
        "model.fit(raw['sqft'], raw['price'])",  # one column: a Series no estimator fits on
        "model.fit(raw[['sqft']], other['price'])",  # target from another frame
        "if True:\n    model.fit(raw[['sqft']], raw['price'])",  # not top level
        "model.fit(raw[['sqft']], raw['price']); print(1)",  # not alone on its line
        "pipe = model.fit(raw[['sqft']], raw['price'])",  # its result is used
    ],
)
def test_other_fits_are_left_as_written(cell):
    nb = make_notebook(IMPORTS, READ, f"model = LinearRegression()\n{cell}")
    notebook, _ = notebook_from_dict(nb, "houses.ipynb")
    named = name_fit_arguments(notebook)
    assert named.notebook is notebook and not named.notes


def test_names_the_notebook_uses_are_not_taken():
    nb = make_notebook(IMPORTS, f"{READ}\nX = 1\ny = 2", FIT)
    notebook, _ = notebook_from_dict(nb, "houses.ipynb")
    source = _source(name_fit_arguments(notebook).notebook, 2)
    assert "X_2 = raw[['sqft', 'rooms']]\ny_2 = raw['price']\nmodel.fit(X_2, y_2)" in source


def test_the_split_serves_the_selected_columns():
    result = split_nb(make_notebook(IMPORTS, READ, FIT, SCORE), INFER, sizes={"houses.csv": 900})
    assert result.spec.features_name == "X"
    train = next(f.content for f in result.files if f.path.endswith("train.py"))
    assert 'X = raw[["sqft", "rooms"]]' in train and "model.fit(X, y)" in train
    assert any("fits on expressions" in note for note in result.spec.notes)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
def test_the_build_verifies_and_serves_rows_of_the_selected_columns(tmp_path):
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"sqft": rng.integers(500, 4000, 200), "rooms": rng.integers(1, 6, 200)})
    frame["price"] = frame.sqft * 120 + frame.rooms * 5000 + rng.normal(0, 1000, 200)
    frame.to_csv(tmp_path / "houses.csv", index=False)
    notebook = tmp_path / "houses.ipynb"
    nbformat.write(make_notebook(IMPORTS, READ, FIT, SCORE), notebook)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(notebook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    metadata = json.loads((out / "models" / "v0001" / "metadata.json").read_text())
    assert [c["name"] for c in metadata["features"]["columns"]] == ["sqft", "rooms"]
    with running_service(out, os.environ["PRODUCTIONIZE_GENERATED_PYTHON"]) as http:
        answer = http.post(
            "/predict", json=[{"sqft": 1000, "rooms": 2}, {"sqft": 3000, "rooms": 4}]
        )
        assert answer.status_code == 200, answer.text
        small, large = answer.json()["predictions"]
        assert 100_000 < small < 150_000 < large  # 120 a square foot and 5,000 a room
        missing = http.post("/predict", json=[{"sqft": 1000}])
        assert missing.status_code == 422, missing.text
