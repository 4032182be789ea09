"""Regression notebooks that only show their scores (a bare `r2_score(...)` ending a cell, a
printed RMSE, `model.score(...)`): the evaluation names and returns them, so the registry, the
retraining gate and the pull request have metrics; verify computes the same expressions in the
notebook after their cells."""

from __future__ import annotations

import ast
import json

import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.verifying import can_verify
from productionize.core.shown_metrics import shown_metric
from tests.conftest import make_notebook

from . import public_shapes
from .conftest import ruff_problems


def test_scores_a_notebook_only_shows_become_returned_metrics(split_untagged):
    result, out = split_untagged(public_shapes.INSURANCE_SCORED, "insurance.ipynb")
    assert result.exit_code == 0, result.output
    evaluate = next((out / "src").glob("*/evaluate.py")).read_text()
    assert "r2_test = r2_score(y_test, pred_test)" in evaluate
    assert "rmse_train = np.sqrt(mean_squared_error(y_train, pred_train))" in evaluate
    assert "score_test = booster.score(X_test, y_test)" in evaluate
    assert "print(" not in evaluate
    report = json.loads((out / "productionize-report.json").read_text())
    assert {"r2_test", "rmse_train", "score_test"} <= set(report["model"]["metrics"])
    predict = next((out / "src").glob("*/predict.py")).read_text()
    assert "r2_score" not in predict and "score(" not in predict


def test_a_printed_score_of_a_value_production_lacks_stays_in_the_notebook(split_untagged):
    nb = json.loads(json.dumps(public_shapes.INSURANCE_SCORED))
    # y_valid exists only in exploration: printing its score cannot move into the evaluation
    nb["cells"][-1]["source"] = (
        "y_valid = y_test.copy()\npred_train = booster.predict(X_train)\n"
        "print('R2', r2_score(y_valid, booster.predict(X_test)))"
    )
    result, out = split_untagged(nb, "insurance.ipynb")
    assert result.exit_code == 0, result.output
    evaluate = next((out / "src").glob("*/evaluate.py")).read_text()
    assert "y_valid" not in evaluate.split("def evaluate", 1)[1].split(":", 1)[0]
    compile(evaluate, "evaluate.py", "exec")


@pytest.mark.slow
@pytest.mark.skipif(not can_verify(), reason="needs PRODUCTIONIZE_GENERATED_PYTHON with ploomber")
def test_the_named_scores_reproduce_the_notebook_and_reach_the_registry(tmp_path):
    path = tmp_path / "insurance.ipynb"
    path.write_text(json.dumps(public_shapes.INSURANCE_SCORED))
    public_shapes.write_insurance(tmp_path)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    report = json.loads((out / "productionize-report.json").read_text())
    checked = {(c["stage"], c["name"]): c["status"] for c in report["verify"]["checks"]}
    assert checked[("predict", "r2_test")] == "equal"
    metadata = json.loads((out / "models" / "v0001" / "metadata.json").read_text())
    assert {"r2_test", "rmse_train", "score_test"} <= set(metadata["metrics"])


DICT_OF_SCORES = make_notebook(
    "import numpy as np\nimport pandas as pd\nfrom sklearn.linear_model import LinearRegression\n"
    "from sklearn.metrics import mean_squared_error, r2_score",
    "homes = pd.read_csv('homes.csv')\nX = homes[['rooms', 'area']]\ny = homes['price']",
    "model = LinearRegression().fit(X, y)",
    "pred = model.predict(X)\n"
    "metrics = {'r2': r2_score(y, pred), 'rmse': np.sqrt(mean_squared_error(y, pred))}\n"
    "print(metrics)",
)


