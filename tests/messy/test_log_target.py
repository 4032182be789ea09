"""Regression notebooks that fit on a log-transformed target (`np.log1p(y)`) and undo it on the
predictions (`np.expm1(model.predict(X))`, often inside the submission frame): the served
predict() applies the same inverse, so the service answers in the target's units (dollars), not
in logs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.verifying import can_verify
from tests.conftest import make_notebook

from . import public_shapes

HELD_OUT = make_notebook(
    "import numpy as np\nimport pandas as pd\nfrom sklearn.linear_model import Ridge\n"
    "from sklearn.model_selection import train_test_split",
    "homes = pd.read_csv('house_train.csv')\nX = homes[['YearBuilt', 'YrSold']]\n"
    "y = np.log1p(homes['SalePrice'])\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=2)",
    "ridge = Ridge()\nridge.fit(X_train, y_train)",
    "dollars = np.clip(np.expm1(ridge.predict(X_test)), 0, None)",
)


def _predict_module(out):
    return next((out / "src").glob("*/predict.py")).read_text()


@pytest.mark.parametrize(
    ("nb", "expected"),
    [
        (public_shapes.HOUSE_LOG_TARGET, "predictions = np.expm1(model.predict(test_X))"),
        (HELD_OUT, "predictions = np.clip(np.expm1(model.predict(X_test)), 0, None)"),
    ],
    ids=["submission-frame", "held-out-split"],
)
def test_the_served_predict_undoes_the_log_target(split_untagged, nb, expected):
    result, out = split_untagged(nb, "house.ipynb")
    assert result.exit_code == 0, result.output
    predict = _predict_module(out)
    assert expected in predict
    assert "import numpy as np" in predict
    assert "DataFrame" not in predict and "to_csv" not in predict


@pytest.mark.slow
@pytest.mark.skipif(not can_verify(), reason="needs PRODUCTIONIZE_GENERATED_PYTHON with ploomber")
def test_the_service_answers_in_dollars(tmp_path):
    path = tmp_path / "house.ipynb"
    path.write_text(json.dumps(public_shapes.HOUSE_LOG_TARGET))
    public_shapes.write_house_train_and_test(tmp_path)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    metadata = json.loads((out / "models" / "v0001" / "metadata.json").read_text())
    golden = metadata["examples"]["predictions"]
    assert golden and min(golden) > 10_000  # SalePrice in dollars, log1p(price) is about 12
