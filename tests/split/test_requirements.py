"""requirements.txt of a generated project: import names map to the right PyPI distributions,
pinned, also for libraries the toolkit's own environment does not have."""

from __future__ import annotations

from productionize.adapters.splitting import render_inputs
from productionize.core.render import requirements
from tests.conftest import make_notebook

from .conftest import split_nb

KAGGLE_IMPORTS = (
    "import pandas as pd\nimport numpy as np\nimport seaborn as sns\nimport xgboost as xgb\n"
    "import lightgbm as lgb\nfrom sklearn.linear_model import LinearRegression"
)


def _notebook():
    return make_notebook(
        (
            "code",
            KAGGLE_IMPORTS + "\nraw = pd.read_csv('d.csv')\n"
            "raw['b'] = np.log1p(raw['a'])\nsns.histplot(raw['a'])",
            ["load"],
        ),
        (
            "code",
            "X, y = raw[['a', 'b']], raw['y']\nm1 = xgb.XGBRegressor().fit(X, y)\n"
            "m2 = lgb.LGBMRegressor().fit(X, y)\nmodel = LinearRegression().fit(X, y)",
            ["train"],
        ),
        ("code", "pred = model.predict(X)", ["predict"]),
    )


def test_modules_map_to_distributions_even_when_this_environment_lacks_them():
    result = split_nb(_notebook(), sizes={"d.csv": 10})
    lines = next(f.content for f in result.files if f.path == "requirements.txt").splitlines()
    names = {line.split("==")[0] for line in lines if line and not line.startswith("#")}
    assert {"xgboost", "lightgbm", "scikit-learn", "numpy"} <= names
    assert "sklearn" not in names
    # seaborn only plots in the notebook: no production module imports it
    assert "seaborn" not in names


def test_the_real_environment_pins_common_libraries(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text("{}")
    inputs = render_inputs(path)
    result = split_nb(_notebook(), sizes={"d.csv": 10})
    lines = requirements(result.spec, inputs)
    pinned = dict(line.split("==") for line in lines)
    assert {"xgboost", "lightgbm", "scikit-learn", "pandas", "numpy", "ploomber"} <= set(pinned)
    assert all(version[0].isdigit() for version in pinned.values()), lines


def _reader(cell, data_file):
    return make_notebook(
        ("code", f"import pandas as pd\n{cell}", ["load"]),
        (
            "code",
            "from sklearn.linear_model import LinearRegression\n"
            "X, y = raw[['a']], raw['y']\nmodel = LinearRegression().fit(X, y)",
            ["train"],
        ),
        ("code", "pred = model.predict(X)", ["predict"]),
    ), {data_file: 10}


def _names(result):
    lines = next(f.content for f in result.files if f.path == "requirements.txt").splitlines()
    return {line.split("==")[0] for line in lines if line and not line.startswith("#")}


def test_the_library_pandas_reads_a_file_format_with_is_required():
    """read_excel needs openpyxl, read_parquet pyarrow: neither is imported by the notebook, and a
    project installed from its requirements.txt failed on its first read."""
    nb, sizes = _reader("raw = pd.read_excel('homes.xlsx')", "homes.xlsx")
    assert "openpyxl" in _names(split_nb(nb, sizes=sizes))
    nb, sizes = _reader("raw = pd.read_parquet('homes.parquet')", "homes.parquet")
    names = _names(split_nb(nb, sizes=sizes))
    assert "pyarrow" in names and "openpyxl" not in names
    nb, sizes = _reader("raw = pd.read_excel('old.xls', sheet_name=0)", "old.xls")
    names = _names(split_nb(nb, sizes=sizes))
    assert "xlrd" in names and "openpyxl" not in names
    nb, sizes = _reader("raw = pd.read_csv('homes.csv')", "homes.csv")
    assert not {"openpyxl", "pyarrow", "xlrd"} & _names(split_nb(nb, sizes=sizes))
