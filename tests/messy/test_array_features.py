"""``X = df[features].fillna(0).values`` with ``features`` a list of column names, the frame
gaining more columns afterwards (``df["ratio"] = ...``): the service takes those columns by name
(``income``, ``age``...), not fields "0".."4"; predict() applies ``.fillna(0).values`` itself."""

from __future__ import annotations

import json
import os

import nbformat
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.options import Options
from tests.conftest import make_notebook
from tests.service.servers import running_service
from tests.split.conftest import split_nb

INFER = Options(infer_tags=True)
FEATURES = ["income", "age", "debt", "years", "cards"]


def _loans(after: str = "df['ratio'] = df['debt'] / df['income']", before: str = ""):
    return make_notebook(
        "import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier",
        "df = pd.read_csv('loans.csv')",
        f"features = {FEATURES!r}\n{before}X = df[features].fillna(0).values\n"
        f"y = df['default'].values\n{after}",
        "model = RandomForestClassifier(n_estimators=10, random_state=0)\nmodel.fit(X, y)",
        "pred = model.predict(X)",
    )


def _file(result, name):
    return next(f.content for f in result.files if f.path.endswith(name))


@pytest.mark.parametrize(
    "after",
    [
        "df['ratio'] = df['debt'] / df['income']",
        "df['ratio'] = df['debt'] / df['income']\ndf['older'] = (df['age'] > 40).astype(int)",
        # the model saw the list as it was: a later change of `features` is another selection
        "features = features + ['ratio']\nZ = df[features]",
    ],
)
def test_the_named_columns_are_served_when_the_frame_only_gains_others(after):
    result = split_nb(_loans(after), INFER, sizes={"loans.csv": 2_000})
    predict = _file(result, "predict.py")
    assert "features = transformer_input.fillna(0).values" in predict
    # the list as it was then: verify reads the frame after the last cell, `features` may change
    assert "receives rows of `df[['income', 'age', 'debt', 'years', 'cards']]`" in predict
    readme = _file(result, "README.md")
    assert (
        "# records: rows of `df[['income', 'age', 'debt', 'years', 'cards']]` (notebook" in readme
    )
    assert "of `transformer_input`" not in readme
    code = "\n".join(f.content for f in result.files if f.path.endswith(".py"))
    assert (
        'transformer_input = df[["income", "age", "debt", "years", "cards"]]\n'
        "    X = df[features].fillna(0).values" in code
    )


@pytest.mark.parametrize(
    "before, after",
    [
        ("", "df['income'] = df['income'] / 1000"),  # a selected column changes
    ],
)
def test_a_selection_changed_afterwards_keeps_the_array(before, after):
    result = split_nb(_loans(after, before), INFER, sizes={"loans.csv": 2_000})
    assert "transformer_input" not in _file(result, "predict.py")


def test_a_list_changed_before_the_selection_is_not_written_out():
    result = split_nb(_loans("", "features.remove('age')\n"), INFER, sizes={"loans.csv": 2_000})
    assert "receives rows of `df[features]`" in _file(result, "predict.py")  # four columns


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
def test_the_service_schema_names_the_feature_columns(tmp_path):
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({name: rng.integers(1, 90, 60).astype(float) for name in FEATURES})
    frame.loc[3, "debt"] = np.nan
    frame["default"] = (frame["debt"].fillna(0) > frame["income"]).astype(int)
    frame.to_csv(tmp_path / "loans.csv", index=False)
    notebook = tmp_path / "loans.ipynb"
    nbformat.write(_loans(), notebook)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(notebook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["verify"]["ok"] is True, report["verify"]
    metadata = json.loads((out / "models" / "v0001" / "metadata.json").read_text())
    assert [c["name"] for c in metadata["features"]["columns"]] == FEATURES
    with running_service(out, os.environ["PRODUCTIONIZE_GENERATED_PYTHON"]) as http:
        schema = http.get("/schema").json()["json_schema"]
        assert set(schema["properties"]) == set(FEATURES)
        record = {"income": 30.0, "age": 41.0, "debt": None, "years": 3.0, "cards": 2.0}
        answer = http.post("/predict", json=record)  # fillna(0) applied by predict()
        assert answer.status_code == 200, answer.text
        assert answer.json()["fallback"] is False
