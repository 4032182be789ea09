"""A data path hard-coded inside a notebook function (``url = "x.csv"`` in its body, a
``path="x.csv"`` default, a helper another function calls) reads the project's copy in data/:
the function becomes module-level code where the stage's parameters are out of reach."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

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


def test_paths_inside_functions_are_keywords_the_stage_passes_its_parameter_to():
    result = split_nb(HOUSES, INFER, sizes={"sales.csv": 2_000})
    load = _file(result, "load.py")
    # the body's literal reads the keyword, whose default is the project's copy
    assert 'def fetch_sales(sales_path="data/sales.csv"):\n    source = sales_path\n' in load
    assert 'def read_rooms(path="data/sales.csv"):' in load  # a default: the copy
    assert 'def load(sales_path="data/sales.csv"):' in load
    assert "sales = fetch_sales(sales_path=sales_path).dropna()" in load
    assert "frame = read_rooms(path=sales_path)" in load  # room_table() was opened up
    assert "'sales.csv'" not in load
    assert [(p.name, p.default) for p in result.spec.parameters] == [("sales_path", "sales.csv")]
    files = [(f.notebook_path, f.parameter, f.project_path) for f in result.spec.data_files]
    assert files == [("sales.csv", "sales_path", "data/sales.csv")]
    assert 'sales_path: "data/sales.csv"' in _file(result, "env.yaml")
    assert "| `data/sales.csv` | `sales_path` |" in _file(result, "README.md")
    compile(load, "load.py", "exec")


def test_an_absolute_path_read_only_inside_a_function_is_an_env_yaml_parameter():
    nb = make_notebook(
        "import pandas as pd\nfrom sklearn.linear_model import LinearRegression",
        "def read_sales():\n    return pd.read_csv('/home/ana/data/sales.csv')\n\n"
        "sales = read_sales().dropna()",
        "X = sales[['area']]\ny = sales['price']\nmodel = LinearRegression()\nmodel.fit(X, y)",
        "estimate = model.predict(X)",
    )
    result = split_nb(nb, INFER, sizes={"/home/ana/data/sales.csv": 2_000})
    load = _file(result, "load.py")
    assert (
        'def read_sales(sales_path="data/sales.csv"):\n    return pd.read_csv(sales_path)' in load
    )
    assert 'def load(sales_path="data/sales.csv"):' in load
    assert "sales = read_sales(sales_path=sales_path).dropna()" in load
    assert "/home/ana" not in load
    assert 'sales_path: "data/sales.csv"' in _file(result, "env.yaml")
    assert [(f.parameter, f.project_path) for f in result.spec.data_files] == [
        ("sales_path", "data/sales.csv")
    ]
    assert 'DATA_PARAMETERS = ["sales_path"]' in _file(result, "tasks.py")  # in the data hash


def test_the_keyword_is_passed_through_helpers_and_to_the_stage_that_calls_the_function():
    nb = make_notebook(
        "import pandas as pd\nfrom sklearn.linear_model import LinearRegression",
        "def read_rooms(path='sales.csv', *, sep=','):\n    return pd.read_csv(path, sep=sep)\n\n"
        "def room_table(**options):\n    frame = read_rooms()\n    return frame[['area', 'rooms']]\n\n"
        "def prices(column):\n    # the target lives in another file\n    return pd.read_csv(\n"
        "        'C:\\\\Users\\\\ana\\\\prices.csv'\n    )[column]\n\n"
        "sales = pd.read_csv('sales.csv')",
        "X = room_table().dropna()",
        "y = prices('price')\nmodel = LinearRegression()\nmodel.fit(X, y)",
        "estimate = model.predict(X)",
    )
    sizes = {"sales.csv": 2_000, "C:\\Users\\ana\\prices.csv": 100}
    result = split_nb(nb, INFER, sizes=sizes)
    load, train = _file(result, "load.py"), _file(result, "train.py")
    # room_table calls read_rooms without its path: it gets the keyword and passes it on
    assert 'def room_table(sales_path="data/sales.csv", **options):' in load
    assert "frame = read_rooms(path=sales_path)" in load
    assert "X = room_table(sales_path=sales_path).dropna()" in load
    assert 'def prices(column, prices_path="data/prices.csv"):' in load
    # prices() is called by the train stage only: train takes the parameter, load does not
    assert 'def load(sales_path="data/sales.csv"):' in load
    assert "from .load import prices" in train
    assert 'def train(X, prices_path="data/prices.csv"):' in train
    assert 'y = prices("price", prices_path=prices_path)' in train
    assert [p.name for p in result.spec.parameters] == ["sales_path", "prices_path"]
    for text in (load, train):
        compile(text, "stage.py", "exec")


def test_a_class_keeps_the_copy_as_a_literal_and_its_file_no_parameter():
    nb = make_notebook(
        "import pandas as pd\nfrom sklearn.linear_model import LinearRegression",
        (
            "code",
            "class Sales:\n    def read(self):\n        return pd.read_csv('sales.csv')\n\n"
            "sales = Sales().read()",
            ["load"],
        ),
        (
            "code",
            "X = sales[['area']]\ny = sales['price']\nmodel = LinearRegression()\nmodel.fit(X, y)",
            ["train"],
        ),
        ("code", "estimate = model.predict(X)", ["predict"]),
    )
    result = split_nb(nb, INFER, sizes={"sales.csv": 2_000})
    load = _file(result, "load.py")
    assert 'return pd.read_csv("data/sales.csv")' in load and "sales_path" not in load
    assert [(f.parameter, f.project_path) for f in result.spec.data_files] == [
        ("", "data/sales.csv")
    ]
    assert "(none: read inside a class of the notebook" in _file(result, "README.md")


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
    assert (
        'def read_again(sales_path="data/sales.csv"):\n    return pd.read_csv(sales_path)' in load
    )
    assert "sales = pd.read_csv(sales_path)" in load
    assert "again = read_again(sales_path=sales_path).dropna()" in load
    assert [(f.parameter, f.project_path) for f in result.spec.data_files] == [
        ("sales_path", "data/sales.csv")
    ]


def _write_sales(folder, name="sales.csv", rows=60):
    rng = np.random.default_rng(3)
    pd.DataFrame(
        {
            "area": rng.uniform(20, 200, rows).round(1),
            "rooms": rng.integers(1, 6, rows),
            "price": rng.uniform(1e5, 5e5, rows).round(0),
        }
    ).to_csv(folder / name, index=False)


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


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
def test_a_deploy_points_the_function_at_another_file_through_env_yaml(tmp_path):
    _write_sales(tmp_path)
    notebook = tmp_path / "houses.ipynb"
    nbformat.write(HOUSES, notebook)
    out = tmp_path / "project"
    result = CliRunner().invoke(
        main, ["split", str(notebook), "-o", str(out), "--infer-tags", "--no-verify"]
    )
    assert result.exit_code == 0, result.output
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _write_sales(elsewhere, "march.csv", rows=25)
    python = os.environ["PRODUCTIONIZE_GENERATED_PYTHON"]
    build = subprocess.run(
        [
            str(Path(python).parent / "ploomber"),
            "build",
            "--env--sales_path",
            str(elsewhere / "march.csv"),
        ],
        cwd=out,
        capture_output=True,
        text=True,
        env={**os.environ, "PLOOMBER_STATS_ENABLED": "false"},
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    rows = subprocess.run(
        [
            python,
            "-c",
            "import joblib; print(len(joblib.load('products/load/sales.pkl')), "
            "len(joblib.load('products/load/X.pkl')))",
        ],
        cwd=out,
        capture_output=True,
        text=True,
        check=True,
    )
    # both functions read march.csv (25 rows), not the project's copy of sales.csv (60)
    assert rows.stdout.split() == ["25", "25"]
