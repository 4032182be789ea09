"""Exploration code production does not need stays in the notebook: values computed only to be
looked at (`corr = df.corr()` for a heatmap), never anything a later production step reads."""

from __future__ import annotations

import ast

from productionize.core.exploration import exploration_statements
from tests.conftest import make_notebook

from .conftest import split_nb


def _dead(*sources, stage="clean"):
    """Dead positions among ``sources``; a train step reading X, df and y follows them."""
    nodes = [(stage, node) for source in sources for node in ast.parse(source).body]
    nodes.append(("train", ast.parse("model = fit(X, df, y)").body[0]))
    return sorted(exploration_statements((stage, "code", node) for stage, node in nodes))


def test_values_only_inspected_are_dropped_transitively():
    # corr feeds top only; top feeds nothing production reads
    assert _dead("corr = df.corr()", "top = corr.index[abs(corr['y']) > 0.2]", "X = df[['a']]") == [
        0,
        1,
    ]


def test_a_value_read_later_is_kept():
    assert _dead("mean_age = round(df.Age.mean())", "df['Age'] = df['Age'].fillna(mean_age)") == []


def test_lists_grown_only_for_a_chart_are_dropped():
    dead = _dead("rows = []", "rows.append(list(df[df.a == 1]['y'].value_counts()))", "X = df")
    assert dead == [0, 1]


def test_calls_that_may_change_something_are_never_dropped():
    sources = (
        "x = df.dropna(inplace=True)",  # inplace
        "df2 = df.fillna(0)",  # not an inspection
        "n = model.fit(X, y)",  # fits
        "df['b'] = df['a'].mean()",  # writes into a frame
        "obj.total = df.sum()",  # writes an attribute
        "s = compute(df)",  # unknown function
        "rows.append(send(df))",  # unknown call in the argument
    )
    assert _dead(*sources) == []


def test_predict_stage_values_are_metrics_and_stay():
    assert _dead("acc = (pred == y).mean()", stage="predict") == []


def test_exploration_statements_stay_in_the_notebook_and_the_report_lists_them():
    nb = make_notebook(
        ("code", "import pandas as pd\ndf = pd.read_csv('d.csv')", ["load"]),
        (
            "code",
            "import seaborn as sns\ncorr = df.corr(numeric_only=True)\n"
            "top = corr.index[abs(corr['y']) > 0.2]\nsns.heatmap(corr)\n"
            "mean_a = round(df.a.mean())\ndf['a'] = df['a'].fillna(mean_a)\n"
            "X, y = df[['a']], df['y']",
            ["clean"],
        ),
        (
            "code",
            "from sklearn.linear_model import LinearRegression\n"
            "model = LinearRegression().fit(X, y)",
            ["train"],
        ),
        ("code", "pred = model.predict(X)", ["predict"]),
    )
    result = split_nb(nb, sizes={"d.csv": 10})
    clean = next(f.content for f in result.files if f.path.endswith("/clean.py"))
    assert "corr" not in clean.split('"""')[2] and "seaborn" not in clean
    assert "mean_a = round(df.a.mean())" in clean
    (stage,) = [s for s in result.report["stages"] if s["name"] == "clean"]
    assert stage["dropped"] == [
        "cell 1: corr = df.corr(numeric_only=True)",
        "cell 1: top = corr.index[abs(corr['y']) > 0.2]",
        "cell 1: sns.heatmap(corr)",
    ]


def test_a_stage_of_inspection_only_keeps_its_code():
    nb = make_notebook(
        ("code", "import pandas as pd\nraw = pd.read_csv('d.csv')", ["load"]),
        ("code", "summary = raw.mean()", ["clean"]),
        (
            "code",
            "from sklearn.linear_model import LinearRegression\n"
            "X, y = raw[['a']], raw['y']\nmodel = LinearRegression().fit(X, y)",
            ["train"],
        ),
    )
    result = split_nb(nb, sizes={"d.csv": 10})
    clean = next(f.content for f in result.files if f.path.endswith("/clean.py"))
    assert "summary = raw.mean()" in clean


def test_a_bare_inspection_chain_is_dropped():
    assert _dead("df.isnull().sum().sort_values(ascending=False)", "X = df[['a']]") == [0]


def test_a_loop_that_only_prints_is_display_code():
    from productionize.core.defuse import parse_cell
    from productionize.core.notebook import notebook_from_dict
    from productionize.core.statements import classify

    source = (
        "import os\n"
        "for dirname, _, filenames in os.walk('/kaggle/input'):\n"
        "    for filename in filenames:\n"
        "        print(os.path.join(dirname, filename))\n"
        "for d in frames:\n"
        "    d['Age'] = d['Age'].fillna(0)\n"
        "    print(d.shape)"
    )
    notebook, _ = notebook_from_dict(make_notebook(source), "nb.ipynb")
    kinds = [s.kind for s in classify(parse_cell(notebook.cells[0]))]
    assert kinds == ["import", "display", "code"]


def test_arrays_built_for_a_bar_chart_are_dropped():
    dead = _dead(
        "data = []",
        "data.append(list(df[df['a'] == 1]['y'].value_counts().sort_index()))",
        "labels = ['one']",
        "died = [sub[0] for sub in data]",
        "x = np.arange(len(labels))",
        "width = 0.35",
        "X = df[['a']]",
    )
    assert dead == [0, 1, 2, 3, 4, 5]
