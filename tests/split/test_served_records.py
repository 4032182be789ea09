"""predict() over raw rows of the frame a Kaggle-style notebook predicts on (``test``).

The served records are rows of ``test`` as loaded; predict() replays the notebook's cleaning of
``test`` with values fitted at train time. Cases that cannot be replayed per record get the
model's own predict with a note naming the cell and line.
"""

from __future__ import annotations

import pytest

from tests.conftest import make_notebook
from tests.split.conftest import split_nb

PARAMS = ("code", 'train_path = "data/train.csv"\ntest_path = "data/test.csv"', ["parameters"])
LOAD = (
    "code",
    "import pandas as pd\ntrain = pd.read_csv(train_path)\ntest = pd.read_csv(test_path)",
    ["load"],
)
TRAIN = (
    "code",
    "from sklearn.ensemble import RandomForestClassifier\n"
    "model = RandomForestClassifier(random_state=0)\nmodel.fit(X, y)",
    ["train"],
)
CLEAN = (
    'train["Age"] = train["Age"].fillna(train["Age"].median())\n'
    'test["Age"] = test["Age"].fillna(train["Age"].median())\n'
    'test["Fare"] = test["Fare"].fillna(test["Fare"].median())\n'
    'features = ["Pclass", "Age", "Fare"]\n'
    "X = train[features]\n"
    'y = train["Survived"]'
)


def split_with(clean: str, predict: str):
    cells = [PARAMS, LOAD, ("code", clean, ["clean"]), TRAIN, ("code", predict, ["predict"])]
    result = split_nb(make_notebook(*cells))
    files = {f.path: f.content for f in result.files}
    return result, files


@pytest.mark.parametrize(
    ("predict", "prediction", "expression"),
    [
        (
            "preds = model.predict(test[features])",
            'predictions = model.predict(test[fitted["features"]])',
            "model.predict(test[features])",
        ),
        (
            'preds = model.predict(test.drop(columns=["PassengerId", "Name"])[features])',
            'predictions = model.predict(test.drop(columns=["PassengerId", "Name"])[fitted["features"]])',
            "model.predict(test.drop(columns=['PassengerId', 'Name'])[features])",
        ),
        (
            "proba = model.predict_proba(test[features])[:, 1]",
            'predictions = model.predict_proba(test[fitted["features"]])[:, 1]',
            "model.predict_proba(test[features])[:, 1]",
        ),
        # the Kaggle submission: the predictions are the call inside the frame, not the frame
        (
            'sub = pd.DataFrame({"PassengerId": test.PassengerId, '
            '"Survived": model.predict(test[features])})\nsub.to_csv("sub.csv", index=False)',
            'predictions = model.predict(test[fitted["features"]])',
            "model.predict(test[features])",
        ),
    ],
)
def test_predict_serves_raw_rows_of_the_predicted_frame(predict, prediction, expression):
    result, files = split_with(CLEAN, predict)
    spec = result.spec
    code = files["src/nb/predict.py"]
    assert (spec.records_name, spec.records_stage) == ("test", "load")
    assert spec.prediction_expression == expression
    assert "def predict(model, records, fitted):" in code
    assert "    test = records.copy()\n" in code
    # training statistics and statistics of the whole test frame are fitted, never recomputed
    assert """test["Age"] = test["Age"].fillna(fitted["train['Age'].median()"])""" in code
    assert """test["Fare"] = test["Fare"].fillna(fitted["test['Fare'].median()"])""" in code
    assert prediction in " ".join(code.split()).replace("( ", "(").replace(" )", ")")
    assert "def fitted_values(test, train, features):" in code
    assert """fitted["train['Age'].median()"] = train["Age"].median()""" in code
    assert "from .clean" not in code and "from .train" not in code  # no training code
    tasks = files["src/nb/tasks.py"]
    assert 'records = _read(upstream["load"]["test"])' in tasks
    assert "fitted = run_fitted_values(test=records, train=train, features=features)" in tasks
    assert "predictions = run_predict(model, records, fitted)" in tasks
    assert "features=records," in tasks and "fitted=fitted," in tasks  # registry: raw rows
    kubeflow = files["deploy/kubeflow_pipeline.py"]
    assert 'in_predict_fitted=predict_step.outputs["out_fitted"]' in kubeflow
    assert any("raw rows of `test`" in n for n in spec.notes)
    assert "predict(model, records, fitted)  " in files["README.md"]


