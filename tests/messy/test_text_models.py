"""Text classification and clustering notebooks: the model is fitted on a fitted transformer's
output, or on a column of sentences through an sklearn Pipeline.

- ``pipe.fit(X_train, y_train)`` after ``train_test_split(df["review"], df["sentiment"])``: the
  service takes the raw sentence and accepts any string (no categorical levels), and the model
  receives the column as a Series, as in training (a vectorizer given a DataFrame iterates its
  column names and answers once for the whole batch).
- ``X = cv.fit_transform(df["message"])`` then ``train_test_split(X, y)`` (the usual spam
  notebook), ``X_scaled = scaler.fit_transform(X)`` then ``KMeans().fit_predict(X_scaled)``: the
  service takes what the transformer was fitted on and predict() applies the transformer fitted
  at train time, stored with the model, never refitted on a request.
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


SPAM = make_notebook(
    "import pandas as pd\nfrom sklearn.feature_extraction.text import CountVectorizer\n"
    "from sklearn.model_selection import train_test_split\n"
    "from sklearn.naive_bayes import MultinomialNB\nimport pickle",
    "sms = pd.read_csv('sms.csv')\n"
    "sms['label'] = sms['kind'].map({'ham': 0, 'spam': 1})\n"
    "X = sms['message']\n"
    "y = sms['label']\n"
    "cv = CountVectorizer()\n"
    "X = cv.fit_transform(X)\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=4)\n"
    "nb = MultinomialNB()\n"
    "nb.fit(X_train, y_train)\n"
    "nb.score(X_test, y_test)",
    "pickle.dump(cv, open('vectorizer.pkl', 'wb'))\npickle.dump(nb, open('spam_model.pkl', 'wb'))",
)

SEGMENTS = make_notebook(
    ("markdown", "# Shoppers in five segments"),
    "import pandas as pd\nimport matplotlib.pyplot as plt\nfrom sklearn.cluster import KMeans\n"
    "from sklearn.preprocessing import StandardScaler",
    "shoppers = pd.read_csv('shoppers.csv')\nshoppers.head()",
    "X = shoppers[['income', 'score']]\nscaler = StandardScaler()\n"
    "X_scaled = scaler.fit_transform(X)",
    "inertias = []\nfor k in range(1, 8):\n"
    "    km = KMeans(n_clusters=k, n_init=10, random_state=0)\n"
    "    km.fit(X_scaled)\n    inertias.append(km.inertia_)\n"
    "plt.plot(range(1, 8), inertias)\nplt.show()",
    "kmeans = KMeans(n_clusters=3, n_init=10, random_state=0)\n"
    "shoppers['segment'] = kmeans.fit_predict(X_scaled)",
)


def write_sms(folder: Path, n: int = 90) -> None:
    rows = []
    for i in range(n):
        spam = i % 3 == 0
        words = NEGATIVE if spam else POSITIVE
        text = f"win a free prize now, call {1000 + i}" if spam else f"{words[i % 4]} {i}"
        rows.append(("spam" if spam else "ham", text))
    pd.DataFrame(rows, columns=["kind", "message"]).to_csv(folder / "sms.csv", index=False)


def write_shoppers(folder: Path, n: int = 60) -> None:
    income = [20 + (i * 37) % 100 for i in range(n)]
    score = [5 + (i * 53) % 90 for i in range(n)]
    pd.DataFrame({"id": range(n), "income": income, "score": score}).to_csv(
        folder / "shoppers.csv", index=False
    )


def _split(tmp_path, name, nb, write):
    (tmp_path / f"{name}.ipynb").write_text(json.dumps(nb))
    write(tmp_path)
    out = tmp_path / "project"
    result = CliRunner().invoke(
        main, ["split", str(tmp_path / f"{name}.ipynb"), "-o", str(out), "--no-verify"]
    )
    assert result.exit_code == 0, result.output
    return out, (out / "src" / name / "predict.py").read_text()


def test_a_vectorized_then_split_spam_model_serves_the_message_through_the_fitted_vectorizer(
    tmp_path,
):
    out, predict = _split(tmp_path, "spam", SPAM, write_sms)
    assert "def predict(model, records, fitted):" in predict
    assert 'features = fitted["cv"].transform(transformer_input)' in predict
    assert "fit_transform" not in predict and "fit(" not in predict
    train = (out / "src" / "spam" / "train.py").read_text()
    # the text as the vectorizer saw it, kept just before the statement that rebinds X
    assert "transformer_input = X\n    X = cv.fit_transform(X)" in train
    readme = (out / "README.md").read_text()
    assert "predict() receives `X`, what `cv` was fitted on" in readme


def test_a_scaled_clustering_serves_raw_features_through_the_fitted_scaler(tmp_path):
    _out, predict = _split(tmp_path, "segments", SEGMENTS, write_shoppers)
    assert "X = records.copy()" in predict
    assert 'features = fitted["scaler"].transform(X)' in predict
    assert "predictions = model.predict(features)" in predict


@pytest.mark.slow
@pytest.mark.skipif(not GENERATED_PYTHON, reason="PRODUCTIONIZE_GENERATED_PYTHON not set")
def test_the_spam_service_built_and_verified_answers_raw_messages(tmp_path):
    (tmp_path / "spam.ipynb").write_text(json.dumps(SPAM))
    write_sms(tmp_path)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(tmp_path / "spam.ipynb"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    script = SERVE.replace("sentiment.", "spam.").replace('"review"', '"message"')
    served = subprocess.run(
        [GENERATED_PYTHON, "-c", script], cwd=out, capture_output=True, text=True, check=False
    )
    assert served.returncode == 0, served.stderr[-3000:]
    answer = json.loads(served.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200 and answer["body"]["fallback"] is False, answer
    assert len(answer["body"]["predictions"]) == 3
    assert set(answer["schema"]["json_schema"]["properties"]) == {"message"}


# no cleaning: everything up to the split is the load stage, the predict cell predicts on X_test
REVIEWS_IN_LOAD = make_notebook(
    "import pandas as pd\nfrom sklearn.feature_extraction.text import CountVectorizer\n"
    "from sklearn.model_selection import train_test_split\nfrom sklearn.naive_bayes import BernoulliNB",
    "sms = pd.read_csv('sms.csv')",
    "X = sms['message']\ny = sms['kind']\nvect = CountVectorizer(ngram_range=(1, 2))\n"
    "X = vect.fit_transform(X)",
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, random_state=2)",
    "clf = BernoulliNB()\nclf.fit(X_train, y_train)",
    "p_test = clf.predict(X_test)\nprint((p_test == y_test).mean())",
)

# the scaler fitted right after the split, rebinding the split's frames (the Colab 'placement')
MARKS_SCALED_AFTER_SPLIT = make_notebook(
    "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
    "from sklearn.preprocessing import StandardScaler\nfrom sklearn.linear_model import LogisticRegression",
    "shoppers = pd.read_csv('shoppers.csv')",
    "X = shoppers[['income', 'score']]\ny = shoppers['score'] > 50\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=1)",
    "scaler = StandardScaler()\nX_train = scaler.fit_transform(X_train)\nX_test = scaler.transform(X_test)",
    "clf = LogisticRegression()\nclf.fit(X_train, y_train)",
    "y_pred = clf.predict(X_test)\nprint((y_pred == y_test).mean())",
)


def test_vectorized_text_split_in_the_load_stage_is_served_as_text(tmp_path):
    # predict() was given rows of X_test, the load stage's token counts: 4,000 fields '0', '1'...
    _out, predict = _split(tmp_path, "reviews", REVIEWS_IN_LOAD, write_sms)
    assert 'features = fitted["vect"].transform(transformer_input)' in predict
    assert "X_test" not in predict


def test_a_scaler_fitted_on_the_split_frame_it_rebinds_serves_the_raw_columns(tmp_path):
    # refused as 'fits scaler on X_train, which the notebook changes afterwards': the service
    # took the scaled array, with fields '0' and '1'
    out, predict = _split(tmp_path, "marks", MARKS_SCALED_AFTER_SPLIT, write_shoppers)
    assert 'features = fitted["scaler"].transform(transformer_input)' in predict
    load = (out / "src" / "marks" / "load.py").read_text()
    assert "transformer_input = X_train\n    X_train = scaler.fit_transform(X_train)" in load


@pytest.mark.slow
@pytest.mark.skipif(not GENERATED_PYTHON, reason="PRODUCTIONIZE_GENERATED_PYTHON not set")
def test_the_scaled_after_split_service_is_verified_and_takes_named_columns(tmp_path):
    (tmp_path / "marks.ipynb").write_text(json.dumps(MARKS_SCALED_AFTER_SPLIT))
    write_shoppers(tmp_path)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(tmp_path / "marks.ipynb"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    metadata = json.loads((out / "models" / "v0001" / "metadata.json").read_text())
    assert [c["name"] for c in metadata["features"]["columns"]] == ["income", "score"]
