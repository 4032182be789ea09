"""Ploomber tasks for churn_classifier.ipynb: each reads its upstream products, runs one stage
function and writes its own products (joblib pickles under products/, metrics as JSON).
"""

import hashlib
import json
import os
import random
from pathlib import Path

import joblib

from . import NOTEBOOK_SHA256
from .clean import clean as run_clean
from .evaluate import evaluate as run_evaluate
from .load import load as run_load
from .predict import predict as run_predict
from .registry import save_version
from .train import train as run_train

DATA_PARAMETERS = ["data_path"]
# columns of the raw rows the service does not take: the target, and columns the notebook's
# cleaning drops without reading them
UNSERVED_COLUMNS = ["churn", "customer_id"]


def _seed():
    # PIPELINE_SEED makes a run repeatable (productionize verify sets it); unset: no change
    seed = os.environ.get("PIPELINE_SEED")
    if seed is not None:
        random.seed(int(seed))
        try:
            import numpy

            numpy.random.seed(int(seed))
        except ImportError:
            pass


def _read(product):
    return joblib.load(str(product))


def _write(value, product):
    path = Path(str(product))
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(value, path)


def _write_json(value, product):
    path = Path(str(product))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")


def _scalars(values):
    """The JSON-ready numbers and strings among the evaluation's values (the metrics);
    a dict of numeric scores ({"r2": ..., "rmse": ...}) gives a metric per key."""
    metrics, scores = {}, {}
    for name, value in values.items():
        value = _plain(value)
        if isinstance(value, (bool, int, float, str)):
            metrics[name] = value
        elif isinstance(value, dict) and value:
            plain = {str(k): _plain(v) for k, v in value.items()}
            if all(_is_number(v) for v in plain.values()):
                scores.update(plain)
    # a value the evaluation names itself wins over a key of a dict
    return {**scores, **metrics}


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _plain(value):
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return value.item()
    return value


def _data_hash(paths):
    digest = hashlib.sha256()
    for path in paths:
        file = Path(path)
        if file.is_file():
            with file.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def load(product, data_path):
    """Run the load stage (notebook cell(s) 3) and store its outputs."""
    _seed()
    raw = run_load(data_path=data_path)
    _write(raw, product["raw"])


def clean(upstream, product):
    """Run the clean stage (notebook cell(s) 5, 6) and store its outputs."""
    _seed()
    raw = _read(upstream["load"]["raw"])
    X, y = run_clean(raw=raw)
    _write(X, product["X"])
    _write(y, product["y"])


def train(upstream, product, test_size, random_state):
    """Run the train stage (notebook cell(s) 8) and store its outputs."""
    _seed()
    X = _read(upstream["clean"]["X"])
    y = _read(upstream["clean"]["y"])
    X_train, X_test, y_train, y_test, model = run_train(
        X=X,
        y=y,
        test_size=test_size,
        random_state=random_state,
    )
    _write(X_train, product["X_train"])
    _write(X_test, product["X_test"])
    _write(y_train, product["y_train"])
    _write(y_test, product["y_test"])
    _write(model, product["model"])


def predict(upstream, product):
    """Predict with the trained model and evaluate it (notebook cell(s) 5, 10)."""
    _seed()
    model = _read(upstream["train"]["model"])
    records = _read(upstream["load"]["raw"])
    X_test = _read(upstream["train"]["X_test"])
    y_test = _read(upstream["train"]["y_test"])
    predictions = run_predict(model, records)
    _write(predictions, product["predictions"])
    evaluation = run_evaluate(model=model, X_test=X_test, y_test=y_test)
    _write(evaluation, product["evaluation"])
    _write_json(_scalars(evaluation), product["metrics"])


def register(upstream, product, data_path, test_size, random_state):
    """Register the trained model with its metrics and feature schema in models/."""
    _seed()
    model = _read(upstream["train"]["model"])
    records = _read(upstream["load"]["raw"])
    X_train = _read(upstream["train"]["X_train"])
    y_train = _read(upstream["train"]["y_train"])
    records = records.drop(columns=UNSERVED_COLUMNS, errors="ignore")
    metrics = json.loads(Path(str(upstream["predict"]["metrics"])).read_text())
    params = {
        "data_path": data_path,
        "test_size": test_size,
        "random_state": random_state,
    }
    version = save_version(
        model,
        features=records,
        target=y_train,
        metrics=metrics,
        params=params,
        notebook_hash=NOTEBOOK_SHA256,
        data_hash=_data_hash([params[name] for name in DATA_PARAMETERS]),
        registry_dir="models",
    )
    _write_json({"version": version}, product["registration"])
