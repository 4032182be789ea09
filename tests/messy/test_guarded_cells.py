"""Assignment-style notebooks that guard each step (`if 'X_train' in locals():`).

A course notebook under headings "Task 3: Model Development" / "Task 4: Model Evaluation" wraps
its steps in `if` blocks so a missing file prints a message instead of failing. The evaluation
heading suggests a `predict` stage, but the cell under it only scores and plots inside its `if`:
that guessed stage had no production code and the split was refused, so clicking Productionize
on an untagged notebook ended in an error about a tag the user never set.
"""

from __future__ import annotations

import pytest

from productionize.errors import SplitError
from productionize.options import Options
from tests.conftest import make_notebook
from tests.split.conftest import split_nb

GUARDED = make_notebook(
    ("markdown", "# Part 1: Loading"),
    "import pandas as pd\n"
    "import matplotlib.pyplot as plt\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.metrics import accuracy_score, f1_score\n"
    "from sklearn.model_selection import train_test_split\n"
    "try:\n"
    "    subs = pd.read_csv('subscribers.csv')\n"
    "except FileNotFoundError:\n"
    "    subs = pd.DataFrame({'months': [1, 2], 'left': ['yes', 'no']})",
    ("markdown", "# Part 2: Preparing"),
    "subs['left'] = subs['left'].map({'yes': 1, 'no': 0})\n"
    "X = subs.drop('left', axis=1)\n"
    "y = subs['left']\n"
    "if len(subs) > 10:\n"
    "    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=3)",
    ("markdown", "# Part 3: Model Development"),
    "clf = LogisticRegression()\n"
    "if 'X_train' in locals():\n"
    "    clf.fit(X_train, y_train)\n"
    "    y_pred = clf.predict(X_test)",
    ("markdown", "# Part 4: Model Evaluation"),
    "if 'y_pred' in locals():\n"
    "    acc = accuracy_score(y_test, y_pred)\n"
    "    f1 = f1_score(y_test, y_pred)\n"
    "    print(f'accuracy {acc:.3f}, f1 {f1:.3f}')\n"
    "    plt.bar(['acc', 'f1'], [acc, f1])\n"
    "    plt.show()",
)


def test_a_guessed_stage_left_with_only_scores_and_plots_is_dropped_not_refused():
    result = split_nb(GUARDED, Options(infer_tags=True))
    tags = {s.cell_index: s.tag for s in result.suggestions}
    assert tags == {1: "load", 3: "clean", 5: "train"}  # no 'predict' for cell 7
    assert [s.name for s in result.spec.stages] == ["load", "clean", "train", "predict"]
    train = next(s for s in result.spec.stages if s.name == "train")
    assert 7 in train.cells  # the scores stay in the notebook, listed with the train stage
    assert any(d.startswith("cell 7:") for d in train.dropped)


def test_a_stage_the_user_tagged_stays_theirs_even_when_it_has_no_code():
    tagged = make_notebook(
        ("code", GUARDED.cells[1].source, ["load"]),
        ("code", GUARDED.cells[3].source, ["clean"]),
        ("code", GUARDED.cells[5].source, ["train"]),
        ("code", GUARDED.cells[7].source, ["predict"]),
    )
    with pytest.raises(SplitError, match=r"stage 'predict' \(cell 3\) has no production code"):
        split_nb(tagged, Options(infer_tags=True))


def test_a_fill_that_changed_a_copy_above_is_named_when_the_model_meets_nan():
    from productionize.adapters.building import _lint_hint
    from productionize.core.lint import lint
    from productionize.core.notebook import notebook_from_dict

    nb = make_notebook(
        "import pandas as pd\nsubs = pd.read_csv('subscribers.csv')",
        "subs['fee'].fillna(subs['fee'].median(), inplace=True)",
        "from sklearn.linear_model import LogisticRegression\n"
        "clf = LogisticRegression().fit(subs[['fee']], subs['left'])",
    )
    notebook, _ = notebook_from_dict(nb, "subs.ipynb")
    findings = tuple(lint(notebook, Options(select=("PN2",))))
    hint = _lint_hint(findings, 2)  # ValueError: Input X contains NaN
    assert "Lint above it, cell 1: PN203: `subs['fee'].fillna(..., inplace=True)`" in hint
    assert "productionize lint --fix" in hint
