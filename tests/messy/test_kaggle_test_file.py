"""An old Kaggle kernel: train.csv is cleaned, split and fitted; only then is test.csv read,
cleaned the same way by hand and predicted for the submission.

Three things went wrong on the public notebook this is shaped like: the cells cleaning the
test frame stayed in the load stage (a split had been seen, so "cleaning" was not looked for),
so the service wanted cleaned rows; verify captured the training frame at the end of the
load stage, after the cleaning between its cells had changed it in place, and reported a
divergence; and `get_ipython().run_line_magic(...)` (code pasted from an exported script) went
into the load module, a NameError in `ploomber build`.
"""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.core.faithfulness import boundary_values
from productionize.options import Options
from tests.conftest import make_notebook
from tests.split.conftest import split_nb

GENERATED_PYTHON = os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON")

CELLS = (
    "import pandas as pd\n"
    "get_ipython().run_line_magic('matplotlib', 'inline')\n"
    "from sklearn.model_selection import train_test_split\n"
    "from sklearn.linear_model import LogisticRegression",
    "riders = pd.read_csv('riders.csv')",
    "def code_plan(plan):\n    return 1 if plan == 'annual' else 0",
    "riders['plan'] = riders['plan'].apply(code_plan)",
    "X = riders[['rider_id', 'plan', 'trips']]\ny = riders['renewed']",
    "X_tr, X_va, y_tr, y_va = train_test_split(X, y, random_state=0)",
    "clf = LogisticRegression()\nclf.fit(X_tr, y_tr)\nprint(clf.score(X_va, y_va))",
    "fresh = pd.read_csv('fresh.csv')",
    "fresh['plan'] = fresh['plan'].apply(code_plan)",
    "X_fresh = fresh[['rider_id', 'plan', 'trips']]",
    "guess = clf.predict(X_fresh)",
    "pd.DataFrame({'rider_id': X_fresh.rider_id, 'renewed': guess}).to_csv('sub.csv')",
)


def test_the_test_file_read_after_training_is_cleaned_in_clean_and_served_raw():
    result = split_nb(make_notebook(*CELLS), Options(infer_tags=True))
    tags = {s.cell_index: s.tag for s in result.suggestions}
    assert tags[7] == "load" and tags[8] == "clean" and tags[10] == "predict"
    assert (result.spec.records_name, result.spec.records_stage) == ("fresh", "load")
    files = {f.path: f.content for f in result.files}
    predict = files["src/nb/predict.py"]
    assert 'fresh["plan"] = fresh["plan"].apply(code_plan)' in predict
    assert not any("get_ipython" in text for path, text in files.items() if path.endswith(".py"))


def test_a_stage_output_is_captured_after_the_stage_last_writes_it():
    result = split_nb(make_notebook(*CELLS), Options(infer_tags=True))
    after = {
        (v.stage, v.name): v.capture_after_cell for v in boundary_values(result.graph, result.spec)
    }
    # riders is read in cell 1 and cleaned in place by cell 3; the load stage ends at cell 7
    assert after["load", "riders"] == 1
    assert after["load", "fresh"] == 7


@pytest.mark.slow
@pytest.mark.skipif(not GENERATED_PYTHON, reason="PRODUCTIONIZE_GENERATED_PYTHON not set")
def test_a_failing_plot_the_modules_leave_out_does_not_stop_verify(tmp_path):
    # a seaborn palette keyed by numbers fails under seaborn 0.13; here a print of a column the
    # frame does not have fails the same way: display only, no value of the pipeline changes
    pd.DataFrame({"trips": [1, 5, 9, 2, 7, 3], "renewed": [0, 1, 1, 0, 1, 0]}).to_csv(
        tmp_path / "riders.csv", index=False
    )
    nb = make_notebook(
        "import pandas as pd\nriders = pd.read_csv('riders.csv')",
        "print(riders['no_such_column'].value_counts())",
        "from sklearn.linear_model import LogisticRegression\n"
        "X = riders[['trips']]\ny = riders['renewed']\nclf = LogisticRegression().fit(X, y)",
    )
    path = tmp_path / "riders.ipynb"
    path.write_text(json.dumps(nb))
    result = CliRunner().invoke(main, ["split", str(path), "-o", str(tmp_path / "project")])
    assert result.exit_code == 0, result.output
    assert "faithful: every stage equal" in result.output
