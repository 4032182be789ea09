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


def test_a_frame_built_in_code_is_the_load_step():
    build = (
        "import pandas as pd\n"
        "df = pd.DataFrame({'Age': [22, 38, 26, 35], 'Fare': [7.2, 71.3, 7.9, 53.1], "
        "'Survived': [0, 1, 1, 1]})"
    )
    rebuild = (
        "from sklearn.preprocessing import StandardScaler\n"
        "X = pd.DataFrame(StandardScaler().fit_transform(df[['Age', 'Fare']]), "
        "columns=['Age', 'Fare'])\ny = df['Survived']"
    )
    fit = "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression().fit(X, y)"
    tags = _suggested(build, rebuild, fit, "p = m.predict(X)")
    # the second DataFrame(...) rescales loaded data: cleaning, not a second load
    assert tags == {0: "load", 2: "train", 3: "predict"}


def test_a_frame_built_inside_the_notebooks_own_function_is_the_load_step():
    define = (
        "import pandas as pd\n"
        "def get_data():\n"
        "    return pd.DataFrame({'a': [1.0, 2.0, 3.0], 'b': [2.0, 4.0, 6.0]})"
    )
    tags = _suggested(
        define,
        "df = get_data()",
        "from sklearn.linear_model import LinearRegression\n"
        "m = LinearRegression().fit(df[['a']], df['b'])",
    )
    assert tags == {1: "load", 2: "train"}


def test_scikit_learn_generators_and_bundled_data_sets_are_loads():
    for call in ("make_classification(n_samples=50, random_state=0)", "load_iris(return_X_y=True)"):
        make = f"from sklearn.datasets import {call.split('(')[0]}\nX, y = {call}"
        fit = "from sklearn.svm import SVC\nclf = SVC().fit(X, y)"
        assert _suggested(make, fit, "p = clf.predict(X)") == {0: "load", 1: "train", 2: "predict"}
    pipeline = "from sklearn.pipeline import make_pipeline\npipe = make_pipeline()"
    assert 0 not in _suggested(pipeline, "from sklearn.svm import SVC\nclf = SVC().fit(X, y)")


def test_a_submission_frame_of_predictions_is_predict_not_load():
    tags = _suggested(
        LOAD, SPLIT, FIT_AND_SCORE, "sub = pd.DataFrame({'Survived': tree.predict(X_test)})"
    )
    assert tags[3] == "predict"


def test_saving_the_model_with_open_for_writing_is_not_a_load():
    save = "import pickle\npickle.dump(tree, open('model.pkl', 'wb'))"
    with_block = "with open('tokens.pickle', mode='wb') as f:\n    pickle.dump(tree, f)"
    tags = _suggested(LOAD, SPLIT, FIT_AND_SCORE, save, with_block)
    assert tags == {0: "load", 2: "train"}
    assert _suggested("with open('train.json') as f:\n    rows = json.load(f)") == {0: "load"}


def test_a_title_above_the_first_code_names_the_notebook_at_any_heading_level():
    # "### Loan Prediction Status Problem" made the imports a predict stage, and every later
    # load or clean was then refused as going backwards
    for title in ("### Rent Prediction Problem", "## Training a price model"):
        tags = _suggested(
            ("markdown", title),
            "import pandas as pd\nimport numpy as np",
            LOAD,
            SPLIT,
            FIT_AND_SCORE,
        )
        assert tags == {2: "load", 4: "train"}, title
    # a section heading naming the load still applies to the first code under it
    tags = _suggested(("markdown", "## Reading the data"), "import pandas as pd\nraw = 3")
    assert tags == {1: "load"}
