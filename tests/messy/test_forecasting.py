"""Forecasting notebooks with date parts, lags and rolling means of the target:

    df["date"] = pd.to_datetime(df["date"]); df["month"] = df["date"].dt.month
    df["lag_1"] = df["units"].shift(1); df["mean_7"] = df["units"].rolling(7).mean()

The model is served on records shaped like its features, so a request carries the lags itself:
predict() never shifts or rolls over the records of a request (they are not the history), and a
note per such column (cell, line, method) tells the README, the report and the pull request what
a client must send.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from productionize.adapters.cli import main
from tests.conftest import make_notebook

FORECAST = make_notebook(
    "import pandas as pd\nfrom sklearn.ensemble import RandomForestRegressor",
    "df = pd.read_csv('units.csv')\ndf['date'] = pd.to_datetime(df['date'])\n"
    "df['month'] = df['date'].dt.month\ndf['weekday'] = df['date'].dt.dayofweek",
    "def add_history(frame):\n"
    "    frame = frame.sort_values('date')\n"
    "    frame['lag_1'] = frame['units'].shift(1)\n"
    "    frame['mean_7'] = frame['units'].rolling(7).mean()\n"
    "    return frame.dropna()\n\n"
    "df = add_history(df)",
    "features = ['month', 'weekday', 'lag_1', 'mean_7']\n"
    "train = df[df['date'] < '2023-03-01']\ntest = df[df['date'] >= '2023-03-01']\n"
    "forest = RandomForestRegressor(n_estimators=10, random_state=0)\n"
    "forest.fit(train[features], train['units'])",
    "forecast = forest.predict(test[features])",
)


def test_lag_and_rolling_features_are_inputs_named_in_the_notes(tmp_path):
    days = pd.date_range("2023-01-01", periods=90, freq="D")
    units = 50 + 10 * np.sin(np.arange(90) / 7) + np.random.default_rng(0).normal(0, 1, 90)
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "units": units.round(1)}).to_csv(
        tmp_path / "units.csv", index=False
    )
    (tmp_path / "units.ipynb").write_text(json.dumps(FORECAST))
    out = tmp_path / "project"
    result = CliRunner().invoke(
        main, ["split", str(tmp_path / "units.ipynb"), "-o", str(out), "--no-verify"]
    )
    assert result.exit_code == 0, result.output
    readme = (out / "README.md").read_text()
    assert "`lag_1` (cell 2 line 3) is computed from the previous rows (`shift`)" in readme
    assert "`mean_7` (cell 2 line 4) is computed from the previous rows (`rolling`)" in readme
    assert "`month`" not in readme.split("previous rows")[0].split("\n")[-1]
    predict = (out / "src" / "units" / "predict.py").read_text()
    assert "shift(" not in predict and "rolling(" not in predict
    report = json.loads((out / "productionize-report.json").read_text())
    assert sum("computed from the previous rows" in n for n in report["notes"]) == 2


def test_lags_named_in_a_loop_are_named_in_the_notes_too(tmp_path):
    """`for lag in [1, 2, 7]: df['t-' + str(lag)] = series['temp'].shift(lag)` (the usual
    lag-features tutorial): the columns a request must carry got no note."""
    days = pd.date_range("2023-01-01", periods=60, freq="D")
    temps = 12 + 4 * np.sin(np.arange(60) / 9) + np.random.default_rng(1).normal(0, 1, 60)
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "temp": temps.round(1)}).to_csv(
        tmp_path / "temps.csv", index=False
    )
    nb = make_notebook(
        "import pandas as pd\nfrom sklearn.linear_model import LinearRegression",
        "series = pd.read_csv('temps.csv', index_col=0, parse_dates=True)",
        "df = pd.DataFrame()\ndf['t'] = series['temp']\nfor lag in [1, 2, 7]:\n"
        "    df['t-' + str(lag)] = series['temp'].shift(lag)\ndf = df.dropna()",
        "model = LinearRegression()\nmodel.fit(df.drop('t', axis=1), df['t'])",
    )
    nb["cells"][3][
        "source"
    ] = "X, y = df.drop('t', axis=1), df['t']\nmodel = LinearRegression()\nmodel.fit(X, y)"
    (tmp_path / "temps.ipynb").write_text(json.dumps(nb))
    out = tmp_path / "project"
    result = CliRunner().invoke(
        main, ["split", str(tmp_path / "temps.ipynb"), "-o", str(out), "--no-verify"]
    )
    assert result.exit_code == 0, result.output
    readme = (out / "README.md").read_text()
    assert (
        "the columns named `'t-' + str(lag)` (cell 2 line 4) are computed from the previous rows "
        "(`shift`)"
    ) in readme
