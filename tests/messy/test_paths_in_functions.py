"""A data path hard-coded inside a notebook function (``url = "x.csv"`` in its body, a
``path="x.csv"`` default, a helper another function calls) reads the project's copy in data/:
the function becomes module-level code where the stage's parameters are out of reach."""

from __future__ import annotations

import json
import os

import nbformat
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.options import Options
from tests.conftest import make_notebook
from tests.split.conftest import split_nb

INFER = Options(infer_tags=True)
HOUSES = make_notebook(
    "import pandas as pd\nfrom sklearn.linear_model import LinearRegression",
    # called inside an expression: not opened up, stays a function of the load module
    "def fetch_sales():\n    source = 'sales.csv'\n    return pd.read_csv(source)\n\n"
    "sales = fetch_sales().dropna()",
    "def read_rooms(path='sales.csv'):\n    return pd.read_csv(path)\n\n"
    "def room_table():\n    frame = read_rooms()\n    return frame[['area', 'rooms']]\n\n"
    "X = room_table()",
    "y = sales['price']\nmodel = LinearRegression()\nmodel.fit(X, y)",
    "estimate = model.predict(X)\nprint(estimate[:3])",
)


def _file(result, name):
    return next(f.content for f in result.files if f.path.endswith(name))


def test_paths_inside_functions_read_the_copied_file():
    result = split_nb(HOUSES, INFER, sizes={"sales.csv": 2_000})
    load = _file(result, "load.py")
    assert 'source = "data/sales.csv"' in load
    assert 'def read_rooms(path="data/sales.csv"):' in load
    assert "'sales.csv'" not in load and "sales_path" not in load  # nothing out of reach
    files = [(f.notebook_path, f.project_path, f.copied) for f in result.spec.data_files]
    assert files == [("sales.csv", "data/sales.csv", True)]
    assert "(read inside a function of the notebook)" in _file(result, "README.md")
    compile(load, "load.py", "exec")


def test_a_path_also_read_at_top_level_shares_its_parameter():
    nb = make_notebook(
        "import pandas as pd\nfrom sklearn.linear_model import LinearRegression",
        "sales = pd.read_csv('sales.csv')\n\n"
        "def read_again():\n    return pd.read_csv('sales.csv')\n\nagain = read_again().dropna()",
        "X = again[['area']]\ny = sales['price']\nmodel = LinearRegression()\nmodel.fit(X, y)",
        "estimate = model.predict(X)",
    )
    result = split_nb(nb, INFER, sizes={"sales.csv": 2_000})
    load = _file(result, "load.py")
    assert 'return pd.read_csv("data/sales.csv")' in load
    assert "sales = pd.read_csv(sales_path)" in load
    assert [(f.parameter, f.project_path) for f in result.spec.data_files] == [
        ("sales_path", "data/sales.csv")
    ]


def _write_sales(folder):
    rng = np.random.default_rng(3)
    pd.DataFrame(
        {
            "area": rng.uniform(20, 200, 60).round(1),
            "rooms": rng.integers(1, 6, 60),
            "price": rng.uniform(1e5, 5e5, 60).round(0),
        }
    ).to_csv(folder / "sales.csv", index=False)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
def test_a_notebook_reading_its_data_inside_functions_splits_and_verifies(tmp_path):
    _write_sales(tmp_path)
    notebook = tmp_path / "houses.ipynb"
    nbformat.write(HOUSES, notebook)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["split", str(notebook), "-o", str(out), "--infer-tags"])
    assert result.exit_code == 0, result.output
    assert (out / "data" / "sales.csv").read_bytes() == (tmp_path / "sales.csv").read_bytes()
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["verify"]["ok"] is True, report["verify"]
    statuses = {c["status"] for c in report["verify"]["checks"]}
    assert statuses <= {"equal", "skipped"} and "equal" in statuses
