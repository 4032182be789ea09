"""Statistics-course notebooks fitting statsmodels: the model is built with its data and fitted
without arguments (``sm.OLS(y, X).fit()``, ``smf.ols("y ~ x", data=df).fit()``)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from productionize.adapters.compare_values import MODEL_MARKER, portable
from productionize.core.statsmodels_serving import formula_columns
from tests.conftest import make_notebook

COMPARE_SCRIPT = Path(__file__).parents[2] / "toolkit/productionize/adapters/compare_values.py"

OLS = make_notebook(
    "import pandas as pd\nimport statsmodels.api as sm",
    "homes = pd.read_csv('homes.csv')",
    "X = homes['rooms']\ny = homes['price']\nX = sm.add_constant(X)",
    "# endog first, then exog\nresults = sm.OLS(y, X).fit()\nresults.summary()",
)

FORMULA = make_notebook(
    "import pandas as pd\nimport statsmodels.formula.api as smf",
    "homes = pd.read_csv('homes.csv')",
    "fitted = smf.ols('price ~ rooms', data=homes).fit()\nprint(fitted.params)",
    "new_homes = pd.DataFrame({'rooms': [2, 3, 4]})\nprint(fitted.predict(new_homes))",
)


def test_an_ols_fitted_without_arguments_trains_on_its_exog(split_untagged):
    # was refused: "no cell is tagged 'train'" (a .fit() without arguments was not training)
    result, out = split_untagged(OLS, "homes.ipynb")
    assert result.exit_code == 0, result.output
    assert "cell 3 -> train" in result.output
    train = next((out / "src").glob("*/train.py")).read_text()
    assert "def train(y, X):" in train and "return results" in train
    predict = next((out / "src").glob("*/predict.py")).read_text()
    assert "predictions = model.predict(records)" in predict


def test_a_formula_model_trains_on_its_data_frame(split_untagged):
    result, out = split_untagged(FORMULA, "homes.ipynb")
    assert result.exit_code == 0, result.output
    train = next((out / "src").glob("*/train.py")).read_text()
    assert 'fitted = smf.ols("price ~ rooms", data=homes).fit()' in train


class OLSResults:  # what verify's capture cell sees of a fitted statsmodels result
    __module__ = "statsmodels.regression.linear_model"

    def __init__(self):
        self.data = pd.DataFrame({"rooms": [1, 2]}, index=pd.Index(["a", "b"]))

    def predict(self, exog):
        return exog


def test_a_statsmodels_result_is_captured_as_a_marker_not_its_fitted_frames():
    # its frames, pickled where pyarrow stores text, failed to load in the project's
    # environment ('cannot load: No module named pyarrow'): a divergence for a model
    captured = portable(OLSResults())
    assert captured == {MODEL_MARKER: "statsmodels.regression.linear_model.OLSResults"}
    assert portable(pd.Series([1.0])).equals(pd.Series([1.0]))


def test_predictions_the_notebook_holds_as_a_series_compare_with_predicts_list(tmp_path):
    import joblib

    capture = tmp_path / "capture.pkl"
    values = {
        "predict:predictions": pickle.dumps(pd.Series([21.5, 19.0], index=[3, 7])),
        "train:results": pickle.dumps(portable(OLSResults())),
    }
    capture.write_bytes(pickle.dumps(values))
    joblib.dump([21.5, 19.0], tmp_path / "predictions.pkl")
    joblib.dump("a fitted result", tmp_path / "model.pkl")
    request = tmp_path / "request.json"
    request.write_text(
        json.dumps(
            {
                "notebook": str(capture),
                "project": str(tmp_path),
                "values": [
                    {"stage": "predict", "name": "predictions", "product": "predictions.pkl"},
                    {"stage": "train", "name": "results", "product": "model.pkl"},
                ],
            }
        )
    )
    run = subprocess.run(
        [sys.executable, str(COMPARE_SCRIPT), str(request)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    statuses = [r["status"] for r in json.loads(run.stdout)]
    assert statuses == ["equal", "skipped"], run.stdout


@pytest.mark.parametrize(
    ("formula", "columns"),
    [
        ("price ~ rooms", ("rooms",)),
        ("price ~ rooms + C(city) + np.log(area)", ("rooms", "city", "area")),
        ("y ~ a + b + a:b - 1", ("a", "b")),
        ('y ~ Q("floor area") + I(rooms ** 2)', ("floor area", "rooms")),
        ("no tilde here", ()),
    ],
)
def test_a_formula_serves_the_columns_of_its_right_hand_side(formula, columns):
    assert formula_columns(formula) == columns
