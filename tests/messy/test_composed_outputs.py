"""A file the notebook writes to a path it composes from a folder constant (Kaggle's ``OUT =
'/kaggle/working/'`` then ``sub.to_csv(OUT + 'submission.csv')``, ``os.path.join(OUT, ...)``,
``f'{OUT}/...'``, ``Path(OUT) / ...``) is written in products/ through one parameter, as the
literal ``sub.to_csv('/kaggle/working/submission.csv')`` is: the folder was lifted as a data
input (``working_path: "/kaggle/working/"``) and the pipeline wrote there. A folder the notebook
reads its data from and writes its submission in keeps the reads as data parameters and moves
the write to products/."""

from __future__ import annotations

import json
import os

import nbformat
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.verifying import can_verify
from productionize.options import Options
from tests.conftest import make_notebook
from tests.split.conftest import split_nb

INFER = Options(infer_tags=True)
IMPORTS = (
    "import os\nfrom pathlib import Path\nimport pandas as pd\n"
    "from sklearn.linear_model import LogisticRegression"
)
FIT = (
    "X = train[['age', 'fare']]\ny = train['survived']\n"
    "model = LogisticRegression(random_state=0)\nmodel.fit(X, y)"
)
PREDICT = (
    "pred = model.predict(test[['age', 'fare']])\n"
    "sub = pd.DataFrame({'PassengerId': test['PassengerId'], 'survived': pred})\n"
)
SIZES = {"data/train.csv": 3_000, "data/test.csv": 900}


def _notebook(folder: str, write: str, extra: str = ""):
    return make_notebook(
        IMPORTS,
        f"OUT = {folder}\ntrain = pd.read_csv('data/train.csv')\n"
        "test = pd.read_csv('data/test.csv')",
        FIT,
        PREDICT + extra + write,
    )


@pytest.mark.parametrize(
    ("folder", "write", "written"),
    [
        ("'/kaggle/working/'", "sub.to_csv(OUT + 'submission.csv', index=False)", None),
        (
            "'/kaggle/working'",
            "sub.to_csv(os.path.join(OUT, 'submission.csv'), index=False)",
            None,
        ),
        ("'/kaggle/working'", "sub.to_csv(f'{OUT}/submission.csv', index=False)", None),
        (
            "Path('/kaggle/working')",
            "sub.to_csv(OUT / 'submission.csv', index=False)",
            "sub.to_csv(Path(submission_path), index=False)",
        ),
        ("'C:\\\\work\\\\'", "sub.to_csv(OUT + 'submission.csv', index=False)", None),
    ],
    ids=["plus", "os-path-join", "f-string", "path-div", "windows"],
)
def test_a_composed_output_path_is_one_parameter_in_products(folder, write, written):
    result = split_nb(_notebook(folder, write), INFER, sizes=SIZES)
    assert [(p.name, p.default, p.is_path) for p in result.spec.parameters] == [
        ("train_path", "data/train.csv", True),
        ("test_path", "data/test.csv", True),
        ("submission_path", "products/submission.csv", False),
    ]
    assert [f.project_path for f in result.spec.data_files] == ["data/train.csv", "data/test.csv"]
    files = {f.path: f.content for f in result.files}
    evaluate = files["src/nb/evaluate.py"]
    assert (written or "sub.to_csv(submission_path, index=False)") in evaluate
    assert "def evaluate(model, test, submission_path=" in evaluate  # no OUT crosses a stage
    assert "return OUT" not in files["src/nb/load.py"]
    assert 'submission_path: "products/submission.csv"' in files["env.yaml"]
    assert "working_path" not in files["env.yaml"]


