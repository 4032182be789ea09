"""Verify across environments that disagree on pyarrow: the notebook's kernel stores pandas text in
pyarrow (pyarrow is in the toolkit's test environment, as in many users' kernels), the generated
project's environment has no pyarrow. Captured values must load there and compare equal."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from productionize.adapters.compare_values import compare, python_strings
from productionize.adapters.splitting import split_to_dir
from productionize.options import Options
from tests.conftest import EXAMPLES

pd = pytest.importorskip("pandas")
GENERATED_PYTHON = os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON")
COMPARE_SCRIPT = Path(__file__).parents[2] / "toolkit/productionize/adapters/compare_values.py"
needs_generated = pytest.mark.skipif(
    not GENERATED_PYTHON, reason="PRODUCTIONIZE_GENERATED_PYTHON not set"
)


def _has_pyarrow(python: str) -> bool:
    probe = subprocess.run([python, "-c", "import pyarrow"], capture_output=True)
    return probe.returncode == 0


def _frame():
    return pd.DataFrame(
        {
            "plan": ["basic", None, "premium"],
            "tenure": [1, 2, 3],
            "city": pd.Series(["x", "y", "x"]).astype("category"),
        },
        index=pd.Index(["a", "b", "c"], name="customer"),
    )


def _in_generated(code: str, payload: bytes) -> subprocess.CompletedProcess:
    program = (
        "import pickle, sys, importlib.util as u\n"
        f"spec = u.spec_from_file_location('cv', {str(COMPARE_SCRIPT)!r})\n"
        "cv = u.module_from_spec(spec); spec.loader.exec_module(cv)\n"
        "import pandas as pd\n" + code
    )
    return subprocess.run(
        [GENERATED_PYTHON, "-c", program], input=payload, capture_output=True, timeout=120
    )


@needs_generated
def test_the_two_environments_disagree_on_pyarrow():
    """The premise of the other tests: without it they would pass without testing anything."""
    assert _has_pyarrow(sys.executable), "pyarrow belongs in the toolkit's test environment"
    assert not _has_pyarrow(GENERATED_PYTHON), "the generated test environment must lack pyarrow"
    assert _frame()["plan"].dtype.storage == "pyarrow"


def test_python_strings_keeps_values_and_changes_only_text_storage():
    frame = _frame()
    portable = python_strings({"X": frame, "parts": (frame["plan"], frame.index), "n": 3})
    X = portable["X"]
    assert X["plan"].dtype.storage == "python"
    assert X.index.dtype.storage == "python" and X.columns.dtype.storage == "python"
    assert X["city"].cat.categories.dtype.storage == "python"
    assert X["tenure"].dtype == frame["tenure"].dtype
    assert X["plan"].tolist()[0] == "basic" and pd.isna(X["plan"].tolist()[1])
    assert portable["parts"][0].dtype.storage == "python"
    assert portable["parts"][1].dtype.storage == "python" and portable["n"] == 3
    assert frame["plan"].dtype.storage == "pyarrow"  # the notebook's own value is not changed
    # the same text in both storages is the same value for verify, a changed value is not
    assert compare(frame, X)[0] is True
    changed = X.copy()
    changed.loc["a", "plan"] = "gold"
    same, detail = compare(frame, changed)
    assert not same and "plan" in detail, detail


@needs_generated
def test_a_capture_loads_and_compares_where_pyarrow_is_missing():
    frame = _frame()
    raw = _in_generated("pickle.loads(sys.stdin.buffer.read())", pickle.dumps(frame))
    assert raw.returncode != 0 and b"pyarrow" in raw.stderr  # the failure this prevents
    built_there = (
        "frame = pd.DataFrame({'plan': ['basic', None, 'premium'], 'tenure': [1, 2, 3],"
        " 'city': pd.Series(['x', 'y', 'x']).astype('category')},"
        " index=pd.Index(['a', 'b', 'c'], name='customer'))\n"
    )
    check = _in_generated(
        built_there + "print(cv.compare(pickle.loads(sys.stdin.buffer.read()), frame))",
        pickle.dumps(python_strings(frame)),
    )
    assert check.returncode == 0, check.stderr.decode()
    assert check.stdout.decode().startswith("(True,"), check.stdout


def _column_transformer():
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    frame = _frame().reset_index(drop=True)
    numeric = frame.select_dtypes(["int64"]).columns  # an Index of text: pyarrow storage
    text = frame.select_dtypes(["str"]).columns
    encode = Pipeline([("fill", SimpleImputer(strategy="most_frequent")), ("hot", OneHotEncoder())])
    return ColumnTransformer([("num", "passthrough", numeric), ("cat", encode, text)]).fit(frame)


def test_a_fitted_transformer_keeps_its_column_lists_in_python_storage():
    """A house-price notebook's ColumnTransformer over `x_train.select_dtypes(...).columns`
    pickled where pyarrow is; verify could not load it where pyarrow is not ('preprocessor is
    missing (cannot load: No module named pyarrow)')."""
    fitted = _column_transformer()
    portable = python_strings(fitted)
    assert fitted.transformers[0][2].dtype.storage == "pyarrow"  # the notebook's is unchanged
    assert portable.transformers[0][2].dtype.storage == "python"
    assert portable.transformers_[1][2].dtype.storage == "python"
    frame = _frame().reset_index(drop=True)
    assert (portable.transform(frame) == fitted.transform(frame)).all()


@needs_generated
def test_a_captured_transformer_loads_where_pyarrow_is_missing():
    fitted = _column_transformer()
    raw = _in_generated("pickle.loads(sys.stdin.buffer.read())", pickle.dumps(fitted))
    assert raw.returncode != 0 and b"pyarrow" in raw.stderr  # the failure this prevents
    check = _in_generated(
        "ct = pickle.loads(sys.stdin.buffer.read())\nprint(ct.transformers_[0][2].tolist())",
        pickle.dumps(python_strings(fitted)),
    )
    assert check.returncode == 0, check.stderr.decode()
    assert check.stdout.decode().strip() == "['tenure']"


@pytest.mark.slow
@needs_generated
def test_verify_compares_text_frames_across_the_two_environments(tmp_path):
    """The churn example's frames hold text columns; the kernel stores them in pyarrow."""
    result = split_to_dir(
        EXAMPLES / "churn_classifier.ipynb", tmp_path / "project", Options(), verify=True
    )
    checks = result.report["verify"]["checks"]
    assert result.report["verify"]["ok"] is True, checks
    loaded = {c["name"]: c["status"] for c in checks if c["stage"] in ("load", "clean")}
    assert loaded and set(loaded.values()) == {"equal"}, checks
