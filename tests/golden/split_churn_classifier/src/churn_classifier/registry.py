"""Model registry on disk: numbered versions with metadata, a current pointer, history, fallback.

Layout of ``models/``::

    v0001/model.skops | model.joblib   the trained model (skops for scikit-learn, else joblib)
    v0001/metadata.json                features schema, metrics, params, hashes, library versions
    v0001/fallback.json                trivial baseline answering when the model cannot
    CURRENT                            the served version's name
    HISTORY.json                       promotions, oldest first (what ``rollback`` walks back)

``CURRENT`` is replaced with ``os.replace`` under a lock, so a reader sees the old pointer or the
new one, never a mix. A version folder appears complete (staged under a temporary name, then
renamed). Run ``python -m churn_classifier.registry --help`` for the CLI (list, current, promote,
rollback, promote-if-better).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import hashlib
import json
import math
import os
import platform
import re
import shutil
import sys
import tempfile
from pathlib import Path

CURRENT = "CURRENT"
HISTORY = "HISTORY.json"
# distributions whose versions are recorded with every model
LIBRARIES = ["joblib", "pandas", "ploomber", "scikit-learn", "skops"]
VERSION_PATTERN = re.compile(r"^v(\d{4,})$")
MAX_LEVELS = 50  # a text column with at most this many distinct values is categorical
N_EXAMPLES = 20  # golden records kept with each version
# metric names where smaller is better; anything else is compared as larger-is-better
LOWER_IS_BETTER = re.compile(
    r"(error|loss|mae|mse|rmse|mape|deviance|brier)", re.IGNORECASE
)


class RegistryError(Exception):
    """The registry cannot do what was asked (unknown version, nothing to roll back to...)."""


class ModelLoadError(RegistryError):
    """A model artifact is missing, corrupted or cannot be deserialized."""


def save_version(
    model,
    *,
    features,
    target=None,
    metrics,
    params,
    notebook_hash,
    data_hash,
    registry_dir="models",
    promote=True,
    fitted=None,
):
    """Save a trained model as the next version and return its name (``v0001``...).

    ``features`` is the frame whose rows predict() receives (the training features, or the raw
    frame the notebook predicts on): its schema becomes the request schema of the service.
    ``fitted`` holds the values predict() takes from training data (saved next to the model).
    ``MODEL_REGISTRY_PROMOTE=0`` in the environment registers without
    promoting (used by retraining, which promotes only when the metric is not worse); the first
    version of an empty registry is always promoted.
    """
    root = Path(registry_dir)
    root.mkdir(parents=True, exist_ok=True)
    if os.environ.get("MODEL_REGISTRY_PROMOTE", "").lower() in ("0", "false", "no"):
        promote = False
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    try:
        model_file, trusted = _dump_model(model, staging)
        fitted_file = _dump_fitted(fitted, staging)
        examples = _examples(model, features, fitted)
        metadata = {
            "created_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "data_hash": data_hash,
            "examples": examples,
            "features": describe_features(features),
            "fitted_file": fitted_file,
            "fitted_sha256": _sha256(staging / fitted_file) if fitted_file else None,
            "libraries": library_versions(),
            "metrics": {k: _plain(v) for k, v in sorted(dict(metrics or {}).items())},
            "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
            "model_file": model_file,
            "model_sha256": _sha256(staging / model_file),
            "notebook_hash": notebook_hash,
            "params": {k: _plain(v) for k, v in sorted(dict(params or {}).items())},
            "python": platform.python_version(),
            "target": describe_target(target),
            "trusted_types": trusted,
        }
        fallback = train_fallback(examples.get("all_predictions"), target)
        metadata["examples"].pop("all_predictions", None)
        _write_json(
            staging / "fallback.json", {**fallback, "features": metadata["features"]}
        )
        with _locked(root):
            version = _claim_version(root, staging, metadata)
            if promote or _read_pointer(root) is None:
                _write_state(root, version, [*_read_history(root), version])
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return version


def load_current(registry_dir="models"):
    """Load the current model and its metadata; raises ModelLoadError when it cannot."""
    version = current_version(registry_dir)
    if version is None:
        raise ModelLoadError(f"no model has been promoted in {registry_dir}")
    return load_version(version, registry_dir)


def load_version(version, registry_dir="models"):
    """Load one version's model (checking its hash) and metadata."""
    folder = Path(registry_dir) / version
    metadata = read_metadata(version, registry_dir)
    path = folder / metadata["model_file"]
    try:
        if _sha256(path) != metadata["model_sha256"]:
            raise ModelLoadError(
                f"{path}: content does not match its recorded hash (corrupted?)"
            )
        _importable_as_trained()
        if path.suffix == ".skops":
            import skops.io

            # trust exactly the types recorded when this registry saved the model
            model = skops.io.load(path, trusted=metadata.get("trusted_types") or [])
        else:
            import joblib

            model = joblib.load(path)
    except ModelLoadError:
        raise
    except (
        Exception
    ) as exc:  # any deserialization failure means: do not serve this version
        raise ModelLoadError(
            f"{path}: cannot load model: {type(exc).__name__}: {exc}"
        ) from exc
    return model, metadata


