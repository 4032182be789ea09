"""Untagged Kaggle-style notebooks: the cells that clean the loaded data get the `clean` stage.

Left in the load stage (inherited from the read above them), cleaning would make `load()` return
cleaned frames, and the service would expect rows of `get_dummies(test[features])` instead of
raw rows of `test`. Also: inferred tags never go backwards onto a value a later stage made.
"""

from __future__ import annotations

from productionize.core.graph import build_graph
from productionize.core.notebook import notebook_from_dict
from productionize.options import Options
from tests.conftest import make_notebook
from tests.split.conftest import split_nb

KAGGLE_WALK = (
    "import numpy as np\nimport pandas as pd\nimport os\n"
    "for dirname, _, filenames in os.walk('/kaggle/input'):\n"
    "    for filename in filenames:\n"
    "        print(os.path.join(dirname, filename))"
)
READ_TRAIN = "import pandas as pd\ntrain_df = pd.read_csv('train.csv')\ntrain_df.head()"
READ_TEST = "test_df = pd.read_csv('test.csv')\ntest_df.head()"
ENCODE_BOTH = (
    "features = ['Pclass', 'Sex', 'SibSp', 'Parch']\n"
    "X = pd.get_dummies(train_df[features])\n"
    "X_test = pd.get_dummies(test_df[features])\n"
    "y = train_df['Survived']"
)
FIT = (
    "from sklearn.ensemble import RandomForestClassifier\n"
    "clf = RandomForestClassifier(n_estimators=20, max_depth=4, random_state=1)\n"
    "clf.fit(X, y)"
)
PREDICT = "preds = clf.predict(X_test)"
SUBMIT = (
    "out = pd.DataFrame({'PassengerId': test_df.PassengerId, 'Survived': preds})\n"
    "out.to_csv('submission.csv', index=False)"
)


def _suggested(*cells):
    nb, _node = notebook_from_dict(make_notebook(*cells), "nb.ipynb")
    graph = build_graph(nb, Options(infer_tags=True))
    return {s.cell_index: s.tag for s in graph.suggestions}


def test_the_cell_encoding_the_loaded_frames_is_clean_and_the_service_gets_raw_test_rows():
    nb = make_notebook(KAGGLE_WALK, READ_TRAIN, READ_TEST, ENCODE_BOTH, FIT, PREDICT, SUBMIT)
    result = split_nb(nb, Options(infer_tags=True))
    assert {s.cell_index: s.tag for s in result.suggestions} == {
        1: "load",
        2: "load",
        3: "clean",
        4: "train",
        5: "predict",
    }
    files = {f.path: f.content for f in result.files}
    assert "get_dummies" not in files["src/nb/load.py"]
    assert (result.spec.records_name, result.spec.records_stage) == ("test_df", "load")
    predict = files["src/nb/predict.py"]
    assert "def predict(model, records, fitted):" in predict
    assert 'pd.get_dummies(test_df[fitted["features"]])' in predict


def test_in_place_fills_drops_deletes_and_loops_over_columns_are_cleaning():
    for clean in (
        "train_df['Age'].fillna(0, inplace=True)",
        "train_df.dropna(inplace=True)",
        "train_df = train_df.drop(['Cabin', 'Ticket'], axis=1)",
        "del train_df['Cabin']",
        "train_df.loc[train_df.Age > 60, 'Age'] = 60",
        "for c in ['Sex', 'Embarked']:\n    train_df[c] = train_df[c].astype('category').cat.codes",
    ):
        tags = _suggested(READ_TRAIN, clean, "X = train_df[['Age']]\ny = train_df.Survived", FIT)
        assert tags == {0: "load", 1: "clean", 3: "train"}, clean


def test_looking_at_the_data_or_picking_features_is_not_cleaning():
    for look in (
        "train_df.isnull().sum()",
        "train_df.drop('Survived', axis=1).head()",
        "X = train_df.drop('Survived', axis=1)\ny = train_df['Survived']",
        "counts = train_df['Sex'].value_counts()",
    ):
        tags = _suggested(READ_TRAIN, look, FIT)
        assert tags == {0: "load", 2: "train"}, look


def test_what_follows_a_train_test_split_is_not_cleaning_of_raw_rows():
    split = (
        "from sklearn.model_selection import train_test_split\n"
        "X_tr, X_va, y_tr, y_va = train_test_split(train_df[['Age']], train_df.Survived, "
        "random_state=0)"
    )
    scale = (
        "from sklearn.preprocessing import StandardScaler\nsc = StandardScaler()\n"
        "X_tr = sc.fit_transform(X_tr)\nX_va = sc.transform(X_va)"
    )
    tags = _suggested(READ_TRAIN, split, scale, FIT.replace("fit(X, y)", "fit(X_tr, y_tr)"))
    assert tags == {0: "load", 3: "train"}


def test_a_heading_never_moves_a_cell_back_before_the_stage_that_made_its_inputs():
    """'# Splitting the dataset' names `load` by its words; the cell reads the cleaned frame."""
    tags = _suggested(
        READ_TRAIN,
        "train_df['Sex'] = train_df['Sex'].map({'male': 0, 'female': 1})",
        ("markdown", "# Splitting the dataset"),
        "X = train_df[['Sex']]\ny = train_df.Survived",
        FIT,
    )
    assert tags == {0: "load", 1: "clean", 4: "train"}


def test_a_second_read_after_training_that_needs_nothing_trained_is_still_a_load():
    tags = _suggested(READ_TRAIN, "X = train_df[['Age']]\ny = train_df.Survived", FIT, READ_TEST)
    assert tags[3] == "load"


def test_loading_the_pickled_model_back_after_training_is_not_a_second_load():
    """`pickle.load` reads a file, but of what the train stage made: the cell stays in train."""
    save_and_reload = (
        "import pickle\npickle.dump(clf, open('clf.pkl', 'wb'))\n"
        "loaded = pickle.load(open('clf.pkl', 'rb'))"
    )
    tags = _suggested(
        READ_TRAIN, "X = train_df[['Age']]\ny = train_df.Survived", FIT, save_and_reload
    )
    assert tags == {0: "load", 2: "train"}


def test_the_cell_that_only_creates_the_model_a_later_cell_fits_is_train():
    """Colab style: `model = LogisticRegression()` in a cell of its own, `.fit` in the next."""
    nb = make_notebook(
        "import pandas as pd\nfrom sklearn.model_selection import train_test_split",
        "df = pd.read_csv('diabetes.csv')\ndf.head()",
        "X = df[['Glucose', 'BMI', 'Age']]\ny = df.Outcome",
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
        "from sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression()",
        "model.fit(X_train, y_train)",
        "y_predicted = model.predict(X_test)",
    )
    result = split_nb(nb, Options(infer_tags=True))
    tags = {s.cell_index: s.tag for s in result.suggestions}
    assert tags == {1: "load", 4: "train", 5: "train", 6: "predict"}
    files = {f.path: f.content for f in result.files}
    assert "LogisticRegression" not in files["src/nb/load.py"]
    assert "model = LogisticRegression()" in files["src/nb/train.py"]
    # a scaler made in its own cell and fit on features alone is not the model
    scaler = "from sklearn.preprocessing import StandardScaler\nsc = StandardScaler()"
    tags = _suggested(READ_TRAIN, scaler, "Xs = sc.fit_transform(train_df[['Age']])", FIT)
    assert tags == {0: "load", 3: "train"}