def test_a_dict_of_scores_reaches_the_registry_as_one_metric_per_key(tmp_path):
    # only plain scalars were kept: `metrics = {'r2': ..., 'rmse': ...}` registered no metric
    rows = ["rooms,area,price"] + [f"{r},{50 + 7 * r},{100 + 20 * r + r % 3}" for r in range(20)]
    (tmp_path / "homes.csv").write_text("\n".join(rows) + "\n")
    path = tmp_path / "homes.ipynb"
    path.write_text(json.dumps(DICT_OF_SCORES))
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "--no-lint"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "models" / "v0001" / "metadata.json").read_text())["metrics"]
    assert set(metrics) == {"r2", "rmse"}, metrics
    assert 0.9 < metrics["r2"] <= 1.0 and metrics["rmse"] >= 0


@pytest.mark.parametrize(
    "code, expected",
    [
        ("(pred == y_val).mean()", "accuracy_val"),
        ("(model.predict(X_test) == y_test).mean()", "accuracy_test"),
        ("np.mean(y_train == model.predict(X_train))", "accuracy_train"),
        ("round(accuracy_score(y_val, pred), 2)", "accuracy_val"),
        ("round((y_val == pred).mean(), 3)", "accuracy_val"),
        ("(pred > y_val).mean()", None),
        ("(pred == y_val).sum()", None),
        ("round(accuracy, 2)", None),
    ],
)
def test_an_accuracy_computed_by_hand_is_a_shown_score(code, expected):
    imports = {"accuracy_score": ("", "sklearn"), "np": ("", "numpy")}
    found = shown_metric(ast.parse(code).body[0], [], imports, set())
    assert (found[0] if found else None) == expected


HAND_ACCURACY = make_notebook(
    "import pandas as pd\nmarks = pd.read_csv('marks.csv')",
    "marks = marks.dropna()",
    "from sklearn.model_selection import train_test_split\n"
    "X = marks[['hours', 'quizzes']]\ny = marks['passed']\n"
    "X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=3)",
    "from sklearn.tree import DecisionTreeClassifier\n"
    "tree = DecisionTreeClassifier(max_depth=3, random_state=0)\ntree.fit(X_train, y_train)",
    "(tree.predict(X_val) == y_val).mean()",
)


def test_a_predict_cell_showing_only_a_hand_computed_accuracy_becomes_the_evaluation(
    split_untagged,
):
    # the cell used to count as display only: 'stage predict has no production code'
    result, out = split_untagged(HAND_ACCURACY, "marks.ipynb")
    assert result.exit_code == 0, result.output
    evaluate = next((out / "src").glob("*/evaluate.py")).read_text()
    assert "accuracy_val = (tree.predict(X_val) == y_val).mean()" in evaluate
    assert '"accuracy_val": accuracy_val' in evaluate


SCORED_INLINE = make_notebook(
    "import pandas as pd\nmarks = pd.read_csv('marks.csv')",
    "from sklearn.model_selection import train_test_split\n"
    "X = marks[['hours', 'quizzes']]\ny = marks['passed']\n"
    "X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=3)",
    "from sklearn.tree import DecisionTreeClassifier\n"
    "tree = DecisionTreeClassifier(max_depth=3, random_state=0)\ntree.fit(X_train, y_train)",
    "acc = (tree.predict(X_val) == y_val).mean()\nprint('accuracy', acc)",
)


def test_predictions_scored_inline_are_served_as_predictions_not_as_their_score(
    split_untagged,
):
    # predict() served fitted["(tree.predict(X_val) == y_val).mean()"], one number for every
    # request, and its fitted_values() read `tree`, a NameError in ploomber build
    result, out = split_untagged(SCORED_INLINE, "marks.ipynb")
    assert result.exit_code == 0, result.output
    predict = next((out / "src").glob("*/predict.py")).read_text()
    assert "predictions = model.predict(X_val)" in predict
    assert "fitted" not in predict and "y_val" not in predict
    evaluate = next((out / "src").glob("*/evaluate.py")).read_text()
    assert "acc = (tree.predict(X_val) == y_val).mean()" in evaluate
    assert ruff_problems(out) == ""