def _importable_as_trained():
    """Make ``src.<package>`` importable: the pipeline imports its tasks under that name, so a
    class the notebook defined (a custom transformer in a Pipeline) is saved as
    ``src.<package>.train.Name``, while the service runs with only ``src/`` on the path.
    """
    root = str(Path(__file__).resolve().parents[2])
    if root not in sys.path:
        sys.path.append(root)


def read_metadata(version, registry_dir="models"):
    """Return one version's metadata.json as a dict."""
    path = Path(registry_dir) / _checked(version) / "metadata.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(
            f"unknown model version {version!r} in {registry_dir}"
        ) from None
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{path}: unreadable metadata: {exc}") from exc


def load_fitted(version, registry_dir="models", metadata=None):
    """Return the values predict() takes from training data for ``version``, or None."""
    metadata = metadata or read_metadata(version, registry_dir)
    name = metadata.get("fitted_file")
    if not name:
        return None
    path = Path(registry_dir) / version / name
    try:
        if _sha256(path) != metadata.get("fitted_sha256"):
            raise ModelLoadError(
                f"{path}: content does not match its recorded hash (corrupted?)"
            )
        if path.suffix == ".json":
            return _decode(json.loads(path.read_text(encoding="utf-8")))
        import joblib

        return joblib.load(path)
    except ModelLoadError:
        raise
    except Exception as exc:  # predict() cannot run without them: do not serve it
        raise ModelLoadError(f"{path}: cannot load fitted values: {exc}") from exc


def load_fallback(registry_dir="models", version=None):
    """Return the baseline of ``version`` (default current), else of the newest version having one."""
    root = Path(registry_dir)
    candidates = [version or current_version(registry_dir)] + list(
        reversed(list_versions(root))
    )
    for name in candidates:
        if not name:
            continue
        try:
            return json.loads(
                (root / name / "fallback.json").read_text(encoding="utf-8")
            )
        except (OSError, ValueError):
            continue
    return None


def load_metadata(version, registry_dir="models"):
    """Return one version's metadata (same as ``read_metadata``)."""
    return read_metadata(version, registry_dir)


def current_version(registry_dir="models"):
    """Return the promoted version's name (``models/CURRENT``), or None."""
    return _read_pointer(Path(registry_dir))


def list_versions(registry_dir="models"):
    """Return the names of all complete versions, oldest first."""
    root = Path(registry_dir)
    if not root.is_dir():
        return []
    names = [
        p.name for p in root.iterdir() if p.is_dir() and VERSION_PATTERN.match(p.name)
    ]
    return sorted(names, key=lambda n: int(n[1:]))


def describe_versions(registry_dir="models"):
    """Return one summary dict per version: name, created_at, metrics, current flag."""
    current = current_version(registry_dir)
    rows = []
    for name in list_versions(registry_dir):
        try:
            meta = read_metadata(name, registry_dir)
        except RegistryError as exc:
            rows.append(
                {"version": name, "current": name == current, "error": str(exc)}
            )
            continue
        rows.append(
            {
                "version": name,
                "current": name == current,
                "created_at": meta.get("created_at"),
                "metrics": meta.get("metrics", {}),
                "notebook_hash": meta.get("notebook_hash"),
            }
        )
    return rows


def promote(version, registry_dir="models"):
    """Make ``version`` the current model (atomic pointer replace) and return it."""
    root = Path(registry_dir)
    read_metadata(
        version, registry_dir
    )  # unknown versions fail before anything changes
    with _locked(root):
        history = _read_history(root)
        if _read_pointer(root) != version:
            history.append(version)
        _write_state(root, version, history)
    return version


def set_current(version, registry_dir="models"):
    """Make ``version`` the served one (same as ``promote``)."""
    promote(version, registry_dir)


