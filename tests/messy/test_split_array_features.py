"""Arrays cut from a frame and then split: ``X = df.iloc[:, :-1].values``,
``X = df.drop("label", axis=1).values``, ``np.asarray(df[[...]])``, then
``train_test_split(X, y)`` and ``model.fit(X_train, y_train)``. The model saw the frame's
columns as an array; the service used to ask for fields "0".."n" (X_train's positions). It takes
the frame's columns by name and predict() makes the array the notebook made."""

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
COLUMNS = ["tenure", "logins", "age"]


def _plants(features: str, target: str = "y = plants['wilted'].values"):
    return make_notebook(
        "import numpy as np\nimport pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
        "from sklearn.tree import DecisionTreeClassifier",
        f"plants = pd.read_csv('plants.csv')\n{features}\n{target}\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=2)",
        "tree = DecisionTreeClassifier(random_state=0)\ntree.fit(X_train, y_train)\n"
        "print(tree.score(X_test, y_test))",
    )


SHAPES = {
    "iloc": ("X = plants.iloc[:, :-1].values", "plants.iloc[:, :-1]", ".values"),
    "drop": (
        "X = plants.drop('wilted', axis=1).values",
        "plants.drop('wilted', axis=1)",
        ".values",
    ),
    "drop-columns": (
        "X = plants.drop(columns=['wilted']).to_numpy()",
        "plants.drop(columns=['wilted'])",
        ".to_numpy()",
    ),
    "asarray": (
        "X = np.asarray(plants[['tenure', 'logins', 'age']])",
        "plants[['tenure', 'logins', 'age']]",
        ".to_numpy()",
    ),
}


def _file(result, name):
    return next(f.content for f in result.files if f.path.endswith(name))


@pytest.mark.parametrize("shape", SHAPES)
def test_the_split_array_is_served_by_the_frames_column_names(shape):
    features, selection, suffix = SHAPES[shape]
    result = split_nb(_plants(features), INFER, sizes={"plants.csv": 2_000})
    predict = _file(result, "predict.py")
    assert f"features = transformer_input{suffix}" in predict
    assert f"receives rows of `{selection}` (cell 1 line 2)" in predict
    assert "(`X_train`, rows of `X` split at cell 1 line 4)" in predict
    load = _file(result, "load.py")
    assert f"transformer_input = {selection}" in load.replace('"', "'")


def test_a_half_changed_after_the_split_keeps_the_array():
    nb = _plants(SHAPES["iloc"][0])
    nb.cells[1].source += "\nX_train = X_train * 2"
    result = split_nb(nb, INFER, sizes={"plants.csv": 2_000})
    assert "transformer_input" not in _file(result, "predict.py")


def test_a_drop_of_a_computed_column_list_keeps_the_array():
    result = split_nb(
        _plants("X = plants.drop(plants.columns[-1], axis=1).values"),
        INFER,
        sizes={"plants.csv": 2_000},
    )
    assert "transformer_input" not in _file(result, "predict.py")


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
@pytest.mark.parametrize("shape", ["iloc", "drop"])
def test_the_service_takes_the_named_columns(tmp_path, shape):
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({name: rng.integers(0, 60, 80) for name in COLUMNS})
    frame["wilted"] = ((frame["tenure"] > 30) & (frame["logins"] < 20)).astype(int)
    frame.to_csv(tmp_path / "plants.csv", index=False)
    notebook = tmp_path / "plants.ipynb"
    nbformat.write(_plants(SHAPES[shape][0]), notebook)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(notebook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    metadata = json.loads((out / "models" / "v0001" / "metadata.json").read_text())
    assert [c["name"] for c in metadata["features"]["columns"]] == COLUMNS
    with running_service(out, os.environ["PRODUCTIONIZE_GENERATED_PYTHON"]) as http:
        schema = http.get("/schema").json()["json_schema"]
        assert set(schema["properties"]) == set(COLUMNS)
        # the fields in another order than the CSV's: predict() still builds the array in it
        rows = [{"age": 40, "logins": 5, "tenure": 50}, {"age": 40, "logins": 50, "tenure": 5}]
        answer = http.post("/predict", json=rows)
        assert answer.status_code == 200, answer.text
        assert answer.json()["predictions"] == [1, 0]
