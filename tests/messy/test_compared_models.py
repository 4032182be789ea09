"""Notebooks that try several models one after the other (a logistic regression, a forest, an
SVC, each in its cell with its accuracy printed) or in a loop over a dict of them. The model
served is the one a predict cell uses; otherwise the one with the best shown held-out score,
picked again at each training (the last one fitted used to be served whatever it scored); a
loop's pick (``models[best]``) is served, not the loop's last model. Build says which."""

from __future__ import annotations

import json
import os

import nbformat
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.verifying import can_verify
from tests.conftest import make_notebook
from tests.service.servers import running_service

IMPORTS = (
    "import numpy as np\nimport pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.ensemble import RandomForestClassifier\nfrom sklearn.svm import SVC\n"
    "from sklearn.metrics import accuracy_score, classification_report"
)
LOAD = (
    "members = pd.read_csv('members.csv')\nX = members.drop('left', axis=1)\n"
    "y = members['left']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=3)"
)
# each model scored through the same `guess` name: the score of a cell is that cell's model's
LOGISTIC = (
    "logit = LogisticRegression(max_iter=1000)\nlogit.fit(X_train, y_train)\n"
    "guess = logit.predict(X_test)\nprint('logistic', accuracy_score(y_test, guess))\n"
    "print(classification_report(y_test, guess))"
)
FOREST = (
    "forest = RandomForestClassifier(n_estimators=40, random_state=0)\n"
    "forest.fit(X_train, y_train)\nguess = forest.predict(X_test)\n"
    "print('forest', accuracy_score(y_test, guess))"
)
KERNEL = (
    "kernel = SVC(C=0.01)\nkernel.fit(X_train, y_train)\nguess = kernel.predict(X_test)\n"
    "print('svc', accuracy_score(y_test, guess))"
)
IN_TURN = make_notebook(IMPORTS, LOAD, LOGISTIC, FOREST, KERNEL)

IN_A_LOOP = make_notebook(
    IMPORTS,
    LOAD,
    "candidates = {'logistic': LogisticRegression(max_iter=1000),\n"
    "              'forest': RandomForestClassifier(n_estimators=40, random_state=0),\n"
    "              'svc': SVC(C=0.01)}\nresults = {}\n"
    "for label, estimator in candidates.items():\n    estimator.fit(X_train, y_train)\n"
    "    results[label] = accuracy_score(y_test, estimator.predict(X_test))\n"
    "    print(label, results[label])",
    "winner = max(results, key=results.get)\nchampion = candidates[winner]\nprint(winner)",
)

SPEND = make_notebook(
    "import numpy as np\nimport pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
    "from sklearn.linear_model import LinearRegression\nfrom sklearn.tree import DecisionTreeRegressor\n"
    "from sklearn.metrics import mean_squared_error",
    "shop = pd.read_csv('shop.csv')\nX = shop[['age', 'visits', 'income']]\ny = shop['spend']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
    "stump = DecisionTreeRegressor(max_depth=1).fit(X_train, y_train)\n"
    "print('RMSE', np.sqrt(mean_squared_error(y_test, stump.predict(X_test))))",
    "line = LinearRegression().fit(X_train, y_train)\n"
    "print('RMSE', np.sqrt(mean_squared_error(y_test, line.predict(X_test))))",
)


def _members(folder):
    """Who leaves is an interaction (long tenure and few logins, or the reverse): a forest
    finds it, a linear model and a heavily regularised SVC do not."""
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(
        {
            "tenure": rng.integers(1, 60, 400),
            "logins": rng.integers(0, 40, 400),
            "age": rng.integers(18, 80, 400),
        }
    )
    frame["left"] = ((frame["tenure"] > 30) ^ (frame["logins"] > 20)).astype(int)
    frame.to_csv(folder / "members.csv", index=False)


def _split(tmp_path, nb, name="members.ipynb"):
    path = tmp_path / name
    nbformat.write(nb, path)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["split", str(path), "-o", str(out), "--no-verify"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "productionize-report.json").read_text())
    return result, report, next((out / "src").glob("*/train.py")).read_text()


