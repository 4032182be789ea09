"""Notebooks that save the model with pickle/joblib and load it back to show the file works.

The reload of a file the notebook itself saved becomes the saved object (``loaded = clf``), line
for line: the pipeline never reads the notebook's old pickle (lifted into data/ like any file the
code reads, it would be served after every retraining), and tag inference no longer sees a load
cell after training (stage cycle). A file the notebook did not write is still read.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.core.notebook import notebook_from_dict
from productionize.core.reloads import reuse_saved_models
from tests.conftest import make_notebook

TRAIN = (
    "import pandas as pd\nimport joblib\nimport pickle\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.model_selection import train_test_split",
    "data = pd.read_csv('visits.csv')\nX = data[['pages', 'minutes']]\ny = data['bought']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
    "clf = LogisticRegression()\nclf.fit(X_train, y_train)",
)


def _notebook(*cells):
    return notebook_from_dict(make_notebook(*TRAIN, *cells), "visits.ipynb")[0]


def test_a_reload_under_another_name_becomes_the_saved_object():
    nb = _notebook(
        "joblib.dump(clf, 'buyers.joblib')",
        "loaded = joblib.load('buyers.joblib')\npreds = loaded.predict(X_test)",
    )
    persisted = reuse_saved_models(nb)
    cell = persisted.notebook.cells[-1].source.split("\n")
    assert cell[0].startswith("loaded = clf  # the object saved to 'buyers.joblib' (cell 3)")
    assert cell[1] == "preds = loaded.predict(X_test)"
    assert persisted.notes and "cell 4 line 1 reloads 'buyers.joblib'" in persisted.notes[0]


def test_a_handle_or_with_block_reload_under_the_same_name_keeps_lines_and_drops_the_read():
    nb = _notebook(
        "with open('clf.pkl', 'wb') as f:\n    pickle.dump(clf, f)",
        "model_file = open('clf.pkl', 'rb')\nclf = pickle.load(model_file)",
        "with open('clf.pkl', 'rb') as f:\n    clf = pickle.load(f)\nclf.predict(X_test)",
    )
    cells = reuse_saved_models(nb).notebook.cells
    handle, reload = cells[4].source.split("\n")
    assert handle.startswith("#") and reload.startswith("# `clf` already holds")
    lines = cells[5].source.split("\n")
    assert lines[0].startswith("# `clf` already holds") and lines[1] == ""
    assert lines[2] == "clf.predict(X_test)"


def test_a_file_the_notebook_did_not_save_is_still_read():
    nb = _notebook("old = joblib.load('pretrained.joblib')")
    persisted = reuse_saved_models(nb)
    assert persisted.notebook is nb and persisted.notes == ()


def test_a_model_rebound_after_saving_is_not_substituted():
    nb = _notebook(
        "joblib.dump(clf, 'buyers.joblib')\nclf = LogisticRegression(C=0.1).fit(X_train, y_train)",
        "first = joblib.load('buyers.joblib')",
    )
    assert reuse_saved_models(nb).notebook is nb


def test_the_split_of_a_save_and_reload_notebook_reads_no_pickle(tmp_path):
    rng = np.random.default_rng(0)
    visits = pd.DataFrame({"pages": rng.integers(1, 20, 80), "minutes": rng.random(80) * 30})
    visits["bought"] = (visits.pages + visits.minutes / 3 > 12).astype(int)
    visits.to_csv(tmp_path / "visits.csv", index=False)
    (tmp_path / "buyers.joblib").write_text("a stale model from the notebook's last run")
    nb = make_notebook(
        *TRAIN,
        "joblib.dump(clf, 'buyers.joblib')\n"
        "reloaded = open('buyers.joblib', 'rb')\nclf = joblib.load(reloaded)",
        "y_pred = clf.predict(X_test)",
    )
    (tmp_path / "visits.ipynb").write_text(json.dumps(nb))
    out = tmp_path / "project"
    result = CliRunner().invoke(
        main, ["split", str(tmp_path / "visits.ipynb"), "-o", str(out), "--no-verify"]
    )
    assert result.exit_code == 0, result.output
    stages = ("load.py", "clean.py", "train.py", "predict.py", "evaluate.py")
    modules = "\n".join(
        p.read_text() for p in (out / "src" / "visits").glob("*.py") if p.name in stages
    )
    assert "joblib.load" not in modules and "open(" not in modules
    assert not (out / "data" / "buyers.joblib").exists()
    report = json.loads((out / "productionize-report.json").read_text())
    assert any("reloads 'buyers.joblib'" in note for note in report["notes"]), report["notes"]