def test_numbers_typed_in_by_hand_are_not_metrics(split_untagged, tmp_path):
    """A course notebook checks its confusion matrix by hand (`precision = 55 / float(55 + 28)`,
    then `f1` from those): literals, not measured on the model; they were registered as the
    model's metrics (`support: 185`) next to the real accuracy."""
    import pandas as pd

    pd.DataFrame(
        {"a": [1, 2, 3, 4, 5, 6, 7, 8] * 3, "b": [0, 1, 0, 1, 1, 0, 1, 0] * 3, "y": [0, 1] * 12}
    ).to_csv(tmp_path / "rows.csv", index=False)
    nb = make_notebook(
        "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
        "from sklearn import metrics",
        "rows = pd.read_csv('rows.csv')\nX = rows[['a', 'b']]\ny = rows['y']",
        "model = LogisticRegression()\nmodel.fit(X, y)",
        "pred = model.predict(X)\nmetrics.accuracy_score(y, pred)",
        "# by hand, from the confusion matrix above\nprecision = 55 / float(55 + 28 + 5)\n"
        "recall = 55 / float(55 + 14)\nprint(precision, recall)",
        "f1 = 2 * (precision * recall) / (precision + recall)\nsupport = 55 + 14\nprint(f1, support)",
        "hits = (pred == y).sum()\nprint(hits)",
    )
    result, out = split_untagged(nb, "by_hand.ipynb")
    assert result.exit_code == 0, result.output
    evaluate = (out / "src" / "by_hand" / "evaluate.py").read_text()
    returned = ast.parse(evaluate).body[-1].body[-1].value
    assert sorted(k.value for k in returned.keys) == ["accuracy", "hits"], evaluate
    report = json.loads((out / "productionize-report.json").read_text())
    assert "support" not in report["model"]["metrics"] and "f1" not in report["model"]["metrics"]


# a score shown at the end of a train cell, then X_test rebound (to an array) before predicting
TRAIN_CELL_SCORE = make_notebook(
    "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
    "from sklearn.linear_model import LogisticRegression\nfrom sklearn.metrics import accuracy_score",
    "df = pd.read_csv('heart.csv')",
    "X = df.drop('target', axis=1)\ny = df['target']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)",
    "model = LogisticRegression(max_iter=1000)\nmodel.fit(X_train, y_train)\n"
    "model.score(X_test, y_test)",
    "X_test = X_test.values\nX_train = X_train.values",
    "pred = model.predict(X_test)",
)


def test_a_score_ending_a_train_cell_is_bound_there_and_reported(split_untagged):
    result, out = split_untagged(TRAIN_CELL_SCORE, "heart.ipynb")
    assert result.exit_code == 0, result.output
    train = next((out / "src").glob("*/train.py")).read_text()
    # bound where the notebook shows it: before X_test becomes an array
    assert train.index("score_test = model.score(X_test, y_test)") < train.index(
        "X_test = X_test.values"
    )
    assert "return" in train and "score_test" in train.rsplit("return", 1)[1]
    evaluate = next((out / "src").glob("*/evaluate.py")).read_text()
    assert '"score_test": score_test' in evaluate
    report = json.loads((out / "productionize-report.json").read_text())
    assert "score_test" in report["model"]["metrics"]


@pytest.mark.slow
@pytest.mark.skipif(not can_verify(), reason="needs PRODUCTIONIZE_GENERATED_PYTHON with ploomber")
def test_a_train_cell_score_reproduces_the_notebook_and_reaches_the_registry(tmp_path):
    from .test_changed_in_place import write_heart

    path = tmp_path / "heart.ipynb"
    path.write_text(json.dumps(TRAIN_CELL_SCORE))
    write_heart(tmp_path)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    report = json.loads((out / "productionize-report.json").read_text())
    checked = {(c["stage"], c["name"]): c["status"] for c in report["verify"]["checks"]}
    assert checked[("predict", "score_test")] == "equal"
    metadata = json.loads((out / "models" / "v0001" / "metadata.json").read_text())
    assert "score_test" in metadata["metrics"]
