"""The generated registry stores predict()'s fitted values with each model version.

The registry is rendered from its template into a throwaway package (with a predict() taking
``fitted``) and run in this process: plain values round-trip through ``fitted.json`` with their
pandas/NumPy types, fitted estimators go to ``fitted.joblib``, and a changed file is refused.
"""

from __future__ import annotations

import importlib
import json
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.preprocessing import StandardScaler

from productionize.adapters.splitting import template_environment
from productionize.core.render import format_statement

PREDICT = '''
def predict(model, records, fitted):
    """Add the fitted offset to column a."""
    return [fitted["offset"] + value for value in records["a"]]
'''


@pytest.fixture
def registry(tmp_path, monkeypatch):
    package = tmp_path / "fitted_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "predict.py").write_text(PREDICT)
    text = (
        template_environment()
        .get_template("stages/registry.py.j2")
        .render(
            package="fitted_pkg",
            libraries=["pandas"],
            libraries_statement=format_statement('LIBRARIES = ["pandas"]'),
        )
    )
    (package / "registry.py").write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("fitted_pkg.registry")
    for name in [m for m in sys.modules if m.startswith("fitted_pkg")]:
        del sys.modules[name]


def save(registry, tmp_path, fitted):
    model = DummyRegressor().fit([[0.0], [1.0]], [0.0, 1.0])
    records = pd.DataFrame({"a": [1.0, 2.0, 3.0], "id": [7, 8, 9]})
    return registry.save_version(
        model,
        features=records,
        metrics={},
        params={},
        notebook_hash="n",
        data_hash="d",
        registry_dir=tmp_path / "models",
        fitted=fitted,
    )


def test_plain_fitted_values_round_trip_through_json(registry, tmp_path):
    fitted = {
        "offset": np.float64(0.5),
        "features": ["a", "b"],
        "columns": pd.Index(["a", "b"]),
        "by_class": pd.Series([30.0, 25.5], index=[1, 3], name="Age"),
        "codes": np.array([1, 2], dtype="int64"),
        "pairs": {1: "first"},
        "missing": float("nan"),
    }
    version = save(registry, tmp_path, fitted)
    folder = tmp_path / "models" / version
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["fitted_file"] == "fitted.json"
    # golden examples are the raw records, answered by predict(model, records, fitted)
    assert metadata["examples"]["predictions"] == [1.5, 2.5, 3.5]
    assert {c["name"] for c in metadata["features"]["columns"]} == {"a", "id"}
    loaded = registry.load_fitted(version, tmp_path / "models")
    assert loaded["offset"] == 0.5 and loaded["features"] == ["a", "b"]
    pd.testing.assert_index_equal(loaded["columns"], fitted["columns"])
    pd.testing.assert_series_equal(loaded["by_class"], fitted["by_class"])
    np.testing.assert_array_equal(loaded["codes"], fitted["codes"])
    assert loaded["codes"].dtype == np.int64
    assert loaded["pairs"] == {1: "first"} and np.isnan(loaded["missing"])


def test_fitted_estimators_are_kept_with_joblib_and_checked(registry, tmp_path):
    scaler = StandardScaler().fit([[1.0], [3.0]])
    version = save(registry, tmp_path, {"offset": 1.0, "scaler": scaler})
    folder = tmp_path / "models" / version
    assert json.loads((folder / "metadata.json").read_text())["fitted_file"] == "fitted.joblib"
    loaded = registry.load_fitted(version, tmp_path / "models")
    assert loaded["scaler"].mean_.tolist() == [2.0]
    (folder / "fitted.joblib").write_bytes(b"tampered")
    with pytest.raises(registry.ModelLoadError, match="does not match its recorded hash"):
        registry.load_fitted(version, tmp_path / "models")


def test_a_model_without_fitted_values_has_none(registry, tmp_path):
    model = DummyRegressor().fit([[0.0]], [0.0])
    version = registry.save_version(
        model,
        features=None,
        metrics={},
        params={},
        notebook_hash="n",
        data_hash="d",
        registry_dir=tmp_path / "models",
    )
    assert registry.load_fitted(version, tmp_path / "models") is None