def rollback(registry_dir="models", to=None):
    """Return to the version promoted before the current one (or to ``to``); return it."""
    root = Path(registry_dir)
    if to is not None:
        read_metadata(to, registry_dir)
    with _locked(root):
        history = _read_history(root)
        current = _read_pointer(root)
        if current is not None and (not history or history[-1] != current):
            history.append(current)  # a pointer set by hand: still roll back from it
        if to is None:
            while history and history[-1] == current:
                history.pop()
            if not history:
                raise RegistryError(
                    f"no earlier version to roll back to from {current}"
                )
            target = history[-1]
        else:
            target = to
            if target in history:
                del history[len(history) - history[::-1].index(target) :]
            else:
                history.append(target)
        _write_state(root, target, history)
    return target


def is_not_worse(candidate_metrics, current_metrics, metric=None, tolerance=0.0):
    """Compare two versions' metrics; return (ok, reason). Missing metrics are never 'not worse'."""
    names = (
        [metric] if metric else sorted(set(candidate_metrics) & set(current_metrics))
    )
    if not names:
        return False, "no metric shared by both versions to compare"
    name = names[0]
    if name not in candidate_metrics or name not in current_metrics:
        return False, f"metric {name!r} missing from one of the versions"
    new, old = float(candidate_metrics[name]), float(current_metrics[name])
    if math.isnan(new):
        return False, f"{name} of the candidate is NaN"
    lower = bool(LOWER_IS_BETTER.search(name))
    ok = new <= old + tolerance if lower else new >= old - tolerance
    direction = "lower" if lower else "higher"
    return (
        ok,
        f"{name}: candidate {new:.6g} vs current {old:.6g} ({direction} is better)",
    )


def promote_if_better(candidate, registry_dir="models", metric=None, tolerance=0.0):
    """Promote ``candidate`` when its metric is not worse than the current one; return (ok, why)."""
    current = current_version(registry_dir)
    new_meta = read_metadata(candidate, registry_dir)
    if current is None:
        promote(candidate, registry_dir)
        return True, "no current version"
    if current == candidate:
        return True, f"{candidate} is already current"
    old_meta = read_metadata(current, registry_dir)
    ok, reason = is_not_worse(
        new_meta["metrics"], old_meta["metrics"], metric, tolerance
    )
    if ok:
        promote(candidate, registry_dir)
    return ok, reason


def describe_features(frame):
    """Describe a training frame column by column: kind, dtype, nullability, levels, range."""
    import pandas as pd

    one_column = _is_series(frame)
    frame = _as_frame(frame)
    if frame is None:  # the split could not tell which frame the model was fitted on
        return {"columns": [], "example": {}}
    columns = []
    for name in frame.columns:
        series = frame[name]
        kind = _kind(series)
        column = {
            "name": str(name),
            "kind": kind,
            "dtype": str(series.dtype),
            "nullable": bool(series.isna().any()),
        }
        if kind in ("integer", "number"):
            values = pd.to_numeric(series, errors="coerce").dropna()
            if len(values):
                column["min"] = _plain(values.min())
                column["max"] = _plain(values.max())
        if kind == "string" and _free_text(series):
            column["text"] = True  # free text: any string is accepted, no levels
        elif kind == "string":
            levels = series.dropna().unique()
            if 0 < len(levels) <= MAX_LEVELS:
                column["levels"] = sorted(str(v) for v in levels)
        columns.append(column)
    described = {"columns": columns, "example": _example_record(frame)}
    if one_column:
        described["series"] = True
    return described


def train_fallback(predictions=None, target=None):
    """Fit the trivial baseline: majority class or mean, in the predict stage's output space."""
    import pandas as pd

    values = predictions if predictions is not None else target
    if values is None:
        return {"kind": "none", "value": None, "source": "none"}
    series = pd.Series(
        list(values) if not isinstance(values, pd.Series) else values
    ).dropna()
    source = "predictions" if predictions is not None else "target"
    if series.empty:
        return {"kind": "none", "value": None, "source": source}
    numeric = pd.api.types.is_float_dtype(series) and series.nunique() > MAX_LEVELS
    if numeric:
        return {"kind": "mean", "value": float(series.mean()), "source": source}
    counts = series.value_counts()
    top = sorted(v for v, c in counts.items() if c == counts.max())[0]
    return {"kind": "majority", "value": _plain(top), "source": source}


