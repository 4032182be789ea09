"""The refusal "cannot tell which records the served predict() receives" names the fit that
counts (file, cell, line), and its advice, once followed, splits."""

from __future__ import annotations

import pytest

from productionize.errors import SplitError
from tests.conftest import make_notebook
from tests.split.conftest import split_nb

LOAD = (
    "code",
    "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n"
    "flats = pd.read_csv(data_path)",
    ["load"],
)
PARAMS = ("code", "data_path = 'flats.csv'", ["parameters"])
NAMED_FIT = (
    "code",
    "X = flats[['area', 'rooms']]\ny = flats['rent']\nregressor = LinearRegression()\n"
    "regressor.fit(X, y)",
    ["train"],
)


def _refusal(*cells) -> SplitError:
    with pytest.raises(SplitError) as caught:
        split_nb(make_notebook(PARAMS, LOAD, *cells))
    return caught.value


def test_a_fit_on_an_expression_is_named_with_its_cell_and_line():
    # a fit on a column selection is bound to names by the split (core/fit_arguments.py); on
    # an array made from one (`.values`) it is not, and the refusal names the fit
    selection = "regressor = LinearRegression()\nregressor.fit(flats[['area']], flats['rent'])"
    built = split_nb(make_notebook(PARAMS, LOAD, ("code", selection, ["train"])))
    assert built.spec.records_name == "X"
    error = _refusal(
        ("code", selection.replace("flats[['area']],", "flats[['area']].values,"), ["train"]),
        ("code", "rent_guess = regressor.predict(flats[['area']].values)", ["predict"]),
    )
    assert (error.location.cell_index, error.location.line) == (2, 2)
    assert str(error).startswith("nb.ipynb:cell 2:2: ")
    message = str(error)
    assert "`regressor` is last fitted in cell 2 line 2 on `flats[['area']].values`" in message
    assert "cell 3 line 1 predicts on `flats[['area']].values`" in message
    assert "add a predict cell" not in message  # there is one
    assert "`X = flats[['area']].values`, `y = flats['rent']`" in message


@pytest.mark.parametrize("with_predict_cell", [True, False])
def test_a_later_refit_is_the_fit_named_and_the_advice_splits(with_predict_cell):
    refit = (
        "code",
        "# the area alone\nregressor.fit(flats[['area']].values, flats['rent'])",
        ["train"],
    )
    predict = ("code", "rent_guess = regressor.predict(flats[['area']].values)", ["predict"])
    error = _refusal(NAMED_FIT, refit, *([predict] if with_predict_cell else []))
    assert (error.location.cell_index, error.location.line) == (3, 2)
    message = str(error)
    assert "last fitted in cell 3 line 2 on `flats[['area']].values`" in message
    assert "replaces the one on `X` in cell 2 line 4" in message
    assert "fit it on a named frame (`model.fit(X_train, y_train)`)" not in message  # it was
    # what the message says to write splits, serving the refit's features
    fixed = (
        "code",
        "X_last = flats[['area']]\ny_last = flats['rent']\nregressor.fit(X_last, y_last)",
        ["train"],
    )
    rest = [("code", "rent_guess = regressor.predict(X_last)", ["predict"])]
    result = split_nb(
        make_notebook(PARAMS, LOAD, NAMED_FIT, fixed, *(rest if with_predict_cell else []))
    )
    assert (result.spec.features_name, result.spec.records_name) == ("X_last", "X_last")


def test_a_search_fitted_on_an_expression_names_the_search_and_the_model_served():
    search = (
        "code",
        "from sklearn.model_selection import GridSearchCV\n"
        "search = GridSearchCV(LinearRegression(), {'fit_intercept': [True, False]}, cv=2)\n"
        "search.fit(flats[['area']].values, flats['rent'])\nbest = search.best_estimator_",
        ["train"],
    )
    predict = ("code", "rent_guess = best.predict(flats[['area']].values)", ["predict"])
    error = _refusal(search, predict)
    assert (error.location.cell_index, error.location.line) == (2, 3)
    assert "`search` (the model served is `best`) is last fitted in cell 2 line 3" in str(error)
    assert "`search.fit(X, y)`, `predictions = best.predict(X)`" in str(error)
    named = (
        "code",
        search[1].replace(
            "search.fit(flats[['area']].values, flats['rent'])",
            "X = flats[['area']].values\ny = flats['rent']\nsearch.fit(X, y)",
        ),
        ["train"],
    )
    result = split_nb(make_notebook(PARAMS, LOAD, named, predict))
    assert result.spec.features_name == "X"
