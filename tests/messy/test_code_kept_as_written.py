"""Notebook habits that ruff flags but whose meaning must not change: the project stays clean."""

from __future__ import annotations

import ast

from productionize.core.codegen import escape_invalid_escapes
from tests.conftest import make_notebook

from .conftest import ruff_problems


def test_invalid_escapes_are_doubled_without_changing_the_value():
    source = "t = s.str.extract(' ([A-Za-z]+)\\.', expand=False)\nu = 'a\\nb' + r'\\d' + '\\\\d'"
    fixed = escape_invalid_escapes(source)
    assert fixed.splitlines()[0] == "t = s.str.extract(' ([A-Za-z]+)\\\\.', expand=False)"
    assert fixed.splitlines()[1] == source.splitlines()[1]  # valid escapes and raw strings kept
    old = ast.literal_eval(source.split("extract(")[1].split(", expand")[0])
    new = ast.literal_eval(fixed.split("extract(")[1].split(", expand")[0])
    assert old == new == " ([A-Za-z]+)\\."


def test_pandas_comparisons_bare_excepts_and_regexes_give_a_ruff_clean_project(split_untagged):
    nb = make_notebook(
        "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression",
        "df = pd.read_csv('titanic.csv')",
        "df['Title'] = df.Name.str.extract(' ([A-Za-z]+)\\.', expand=False)\n"
        "df = df[df.Alive == True]\n"
        "df = df[df.Cabin == None]\n"
        "try:\n    df['Age'] = df.Age.astype(int)\nexcept:\n    pass\n"
        "X = df[['Age']]\ny = df.Survived",
        "model = LogisticRegression().fit(X, y)",
    )
    result, out = split_untagged(nb)
    assert result.exit_code == 0, result.output
    assert ruff_problems(out) == ""
    clean = next((out / "src").glob("*/clean.py")).read_text()
    assert "df.Alive == True" in clean  # not `is True`: that would change the pandas filter
