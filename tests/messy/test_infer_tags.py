"""Stage inference on untagged notebooks: what the code does, never what its comments say."""

from __future__ import annotations

from productionize.core.graph import build_graph
from productionize.core.notebook import notebook_from_dict
from productionize.options import Options
from tests.conftest import make_notebook

from .conftest import ruff_problems

LOAD = "import pandas as pd\ntrain = pd.read_csv('../input/titanic/train.csv')"
SPLIT = (
    "from sklearn.model_selection import train_test_split\n"
    "X = train[['Age', 'Fare']]\ny = train['Survived']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)"
)
ENCODE = (
    "from sklearn.preprocessing import LabelEncoder, MinMaxScaler\n"
    "le = LabelEncoder()\nenc = le.fit(train['Sex'])\n"
    "scaler = MinMaxScaler()\nX_train = scaler.fit_transform(X_train)\n"
    "X_test = scaler.transform(X_test)"
)
COMMENTED_OUT = "# clf = LogisticRegression().fit(X_train, y_train)\n# clf.predict(X_test)"
FIT_AND_SCORE = (
    "from sklearn.tree import DecisionTreeClassifier\n"
    "tree = DecisionTreeClassifier(random_state=0)\ntree.fit(X_train, y_train)\n"
    "pred = tree.predict(X_test)\nprint(tree.score(X_test, y_test))"
)
SUBMIT = "submission = tree.predict(X_test)"


def _suggested(*cells):
    nb, _node = notebook_from_dict(make_notebook(*cells), "nb.ipynb")
    graph = build_graph(nb, Options(infer_tags=True))
    return {s.cell_index: s.tag for s in graph.suggestions}


def test_a_cell_that_fits_then_scores_is_train_not_predict():
    tags = _suggested(LOAD, SPLIT, FIT_AND_SCORE, SUBMIT)
    assert tags == {0: "load", 2: "train", 3: "predict"}


def test_encoders_and_scalers_fitted_on_one_column_are_not_training():
    tags = _suggested(LOAD, SPLIT, ENCODE, FIT_AND_SCORE, SUBMIT)
    assert 2 not in tags
    assert tags[3] == "train"


def test_commented_out_code_suggests_nothing():
    tags = _suggested(LOAD, SPLIT, COMMENTED_OUT, FIT_AND_SCORE, SUBMIT)
    assert 2 not in tags


def test_unsupervised_fit_trains_when_nothing_is_fit_on_a_target():
    cluster = (
        "from sklearn.cluster import KMeans\nkm = KMeans(n_clusters=2, random_state=0)\nkm.fit(X)"
    )
    tags = _suggested(LOAD, "X = train[['Age', 'Fare']]", cluster, "labels = km.predict(X)")
    assert tags == {0: "load", 2: "train", 3: "predict"}


def test_sklearn_bundled_dataset_is_a_load_cell():
    tags = _suggested("from sklearn.datasets import load_iris\niris = load_iris(as_frame=True)")
    assert tags == {0: "load"}


def test_kaggle_notebook_without_a_predict_cell_gives_a_clean_project(split_untagged):
    """Fit-and-score cell, then a cell that re-reads the test file to write a submission."""
    resubmit = (
        "test = pd.read_csv('../input/titanic/test.csv')\n"
        "out = pd.DataFrame({'Id': test.index, 'Survived': tree.predict(test[['Age', 'Fare']])})\n"
        "out.to_csv('submission.csv', index=False)"
    )
    result, out = split_untagged(make_notebook(LOAD, SPLIT, ENCODE, FIT_AND_SCORE, resubmit))
    assert result.exit_code == 0, result.output
    assert "train     cells 3 " in result.output
    # Kaggle's ../input/ is not next to the notebook here: say how to point the pipeline at it
    assert "note: data file ../input/titanic/train.csv was not copied" in result.output
    assert "--env--train_path" in result.output
    evaluate = next((out / "src").glob("*/evaluate.py")).read_text()
    assert 'test_path="../input/titanic/test.csv"' in evaluate
    assert ruff_problems(out) == ""


def test_native_xgboost_train_call_is_training():
    booster = (
        "import xgboost as xgb\ndtrain = xgb.DMatrix(X_train, label=y_train)\n"
        "booster = xgb.train({'max_depth': 2}, dtrain, 10)\n"
        "preds = booster.predict(xgb.DMatrix(X_test))"
    )
    tags = _suggested(LOAD, SPLIT, booster, SUBMIT.replace("tree", "booster"))
    assert tags == {0: "load", 2: "train", 3: "predict"}
