"""predict() over raw rows of the one frame a notebook cleans and then splits with
``train_test_split(X, y)`` (core/split_records.py).

The records are rows of the loaded frame, less the target and the columns the cleaning drops
without reading them; predict() replays the cleaning from that frame to ``X``. A cleaning that
cannot be replayed per record keeps records shaped like the training features, with a note.
"""

from __future__ import annotations

import pytest

from tests.conftest import make_notebook
from tests.split.conftest import split_nb

PARAMS = ("code", 'data_path = "data/rows.csv"', ["parameters"])
LOAD = ("code", "import pandas as pd\ndf = pd.read_csv(data_path)", ["load"])
TRAIN = (
    "code",
    "from sklearn.model_selection import train_test_split\n"
    "from sklearn.ensemble import RandomForestClassifier\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
    "model = RandomForestClassifier(random_state=0)\n"
    "model.fit(X_train, y_train)",
    ["train"],
)


def split_with(clean: str, predict: str = "predictions = model.predict(X_test)", train=TRAIN):
    cells = [PARAMS, LOAD, ("code", clean, ["clean"]), train, ("code", predict, ["predict"])]
    result = split_nb(make_notebook(*cells))
    files = {f.path: f.content for f in result.files}
    return result.spec, files["src/nb/predict.py"]


def test_titanic_cleaning_is_replayed_on_raw_rows():
    spec, predict = split_with(
        'df["Sex"] = df["Sex"].map({"male": 0, "female": 1})\n'
        'df["Embarked"] = df["Embarked"].fillna(df["Embarked"].mode()[0])\n'
        'df["Age"] = df["Age"].fillna(df["Age"].median())\n'
        'df = pd.get_dummies(df, columns=["Embarked"])\n'
        'df = df.drop(["Name", "Ticket", "Cabin"], axis=1)\n'
        'X = df.drop("Survived", axis=1)\n'
        'y = df["Survived"]'
    )
    assert (spec.records_name, spec.records_stage) == ("df", "load")
    assert spec.unserved_columns == ("Cabin", "Name", "Survived", "Ticket")
    assert spec.prediction_expression == "model.predict(X)"
    assert "def predict(model, records, fitted):" in predict
    # the statistics are of the whole frame at train time, the one-hot columns aligned to it
    assert 'df["Age"] = df["Age"].fillna(fitted["df[\'Age\'].median()"])' in predict
    assert "align_columns(" in predict
    assert 'X = df.drop("Survived", axis=1, errors="ignore")' in predict
    assert "predictions = model.predict(X)" in predict
    assert "predict() receives raw rows of `df`" in spec.records_note


@pytest.mark.parametrize(
    ("clean", "unserved"),
    [
        # read before it is dropped: a record must carry it
        (
            'df["Title"] = df["Name"].str.split(",").str[0]\n'
            'X = df.drop(columns=["Name", "y"])\ny = df["y"]',
            ("y",),
        ),
        # dummies of a column concatenated to the frame, then dropped with the unread columns
        (
            'dummies = pd.get_dummies(df["Sex"], drop_first=True)\n'
            "df = pd.concat([df, dummies], axis=1)\n"
            'df.drop(["Sex", "Name"], axis=1, inplace=True)\n'
            'X = df.drop("y", axis=1)\ny = df["y"]',
            ("Name", "y"),
        ),
        # a whole-frame step before the drop may read any column
        ('df = df.fillna(0)\nX = df.drop(columns=["Name", "y"])\ny = df["y"]', ("y",)),
        # a new feature column, a selection of columns: only the target is left out
        (
            'df["per_room"] = df["area"] / df["rooms"]\nX = df[["area", "per_room"]]\n'
            'y = df["price"]',
            ("price",),
        ),
    ],
)
def test_only_columns_dropped_unread_and_the_target_are_left_out(clean, unserved):
    spec, _ = split_with(clean)
    assert spec.records_stage == "load"
    assert spec.unserved_columns == unserved


def test_a_selection_by_a_list_of_names_is_replayed_with_the_list_fitted():
    spec, predict = split_with(
        'df["Age"] = df["Age"].fillna(0)\nfeatures = ["Age", "Fare"]\nX = df[features]\n'
        'y = df["y"]',
        "predictions = model.predict(X_test[features])",
    )
    assert spec.records_stage == "load"
    assert 'X = df[fitted["features"]]' in predict
    assert 'predictions = model.predict(X[fitted["features #2"]])' in predict


def test_a_cleaning_of_the_target_alone_runs_at_train_time_only():
    spec, predict = split_with(
        'df["churn"] = df["churn"].map({"Yes": 1, "No": 0})\n'
        'df["fee"] = df["fee"].fillna(0)\n'
        'X = df.drop(columns=["churn"])\ny = df["churn"]'
    )
    assert spec.unserved_columns == ("churn",)
    served = predict.split("def predict(")[1]
    assert '"churn"].map' not in served and 'df["fee"] = df["fee"].fillna(0)' in served


