"""Notebooks that change a frame in place where the statement does not name it: through a
function of their own (`def add_ratio(frame): frame["ratio"] = ...` then `add_ratio(df)`),
through a loop variable (`for frame in (X_train, X_test): frame["age2"] = ...`, Titanic's
`for dataset in combine:`) or with `del df["col"]`. The stage making the change exports the
frame, so the next stage reads it as the notebook has it, not as the stage before left it (the
pipeline used to train without the new column, or predict with a column the model never saw)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.verifying import can_verify
from tests.conftest import make_notebook
from tests.split.conftest import split_nb

IMPORTS = (
    "import numpy as np\nimport pandas as pd\n"
    "from sklearn.model_selection import train_test_split\n"
    "from sklearn.linear_model import LogisticRegression"
)
SPLIT = (
    "X = df.drop('target', axis=1)\ny = df['target']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)"
)

# heart-disease style: every change below is made without naming the frame it changes
CHANGED_IN_PLACE = make_notebook(
    IMPORTS,
    ("code", "df = pd.read_csv('heart.csv')", ["load"]),
    (
        "code",
        "def add_ratio(frame):\n"
        "    frame['ratio'] = frame['age'] / (frame['chol'].abs() + 1)\n\n"
        "add_ratio(df)\ndel df['cp']",
        ["clean"],
    ),
    ("code", SPLIT),
    (
        "code",
        "for frame in (X_train, X_test):\n    frame['age2'] = frame['age'] ** 2\n"
        "model = LogisticRegression(max_iter=1000)\nmodel.fit(X_train.values, y_train)",
        ["train"],
    ),
    ("code", "pred = model.predict(X_test.values)", ["predict"]),
)


# Titanic style: the list is made where the frames are read, the loops over it clean both
PASSENGERS_COMBINED = make_notebook(
    "import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier",
    "train_df = pd.read_csv('train.csv')\ntest_df = pd.read_csv('test.csv')\n"
    "combine = [train_df, test_df]",
    "for dataset in combine:\n"
    "    dataset['Sex'] = dataset['Sex'].map({'female': 1, 'male': 0}).astype(int)\n"
    "    dataset['Age'] = dataset['Age'].fillna(30)",
    "X_train = train_df.drop(['Survived', 'PassengerId'], axis=1)\nY_train = train_df['Survived']\n"
    "X_test = test_df.drop('PassengerId', axis=1)",
    "forest = RandomForestClassifier(n_estimators=20, random_state=0)\n"
    "forest.fit(X_train, Y_train)",
    "Y_pred = forest.predict(X_test)",
)


def write_passengers(folder) -> None:
    rng = np.random.default_rng(5)
    for name, rows in (("train", 200), ("test", 80)):
        frame = pd.DataFrame(
            {
                "PassengerId": np.arange(rows),
                "Sex": rng.choice(["male", "female"], rows),
                "Age": rng.normal(30, 12, rows).round(0),
                "Fare": rng.gamma(2, 15, rows).round(2),
            }
        )
        frame.loc[rng.random(rows) < 0.1, "Age"] = np.nan
        if name == "train":
            frame["Survived"] = ((frame.Sex == "female") | (frame.Fare > 40)).astype(int)
        frame.to_csv(folder / f"{name}.csv", index=False)


def write_heart(folder, rows: int = 240) -> None:
    rng = np.random.default_rng(3)
    age = rng.normal(50, 10, rows)
    chol = rng.normal(0, 1, rows)
    pd.DataFrame(
        {
            "age": age.round(1),
            "chol": chol.round(3),
            "cp": rng.integers(0, 4, rows),
            "target": ((age > 55) & (chol > -0.5)).astype(int),
        }
    ).to_csv(folder / "heart.csv", index=False)


def _stages(nb):
    return {s.name: s for s in split_nb(nb).spec.stages}


@pytest.mark.parametrize(
    ("clean", "train", "exported"),
    [
        # the notebook's own function changes the frame it is given
        (
            "def add_ratio(frame):\n    frame['ratio'] = frame['age'] * 2\n\nadd_ratio(df)",
            SPLIT,
            {"clean": {"df"}},
        ),
        # ... also through a second function it calls
        (
            "def drop_cp(frame):\n    frame.drop(columns=['cp'], inplace=True)\n\n"
            "def prepare(frame):\n    drop_cp(frame)\n\nprepare(df)",
            SPLIT,
            {"clean": {"df"}},
        ),
        ("del df['cp']", SPLIT, {"clean": {"df"}}),
        ("df.eval('age2 = age * age', inplace=True)", SPLIT, {"clean": {"df"}}),
        # a loop variable over a tuple of names, or over a list bound in an earlier cell
        (
            SPLIT,
            "for frame in (X_train, X_test):\n    frame['age2'] = frame['age'] ** 2",
            {"train": {"X_test"}},
        ),
        (
            SPLIT + "\ncombine = [X_train, X_test]",
            "for frame in combine:\n    del frame['cp']",
            {"train": {"X_test"}},
        ),
    ],
)
def test_a_frame_changed_without_being_named_is_exported_by_the_stage_changing_it(
    clean, train, exported
):
    nb = make_notebook(
        IMPORTS,
        ("code", "df = pd.read_csv('heart.csv')", ["load"]),
        ("code", clean, ["clean"]),
        (
            "code",
            train + "\nmodel = LogisticRegression()\nmodel.fit(X_train, y_train)",
            ["train"],
        ),
        ("code", "pred = model.predict(X_test)", ["predict"]),
    )
    stages = _stages(nb)
    for stage, names in exported.items():
        assert names <= set(stages[stage].outputs), (stage, stages[stage].outputs)
    if "clean" in exported:  # train reads the frame as clean changed it
        assert dict(stages["train"].upstream)["df"] == "clean"
    else:  # the evaluation reads the held-out rows as train changed them
        assert dict(stages["evaluate"].upstream)["X_test"] == "train"


def test_a_copy_changed_inside_the_function_leaves_the_argument_alone():
    nb = make_notebook(
        IMPORTS,
        ("code", "df = pd.read_csv('heart.csv')", ["load"]),
        (
            "code",
            "def with_ratio(frame):\n    frame = frame.copy()\n    frame['ratio'] = 1\n"
            "    return frame\n\nextra = with_ratio(df)\nX = df.drop('target', axis=1)\n"
            "y = df['target']",
            ["clean"],
        ),
        (
            "code",
            "weights = np.where(df['age'] > 50, 2.0, 1.0)\nmodel = LogisticRegression()\n"
            "model.fit(X, y, sample_weight=weights)",
            ["train"],
        ),
        ("code", "pred = model.predict(X)", ["predict"]),
    )
    stages = _stages(nb)
    assert "df" not in stages["clean"].outputs  # train reads df as load returns it
    assert dict(stages["train"].upstream)["df"] == "load"


@pytest.mark.slow
@pytest.mark.skipif(not can_verify(), reason="needs PRODUCTIONIZE_GENERATED_PYTHON with ploomber")
def test_changes_made_in_place_reproduce_the_notebook(tmp_path):
    path = tmp_path / "heart.ipynb"
    path.write_text(json.dumps(CHANGED_IN_PLACE))
    write_heart(tmp_path)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    report = json.loads((out / "productionize-report.json").read_text())
    checked = {(c["stage"], c["name"]): c["status"] for c in report["verify"]["checks"]}
    assert checked[("clean", "X_train")] == "equal"  # with the ratio, without cp
    assert checked[("train", "X_test")] == "equal"
    assert (out / "models" / "v0001" / "metadata.json").is_file()


def test_a_list_of_frames_read_from_upstream_is_rebuilt_from_the_frames_it_holds(
    split_untagged,
):
    result, out = split_untagged(PASSENGERS_COMBINED, "titanic.ipynb")
    assert result.exit_code == 0, result.output
    clean = next((out / "src").glob("*/clean.py")).read_text()
    assert "def clean(train_df, test_df):" in clean
    assert "    combine = [train_df, test_df]\n    for dataset in combine:" in clean


@pytest.mark.slow
@pytest.mark.skipif(not can_verify(), reason="needs PRODUCTIONIZE_GENERATED_PYTHON with ploomber")
def test_frames_cleaned_through_a_list_reproduce_the_notebook(tmp_path):
    path = tmp_path / "titanic.ipynb"
    path.write_text(json.dumps(PASSENGERS_COMBINED))
    write_passengers(tmp_path)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    # the served predict() cannot replay a loop over both frames: it says so
    assert "changes a value derived from `test_df`" in (out / "README.md").read_text()
