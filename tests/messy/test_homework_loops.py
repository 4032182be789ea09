"""Course homework notebooks that end with loops over features or settings, each printing a
score (drop one feature at a time, try several C values): the evaluation keeps them runnable."""

from __future__ import annotations

import pytest

from productionize.core.codegen import ordered_defs
from tests.conftest import make_notebook

from .conftest import ruff_problems


@pytest.mark.parametrize(
    "code, expected",
    [
        ("keep = [c for c in cols if c != 'y']", ["keep"]),
        (
            "pairs = {k: v for k, v in d.items()}\ntotal = sum(x * 2 for x in pairs)",
            ["pairs", "total"],
        ),
        ("for f in cols:\n    rest = [c for c in cols if c != f]", ["f", "rest"]),
        ("def helper(a):\n    inner = a + 1\n    return inner\nout = helper(2)", ["out"]),
        ("big = [y for x in data if (y := x * 2) > 3]", ["big", "y"]),
        ("square = lambda v: v * v\nimport os", ["square"]),
    ],
)
def test_top_level_names_leave_out_comprehension_and_function_scopes(code, expected):
    assert ordered_defs(code) == expected


HOMEWORK = make_notebook(
    ("code", "import pandas as pd\nleads = pd.read_csv('leads.csv')", ["load"]),
    (
        "code",
        "from sklearn.model_selection import train_test_split\n"
        "part_train, part_val = train_test_split(leads, test_size=0.25, random_state=1)\n"
        "y_train = part_train.pop('signed').values\ny_val = part_val.pop('signed').values",
        ["clean"],
    ),
    (
        "code",
        "from sklearn.linear_model import LogisticRegression\n"
        "clf = LogisticRegression(max_iter=500)\nclf.fit(part_train, y_train)",
        ["train"],
    ),
    (
        "code",
        "predicted = clf.predict(part_val)\nbase = (predicted == y_val).mean()\n"
        "for dropped in part_train.columns:\n"
        "    kept = [c for c in part_train.columns if c != dropped]\n"
        "    trial = LogisticRegression(max_iter=500).fit(part_train[kept], y_train)\n"
        "    print(dropped, base - (trial.predict(part_val[kept]) == y_val).mean())",
        ["predict"],
    ),
)


def test_a_feature_elimination_loop_in_the_evaluation_returns_only_names_it_binds(
    split_untagged,
):
    result, out = split_untagged(HOMEWORK, "homework.ipynb")
    assert result.exit_code == 0, result.output
    evaluate = next((out / "src").glob("*/evaluate.py")).read_text()
    assert '"kept": kept' in evaluate
    assert '"c": c' not in evaluate  # a comprehension's variable: NameError in ploomber build
    assert ruff_problems(out) == ""
