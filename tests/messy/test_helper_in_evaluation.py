"""A notebook function the cleaning defines and the last cells call again on a new file
(`def add_features(data): ...` in clean, `new = add_features(pd.read_csv('new.csv'))` after the
score): evaluate() imports it from the cleaning module like train does. It took the function as
a value from upstream, which no stage returns, and `ploomber build` stopped with
KeyError: 'add_features'."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from productionize.adapters.cli import main
from tests.conftest import make_notebook

NB = make_notebook(
    "import numpy as np\nimport pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
    "from sklearn.linear_model import LinearRegression",
    "homes = pd.read_csv('homes.csv')",
    "def add_features(data):\n    data['rooms_per_floor'] = data['rooms'] / data['floors']\n"
    "    data['log_area'] = np.log1p(data['area'])\n    return data",
    "homes = add_features(homes)\nX = homes.drop(['price'], axis=1)\ny = homes['price']\n"
    "X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)",
    "model = LinearRegression()\nmodel.fit(X_train, y_train)",
    "pred = model.predict(X_val)\nprint(np.sqrt(((pred - y_val) ** 2).mean()))",
    "listings = add_features(pd.read_csv('listings.csv'))\nasking = model.predict(listings)",
)


def _write_data(folder):
    rng = np.random.default_rng(3)
    homes = pd.DataFrame(
        {
            "rooms": rng.integers(2, 9, 80),
            "floors": rng.integers(1, 4, 80),
            "area": rng.uniform(40, 250, 80).round(1),
        }
    )
    homes["price"] = (homes["area"] * 1500 + homes["rooms"] * 9000 + rng.normal(0, 5e3, 80)).round()
    homes.to_csv(folder / "homes.csv", index=False)
    homes.drop(columns="price").head(10).to_csv(folder / "listings.csv", index=False)


def test_a_function_of_the_cleaning_called_in_the_evaluation_is_imported(tmp_path):
    _write_data(tmp_path)
    path = tmp_path / "listing_prices.ipynb"
    path.write_text(json.dumps(NB))
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    evaluate = (out / "src" / "listing_prices" / "evaluate.py").read_text()
    assert "from .clean import add_features" in evaluate
    assert "def evaluate(model, X_val, listings_path=" in evaluate