def test_models_fitted_in_turn_serve_the_best_held_out_score(tmp_path):
    _members(tmp_path)
    result, report, train = _split(tmp_path, IN_TURN)
    assert report["model"]["name"] == "best_model"
    assert report["model"]["compared"] == {
        "models": ["logit", "forest", "kernel"],
        "scores": ["accuracy_test", "accuracy_test_2", "accuracy_test_3"],
        "metric": "accuracy",
        "lower_is_better": False,
    }
    # each score is bound where its cell computes it, before `guess` is rebound
    assert (
        "guess = forest.predict(X_test)\n    accuracy_test_2 = accuracy_score(y_test, guess)"
        in (train)
    )
    assert "max(held_out_accuracy, key=held_out_accuracy.get)" in train
    assert "return accuracy_test, accuracy_test_2, accuracy_test_3, best_model" in train
    assert "compares 3 models (logit, forest and kernel, cells 2, 3 and 4)" in result.output
    assert "highest held-out accuracy" in result.output


def test_scores_the_notebook_names_pick_the_model_too(tmp_path):
    # `acc_forest = accuracy_score(...)` then a printed percentage: no score is only shown
    named = [
        cell.replace(
            "print('forest', accuracy_score(y_test, guess))",
            "acc_forest = " "accuracy_score(y_test, guess)\nprint('forest %', acc_forest * 100)",
        ).replace(
            "print('svc', accuracy_score(y_test, guess))",
            "acc_svc = " "accuracy_score(y_test, guess)\nprint('svc %', acc_svc * 100)",
        )
        for cell in (FOREST, KERNEL)
    ]
    result, report, train = _split(tmp_path, make_notebook(IMPORTS, LOAD, *named))
    assert report["model"]["compared"]["scores"] == ["acc_forest", "acc_svc"]
    assert 'held_out_accuracy = {"forest": acc_forest, "kernel": acc_svc}' in train


def test_an_error_score_picks_the_lowest(tmp_path):
    result, report, train = _split(tmp_path, SPEND, "shop.ipynb")
    assert report["model"]["compared"]["lower_is_better"] is True
    assert "min(held_out_rmse, key=held_out_rmse.get)" in train


def test_a_model_the_predict_cell_uses_is_served_and_the_others_named(tmp_path):
    nb = make_notebook(IMPORTS, LOAD, LOGISTIC, FOREST, KERNEL, "kept = logit.predict(X_test)")
    result, report, train = _split(tmp_path, nb)
    assert report["model"]["name"] == "logit" and report["model"]["compared"] is None
    assert "held_out" not in train
    assert "also fits `forest` and `kernel` (cells 3 and 4)" in result.output


def test_the_model_a_loop_comparison_picks_is_served(tmp_path):
    result, report, train = _split(tmp_path, IN_A_LOOP)
    assert report["model"]["name"] == "champion"
    # the pick looked like exploration (nothing read it): it is kept and returned
    assert "champion = candidates[winner]\n    return champion" in train
    assert "the one cell 3 line 2 picks (`champion = candidates[winner]`)" in result.output


def test_a_loop_keeping_no_model_says_the_last_one_is_served(tmp_path):
    nb = make_notebook(IMPORTS, LOAD, IN_A_LOOP.cells[2].source)
    result, report, _train = _split(tmp_path, nb)
    assert report["model"]["name"] == "estimator"
    assert "serves the loop's last one (`estimator` after the loop)" in result.output


def test_one_name_refit_with_another_model_says_only_the_last_is_served(tmp_path):
    again = FOREST.replace("forest", "clf") + "\n"
    nb = make_notebook(
        IMPORTS,
        LOAD,
        again,
        again.replace("RandomForestClassifier(", "SVC(").replace(
            "n_estimators=40, random_state=0", "C=0.01"
        ),
    )
    result, report, _train = _split(tmp_path, nb)
    assert report["model"]["name"] == "clf" and report["model"]["compared"] is None
    assert "`clf` is fitted and scored in cell 2, then fitted again in cell 3" in result.output


@pytest.mark.slow
@pytest.mark.skipif(not can_verify(), reason="needs PRODUCTIONIZE_GENERATED_PYTHON with ploomber")
@pytest.mark.parametrize("nb", [IN_TURN, IN_A_LOOP], ids=["in-turn", "in-a-loop"])
def test_the_best_model_is_trained_verified_and_served(tmp_path, nb):
    _members(tmp_path)
    path = tmp_path / "members.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    assert "\nmodel: " in result.output
    metadata = json.loads((out / "models" / "v0001" / "metadata.json").read_text())
    assert metadata["model_class"].endswith("RandomForestClassifier")  # not the last, the SVC
    with running_service(out, os.environ["PRODUCTIONIZE_GENERATED_PYTHON"]) as http:
        rows = [{"tenure": 50, "logins": 2, "age": 30}, {"tenure": 50, "logins": 35, "age": 30}]
        answer = http.post("/predict", json=rows)
        assert answer.status_code == 200, answer.text
        assert answer.json()["predictions"] == [1, 0]
