"""`from module import *` (pycaret, fastai, pylab habits): lint and split agree and say why."""

from __future__ import annotations

from productionize.core.lint import lint
from productionize.core.notebook import notebook_from_dict
from productionize.model import Severity
from productionize.options import Options
from tests.conftest import make_notebook

STAR = make_notebook(
    "import pandas as pd\nfrom pycaret.regression import *",
    ("code", "train = pd.read_csv('train.csv')", ["load"]),
    ("code", "le = LabelEncoder()\ntrain['a'] = le.fit_transform(train['a'])", ["clean"]),
    (
        "code",
        "from sklearn.linear_model import Ridge\nm = Ridge().fit(train[['a']], train.y)",
        ["train"],
    ),
)


def test_lint_warns_about_names_only_a_star_import_could_define():
    nb, _node = notebook_from_dict(STAR, "star.ipynb")
    findings = [f for f in lint(nb, Options()) if f.rule == "PN201"]
    assert [(f.location.cell_index, f.severity) for f in findings] == [(2, Severity.WARNING)]
    assert "`LabelEncoder`" in findings[0].message
    assert "from pycaret.regression import *" in findings[0].message


def test_split_names_the_star_import_instead_of_blaming_hidden_state(split_untagged):
    result, out = split_untagged(STAR, "star.ipynb")
    assert result.exit_code == 2
    assert "star.ipynb:cell 2" in result.output
    assert "`from pycaret.regression import *` (cell 0)" in result.output
    assert "hidden state" not in result.output
    assert not out.exists()


# a Kaggle Learn exercise: learntools' checker objects come from the exercise's star import
EXERCISE = make_notebook(
    "from learntools.core import binder\nbinder.bind(globals())\n"
    "from learntools.ml_intermediate.ex2 import *",
    ("code", "import pandas as pd\nhomes = pd.read_csv('homes.csv')", ["load"]),
    (
        "code",
        "from sklearn.tree import DecisionTreeRegressor\nX, y = homes[['rooms']], homes.price\n"
        "tree = DecisionTreeRegressor(random_state=1).fit(X, y)\n\n# Check your answer\n"
        "step_3.check()",
        ["train"],
    ),
)


def test_an_exercise_checker_is_pointed_at_the_lines_to_delete(split_untagged):
    nb, _node = notebook_from_dict(EXERCISE, "exercise.ipynb")
    (finding,) = [f for f in lint(nb, Options()) if f.rule == "PN201"]
    assert finding.fix.description.startswith(
        "`step_3` is the exercise checker of Kaggle Learn (`learntools.ml_intermediate.ex2`): "
        "delete the lines calling its `.check()`"
    )
    result, _out = split_untagged(EXERCISE, "exercise.ipynb")
    assert result.exit_code == 2
    assert "exercise.ipynb:cell 2" in result.output
    assert "import `step_3` by name" not in result.output
    assert "they only grade the exercise" in result.output