def test_a_value_the_notebook_changes_later_is_kept_where_it_is_computed():
    clean = (
        'train["Embarked"] = train["Embarked"].fillna("S")\n'
        'test["Embarked"] = test["Embarked"].fillna(train["Embarked"].mode()[0])\n'
        'train = pd.get_dummies(train, columns=["Embarked"])\n'
        'test = pd.get_dummies(test, columns=["Embarked"])\n'
        'features = ["Pclass", "Embarked_S"]\n'
        "X = train[features]\n"
        'y = train["Survived"]'
    )
    result, files = split_with(clean, "preds = model.predict(test[features])")
    clean_code = files["src/nb/clean.py"]
    # train's Embarked column is gone after get_dummies: the clean stage keeps the mode
    captured = "fitted_train_embarked_mode_0"
    assert f'    {captured} = train["Embarked"].mode()[0]\n' in clean_code
    assert result.spec.captured == (captured,)
    predict = files["src/nb/predict.py"]
    assert f"def fitted_values(test, {captured}, features):" in predict
    assert "align_columns(" in predict  # get_dummies keeps the whole frame's columns
    assert 'pd.get_dummies(test, columns=["Embarked"])' in predict


def test_a_function_applied_to_both_frames_is_carried_by_predict_not_imported():
    clean = (
        "def add_title(df):\n"
        "    df = df.copy()\n"
        '    df["Title"] = df["Name"].str.split(",").str[0]\n'
        "    return df\n\n"
        "train = add_title(train)\ntest = add_title(test)\n"
        'features = ["Pclass"]\nX = train[features]\ny = train["Survived"]'
    )
    result, files = split_with(clean, "preds = model.predict(test[features])")
    predict = files["src/nb/predict.py"]
    # a copy of the notebook's function: predict.py imports nothing from training
    assert "from .clean" not in predict
    assert 'def add_title(df):\n    df = df.copy()\n    df["Title"] =' in predict
    assert "    test = add_title(test)\n" in predict
    assert not result.spec.stage("predict").synthesized


@pytest.mark.parametrize(
    ("clean", "predict", "note"),
    [
        # a loop over both frames changes test through an alias
        (
            'for df in [train, test]:\n    df["Age"] = df["Age"].fillna(0)\n'
            'X = train[["Age"]]\ny = train["Survived"]',
            'preds = model.predict(test[["Age"]])',
            "cell 2 line 1 changes a value derived from `test`",
        ),
        # quantile bins of the batch itself
        (
            'test["Band"] = pd.qcut(test["Fare"], 4, labels=False)\n'
            'X = train[["Fare"]]\ny = train["Survived"]',
            'preds = model.predict(test[["Band"]])',
            "cell 2 line 1: `pd.qcut(test['Fare'], 4, labels=False)` depends on the other records",
        ),
        # a function computing batch-dependent values of the frame it is given
        (
            'def band(df):\n    df["Band"] = pd.qcut(df["Fare"], 4, labels=False)\n    return df\n\n'
            'train = band(train)\ntest = band(test)\nX = train[["Band"]]\ny = train["Survived"]',
            'preds = model.predict(test[["Band"]])',
            "function `band` (cell 2 line 1): `pd.qcut(df['Fare'], 4, labels=False)` depends",
        ),
        # a function computing statistics, called twice on the records
        (
            "def fill(df):\n    return df.fillna(df.median())\n\n"
            "train = fill(train)\ntest = fill(test)\ntest = fill(test)\n"
            'X = train[["Age"]]\ny = train["Survived"]',
            'preds = model.predict(test[["Age"]])',
            "cell 2 line 6 calls `fill` on records again (cell 2 line 5 did first)",
        ),
        # a function reading a notebook value
        (
            "limit = 60\ndef cap(df):\n    return df.clip(upper=limit)\n\n"
            'X = train[["Age"]]\ny = train["Survived"]\ntest = cap(test)',
            'preds = model.predict(test[["Age"]])',
            "function `cap` (cell 2 line 2) reads `limit`",
        ),
    ],
)
def test_unsupported_cleaning_falls_back_with_a_note(clean, predict, note):
    result, files = split_with(clean, predict)
    assert result.spec.stage("predict").synthesized
    assert result.spec.records_stage is None
    assert any(note in n for n in result.spec.notes), result.spec.notes
    assert "def predict(model, records):" in files["src/nb/predict.py"]


def test_a_function_computing_statistics_records_them_when_fitted_values_replays_it():
    clean = (
        "def fill(df):\n"
        "    df = df.copy()\n"
        '    df["Age"] = df["Age"].fillna(df["Age"].median())\n'
        '    return pd.get_dummies(df, columns=["Sex"])\n\n'
        "def prepare(df):\n"
        "    return fill(df)\n\n"
        'train = prepare(train)\ntest = prepare(test)\nX = train[["Age", "Sex_male"]]\n'
        'y = train["Survived"]'
    )
    result, files = split_with(clean, 'preds = model.predict(test[["Age", "Sex_male"]])')
    code = files["src/nb/predict.py"]
    assert not result.spec.stage("predict").synthesized
    # a copy taking `fitted` (and every function calling it): the statistic of the frame the
    # notebook called it on is recorded by fitted_values() and reused for every request
    assert "def fill(df, *, fitted):" in code and "def prepare(df, *, fitted):" in code
    assert "return fill(df, fitted=fitted)" in code
    assert (
        'fitted_statistic(fitted, "fill(): df[\'Age\'].median()", lambda: df["Age"].median())'
        in (" ".join(code.split()).replace("( ", "(").replace(" )", ")"))
    )
    assert "\"fill(): columns of pd.get_dummies(df, columns=['Sex'])\"" in code
    assert "    test = prepare(test, fitted=fitted)\n" in code
    assert "def fitted_values(test):" in code
    assert "from .clean import" not in code


