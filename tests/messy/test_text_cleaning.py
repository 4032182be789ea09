"""Text notebooks that clean the text with a function of their own before vectorizing it:

    stop_words = {...}
    def clean_text(text): ... w not in stop_words ...
    df["clean_text"] = df["review"].apply(clean_text)
    X = tfidf.fit_transform(df["clean_text"])

The function's globals (a stop-word set, a compiled regex) move to module level next to it (as
stage locals the function raised NameError), a global computed from the data is refused naming
the function, cell and line, and the service takes the raw review: predict() applies the
notebook's own clean_text, then the vectorizer fitted at train time.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from tests.conftest import make_notebook

from .conftest import ruff_problems
from .test_text_models import SERVE, write_reviews

GENERATED_PYTHON = os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON")

CLEANED = make_notebook(
    "import re\nimport string\nimport pandas as pd\n"
    "from sklearn.feature_extraction.text import TfidfVectorizer\n"
    "from sklearn.model_selection import train_test_split\n"
    "from sklearn.naive_bayes import MultinomialNB",
    "reviews = pd.read_csv('reviews.csv')\nreviews.head()",
    "stop_words = {'the', 'a', 'and', 'i', 'it', 'was'}\n"
    "digits = re.compile(r'[0-9()]+')\n\n"
    "def clean_text(text):\n"
    "    text = digits.sub('', text.lower())\n"
    "    text = text.translate(str.maketrans('', '', string.punctuation))\n"
    "    return ' '.join(w for w in text.split() if w not in stop_words)\n\n"
    "reviews['clean_text'] = reviews['review'].apply(clean_text)",
    "tfidf = TfidfVectorizer()\n"
    "X = tfidf.fit_transform(reviews['clean_text'])\n"
    "y = reviews['sentiment']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=1)",
    "nb = MultinomialNB()\nnb.fit(X_train, y_train)\ny_pred = nb.predict(X_test)",
)


def _split(tmp_path, nb, name="reviews"):
    (tmp_path / f"{name}.ipynb").write_text(json.dumps(nb))
    write_reviews(tmp_path)
    out = tmp_path / "project"
    result = CliRunner().invoke(
        main, ["split", str(tmp_path / f"{name}.ipynb"), "-o", str(out), "--no-verify"]
    )
    return result, out


def _defining(out, text):
    """(stage, source) of the generated stage module holding ``text``."""
    for path in sorted((out / "src" / "reviews").glob("*.py")):
        if text in path.read_text():
            return path.stem, path.read_text()
    raise AssertionError(f"no module holds {text!r}")


def test_the_globals_a_cleaning_function_reads_move_next_to_it(tmp_path):
    result, out = _split(tmp_path, CLEANED)
    assert result.exit_code == 0, result.output
    stage, source = _defining(out, "def clean_text(")
    module, function = source.split(f"\ndef {stage}(")
    assert "stop_words = {" in module and "digits = re.compile(" in module
    assert module.index("stop_words = {") < module.index("def clean_text(")
    assert "stop_words = " not in function and "digits = " not in function
    assert ruff_problems(out) == ""


def test_the_service_takes_the_raw_review_and_replays_the_cleaning(tmp_path):
    result, out = _split(tmp_path, CLEANED)
    assert result.exit_code == 0, result.output
    predict = (out / "src" / "reviews" / "predict.py").read_text()
    stage, source = _defining(out, "def clean_text(")
    assert "from ." not in predict  # prediction imports nothing from training
    assert "transformer_input = transformer_input.apply(clean_text)" in predict
    assert 'features = fitted["tfidf"].transform(transformer_input)' in predict
    # the raw column is kept just before the notebook cleans it
    assert 'transformer_input = reviews["review"]\n    reviews["clean_text"] =' in source
    # the project README says what the records are in the notebook's words
    readme = (out / "README.md").read_text()
    assert "# records: rows of `reviews['review']` (notebook cell 2 line 9)\n" in readme
    assert "rows of `transformer_input`" not in readme
    assert "cleaning of `transformer_input`" not in readme


def test_predict_carries_the_cleaning_functions_with_the_globals_and_imports_they_need(tmp_path):
    cells = [c["source"] for c in CLEANED["cells"]]
    cells[0] += "\nimport seaborn as sns\nfrom nltk.stem import PorterStemmer"
    cells[2] = (
        "sns.set_theme()\nstemmer = PorterStemmer()\n"
        "digits = re.compile(r'[0-9()]+')\n\n"
        "def stem_words(text):\n    return ' '.join(stemmer.stem(w) for w in text.split())\n\n"
        "def clean_text(text):\n"
        "    # digits out, then stems\n"
        "    return stem_words(digits.sub('', text.lower()))\n\n"
        "reviews['clean_text'] = reviews['review'].apply(clean_text)"
    )
    result, out = _split(tmp_path, make_notebook(*cells))
    assert result.exit_code == 0, result.output
    predict = (out / "src" / "reviews" / "predict.py").read_text()
    assert "from ." not in predict
    head = predict.split("\ndef predict(")[0]
    for text in (
        "import re\n",
        "from nltk.stem import PorterStemmer\n",
        "stemmer = PorterStemmer()\n",
        'digits = re.compile(r"[0-9()]+")\n',
        "def stem_words(text):",
        "def clean_text(text):\n    # digits out, then stems\n",
    ):
        assert text in head, text
    # nothing of the training stack or of exploration: only what the functions read
    assert "sklearn" not in head and "seaborn" not in head and "string" not in head
    assert ruff_problems(out) == ""


def test_a_global_computed_from_the_data_is_refused_naming_function_cell_and_line(tmp_path):
    cells = [c["source"] for c in CLEANED["cells"]]
    cells[2] = (
        "common = set(reviews['review'].str.split().explode().value_counts().index[:3])\n\n"
        "def clean_text(text):\n"
        "    return ' '.join(w for w in text.lower().split() if w not in common)\n\n"
        "reviews['clean_text'] = reviews['review'].apply(clean_text)"
    )
    result, out = _split(tmp_path, make_notebook(*cells))
    assert result.exit_code != 0
    assert "cell 2" in result.output
    assert "function `clean_text` (cell 2 line 3) reads the notebook global `common`" in (
        result.output
    )
    assert "pass `common` to `clean_text` as an argument" in result.output
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.skipif(not GENERATED_PYTHON, reason="PRODUCTIONIZE_GENERATED_PYTHON not set")
def test_the_cleaned_text_model_builds_verified_and_answers_raw_reviews(tmp_path):
    (tmp_path / "reviews.ipynb").write_text(json.dumps(CLEANED))
    write_reviews(tmp_path)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(tmp_path / "reviews.ipynb"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    served = subprocess.run(
        [GENERATED_PYTHON, "-c", SERVE.replace("sentiment.", "reviews.")],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert served.returncode == 0, served.stderr[-3000:]
    answer = json.loads(served.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200 and answer["body"]["fallback"] is False, answer
    assert answer["body"]["predictions"][:2] == ["positive", "negative"]
    # the service imported the prediction module alone, not the stage modules of training
    loaded = subprocess.run(
        [
            GENERATED_PYTHON,
            "-c",
            "import sys; sys.path.insert(0, 'src'); import reviews.predict; "
            "print(sorted(m for m in sys.modules if m.startswith('reviews')))",
        ],
        cwd=out,
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.split() == ["['reviews',", "'reviews.predict']"]
    assert set(answer["schema"]["json_schema"]["properties"]) == {"review"}
