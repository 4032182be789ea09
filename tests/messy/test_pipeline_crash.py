"""A generated pipeline that crashes where the notebook ran: the error says which task failed,
with the exception and the notebook cell and line of the failing statement, not "does not
reproduce the notebook" over ploomber's summary lines ("PythonCallable: train -> MetaProduct(...)
| DAG build failed"), which name neither.

The public spam notebook that showed it reads a folder of e-mails (``os.walk("emails/spam")``):
the folder is not copied into the project, so the pipeline's vectorizer met no document (with
``os.listdir`` the load task fails on the missing folder)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.pipeline_failure import locate_in_cells, read_pipeline_failure
from productionize.adapters.verifying import can_verify
from tests.conftest import make_notebook

PLOOMBER_OUTPUT = """\
Building task 'train':   0%|          | 0/1 [00:00<?, ?it/s]
Traceback (most recent call last):
  File "/tmp/x/project/src/memos/tasks.py", line 40, in train
    model, vocabulary = run_train(data=data)
  File "/tmp/x/project/src/memos/train.py", line 9, in train
    counts = vocabulary.fit_transform(data["body"])
  File "/venv/lib/python3.11/site-packages/sklearn/feature_extraction/text.py", line 1293, in f
    raise ValueError(
ValueError: empty vocabulary; perhaps the documents only contain stop words

The above exception was the direct cause of the following exception:

ploomber.exceptions.TaskBuildError: Error building task "train"
=============================== Summary (1 task) ===============================
PythonCallable: train -> MetaProduct({'model': File('products/train/model.pkl')})
=============================== DAG build failed ===============================
"""

TRAIN_MODULE = [
    '"""Train stage."""',
    "from sklearn.feature_extraction.text import CountVectorizer",
    "",
    "",
    "def train(data):",
    '    """Run the train step of the notebook; return model, vocabulary."""',
    "    vocabulary = CountVectorizer()",
    "    # the words of every memo",
    '    counts = vocabulary.fit_transform(data["body"])',
    "    return counts",
]


def test_the_task_the_exception_and_the_failing_line_are_read_from_ploomber_output():
    failure = read_pipeline_failure(PLOOMBER_OUTPUT, {"train": TRAIN_MODULE})
    assert failure.task == "train"
    assert failure.error == (
        "ValueError: empty vocabulary; perhaps the documents only contain stop words"
    )
    assert failure.module_line == ("train", 9)
    cells = {3: "vocabulary = CountVectorizer()\ncounts = vocabulary.fit_transform(data['body'])"}
    located = locate_in_cells(failure, cells, {"train": (3,)})
    assert (located.cell, located.line) == (3, 2)
    assert located.describe("memos") == (
        "ploomber build failed in task train (src/memos/train.py line 9, notebook cell 3 "
        "line 2): ValueError: empty vocabulary; perhaps the documents only contain stop words"
    )


def test_a_line_black_rewrote_beyond_recognition_still_names_the_stage_cell():
    failure = read_pipeline_failure(PLOOMBER_OUTPUT, {"train": TRAIN_MODULE})
    located = locate_in_cells(
        failure, {5: "counts=vocabulary.fit_transform(\n  data.body)"}, {"train": (5,)}
    )
    assert (located.cell, located.line) == (5, None)
    assert "notebook cell 5)" in located.describe("memos")


MEMOS = make_notebook(
    "import os\nimport pandas as pd\nfrom sklearn.feature_extraction.text import CountVectorizer\n"
    "from sklearn.naive_bayes import MultinomialNB",
    "def read_folder(folder, label):\n"
    "    rows = []\n"
    "    for name in sorted(os.listdir(folder)):\n"
    "        with open(os.path.join(folder, name)) as handle:\n"
    "            rows.append({'body': handle.read(), 'label': label})\n"
    "    return pd.DataFrame(rows, columns=['body', 'label'])\n"
    "\n"
    "memos = pd.concat([read_folder('memos/urgent', 'urgent'), read_folder('memos/later', 'later')])",
    "vocabulary = CountVectorizer()\n"
    "counts = vocabulary.fit_transform(memos['body'])\n"
    "model = MultinomialNB()\n"
    "model.fit(counts, memos['label'])",
    "model.predict(vocabulary.transform(['call the client today']))",
)


@pytest.mark.skipif(not can_verify(), reason="needs PRODUCTIONIZE_GENERATED_PYTHON with ploomber")
def test_build_names_the_task_error_and_cell_of_a_crashing_pipeline(tmp_path):
    for label, words in (("urgent", "call client today now"), ("later", "lunch next week maybe")):
        folder = tmp_path / "memos" / label
        folder.mkdir(parents=True)
        for number in range(6):
            (folder / f"{number}.txt").write_text(f"{words} {number}\n")
    path = tmp_path / "memos.ipynb"
    path.write_text(json.dumps(MEMOS))
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "--no-train"])
    assert result.exit_code == 1, result.output
    # the folder the notebook reads is not in the project: the load task fails reading it
    assert (
        "memos.ipynb:cell 1:3: the generated pipeline failed: ploomber build failed in task load "
        "(src/memos/load.py line 10, notebook cell 1 line 3): FileNotFoundError: "
    ) in result.output
    assert "'memos/urgent'" in result.output
    assert "does not reproduce" not in result.output
    report = json.loads((out / "productionize-report.json").read_text())
    check = report["verify"]["checks"][0]
    assert (check["stage"], check["cell"], check["line"]) == ("load", 1, 3)
