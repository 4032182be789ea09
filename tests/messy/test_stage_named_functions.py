"""A notebook function named like a stage function (``def load()``, ``def train(X, y)``) is
``notebook_load``/``notebook_train`` in the modules: the stage module's own ``def load(...)``
came after it, replaced it and called itself (RecursionError in ploomber build)."""

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
SHOP = make_notebook(
    "import pandas as pd\nfrom sklearn.linear_model import LinearRegression",
    "def load():\n    return pd.read_csv('/home/ana/data/sales.csv')\n\nsales = load().dropna()",
    "def train(features, target):\n    fitted = LinearRegression()\n    fitted.fit(features, target)\n"
    "    return fitted\n\nX = sales[['area', 'rooms']]\ny = sales['price']\nmodel = train(X, y)",
    "estimate = model.predict(X)",
)


def _file(result, name):
    return next(f.content for f in result.files if f.path.endswith(name))


def test_functions_named_load_and_train_are_renamed_where_defined_and_used():
    result = split_nb(SHOP, INFER, sizes={"/home/ana/data/sales.csv": 2_000})
    load, train = _file(result, "load.py"), _file(result, "train.py")
    assert 'def notebook_load(sales_path="data/sales.csv"):' in load
    assert "sales = notebook_load(sales_path=sales_path).dropna()" in load
    assert load.count("def load(") == 1
    assert "def notebook_train(features, target):" in train
    assert "model = notebook_train(X, y)" in train
    assert train.count("def train(") == 1
    assert result.spec.model_name == "model"
    readme = _file(result, "README.md")
    assert "function `load()` of the notebook is `notebook_load()` in the modules" in readme
    assert "function `train()` of the notebook is `notebook_train()` in the modules" in readme


def test_a_helper_of_one_stage_named_after_another_is_imported_under_its_new_name():
    nb = make_notebook(
        "import pandas as pd\nfrom sklearn.linear_model import LinearRegression",
        "def predict(fitted, frame):\n    return fitted.predict(frame[['area']])\n\n"
        "sales = pd.read_csv('sales.csv')",
        "X = sales[['area']]\ny = sales['price']\nmodel = LinearRegression()\nmodel.fit(X, y)",
        "estimate = predict(model, sales)",
    )
    result = split_nb(nb, INFER, sizes={"sales.csv": 2_000})
    modules = {f.path.split("/")[-1]: f.content for f in result.files if f.path.endswith(".py")}
    assert "def notebook_predict(fitted, frame):" in modules["load.py"]
    assert "estimate = notebook_predict(model, sales)" in modules["evaluate.py"]
    assert modules["predict.py"].count("def predict(") == 1


def test_a_name_also_bound_another_way_is_left_alone():
    nb = make_notebook(
        "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n"
        "from pickle import load",
        "def clean(frame):\n    return frame.dropna()\n\nsales = clean(pd.read_csv('sales.csv'))",
        "X = sales[['area']]\ny = sales['price']\nmodel = LinearRegression()\nmodel.fit(X, y)",
        "estimate = model.predict(X)",
    )
    from productionize.core.notebook import notebook_from_dict
    from productionize.core.stage_names import rename_stage_named_functions

    notebook, _ = notebook_from_dict(json.loads(json.dumps(nb)), "nb.ipynb")
    renamed = rename_stage_named_functions(notebook)
    sources = [c.source for c in renamed.notebook.cells]
    assert "from pickle import load" in sources[0]  # `load` is not the notebook's function
    assert "def notebook_clean(frame):" in sources[1]
    assert "sales = notebook_clean(pd.read_csv('sales.csv'))" in sources[1]
    assert len(renamed.notes) == 1


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
def test_the_renamed_project_builds_and_verifies(tmp_path):
    rng = np.random.default_rng(5)
    sales = pd.DataFrame(
        {
            "area": rng.uniform(20, 200, 50).round(1),
            "rooms": rng.integers(1, 6, 50),
            "price": rng.uniform(1e5, 5e5, 50).round(0),
        }
    )
    sales.to_csv(tmp_path / "sales.csv", index=False)  # /home/ana/... is not on this machine
    notebook = tmp_path / "shop.ipynb"
    nbformat.write(SHOP, notebook)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["split", str(notebook), "-o", str(out), "--infer-tags"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["verify"]["ok"] is True, report["verify"]
    statuses = {c["status"] for c in report["verify"]["checks"]}
    assert statuses <= {"equal", "skipped"} and "equal" in statuses
