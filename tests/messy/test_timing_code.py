"""Course notebooks that time their training (`start = timeit.default_timer()` before the search,
`end_time - start_time` printed after the score): clock readings stay in the notebook, so the
evaluation's metrics (and the retraining gate's PROMOTE_METRIC) are scores, not wall-clock time."""

from __future__ import annotations

import json

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
