"""A small split-shaped project (the contract of `productionize split`) for the service tests.

It mirrors what split generates around the service: src/<package>/predict.py with one public
``predict(model, records)``, requirements.txt, the report, a notebook, and a training script that
registers a model through the generated registry (trained on the churn example's data).
"""

from __future__ import annotations

import json
import textwrap

PACKAGE = "churn_fixture"

PREDICT = '''\
"""Predict stage: score records with the trained model."""


def predict(model, records):
    """Return the predicted class for each record."""
    return list(model.predict(records))
'''

TRAIN_SCRIPT = textwrap.dedent('''\
    """Train and register the fixture model (stands in for the ploomber train task)."""

    import sys

    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    sys.path.insert(0, "src")
    from churn_fixture import registry  # noqa: E402

    raw = pd.read_csv(sys.argv[1])
    df = raw.drop(columns=["customer_id"])
    df["total_charges"] = pd.to_numeric(df["total_charges"], errors="coerce")
    df["total_charges"] = df["total_charges"].fillna(df["monthly_charges"] * df["tenure_months"])
    X, y = df.drop(columns=["churn"]), df["churn"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=42)
    pre = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["contract", "internet_service"]),
            ("num", StandardScaler(), ["tenure_months", "monthly_charges", "total_charges"]),
        ]
    )
    model = make_pipeline(pre, LogisticRegression(max_iter=1000)).fit(X_train, y_train)
    accuracy = accuracy_score(y_test, model.predict(X_test))
    version = registry.save_version(
        model,
        features=X_train,
        target=y_train,
        metrics={"accuracy": accuracy},
        params={"test_size": 0.25},
        notebook_hash="sha256:fixture",
        data_hash="sha256:data",
    )
    print(version)
    ''')


def project_files() -> dict[str, str]:
    """The split project files the service stage starts from (registry rendered as split does)."""
    from productionize.adapters.splitting import template_environment
    from productionize.core.render import format_statement

    registry = template_environment().get_template("stages/registry.py.j2")
    notebook = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    report = {"tool": "productionize", "stages": ["lint", "split"], "notebook_hash": "fixture"}
    return {
        f"src/{PACKAGE}/__init__.py": '"""Fixture package."""\n',
        f"src/{PACKAGE}/predict.py": PREDICT,
        f"src/{PACKAGE}/registry.py": registry.render(
            package=PACKAGE,
            libraries_statement=format_statement('LIBRARIES = ["pandas", "scikit-learn"]'),
        ),
        "notebooks/churn_fixture.ipynb": json.dumps(notebook),
        "requirements.txt": "pandas==3.1.1\nscikit-learn==1.9.1\n",
        "productionize-report.json": json.dumps(report),
        "pipeline.yaml": "tasks: []\n",
        "env.yaml": "{}\n",
        "README.md": "# churn_fixture\n",
        "train_fixture.py": TRAIN_SCRIPT,
    }