def _kind(series):
    import pandas as pd

    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    return "string"


def _example_record(frame):
    if frame.empty:
        return {}
    complete = frame.dropna()
    row = (complete if len(complete) else frame).iloc[0]
    return {str(k): _plain(v) for k, v in row.items()}


def _as_frame(features):
    """The training features as a DataFrame (arrays get columns "0", "1", ...), or None."""
    if features is None:
        return None
    import pandas as pd

    if isinstance(features, pd.DataFrame):
        return features
    if hasattr(features, "toarray"):  # a scipy sparse matrix
        features = features.toarray()
    frame = pd.DataFrame(features)
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _is_series(features):
    """A model fitted on one column as a Series (a text Pipeline: ``pipe.fit(df["text"], y)``)."""
    import pandas as pd

    return isinstance(features, pd.Series)


def served_records(frame, features_block):
    """What predict() receives for a batch: the frame, or its one column as a Series when the
    model was fitted on a Series (a vectorizer would iterate a DataFrame's column names).
    """
    if (features_block or {}).get("series") and len(frame.columns) == 1:
        return frame[frame.columns[0]]
    return frame


def _free_text(series):
    """Sentences, not categories: most values have four words or more."""
    words = series.dropna().astype(str).str.split().str.len()
    return len(words) > 0 and float(words.median()) >= 4


def _examples(model, features, fitted=None):
    """Golden records and the predict stage's answers for them."""
    one_column = _is_series(features)
    features = _as_frame(features)
    if features is None or features.empty:
        return {"records": [], "predictions": []}
    try:
        from .predict import predict
    except ImportError:  # registry used outside the generated package
        return {"records": [], "predictions": []}
    try:
        extra = () if fitted is None else (fitted,)
        records = served_records(features, {"series": one_column})
        all_predictions = [_plain(v) for v in predict(model, records, *extra)]
    except Exception:  # a model the predict stage cannot score still gets registered
        return {"records": [], "predictions": []}
    sample = features.head(N_EXAMPLES)
    records = [
        {str(k): _plain(v) for k, v in row.items()} for _, row in sample.iterrows()
    ]
    return {
        "records": records,
        "predictions": all_predictions[: len(records)],
        "all_predictions": all_predictions,
    }


def describe_target(target):
    """Describe what the model was fitted to predict: name and dtype."""
    if target is None:
        return None
    name = getattr(target, "name", None)
    dtype = getattr(target, "dtype", None)
    return {
        "name": None if name is None else str(name),
        "dtype": None if dtype is None else str(dtype),
    }


def _dump_model(model, folder):
    if type(model).__module__.split(".")[0] == "sklearn":
        try:
            import skops.io

            path = folder / "model.skops"
            skops.io.dump(model, path)
            return path.name, sorted(skops.io.get_untrusted_types(file=path))
        except (
            Exception
        ):  # noqa: BLE001 - estimators skops cannot persist go through joblib
            (folder / "model.skops").unlink(missing_ok=True)
    import joblib

    path = folder / "model.joblib"
    joblib.dump(model, path)
    return path.name, []


def _dump_fitted(fitted, folder):
    """Write predict()'s fitted values: JSON when they are plain data, else joblib."""
    if fitted is None:
        return None
    try:
        text = json.dumps(_encode(fitted), indent=2, sort_keys=True, allow_nan=True)
    except TypeError:  # fitted estimators (scaler, encoder): pickled like the model
        import joblib

        joblib.dump(fitted, folder / "fitted.joblib")
        return "fitted.joblib"
    (folder / "fitted.json").write_text(text + "\n", encoding="utf-8")
    return "fitted.json"


def _encode(value):
    """Plain JSON for scalars, lists and string-keyed dicts; tagged objects for pandas/NumPy."""
    import numpy as np
    import pandas as pd

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"__pairs__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, pd.Series):
        return {
            "__series__": {
                "index": _encode(value.index),
                "values": _encode(value.tolist()),
                "name": _encode(value.name),
                "dtype": str(value.dtype),
            }
        }
    if isinstance(value, pd.Index):
        values = _encode(value.tolist())
        return {"__index__": {"values": values, "dtype": str(value.dtype)}}
    if isinstance(value, np.ndarray):
        values = _encode(value.tolist())
        return {"__ndarray__": {"values": values, "dtype": str(value.dtype)}}
    raise TypeError(f"not plain data: {type(value).__name__}")


