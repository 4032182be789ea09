"""Course notebooks that time their training (`start = timeit.default_timer()` before the search,
`end_time - start_time` printed after the score): clock readings stay in the notebook, so the
evaluation's metrics (and the retraining gate's PROMOTE_METRIC) are scores, not wall-clock time.
A benchmark notebook's `%time model.fit(X_train, y_train)` is the fit itself: only the timing
stays in the notebook."""

from __future__ import annotations

import json

from productionize.core.lint import lint
from productionize.core.notebook import notebook_from_dict
from productionize.options import Options
from tests.conftest import make_notebook

TIMED = make_notebook(
    "import time\nimport timeit\nfrom datetime import datetime\n"
    "from sklearn.datasets import load_diabetes\n"
    "from sklearn.model_selection import train_test_split, RandomizedSearchCV\n"
    "from sklearn.ensemble import RandomForestRegressor\nfrom sklearn.metrics import r2_score",
    "data = load_diabetes()\n"
    "x_train, x_test, y_train, y_test = train_test_split(data.data, data.target, random_state=5)",
    "start_time = timeit.default_timer()\nstarted = time.time()\n"
    "search = RandomizedSearchCV(RandomForestRegressor(random_state=0), {'max_depth': [2, 4]},"
    " n_iter=2, cv=3, random_state=0)\nsearch.fit(x_train, y_train)",
    "y_pred = search.predict(x_test)\nr2 = r2_score(y_test, y_pred)\n"
    "end_time = timeit.default_timer()\nelapsed = end_time - start_time\n"
    "stamp = datetime.now()\nprint(f'{elapsed:.1f} s, {time.time() - started:.1f} s', stamp)",
)


def test_clock_readings_stay_in_the_notebook(split_untagged):
    result, out = split_untagged(TIMED, "timed.ipynb")
    assert result.exit_code == 0, result.output
    code = "\n".join(
        (out / "src" / "timed" / f"{stage}.py").read_text() for stage in ("train", "evaluate")
    )
    for clock in ("default_timer", "time.time", "datetime.now", "elapsed", "start_time"):
        assert clock not in code, clock
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["model"]["metrics"] == ["y_pred", "r2"]
    assert "search.fit(x_train, y_train)" in code


LINE_TIMED = make_notebook(
    "import pandas as pd\nfrom sklearn.ensemble import HistGradientBoostingClassifier\n"
    "from sklearn import metrics",
    "flights = pd.read_csv('flights.csv')\nlater = pd.read_csv('later.csv')",
    "X_train = flights.iloc[:, :-1].to_numpy()\ny_train = flights.iloc[:, -1].to_numpy()\n"
    "X_test = later.iloc[:, :-1].to_numpy()\ny_test = later.iloc[:, -1].to_numpy()",
    "clf = HistGradientBoostingClassifier(max_iter=20, random_state=0)\n"
    "%time clf.fit(X_train, y_train)",
    "proba = clf.predict_proba(X_test)[:, 1]\nprint(metrics.roc_auc_score(y_test, proba))",
)


def test_a_fit_timed_with_the_time_magic_is_the_training(split_untagged):
    result, out = split_untagged(LINE_TIMED, "timed_fit.ipynb")
    assert result.exit_code == 0, result.output
    train = (out / "src" / "timed_fit" / "train.py").read_text()
    assert "clf.fit(X_train, y_train)" in train and "%time" not in train
    notebook, _ = notebook_from_dict(LINE_TIMED, "timed_fit.ipynb")
    (finding,) = lint(notebook, Options(select=("PN405",)))
    assert finding.message == (
        "`%time` is dropped from generated modules; the statement `clf.fit(X_train, y_train)` "
        "is kept"
    )
