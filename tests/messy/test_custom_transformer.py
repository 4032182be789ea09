"""A notebook that defines its own scikit-learn transformer class and fits it in a Pipeline.

The notebook pickles the fitted Pipeline as ``__main__.RatioAdder``; the pipeline's copy lives in
the generated ``train`` module, imported by ploomber as ``src.<package>.train``. verify compares
the two (the notebook's value is unpickled with the generated module's class, not reported
"cannot load"), and the service loads the registered model although it runs with only ``src/``
on the path (it was a fallback on every request: "No module named 'src'").
"""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from tests.conftest import make_notebook

from .test_text_models import SERVE

GENERATED_PYTHON = os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON")

RATIOS = make_notebook(
    "import pandas as pd\nfrom sklearn.base import BaseEstimator, TransformerMixin\n"
    "from sklearn.pipeline import Pipeline\nfrom sklearn.linear_model import LinearRegression\n"
    "from sklearn.model_selection import train_test_split",
    "class RatioAdder(BaseEstimator, TransformerMixin):\n"
    "    def __init__(self, top='rooms', bottom='people'):\n"
    "        self.top = top\n        self.bottom = bottom\n\n"
    "    def fit(self, X, y=None):\n        return self\n\n"
    "    def transform(self, X):\n"
    "        X = X.copy()\n        X['ratio'] = X[self.top] / X[self.bottom]\n        return X",
    "homes = pd.read_csv('homes.csv')\nX = homes[['rooms', 'people']]\ny = homes['price']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=2)",
    "pipe = Pipeline([('ratio', RatioAdder()), ('lr', LinearRegression())])\n"
    "pipe.fit(X_train, y_train)\npreds = pipe.predict(X_test)",
)


@pytest.mark.slow
@pytest.mark.skipif(not GENERATED_PYTHON, reason="PRODUCTIONIZE_GENERATED_PYTHON not set")
def test_a_notebook_transformer_class_verifies_and_is_served(tmp_path):
    rng = np.random.default_rng(3)
    homes = pd.DataFrame({"rooms": rng.integers(1, 8, 60), "people": rng.integers(1, 5, 60)})
    homes["price"] = 50 * homes.rooms / homes.people + rng.normal(0, 1, 60)
    homes.to_csv(tmp_path / "homes.csv", index=False)
    (tmp_path / "homes.ipynb").write_text(json.dumps(RATIOS))
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(tmp_path / "homes.ipynb"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    script = SERVE.replace("sentiment.", "homes.").replace(
        "records = [", "records = [{'rooms': 3, 'people': 2}]; _ = ["
    )
    served = subprocess.run(
        [GENERATED_PYTHON, "-c", script], cwd=out, capture_output=True, text=True, check=False
    )
    assert served.returncode == 0, served.stderr[-3000:]
    answer = json.loads(served.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200, answer
    assert answer["body"]["fallback"] is False, answer["body"]
