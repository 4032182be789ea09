"""Scores written the way notebooks write them: printed through an f-string, ``.format`` or
``%`` (``print(f"Accuracy: {accuracy_score(y_test, pred) * 100:.2f}%")``), scaled to a
percentage, or named (``acc = accuracy_score(y_test, pred)``) in the cell that fits the model.
They are the model's metrics (report, registry, retraining gate) and, with two models fitted in
turn, what picks the one served; verify checks each against the notebook."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.verifying import can_verify
from tests.conftest import make_notebook

LOAD = (
    "import pandas as pd\nfrom sklearn.datasets import load_iris\n"
    "df = load_iris(as_frame=True).frame"
)
SPLIT = (
    "from sklearn.model_selection import train_test_split\n"
    "X = df.drop('target', axis=1)\ny = df['target']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=1)"
)
FIT = (
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.metrics import accuracy_score\n"
    "lr = LogisticRegression(max_iter=50)\nlr.fit(X_train, y_train)\n"
    "pred_lr = lr.predict(X_test)\n"
)
TREE = (
    "from sklearn.tree import DecisionTreeClassifier\n"
    "tree = DecisionTreeClassifier(max_depth=1, random_state=0)\n"
    "tree.fit(X_train, y_train)\npred_tree = tree.predict(X_test)\n"
)


def _split(tmp_path, *cells) -> tuple[object, dict]:
    path = tmp_path / "scores.ipynb"
    path.write_text(json.dumps(make_notebook(LOAD, SPLIT, *cells)))
    out = tmp_path / "project"
    args = ["split", str(path), "-o", str(out), "--no-verify", "--infer-tags"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "productionize-report.json").read_text())
    return out, report["model"]


@pytest.mark.parametrize(
    "shown",
    [
        "print(f'Accuracy: {accuracy_score(y_test, pred_lr)}')",
        "print(f'Accuracy: {accuracy_score(y_test, pred_lr) * 100:.2f}%')",
        "print('Accuracy: {:.3f}'.format(accuracy_score(y_test, pred_lr)))",
        "print('Accuracy: %.3f' % accuracy_score(y_test, pred_lr))",
        "print('Accuracy:', round(100 * accuracy_score(y_test, pred_lr), 1))",
    ],
)
def test_a_formatted_score_is_a_metric_of_the_model(tmp_path, shown):
    out, model = _split(tmp_path, FIT + shown)
    assert model["metrics"] == ["accuracy_test"]
    train = next((out / "src").glob("*/train.py")).read_text()
    assert "accuracy_test = " in train and "return lr, accuracy_test" in train
    assert "print(" not in train


def test_a_score_the_cell_names_is_returned_under_its_name(tmp_path):
    out, model = _split(tmp_path, FIT + "acc = accuracy_score(y_test, pred_lr) * 100\nprint(acc)")
    assert model["metrics"] == ["acc"]
    train = next((out / "src").glob("*/train.py")).read_text()
    assert "acc = accuracy_score(y_test, pred_lr) * 100" in train and "return lr, acc" in train


def test_a_name_rebound_later_in_its_cell_is_not_taken_for_the_score(tmp_path):
    rebound = "acc = accuracy_score(y_test, pred_lr)\nacc = 'see above'\nprint(acc)"
    _out, model = _split(tmp_path, FIT + rebound)
    assert "acc" not in model["metrics"]


def test_formatted_scores_of_two_models_pick_the_one_served(tmp_path):
    _out, model = _split(
        tmp_path,
        FIT + "print(f'LR: {accuracy_score(y_test, pred_lr) * 100:.1f}%')",
        TREE + "print('Tree: %.3f' % accuracy_score(y_test, pred_tree))",
    )
    assert model["name"] == "best_model"
    assert model["compared"]["models"] == ["lr", "tree"]
    assert model["compared"]["metric"] == "accuracy"


@pytest.mark.slow
@pytest.mark.skipif(not can_verify(), reason="needs PRODUCTIONIZE_GENERATED_PYTHON with ploomber")
def test_named_percentages_reproduce_the_notebook_and_pick_the_better_model(tmp_path):
    path = tmp_path / "scores.ipynb"
    nb = make_notebook(
        LOAD,
        SPLIT,
        FIT + "acc_lr = accuracy_score(y_test, pred_lr) * 100\nprint(f'{acc_lr:.1f}')",
        TREE + "acc_tree = round(accuracy_score(y_test, pred_tree) * 100, 2)\nprint(acc_tree)",
    )
    path.write_text(json.dumps(nb))
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "--infer-tags"])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    report = json.loads((out / "productionize-report.json").read_text())
    checks = {c["name"]: c["status"] for c in report["verify"]["checks"]}
    assert checks["acc_lr"] == checks["acc_tree"] == "equal"
    assert report["model"]["compared"]["scores"] == ["acc_lr", "acc_tree"]
    metadata = json.loads(next((out / "models").glob("v0001/metadata.json")).read_text())
    # a depth-1 tree cannot separate three species: logistic regression is served
    assert metadata["metrics"]["acc_lr"] > metadata["metrics"]["acc_tree"]
    assert "LogisticRegression" in json.dumps(metadata)
