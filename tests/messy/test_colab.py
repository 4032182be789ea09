"""Colab notebooks: Drive mounted in a cell, then data read by a relative path."""

from __future__ import annotations

import json
import os

import nbformat
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.core.faithfulness import seed_source, without_setup_commands
from tests.conftest import make_notebook

from .conftest import ruff_problems

MOUNT = "from google.colab import drive\ndrive.mount('/content/drive')"
LOAD = (
    "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
    "df = pd.read_csv('scores.csv')\nX = df[['hours']]\ny = df['passed']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=1)"
)
TRAIN = (
    "from sklearn.linear_model import LogisticRegression\n"
    "clf = LogisticRegression()\nclf.fit(X_train, y_train)"
)
PREDICT = (
    "from google.colab import files\npredicted = clf.predict(X_test)\nfiles.download('out.csv')"
)


def test_mounting_drive_stays_in_the_notebook(split_untagged):
    result, out = split_untagged(make_notebook(MOUNT, LOAD, TRAIN, PREDICT))
    assert result.exit_code == 0, result.output
    code = "\n".join(p.read_text() for p in (out / "src").glob("*/*.py"))
    assert "google.colab" not in code and "drive.mount" not in code
    assert "files.download" not in code
    assert "/content/drive" not in (out / "env.yaml").read_text()
    report = json.loads((out / "productionize-report.json").read_text())
    dropped = [d for stage in report["stages"] for d in stage["dropped"]]
    assert "cell 0: drive.mount('/content/drive')" in dropped
    assert ruff_problems(out) == ""


def test_the_verified_notebook_runs_with_colab_stand_ins():
    namespace: dict = {}
    exec(seed_source(3), namespace)  # noqa: S102 - the first cell verify runs
    exec(MOUNT + "\nfiles_seen = drive.mount('/x')", namespace)  # noqa: S102
    assert namespace["files_seen"] is None
    exec("from google.colab import files\nfiles.download('a.csv')", namespace)  # noqa: S102
    with pytest.raises(RuntimeError, match="read the file from a path next to the notebook"):
        exec("files.upload()", namespace)  # noqa: S102


ONE_CELL = (
    "from google.colab import drive\ndrive.mount('/content/drive')\n"
    "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "%matplotlib inline\n"
    "df = pd.read_csv('scores.csv')\n"
    "df = df.dropna()\n"
    "X = df[['hours']]\ny = df['passed']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=1)\n"
    "clf = LogisticRegression()\nclf.fit(X_train, y_train)\n"
    "print((clf.predict(X_test) == y_test).mean())"
)


def test_a_notebook_written_as_one_cell_is_cut_into_stages_and_says_they_were_inferred(
    split_untagged,
):
    result, out = split_untagged(make_notebook("import numpy as np", ONE_CELL))
    assert result.exit_code == 0, result.output
    report = json.loads((out / "productionize-report.json").read_text())
    assert [s["name"] for s in report["stages"]][:2] == ["load", "clean"]
    assert "train" in [s["name"] for s in report["stages"]]
    assert report["inferred_tags"], report["inferred_tags"]
    assert "inferred tags: cell 1 -> load" in result.output
    assert "split at statement level" in result.output + json.dumps(report["notes"])
    assert ruff_problems(out) == ""


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            "pip install nltk\nimport nltk",
            "pass  # pip install nltk: not run by verify\nimport nltk",
        ),
        (
            "if True:\n    !pip install -q xgboost \\\n        lightgbm\nx = 1",
            "if True:\n    pass  # !pip install -q xgboost: not run by verify\n\nx = 1",
        ),
        ("%conda install -y numpy", "pass  # %conda install -y numpy: not run by verify"),
        ("!ls data\nx = 1", "!ls data\nx = 1"),
    ],
)
def test_verify_does_not_install_packages_into_the_kernels_environment(source, expected):
    assert without_setup_commands(source) == (expected, ())
    compile(expected.replace("!ls data", "pass"), "cell", "exec")


@pytest.mark.parametrize(
    "source, command",
    [
        ("!wget $url -O marks.csv", "!wget $url -O marks.csv"),
        (
            "!curl -L https://example.org/d.csv > d.csv",
            "!curl -L https://example.org/d.csv > d.csv",
        ),
        (
            "!kaggle datasets download -d someone/marks",
            "!kaggle datasets download -d someone/marks",
        ),
        (
            "!git clone https://github.com/someone/marks",
            "!git clone https://github.com/someone/marks",
        ),
        ("!gdown --id 1AbC", "!gdown --id 1AbC"),
    ],
)
def test_verify_does_not_download_over_the_files_beside_the_notebook(source, command):
    kept, downloads = without_setup_commands(source + "\nx = 1")
    assert downloads == (command,)
    assert kept.split("\n")[0].strip() == f"pass  # {command}: not run by verify"
    compile(kept, "cell", "exec")


def test_other_shell_commands_still_run_in_verify():
    source = "!unzip -o marks.zip\n!git status\nlisting = !wget -q -O- https://example.org"
    assert without_setup_commands(source) == (source, ())


WGET_NOTEBOOK = make_notebook(
    "url = 'https://example.invalid/marks.csv'",
    "!wget $url -O marks.csv",
    "import pandas as pd\nmarks = pd.read_csv('marks.csv')",
    "from sklearn.linear_model import LinearRegression\n"
    "X = marks[['hours']]\ny = marks['mark']\nreg = LinearRegression()\nreg.fit(X, y)",
)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
def test_verifying_a_notebook_that_downloads_its_data_keeps_the_file_beside_it(tmp_path):
    (tmp_path / "marks.csv").write_text("hours,mark\n1,40\n2,55\n3,61\n4,70\n5,82\n")
    before = (tmp_path / "marks.csv").read_bytes()
    notebook = tmp_path / "marks.ipynb"
    nbformat.write(WGET_NOTEBOOK, notebook)
    result = CliRunner().invoke(main, ["split", str(notebook), "-o", str(tmp_path / "out")])
    assert (tmp_path / "marks.csv").read_bytes() == before  # wget -O would have emptied it
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "productionize-report.json").read_text())
    assert report["verify"]["ok"] is True, report["verify"]


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
def test_a_download_verify_skips_is_named_when_the_file_is_not_beside_the_notebook(tmp_path):
    notebook = tmp_path / "marks.ipynb"
    nbformat.write(WGET_NOTEBOOK, notebook)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["split", str(notebook), "-o", str(out)])
    assert "marks.ipynb:cell 2:2: the notebook does not run here: FileNotFoundError" in (
        result.output
    ), result.output
    assert "verify does not run the download `!wget $url -O marks.csv` of cell 1" in result.output
    assert not (tmp_path / "marks.csv").exists()
