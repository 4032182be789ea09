"""Model registry on disk: ``models/<version>/`` holds the model and its ``metadata.json``.

Versions are ``v0001``, ``v0002``...; ``models/CURRENT`` names the version being served. Every
version is written to a temporary folder first and renamed into place, so a reader never sees a
half-written version.
"""

import datetime
import importlib.metadata
import json
import os
import platform
import tempfile
from pathlib import Path

import joblib

# distributions whose versions are recorded with every model
LIBRARIES = ["joblib", "numpy", "pandas", "ploomber", "scikit-learn", "skops"]
CURRENT = "CURRENT"
MAX_LEVELS = 50


def save_version(
    model,
    *,
    features,
    target=None,
    metrics: dict,
    params: dict,
    notebook_hash: str,
    data_hash: str,
    registry_dir="models",
    promote=True,
) -> str:
    """Store ``model`` as the next version with its metadata; return the version name."""
    root = Path(registry_dir)
    root.mkdir(parents=True, exist_ok=True)
    while True:
        version = _next_version(root)
        staging = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=root))
        model_file, trusted = _dump_model(model, staging)
        metadata = {
            "version": version,
            "model_file": model_file,
            "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
            "trusted_types": trusted,
            "notebook_hash": notebook_hash,
            "data_hash": data_hash,
            "params": params,
            "metrics": metrics,
            "libraries": library_versions(),
            "python": platform.python_version(),
            "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "features": describe_features(features),
            "target": describe_target(target),
        }
        text = json.dumps(metadata, indent=2, sort_keys=True, default=_json_default)
        (staging / "metadata.json").write_text(text + "\n")
        try:
            os.rename(staging, root / version)
        except OSError:  # another process took this version number: try the next one
            _remove_tree(staging)
            continue
        break
    if promote:
        set_current(version, registry_dir)
    return version


def list_versions(registry_dir="models") -> list:
    """All stored versions, oldest first."""
    root = Path(registry_dir)
    if not root.is_dir():
        return []
    return sorted(
        p.name for p in root.iterdir() if p.is_dir() and (p / "metadata.json").is_file()
    )


def current_version(registry_dir="models"):
    """The promoted version (``models/CURRENT``), else the newest one, else None."""
    marker = Path(registry_dir) / CURRENT
    if marker.is_file():
        name = marker.read_text().strip()
        if name in list_versions(registry_dir):
            return name
    versions = list_versions(registry_dir)
    return versions[-1] if versions else None


def set_current(version: str, registry_dir="models") -> None:
    """Make ``version`` the served one (atomic rename of the CURRENT marker)."""
    if version not in list_versions(registry_dir):
        raise ValueError(f"unknown model version {version!r}")
    root = Path(registry_dir)
    fd, tmp = tempfile.mkstemp(prefix=".CURRENT.", dir=root)
    with os.fdopen(fd, "w") as handle:
        handle.write(version + "\n")
    os.replace(tmp, root / CURRENT)


def load_metadata(version: str, registry_dir="models") -> dict:
    """The metadata of one version."""
    return json.loads((Path(registry_dir) / version / "metadata.json").read_text())


def load_version(version: str, registry_dir="models"):
    """Load one version: return (model, metadata)."""
    metadata = load_metadata(version, registry_dir)
    path = Path(registry_dir) / version / metadata["model_file"]
    if path.suffix == ".skops":
        import skops.io

        # trust exactly the types recorded when this registry saved the model
        model = skops.io.load(path, trusted=metadata.get("trusted_types") or [])
    else:
        model = joblib.load(path)
    return model, metadata


def load_current(registry_dir="models"):
    """Load the served version: return (model, metadata)."""
    version = current_version(registry_dir)
    if version is None:
        raise FileNotFoundError(
            f"no model in {registry_dir}/: run `ploomber build` first"
        )
    return load_version(version, registry_dir)


def library_versions() -> dict:
    """Installed versions of the libraries the pipeline uses."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def describe_features(frame) -> dict:
    """Schema of the training features: columns, dtypes, nullability, levels, ranges, example."""
    if frame is None:
        return {"columns": [], "example": {}}
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        frame = pd.DataFrame(frame)
        frame.columns = [str(c) for c in frame.columns]
    columns = []
    for name in frame.columns:
        series = frame[name]
        column = {
            "name": str(name),
            "dtype": str(series.dtype),
            "nullable": bool(series.isna().any()),
        }
        if pd.api.types.is_bool_dtype(series):
            column["levels"] = [False, True]
        elif pd.api.types.is_numeric_dtype(series):
            column["min"] = _plain(series.min())
            column["max"] = _plain(series.max())
        else:
            levels = sorted(str(v) for v in series.dropna().unique())
            column["levels"] = levels if len(levels) <= MAX_LEVELS else None
        columns.append(column)
    example = {}
    if len(frame):
        example = {str(k): _plain(v) for k, v in frame.iloc[0].items()}
    return {"columns": columns, "example": example}


def describe_target(target) -> dict | None:
    """What the model predicts: dtype, and the majority class or the mean (for a baseline)."""
    if target is None:
        return None
    import pandas as pd

    series = pd.Series(target)
    info = {
        "name": None if series.name is None else str(series.name),
        "dtype": str(series.dtype),
    }
    if pd.api.types.is_float_dtype(series):
        info["mean"] = _plain(series.mean())
    else:
        counts = series.value_counts()
        info["levels"] = sorted(_plain(v) for v in counts.index)
        info["majority"] = _plain(counts.index[0]) if len(counts) else None
    return info


def _dump_model(model, folder: Path):
    if type(model).__module__.split(".")[0] == "sklearn":
        try:
            import skops.io
        except ImportError:
            pass
        else:
            path = folder / "model.skops"
            skops.io.dump(model, path)
            return path.name, sorted(skops.io.get_untrusted_types(file=path))
    path = folder / "model.joblib"
    joblib.dump(model, path)
    return path.name, []


def _next_version(root: Path) -> str:
    numbers = [
        int(p.name[1:])
        for p in root.iterdir()
        if p.name.startswith("v") and p.name[1:].isdigit()
    ]
    return f"v{max(numbers, default=0) + 1:04d}"


def _plain(value):
    if hasattr(value, "item"):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float) and value != value:
        return None
    return (
        value if isinstance(value, (bool, int, float, str, type(None))) else str(value)
    )


def _json_default(value):
    return _plain(value)


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