def test_records_of_the_training_lineage_keep_the_usual_predict():
    clean = 'X = train.drop(columns=["Survived"])\ny = train["Survived"]'
    result, _ = split_with(clean, "preds = model.predict(X)")
    assert result.spec.records_stage is None
    assert result.spec.records_name == "X"
    assert not result.spec.stage("predict").synthesized


def test_a_transformer_fitted_on_training_data_is_a_fitted_value():
    clean = (
        "from sklearn.preprocessing import StandardScaler\n"
        'features = ["Pclass", "Fare"]\n'
        'test["Fare"] = test["Fare"].fillna(0)\n'
        "scaler = StandardScaler()\n"
        "X = scaler.fit_transform(train[features])\n"
        'y = train["Survived"]\n'
        "X_test = scaler.transform(test[features])"
    )
    result, files = split_with(clean, "proba = model.predict_proba(X_test)[:, 1]")
    code = files["src/nb/predict.py"]
    assert 'X_test = fitted["scaler"].transform(test[fitted["features"]])' in code
    assert "predictions = model.predict_proba(X_test)[:, 1]" in code
    assert "def fitted_values(test, scaler, features):" in code
    assert "scaler" in result.spec.stage("clean").outputs  # exported for fitted_values()


def test_a_list_of_column_names_is_not_the_records_frame():
    load = (
        "code",
        "import pandas as pd\ntrain = pd.read_csv(train_path)\ntest = pd.read_csv(test_path)\n"
        'features = ["Pclass", "Fare"]',
        ["load"],
    )
    clean = ("code", 'X = train[features]\ny = train["Survived"]', ["clean"])
    predict = ("code", "preds = model.predict(test[features])", ["predict"])
    cells = [PARAMS, load, clean, TRAIN, predict]
    result = split_nb(make_notebook(*cells))
    assert (result.spec.records_name, result.spec.records_stage) == ("test", "load")


@pytest.mark.parametrize(
    ("predict", "served"),
    [
        (
            'preds = model.predict(X_test.drop(columns=["id"]))',
            'predictions = model.predict(X_test.drop(columns=["id"]))',
        ),
        ("preds = model.predict(X_test[features])", 'model.predict(X_test[fitted["features"]])'),
    ],
)
def test_a_reshaped_held_out_frame_is_served_as_its_rows(predict, served):
    load = ("code", "import pandas as pd\nraw = pd.read_csv(train_path)", ["load"])
    clean = ("code", 'features = ["a", "b"]\nX = raw.drop(columns=["y"])\ny = raw["y"]', ["clean"])
    train = (
        "code",
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
        'model = LogisticRegression().fit(X_train.drop(columns=["id"]), y_train)',
        ["train"],
    )
    cells = [PARAMS, load, clean, train, ("code", predict, ["predict"])]
    result = split_nb(make_notebook(*cells))
    code = {f.path: f.content for f in result.files}["src/nb/predict.py"]
    # the records are rows of X_test as train returns it (id included): the schema says so
    assert (result.spec.records_name, result.spec.records_stage) == ("X_test", "train")
    assert "    X_test = records.copy()\n" in code and served in code
    assert not result.spec.stage("predict").synthesized


def test_kubeflow_takes_the_held_out_frame_once_when_predict_and_evaluate_both_read_it():
    # split in the load stage; predict serves rows of X_test and the evaluation reads X_test too
    load = (
        "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
        "df = pd.read_csv('data/scores.csv')\n"
        "X_train, X_test, y_train, y_test = "
        "train_test_split(df[['hours']], df['passed'], random_state=1)"
    )
    fit = (
        "from sklearn.linear_model import LogisticRegression\n"
        "clf = LogisticRegression()\nclf.fit(X_train, y_train)"
    )
    score = "predicted = clf.predict(X_test)\nhits = (predicted == y_test).mean()"
    cells = [("code", load, ["load"]), ("code", fit, ["train"]), ("code", score, ["predict"])]
    result = split_nb(make_notebook(*cells))
    kubeflow = next(f.content for f in result.files if f.path == "deploy/kubeflow_pipeline.py")
    compile(kubeflow, "kubeflow_pipeline.py", "exec")  # a duplicate parameter does not compile
    assert kubeflow.count("in_load_X_test: dsl.Input[dsl.Artifact],") == 2  # predict, register