def _decode(value):
    import numpy as np
    import pandas as pd

    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"__pairs__"}:
        return {_decode(k): _decode(v) for k, v in value["__pairs__"]}
    if set(value) == {"__series__"}:
        data = value["__series__"]
        return pd.Series(
            _decode(data["values"]),
            index=_decode(data["index"]),
            name=_decode(data["name"]),
            dtype=data["dtype"],
        )
    if set(value) == {"__index__"}:
        data = value["__index__"]
        return pd.Index(_decode(data["values"]), dtype=data["dtype"])
    if set(value) == {"__ndarray__"}:
        data = value["__ndarray__"]
        return np.asarray(_decode(data["values"]), dtype=data["dtype"])
    return {k: _decode(v) for k, v in value.items()}


def _claim_version(root, staging, metadata):
    existing = [int(n[1:]) for n in list_versions(root)]
    number = max(existing, default=0) + 1
    while True:
        version = f"v{number:04d}"
        metadata["version"] = version
        _write_json(staging / "metadata.json", metadata)
        try:
            os.rename(staging, root / version)  # fails if the name was taken meanwhile
            return version
        except OSError:
            if not (root / version).exists():
                raise
            number += 1


def library_versions():
    """Return the installed versions of the libraries the pipeline uses."""
    from importlib import metadata as md

    versions = {}
    for dist in LIBRARIES:
        with contextlib.suppress(md.PackageNotFoundError):
            versions[dist] = md.version(dist)
    return versions


def _plain(value):
    """Turn numpy/pandas scalars into JSON-ready Python values (NaN -> None)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError, ImportError):
        pass
    return str(value)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked(version):
    if not isinstance(version, str) or not VERSION_PATTERN.match(version):
        raise RegistryError(
            f"invalid model version {version!r} (expected v0001, v0002, ...)"
        )
    return version


def _read_pointer(root):
    try:
        name = (Path(root) / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def _read_history(root):
    try:
        history = json.loads((Path(root) / HISTORY).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except ValueError as exc:
        raise RegistryError(f"{Path(root) / HISTORY}: unreadable: {exc}") from exc
    return [v for v in history if isinstance(v, str)]


def _write_state(root, current, history):
    """Write the history, then swap the pointer: the pointer is the truth, written last."""
    _write_json(Path(root) / HISTORY, history)
    _write_text(Path(root) / CURRENT, current + "\n")


def _write_json(path, data):
    _write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def _write_text(path, text):
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _locked(root):
    """Serialize read-modify-write of CURRENT and HISTORY.json across processes."""
    handle = open(Path(root) / ".lock", "a+")  # noqa: SIM115 - closed in finally
    try:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        except ImportError:  # Windows: best effort, os.replace is still atomic
            pass
        yield
    finally:
        handle.close()


def main(argv=None):
    """Command line: list versions, promote, roll back, promote a candidate if not worse."""
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}.registry")
    parser.add_argument(
        "--registry-dir", default=os.environ.get("MODEL_REGISTRY_DIR", "models")
    )
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="list versions as JSON")
    sub.add_parser("current", help="print the current version")
    p = sub.add_parser("promote", help="make VERSION current")
    p.add_argument("version")
    r = sub.add_parser("rollback", help="return to the previously promoted version")
    r.add_argument("--to", default=None)
    c = sub.add_parser(
        "promote-if-better", help="promote CANDIDATE (default newest) if not worse"
    )
    c.add_argument("candidate", nargs="?")
    c.add_argument("--metric", default=os.environ.get("PROMOTE_METRIC") or None)
    c.add_argument(
        "--tolerance", type=float, default=float(os.environ.get("PROMOTE_TOLERANCE", 0))
    )
    args = parser.parse_args(argv)
    try:
        if args.action == "list":
            print(json.dumps(describe_versions(args.registry_dir), indent=2))
        elif args.action == "current":
            print(current_version(args.registry_dir) or "")
        elif args.action == "promote":
            print(promote(args.version, args.registry_dir))
        elif args.action == "rollback":
            print(rollback(args.registry_dir, to=args.to))
        else:
            candidate = (
                args.candidate or (list_versions(args.registry_dir) or [None])[-1]
            )
            if candidate is None:
                raise RegistryError("the registry has no versions")
            ok, reason = promote_if_better(
                candidate, args.registry_dir, args.metric, args.tolerance
            )
            print(
                json.dumps({"candidate": candidate, "promoted": ok, "reason": reason})
            )
            return 0 if ok else 3
    except RegistryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
