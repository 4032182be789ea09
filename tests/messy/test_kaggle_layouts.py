"""Kaggle and Colab layouts on this machine: a notebook reading ``/kaggle/input/<dataset>/...``
(often through a folder constant: ``INPUT = "/kaggle/input/<dataset>/"`` then ``INPUT +
"rides.csv"``) or ``/content/drive/MyDrive/...`` builds when the data lies beside it, in its
``input/<dataset>/`` folder (Kaggle's input downloaded whole) or its ``data/`` folder: split copies
the file, verify runs the notebook reading it there."""

from __future__ import annotations

import json
import os

import nbformat
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.data_files import folder_moves, locate_data_file, read_nearby
from tests.conftest import make_notebook

DATASET = "productionize-absent-bike-rides"  # no machine has /kaggle/input/<this>
INPUT = f"/kaggle/input/{DATASET}"


def test_a_file_is_found_under_the_end_of_its_path_longest_first(tmp_path):
    (tmp_path / "input" / DATASET).mkdir(parents=True)
    (tmp_path / "input" / DATASET / "rides.csv").write_text("a\n1\n")
    (tmp_path / "rides.csv").write_text("a\n2\n")
    (tmp_path / "project" / "data").mkdir(parents=True)
    (tmp_path / "project" / "data" / "weather.csv").write_text("a\n1\n")
    found = locate_data_file(tmp_path, f"{INPUT}/rides.csv")
    assert found == tmp_path / "input" / DATASET / "rides.csv"
    drive = "/content/drive/MyDrive/project/data/weather.csv"
    assert locate_data_file(tmp_path, drive) == tmp_path / "project" / "data" / "weather.csv"
    assert locate_data_file(tmp_path, "/content/other.csv") is None
    assert locate_data_file(tmp_path, "C:\\Users\\me\\rides.csv") == tmp_path / "rides.csv"


def test_the_folder_the_moved_files_were_named_under_moves_too():
    assert folder_moves({f"{INPUT}/rides.csv": "rides.csv"}) == {INPUT: "."}
    assert folder_moves({f"{INPUT}/rides.csv": f"input/{DATASET}/rides.csv"}) == {
        INPUT: f"input/{DATASET}"
    }
    # files of one folder found in two places: the folder has no one place
    moves = {f"{INPUT}/rides.csv": "rides.csv", f"{INPUT}/weather.csv": "data/weather.csv"}
    assert folder_moves(moves) == {}
    assert folder_moves({"/kaggle/rides.csv": "rides.csv"}) == {}  # as wide as /kaggle
    assert folder_moves({"../input/rides.csv": "data/rides.csv"}) == {"../input": "data"}
    assert folder_moves({"../rides.csv": "rides.csv"}) == {}
    source = (
        f"INPUT = '{INPUT}/'\n"
        "rides = pd.read_csv(INPUT + 'rides.csv')\n"
        f"weather = pd.read_csv(os.path.join(\"{INPUT}\", 'weather.csv'))\n"
        f"days = pd.read_csv(f'{INPUT}/{{name}}.csv')\n"
        f"other = '{INPUT}-extra/x.csv'\n"
    )
    assert read_nearby(source, {f"{INPUT}/rides.csv": "rides.csv"}).splitlines() == [
        "INPUT = './'",
        "rides = pd.read_csv(INPUT + 'rides.csv')",
        "weather = pd.read_csv(os.path.join(\".\", 'weather.csv'))",
        "days = pd.read_csv(f'./{name}.csv')",
        f"other = '{INPUT}-extra/x.csv'",
    ]


KAGGLE = make_notebook(
    "import os\nimport numpy as np\nimport pandas as pd\n"
    "from sklearn.ensemble import RandomForestRegressor\n"
    "for dirname, _, filenames in os.walk('/kaggle/input'):\n"
    "    for filename in filenames:\n"
    "        print(os.path.join(dirname, filename))",
    f"INPUT = '{INPUT}/'\nprint(os.listdir(INPUT))\n"
    "rides = pd.read_csv(INPUT + 'rides.csv')\n"
    f"weather = pd.read_csv('{INPUT}/weather.csv')\n"
    "rides = rides.merge(weather, on='day')",
    "X = rides[['hour', 'temp']]\ny = rides['count']\n"
    "model = RandomForestRegressor(n_estimators=20, max_depth=4, random_state=0)\n"
    "model.fit(X, y)",
    "print(model.predict(X)[:5])",
)


def _write_rides(folder):
    rng = np.random.default_rng(4)
    n = 150
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {"day": rng.integers(0, 20, n), "hour": rng.integers(0, 24, n), "count": rng.poisson(30, n)}
    ).to_csv(folder / "rides.csv", index=False)
    pd.DataFrame({"day": range(20), "temp": rng.normal(15, 5, 20).round(1)}).to_csv(
        folder / "weather.csv", index=False
    )


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
@pytest.mark.parametrize("where", ["", f"input/{DATASET}"])
def test_a_kaggle_notebook_builds_with_its_data_beside_it_or_under_input(tmp_path, where):
    _write_rides(tmp_path / where)
    notebook = tmp_path / "rides.ipynb"
    nbformat.write(KAGGLE, notebook)
    before = notebook.read_bytes()
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(notebook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    shown = f"{where}/rides.csv" if where else "rides.csv"
    assert f"note: {INPUT}/rides.csv is not on this machine: read {shown} beside" in result.output
    for name in ("rides.csv", "weather.csv"):
        assert (out / "data" / name).read_bytes() == (tmp_path / where / name).read_bytes()
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["verify"]["ok"] is True, report["verify"]
    env = (out / "env.yaml").read_text()
    assert 'rides_path: "data/rides.csv"' in env and "/kaggle" not in env
    assert notebook.read_bytes() == before


COLAB = make_notebook(
    "from google.colab import drive\ndrive.mount('/content/drive')",
    "import pandas as pd\nfrom pathlib import Path\n"
    "from sklearn.linear_model import LinearRegression\n"
    "ROOT = Path('/content/drive/MyDrive/bikes')\n"
    "rides = pd.read_csv(ROOT / 'rides.csv')\n"
    "weather = pd.read_csv(ROOT / 'weather.csv')\n"
    "rides = rides.merge(weather, on='day')",
    "X = rides[['hour', 'temp']]\ny = rides['count']\nmodel = LinearRegression()\nmodel.fit(X, y)",
    "print(model.predict(X)[:5])",
)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
def test_a_colab_notebook_reading_drive_splits_with_its_data_in_data(tmp_path):
    _write_rides(tmp_path / "data")
    notebook = tmp_path / "bikes.ipynb"
    nbformat.write(COLAB, notebook)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["split", str(notebook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "data" / "rides.csv").is_file() and (out / "data" / "weather.csv").is_file()
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["verify"]["ok"] is True, report["verify"]
