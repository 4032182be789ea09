"""Compare notebook values with pipeline products; run as a script by the generated project's python.

Usage: python compare_values.py REQUEST.json  (prints a JSON list of results on stdout)

It imports only the standard library at start (pandas/NumPy lazily) because it runs in the
generated project's environment, where productionize itself is not installed.
"""

from __future__ import annotations

import copy
import json
import math
import pickle
import sys
from pathlib import Path

RTOL = 1e-7
ATOL = 1e-9


def main(argv: list[str]) -> int:
    """Read the request, compare every value, print the results as JSON."""
    request = json.loads(Path(argv[1]).read_text())
    notebook = _load_capture(request["notebook"])
    other = _load_capture(request["notebook_other"]) if request.get("notebook_other") else None
    project = Path(request["project"])
    results = []
    for value in request["values"]:
        key = f"{value['stage']}:{value['name']}"
        result = {"stage": value["stage"], "name": value["name"]}
        results.append(result)
        if notebook.get(key) is None:
            result.update(status="missing", detail="not captured from the notebook")
            continue
        try:
            expected = _notebook_value(notebook[key], project)
            actual = _read_product(project / value["product"], value.get("key"))
        except FileNotFoundError:
            result.update(status="missing", detail=f"no product {value['product']}")
            continue
        except Exception as exc:  # unpicklable or unreadable: say so, do not crash
            result.update(status="missing", detail=f"cannot load: {type(exc).__name__}: {exc}")
            continue
        if _is_estimator(expected) or _is_model_marker(expected):
            result.update(status="skipped", detail="a model: compared through its predictions")
            continue
        if value["stage"] == "predict" and isinstance(actual, list):
            expected = _as_list(expected)  # predict() answers a list; the notebook a Series
        same, detail = compare(expected, actual)
        if same:
            result.update(status="equal", detail=detail)
            continue
        if other is not None and other.get(key) is not None:
            again, _ = compare(expected, _notebook_value(other[key], project))
            if not again:
                result.update(
                    status="nondeterministic",
                    detail="the notebook itself gives another value when only the seed changes",
                )
                continue
        result.update(status="divergent", detail=detail)
    print(json.dumps(results))
    return 0


def _notebook_value(data: bytes, project: Path):
    """Unpickle a value captured in the notebook; a class the notebook defined (a custom
    transformer inside a Pipeline) is pickled as ``__main__.Name``: take the generated module's."""
    import io

    class NotebookUnpickler(pickle.Unpickler):
        def find_class(self, module, name):
            try:
                return super().find_class(module, name)
            except AttributeError:
                if module != "__main__":
                    raise
                found = _project_attribute(project, name)
                if found is None:
                    raise
                return found

    return NotebookUnpickler(io.BytesIO(data)).load()


def _project_attribute(project: Path, name: str):
    """``name`` from the generated package's stage modules (``src.<package>.train``), or None."""
    import importlib

    if str(project) not in sys.path:
        sys.path.insert(0, str(project))
    for package in sorted((project / "src").glob("*/__init__.py")):
        for module in ("load", "clean", "train", "predict", "evaluate"):
            if not (package.parent / f"{module}.py").is_file():
                continue
            loaded = importlib.import_module(f"src.{package.parent.name}.{module}")
            if hasattr(loaded, name):
                return getattr(loaded, name)
    return None


def _load_capture(path: str) -> dict:
    with open(path, "rb") as handle:
        return pickle.load(handle)


def _read_product(path: Path, key: str | None):
    import joblib

    value = joblib.load(path)
    return value[key] if key is not None else value


def _is_estimator(value) -> bool:
    return hasattr(value, "get_params") and hasattr(value, "fit")


MODEL_MARKER = "__productionize_model__"


def portable(value):
    """What a capture cell pickles: a statsmodels/prophet model as a marker naming its class
    (verify compares models through their predictions, and a statsmodels result carries the
    frames it was fitted on, which pickled where pyarrow is cannot load where it is not),
    anything else with its pandas text in Python storage (see python_strings)."""
    if _is_model(value):
        return {MODEL_MARKER: f"{type(value).__module__}.{type(value).__qualname__}"}
    return python_strings(value)


def _is_model(value) -> bool:
    # scikit-learn estimators stay pickled: they hold arrays, and a class of the notebook's own
    # inside a Pipeline is checked to load with the generated module's class
    module = type(value).__module__ or ""
    return hasattr(value, "predict") and module.split(".")[0] in ("statsmodels", "prophet")


def _is_model_marker(value) -> bool:
    return isinstance(value, dict) and set(value) == {MODEL_MARKER}


def _as_list(value):
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(value, (pd.Series, pd.Index)):
        return value.tolist()
    return value