def test_a_target_popped_from_the_frame_is_popped_at_train_time_only():
    spec, predict = split_with('df["fee"] = df["fee"].fillna(0)\ny = df.pop("churn")\nX = df')
    assert spec.records_stage == "load" and spec.unserved_columns == ("churn",)
    served = predict.split("def predict(")[1]
    assert "pop(" not in served and "X = df" in served


def test_only_a_score_serves_raw_rows_too():
    spec, predict = split_with(
        'df["age"] = 2024 - df["built"]\nX = df.drop(columns=["price", "built"])\ny = df["price"]',
        "r2 = model.score(X_test, y_test)",
    )
    assert spec.records_stage == "load" and spec.unserved_columns == ("price",)
    assert 'df["age"] = 2024 - df["built"]' in predict
    assert spec.prediction_expression == "model.predict(X)"


def test_the_notebook_post_processing_of_predictions_is_kept():
    spec, predict = split_with(
        'X = df.drop(columns=["y"]).fillna(0)\ny = df["y"]',
        "p = (model.predict_proba(X_test)[:, 1] > 0.3).astype(int)",
    )
    assert "predictions = (model.predict_proba(X)[:, 1] > 0.3).astype(int)" in predict
    assert spec.prediction_expression == "(model.predict_proba(X)[:, 1] > 0.3).astype(int)"


@pytest.mark.parametrize(
    ("clean", "why"),
    [
        ('df = df.dropna()\nX = df.drop(columns=["y"])\ny = df["y"]', "`df.dropna()` depends on"),
        (
            'df["rank"] = df["fee"].rank()\nX = df.drop(columns=["y"])\ny = df["y"]',
            "`df['fee'].rank()` depends on",
        ),
        (
            'df["fee"] = df["fee"] * df["y"]\nX = df.drop(columns=["y"])\ny = df["y"]',
            "reads the target column `y`",
        ),
    ],
)
def test_a_cleaning_not_replayable_per_record_keeps_cleaned_rows_and_says_why(clean, why):
    spec, predict = split_with(clean)
    assert spec.records_stage is None
    assert "predictions = model.predict(records)" in predict
    note = spec.records_note
    assert note.startswith("the service takes cleaned rows (shaped like `X_train`)"), note
    assert why in note
    assert any(why in n for n in spec.notes)  # the generated README says it too


def test_features_scaled_after_the_split_keep_todays_records():
    train = (
        "code",
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.preprocessing import StandardScaler\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
        "scaler = StandardScaler()\n"
        "X_train = scaler.fit_transform(X_train)\n"
        "X_test = scaler.transform(X_test)\n"
        "model = LogisticRegression()\n"
        "model.fit(X_train, y_train)",
        ["train"],
    )
    spec, _ = split_with(
        'df["a"] = df["a"].fillna(0)\nX = df.drop(columns=["y"])\ny = df["y"]', train=train
    )
    assert spec.unserved_columns == ()


def test_encoders_fitted_on_the_frame_are_refit_at_train_time_and_applied_to_records():
    spec, predict = split_with(
        "from sklearn.preprocessing import LabelEncoder\n"
        "le = LabelEncoder()\n"
        'df["Sex"] = le.fit_transform(df["Sex"])\n'
        'df["Embarked"] = le.fit_transform(df["Embarked"])\n'
        'df["Town"] = LabelEncoder().fit_transform(df["Town"])\n'
        'X = df.drop(columns=["y"])\ny = df["y"]'
    )
    assert spec.records_stage == "load"
    fitting, served = predict.split("def predict(")
    # one copy per column, fitted on the whole frame (the notebook refits `le` per column)
    assert 'fitted["le.fit(df[\'Sex\'])"] = fitted_transformer(le, df["Sex"])' in fitting
    assert 'LabelEncoder(), df["Town"]' in fitting
    assert 'df["Sex"] = fitted["le.fit(df[\'Sex\'])"].transform(df["Sex"])' in served
    assert "fit_transform" not in served and "fitted_transformer" not in served
    assert "le" in spec.fitted_inputs


def test_an_encoder_fitted_in_a_loop_keeps_cleaned_rows():
    spec, _ = split_with(
        "from sklearn.preprocessing import LabelEncoder\n"
        "le = LabelEncoder()\n"
        'for col in ["Sex", "Town"]:\n    df[col] = le.fit_transform(df[col])\n'
        'X = df.drop(columns=["y"])\ny = df["y"]'
    )
    assert spec.records_stage is None
    assert "the service takes cleaned rows" in spec.records_note
