"""The Kaggle getting-started shape: one last cell encodes both frames, fits, predicts the
competition's test file and writes the submission.

Kept whole, that cell was the train stage and the service expected the encoded training
features (`Sex_female`, `Sex_male`...), not a passenger as the test file has it. The cell is cut
at statement level instead, and its prediction on the other file starts the predict stage.
"""

from __future__ import annotations

from productionize.options import Options
from tests.conftest import make_notebook
from tests.split.conftest import split_nb

READ_RIDES = "import pandas as pd\nrides = pd.read_csv('rides.csv')\nrides.head()"
READ_NEW = "upcoming = pd.read_csv('upcoming.csv')\nupcoming.head()"
LOOK = "late = rides.loc[rides.weather == 'rain']['late']\nprint(sum(late) / len(late))"
LAST = (
    "from sklearn.tree import DecisionTreeClassifier\n"
    "\n"
    "y = rides['late']\n"
    "cols = ['weather', 'stops', 'hour']\n"
    "X = pd.get_dummies(rides[cols])\n"
    "X_new = pd.get_dummies(upcoming[cols])\n"
    "\n"
    "tree = DecisionTreeClassifier(max_depth=3, random_state=0)\n"
    "tree.fit(X, y)\n"
    "guesses = tree.predict(X_new)\n"
    "\n"
    "sub = pd.DataFrame({'ride_id': upcoming.ride_id, 'late': guesses})\n"
    "sub.to_csv('submission.csv', index=False)\n"
    "print('saved')"
)


def test_the_last_cell_predicting_the_test_file_serves_its_raw_rows():
    nb = make_notebook(READ_RIDES, READ_NEW, LOOK, LAST, "")
    result = split_nb(nb, Options(infer_tags=True))
    stages = {c.index: c.stage for c in result.graph.cells if c.origin == "inferred"}
    # cells 0 and 1 keep their suggested loads; cell 3 became cells 3 (clean), 4, 5
    assert stages == {0: "load", 1: "load", 3: "clean", 4: "train", 5: "predict"}
    assert (result.spec.records_name, result.spec.records_stage) == ("upcoming", "load")
    files = {f.path: f.content for f in result.files}
    predict = files["src/nb/predict.py"]
    assert "def predict(model, records, fitted):" in predict
    assert 'pd.get_dummies(upcoming[fitted["cols"]])' in predict
    assert "from sklearn" not in files["src/nb/load.py"]  # the import went with the cleaning
    assert {s.cell_index: s.tag for s in result.suggestions} == {0: "load", 1: "load"}
    assert any("cell 3 held the training and the prediction" in n for n in result.spec.notes)


def test_a_last_cell_scoring_held_out_training_rows_stays_one_train_stage():
    held_out = (
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.tree import DecisionTreeClassifier\n"
        "X = pd.get_dummies(rides[['weather', 'stops']])\n"
        "X_tr, X_va, y_tr, y_va = train_test_split(X, rides['late'], random_state=0)\n"
        "tree = DecisionTreeClassifier(random_state=0).fit(X_tr, y_tr)\n"
        "print((tree.predict(X_va) == y_va).mean())"
    )
    result = split_nb(make_notebook(READ_RIDES, held_out), Options(infer_tags=True))
    assert {c.index: c.stage for c in result.graph.cells} == {0: "load", 1: "train"}
    assert not any("held the" in n for n in result.spec.notes)
