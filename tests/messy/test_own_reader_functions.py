"""A path handed to the notebook's own reader (``def load_data(p): return pd.read_csv(p)``, then
``sessions = load_data("shopping.csv")``) is a data file like one given to ``pd.read_csv``: it
becomes a parameter and the file is copied into the project (it was neither, and the pipeline
read ``shopping.csv`` from wherever it ran). A reader called again in the evaluation (the new
rows to score) is imported there, not passed in as a pipeline value."""

from __future__ import annotations

import ast
import json
import os

import nbformat
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.core.codegen import READ_FUNCTIONS
from productionize.core.path_expressions import reader_functions
from productionize.options import Options
from tests.conftest import make_notebook
from tests.split.conftest import split_nb

INFER = Options(infer_tags=True)
READERS = (
    "def read_table(file_name, separator=','):\n"
    "    print('reading', file_name)\n"
    "    table = pd.read_csv(file_name, sep=separator)\n"
    "    return table.dropna()\n\n"
    "def load_data(path):\n"
    "    return read_table(path)"
)
SHOP = make_notebook(
    "import pandas as pd\nfrom sklearn.tree import DecisionTreeClassifier",
    READERS,
    "sessions = load_data('shopping.csv')\nsessions.head()",
    "X = sessions[['visits', 'minutes']]\ny = sessions['bought']\n"
    "model = DecisionTreeClassifier(max_depth=3, random_state=0)\nmodel.fit(X, y)",
    "fresh = read_table(file_name='new_visitors.csv', separator=',')\n"
    "print(model.predict(fresh[['visits', 'minutes']]))",
)
SIZES = {"shopping.csv": 4_000, "new_visitors.csv": 500}


def _files(result):
    return {f.path: f.content for f in result.files}


def test_a_path_given_to_the_notebooks_reader_is_a_parameter_and_a_copied_file():
    result = split_nb(SHOP, INFER, sizes=SIZES)
    assert [(p.name, p.default) for p in result.spec.parameters] == [
        ("shopping_path", "shopping.csv"),
        ("new_visitors_path", "new_visitors.csv"),
    ]
    assert [(f.notebook_path, f.project_path, f.copied) for f in result.spec.data_files] == [
        ("shopping.csv", "data/shopping.csv", True),
        ("new_visitors.csv", "data/new_visitors.csv", True),
    ]
    files = _files(result)
    load, evaluate = files["src/nb/load.py"], files["src/nb/evaluate.py"]
    assert 'def load(shopping_path="data/shopping.csv"):' in load
    assert "'shopping.csv'" not in load and '"shopping.csv"' not in load
    # the evaluation imports the reader and passes its own parameter
    assert "from .load import read_table" in evaluate
    assert 'def evaluate(model, new_visitors_path="data/new_visitors.csv"):' in evaluate
    assert 'read_table(file_name=new_visitors_path, separator=",")' in evaluate
    for text in (load, evaluate):
        compile(text, "stage.py", "exec")


def test_which_functions_read_the_file_an_argument_names():
    tree = ast.parse(
        READERS + "\n\n"
        "def by_name(stem):\n    return pd.read_csv(f'{stem}.csv')\n\n"
        "def opened(p, mode='r'):\n    with open(p, mode) as handle:\n        return handle.read()\n\n"
        "def shown(frame):\n    print(frame.head())"
    )
    assert reader_functions(tree.body, READ_FUNCTIONS) == {
        "read_table": (0, "file_name"),
        "load_data": (0, "path"),
        "opened": (0, "p"),
    }


def test_an_argument_that_names_no_file_is_left_alone():
    nb = make_notebook(
        "import pandas as pd\nfrom sklearn.tree import DecisionTreeClassifier",
        "def load_data(path):\n    return pd.read_csv(path)\n\n"
        "sessions = load_data('shopping.csv')\n"
        "again = load_data('sessions_table')",
        "X = sessions[['visits', 'minutes']]\ny = sessions['bought']\n"
        "model = DecisionTreeClassifier(max_depth=3, random_state=0)\nmodel.fit(X, y)",
        "print(model.predict(X))",
    )
    result = split_nb(nb, INFER, sizes=SIZES)
    assert [p.default for p in result.spec.parameters] == ["shopping.csv"]
    assert 'load_data("sessions_table")' in _files(result)["src/nb/load.py"]


def _write_shop(folder):
    rng = np.random.default_rng(8)

    def rows(n):
        return {"visits": rng.integers(0, 30, n), "minutes": rng.normal(10, 3, n).round(2)}

    pd.DataFrame({**rows(120), "bought": rng.integers(0, 2, 120)}).to_csv(
        folder / "shopping.csv", index=False
    )
    pd.DataFrame(rows(20)).to_csv(folder / "new_visitors.csv", index=False)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
def test_a_notebook_reading_through_its_own_function_builds(tmp_path):
    _write_shop(tmp_path)
    notebook = tmp_path / "shop.ipynb"
    nbformat.write(SHOP, notebook)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(notebook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "data" / "shopping.csv").read_bytes() == (tmp_path / "shopping.csv").read_bytes()
    assert (out / "data" / "new_visitors.csv").is_file()
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["verify"]["ok"] is True, report["verify"]
    assert "trained and registered model v0001" in result.output