def test_a_folder_read_from_and_written_in_keeps_reads_as_data_and_writes_in_products():
    nb = make_notebook(
        IMPORTS,
        "DIR = '/kaggle/input/titanic/'\ntrain = pd.read_csv(DIR + 'train.csv')\n"
        "test = pd.read_csv(os.path.join(DIR, 'test.csv'))",
        FIT,
        PREDICT + "sub.to_csv(DIR + 'submission.csv', index=False)",
    )
    sizes = {"/kaggle/input/titanic/train.csv": 3_000, "/kaggle/input/titanic/test.csv": 900}
    result = split_nb(nb, INFER, sizes=sizes)
    assert [(p.name, p.default) for p in result.spec.parameters] == [
        ("train_path", "/kaggle/input/titanic/train.csv"),
        ("test_path", "/kaggle/input/titanic/test.csv"),
        ("submission_path", "products/submission.csv"),
    ]
    assert [f.project_path for f in result.spec.data_files] == ["data/train.csv", "data/test.csv"]
    evaluate = {f.path: f.content for f in result.files}["src/nb/evaluate.py"]
    assert "sub.to_csv(submission_path, index=False)" in evaluate


def test_a_relative_data_folder_written_in_moves_the_write_to_products():
    # the project's data lies in data/, not in the notebook's inputs/: no inputs/ to write in
    nb = make_notebook(
        IMPORTS,
        "DIR = 'inputs/'\ntrain = pd.read_csv(DIR + 'train.csv')\n"
        "test = pd.read_csv(DIR + 'test.csv')",
        FIT,
        PREDICT + "sub.to_csv(DIR + 'submission.csv', index=False)",
    )
    result = split_nb(nb, INFER, sizes={"inputs/train.csv": 3_000, "inputs/test.csv": 900})
    parameters = {p.name: p.default for p in result.spec.parameters}
    assert parameters["submission_path"] == "products/submission.csv"
    assert [f.project_path for f in result.spec.data_files] == ["data/train.csv", "data/test.csv"]


def test_the_output_folder_other_code_uses_is_products_too():
    nb = _notebook(
        "'/kaggle/working/'",
        "sub.to_csv(OUT + 'submission.csv', index=False)",
        "os.makedirs(OUT, exist_ok=True)\n",
    )
    result = split_nb(nb, INFER, sizes=SIZES)
    parameters = {p.name: (p.default, p.is_path) for p in result.spec.parameters}
    assert parameters["working_path"] == ("products/", False)
    assert parameters["submission_path"] == ("products/submission.csv", False)
    assert [f.project_path for f in result.spec.data_files] == ["data/train.csv", "data/test.csv"]
    assert "OUT = working_path" in {f.path: f.content for f in result.files}["src/nb/load.py"]


def _titanic(folder):
    rng = np.random.default_rng(4)
    (folder / "data").mkdir()
    frame = pd.DataFrame(
        {
            "PassengerId": range(1, 121),
            "age": rng.normal(30, 9, 120).round(1),
            "fare": rng.uniform(5, 90, 120).round(2),
            "survived": rng.integers(0, 2, 120),
        }
    )
    frame.to_csv(folder / "data" / "train.csv", index=False)
    frame.drop(columns="survived").iloc[:40].to_csv(folder / "data" / "test.csv", index=False)


@pytest.mark.slow
@pytest.mark.skipif(not can_verify(), reason="needs PRODUCTIONIZE_GENERATED_PYTHON with ploomber")
@pytest.mark.parametrize(
    "extra", ["", "os.makedirs(OUT, exist_ok=True)\n"], ids=["plus", "makedirs"]
)
def test_a_kaggle_submission_composed_from_its_folder_builds_and_verifies(tmp_path, extra):
    assert not os.path.isdir("/kaggle/working")
    _titanic(tmp_path)
    nb = _notebook("'/kaggle/working/'", "sub.to_csv(OUT + 'submission.csv', index=False)", extra)
    notebook = tmp_path / "titanic.ipynb"
    nbformat.write(nb, notebook)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(notebook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["verify"]["ok"] is True, report["verify"]
    submission = pd.read_csv(out / "products" / "submission.csv")
    assert list(submission.columns) == ["PassengerId", "survived"] and len(submission) == 40
    assert not os.path.isdir("/kaggle/working")  # neither side wrote in the absolute folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "project", "titanic.ipynb"]