def python_strings(value):
    """The value with pandas text (columns, labels, categories) stored as Python strings.

    pandas 3 stores text in pyarrow wherever pyarrow is installed. The notebook's kernel and the
    generated project's environment need not agree on that: a frame pickled where pyarrow is
    cannot be loaded where it is not, and the same text in the two storages compares unequal
    (dtype). Verify's capture cells (``core/faithfulness.capture_source`` loads this file) and
    ``compare`` bring both sides to Python storage. Other values are returned as they are."""
    pd = sys.modules.get("pandas")
    if isinstance(value, dict):
        return {key: python_strings(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(python_strings(item) for item in value)
    if _is_estimator(value):
        return _estimator_python_strings(value)
    if pd is None or not isinstance(value, (pd.DataFrame, pd.Series, pd.Index)):
        return value
    try:
        return _python_strings(pd, value)
    except Exception:  # an unusual pandas object: leave it, the comparison will say what differs
        return value


def _estimator_python_strings(value):
    """A copy of a fitted estimator whose attributes hold their pandas text in Python storage:
    ``ColumnTransformer([("num", ..., X.select_dtypes("number").columns)])`` keeps that Index,
    and pickled where pyarrow is, the transformer could not load where it is not."""
    state = getattr(value, "__dict__", None)
    if not isinstance(state, dict):
        return value
    converted = {key: python_strings(item) for key, item in state.items()}
    duplicate = copy.copy(value)
    duplicate.__dict__.update(converted)
    return duplicate


def _python_strings(pd, value):
    if isinstance(value, pd.MultiIndex):
        return value.set_levels([_python_strings(pd, level) for level in value.levels])
    if isinstance(value, pd.Index):
        dtype = _python_dtype(pd, value.dtype)
        return value if dtype is None else value.astype(dtype)
    if isinstance(value, pd.Series):
        dtype = _python_dtype(pd, value.dtype)
        value = value if dtype is None else value.astype(dtype)
        return value.set_axis(_python_strings(pd, value.index))
    value = value.copy(deep=False)
    for position, column_dtype in enumerate(value.dtypes):
        dtype = _python_dtype(pd, column_dtype)
        if dtype is not None:
            value.isetitem(position, value.iloc[:, position].astype(dtype))
    value.index = _python_strings(pd, value.index)
    value.columns = _python_strings(pd, value.columns)
    return value


def _python_dtype(pd, dtype):
    """The Python-storage twin of a pyarrow-backed text dtype, or None if there is nothing to do."""
    if isinstance(dtype, pd.CategoricalDtype):
        categories = _python_strings(pd, dtype.categories)
        if categories is dtype.categories:
            return None
        return pd.CategoricalDtype(categories, ordered=dtype.ordered)
    if not isinstance(dtype, pd.StringDtype) or dtype.storage != "pyarrow":
        return None
    try:
        return pd.StringDtype(storage="python", na_value=dtype.na_value)
    except TypeError:  # pandas < 2.3 has no na_value
        return pd.StringDtype(storage="python")


def compare(expected, actual) -> tuple[bool, str]:
    """Whether two values are the same (exact for ints/strings, tolerant for floats)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is in every generated project
        pd = None
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        np = None
    if pd is not None and isinstance(expected, (pd.DataFrame, pd.Series)):
        if type(actual) is not type(expected):
            return False, f"type {type(actual).__name__} instead of {type(expected).__name__}"
        expected, actual = python_strings(expected), python_strings(actual)
        try:
            if isinstance(expected, pd.DataFrame):
                pd.testing.assert_frame_equal(
                    expected, actual, check_exact=False, rtol=RTOL, atol=ATOL
                )
            else:
                pd.testing.assert_series_equal(
                    expected, actual, check_exact=False, rtol=RTOL, atol=ATOL
                )
        except AssertionError as exc:
            return False, _first_line(str(exc))
        return True, f"{type(expected).__name__} {getattr(expected, 'shape', '')}"
    if np is not None and (isinstance(expected, np.ndarray) or isinstance(actual, np.ndarray)):
        left, right = np.asarray(expected), np.asarray(actual)
        if left.shape != right.shape:
            return False, f"shape {right.shape} instead of {left.shape}"
        if left.dtype.kind in "fc" or right.dtype.kind in "fc":
            ok = bool(np.allclose(left, right, rtol=RTOL, atol=ATOL, equal_nan=True))
            return ok, f"array {left.shape}" if ok else _array_detail(np, left, right)
        ok = bool(np.array_equal(left, right))
        return ok, f"array {left.shape}" if ok else _array_detail(np, left, right)
    if isinstance(expected, float) or isinstance(actual, float):
        try:
            a, b = float(expected), float(actual)
        except (TypeError, ValueError):
            return False, f"{actual!r} instead of {expected!r}"
        ok = math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL) or (math.isnan(a) and math.isnan(b))
        return ok, f"{a:.6g}" if ok else f"{b!r} instead of {a!r}"
    if isinstance(expected, dict) and isinstance(actual, dict):
        if sorted(map(str, expected)) != sorted(map(str, actual)):
            return False, "different keys"
        for key in expected:
            ok, detail = compare(expected[key], actual[key])
            if not ok:
                return False, f"[{key!r}]: {detail}"
        return True, f"dict of {len(expected)}"
    if isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        if len(expected) != len(actual):
            return False, f"length {len(actual)} instead of {len(expected)}"
        for index, (a, b) in enumerate(zip(expected, actual, strict=True)):
            ok, detail = compare(a, b)
            if not ok:
                return False, f"[{index}]: {detail}"
        return True, f"{len(expected)} items"
    if hasattr(expected, "item") and hasattr(actual, "item"):
        expected, actual = expected.item(), actual.item()
        return compare(expected, actual)
    try:
        ok = bool(expected == actual)
    except Exception:
        ok = repr(expected) == repr(actual)
    return ok, "" if ok else f"{_short(actual)} instead of {_short(expected)}"


def _array_detail(np, left, right) -> str:
    try:
        differ = (
            np.argwhere(~np.isclose(left, right, equal_nan=True))
            if left.dtype.kind in "fc"
            else np.argwhere(left != right)
        )
        return f"{len(differ)} of {left.size} elements differ (first at {tuple(differ[0])})"
    except Exception:
        return "arrays differ"


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " ".join(lines[:3])[:200]


if __name__ == "__main__":
    sys.exit(main(sys.argv))
