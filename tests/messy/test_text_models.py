"""Text classification notebooks (spam, sentiment): a vectorizer and a classifier in an sklearn
Pipeline fitted on a column of sentences (``pipe.fit(X_train, y_train)`` after
``train_test_split(df["review"], df["sentiment"])``).

The service takes the raw sentence and accepts any string (no categorical levels), and the
model receives the column as a Series, as in training: a vectorizer given a DataFrame iterates
its column names and answers once for the whole batch.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline

from productionize.adapters.cli import main
from productionize.adapters.splitting import template_environment
from productionize.core.render import format_statement
from tests.conftest import make_notebook

GENERATED_PYTHON = os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON")

POSITIVE = [
    "what a lovely film, the cast was brilliant from start to end",
    "great phone, the battery lasts for days and it feels solid",
    "the staff were friendly and the pasta was the best in town",
    "i really enjoyed this book and would happily read it again",
]
NEGATIVE = [
    "a dull story, i nearly walked out of the cinema after an hour",
    "the charger broke within a week and support never answered",
    "cold soup, rude waiter and we waited forty minutes for the bill",
    "poorly written and far too long, i gave up half way through",
]

SENTIMENT = make_notebook(
    ("markdown", "# Review sentiment with TF-IDF"),
    "import pandas as pd\nfrom sklearn.pipeline import Pipeline\n"
    "from sklearn.feature_extraction.text import TfidfVectorizer\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.model_selection import train_test_split\n"
    "from sklearn.metrics import accuracy_score",
    "reviews = pd.read_csv('reviews.csv')\nreviews.head()",
    "X_train, X_test, y_train, y_test = train_test_split(\n"
    "    reviews['review'], reviews['sentiment'], test_size=0.25, random_state=3)",
    "text_clf = Pipeline([('tfidf', TfidfVectorizer()), ('clf', LogisticRegression())])\n"
    "text_clf.fit(X_train, y_train)",
    "y_pred = text_clf.predict(X_test)\nprint(accuracy_score(y_test, y_pred))",
)


def write_reviews(folder: Path, n: int = 120) -> None:
    rows = []
    for i in range(n):
        good = i % 2 == 0
        sentence = (POSITIVE if good else NEGATIVE)[i // 2 % 4]
        rows.append((f"{sentence} ({i})", "positive" if good else "negative"))
    pd.DataFrame(rows, columns=["review", "sentiment"]).to_csv(folder / "reviews.csv", index=False)


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """The generated registry, rendered into a package whose predict() calls the model."""
    package = tmp_path / "text_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "predict.py").write_text(
        "def predict(model, records):\n    return list(model.predict(records))\n"
    )
    text = (
        template_environment()
        .get_template("stages/registry.py.j2")
        .render(
            package="text_pkg",
            libraries=["pandas"],
            libraries_statement=format_statement('LIBRARIES = ["pandas"]'),
        )
    )
    (package / "registry.py").write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("text_pkg.registry")
    for name in [m for m in sys.modules if m.startswith("text_pkg")]:
        del sys.modules[name]


def test_a_model_fitted_on_a_column_of_sentences_is_served_that_column(registry, tmp_path):
    texts = pd.Series(POSITIVE + NEGATIVE, name="review")
    labels = ["positive"] * 4 + ["negative"] * 4
    model = make_pipeline(TfidfVectorizer(), MultinomialNB()).fit(texts, labels)
    version = registry.save_version(
        model,
        features=texts,
        metrics={},
        params={},
        notebook_hash="n",
        data_hash="d",
        registry_dir=str(tmp_path / "models"),
    )
    metadata = registry.read_metadata(version, str(tmp_path / "models"))
    features = metadata["features"]
    assert features["series"] is True
    [column] = features["columns"]
    assert column["name"] == "review" and column["text"] is True and "levels" not in column
    examples = metadata["examples"]
    assert len(examples["predictions"]) == len(examples["records"]) == 8
    assert examples["predictions"] == labels
    # a batch of requests (a DataFrame of records) reaches the model as the column
    batch = pd.DataFrame({"review": ["brilliant cast, lovely film", "rude waiter, cold soup"]})
    served = registry.served_records(batch, features)
    assert list(model.predict(served)) == ["positive", "negative"]


def test_short_category_values_keep_their_levels(registry):
    frame = pd.DataFrame({"plan": ["Month-to-month", "One year", "Two year"] * 3})
    [column] = registry.describe_features(frame)["columns"]
    assert column["levels"] == ["Month-to-month", "One year", "Two year"]
    assert "text" not in column
    assert "series" not in registry.describe_features(frame)


SERVE = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, "src")
    from sentiment.service.api import ServiceAPI
    from sentiment.service.settings import Settings
    service = ServiceAPI(Settings.from_env())
    records = [{"review": "the cast was brilliant, a lovely film"},
               {"review": "rude waiter and cold soup, never again"},
               {"review": "a sentence nobody wrote in training at all"}]
    reply = service.dispatch("/predict", "POST", service.predict, {}, json.dumps(records).encode())
    schema = service.dispatch("/schema", "GET", service.schema, {})
    print(json.dumps({"status": reply.status, "body": reply.body, "schema": schema.body}))
    """)


@pytest.mark.slow
@pytest.mark.skipif(not GENERATED_PYTHON, reason="PRODUCTIONIZE_GENERATED_PYTHON not set")
def test_the_sentiment_service_answers_new_sentences_with_the_model(tmp_path):
    (tmp_path / "sentiment.ipynb").write_text(json.dumps(SENTIMENT))
    write_reviews(tmp_path)
    out = tmp_path / "project"
    result = CliRunner().invoke(
        main, ["build", str(tmp_path / "sentiment.ipynb"), "-o", str(out), "--no-verify"]
    )
    assert result.exit_code == 0, result.output
    served = subprocess.run(
        [GENERATED_PYTHON, "-c", SERVE], cwd=out, capture_output=True, text=True, check=False
    )
    assert served.returncode == 0, served.stderr[-3000:]
    answer = json.loads(served.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200, answer
    body = answer["body"]
    assert body["fallback"] is False, body
    assert body["predictions"][:2] == ["positive", "negative"]
    assert len(body["predictions"]) == 3
    review = answer["schema"]["json_schema"]["properties"]["review"]
    assert review["type"] == "string" and "enum" not in review
