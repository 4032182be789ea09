"""A data path the notebook composes from its own constants (``FOLDER = "inputs"`` then
``Path(FOLDER) / FLATS``, ``os.path.join(FOLDER, "flats.csv")``, ``f"{FOLDER}/flats.csv"``,
``FOLDER + "/flats.csv"``) becomes one parameter for the whole expression: lifting the pieces
read ``inputs/data/flats.csv``, and ``"/flats.csv"`` looked like an absolute path."""

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
from productionize.core.path_expressions import path_constants, resolve
from productionize.options import Options
from tests.conftest import make_notebook
from tests.split.conftest import split_nb

INFER = Options(infer_tags=True)
IMPORTS = (
    "import os\nfrom pathlib import Path\nimport pandas as pd\n"
    "from sklearn.linear_model import LinearRegression"
)
FIT = (
    "X = flats[['area', 'floor']]\ny = flats['rent']\n"
    "model = LinearRegression()\nmodel.fit(X, y)"
)
GUESS = "guess = model.predict(X)\nprint(guess[:3])"
SIZES = {"inputs/flats.csv": 3_000}


def _load(read: str, constants: str = "FOLDER = 'inputs'\nFLATS = 'flats.csv'"):
    nb = make_notebook(IMPORTS, constants, read, FIT, GUESS)
    result = split_nb(nb, INFER, sizes=SIZES)
    load = next(f.content for f in result.files if f.path.endswith("load.py"))
    return result, load


@pytest.mark.parametrize(
    "read",
    [
        "flats = pd.read_csv(Path(FOLDER) / FLATS)",
        "flats = pd.read_csv(os.path.join(FOLDER, 'flats.csv'))",
        "flats = pd.read_csv(f'{FOLDER}/flats.csv')",
        "flats = pd.read_csv(FOLDER + '/' + FLATS)",
        "flats = pd.read_csv(str(Path(FOLDER).joinpath(FLATS)))",
    ],
)
def test_a_composed_path_is_one_parameter_and_its_pieces_none(read):
    result, load = _load(read)
    assert [(p.name, p.default) for p in result.spec.parameters] == [
        ("flats_path", "inputs/flats.csv")
    ]
    assert [(f.notebook_path, f.project_path) for f in result.spec.data_files] == [
        ("inputs/flats.csv", "data/flats.csv")
    ]
    assert 'def load(flats_path="data/flats.csv"):' in load
    assert "flats = pd.read_csv(flats_path)" in load
    compile(load, "load.py", "exec")


def test_a_composed_path_bound_to_a_name_keeps_its_type():
    result, load = _load(
        "FLATS_FILE = Path(FOLDER) / FLATS\nprint(FLATS_FILE.stem)\nflats = pd.read_csv(FLATS_FILE)"
    )
    assert "FLATS_FILE = Path(flats_path)" in load
    assert [p.default for p in result.spec.parameters] == ["inputs/flats.csv"]


def test_an_absolute_folder_composed_with_a_file_is_no_parameter_of_its_own():
    nb = make_notebook(
        IMPORTS,
        "FOLDER = '/kaggle/input/city-flats/'",
        "flats = pd.read_csv(FOLDER + 'flats.csv')\nrooms = pd.read_csv(FOLDER + 'rooms.csv')",
        FIT,
        GUESS,
    )
    sizes = {"/kaggle/input/city-flats/flats.csv": 3_000, "/kaggle/input/city-flats/rooms.csv": 90}
    result = split_nb(nb, INFER, sizes=sizes)
    assert [(p.name, p.default) for p in result.spec.parameters] == [
        ("flats_path", "/kaggle/input/city-flats/flats.csv"),
        ("rooms_path", "/kaggle/input/city-flats/rooms.csv"),
    ]
    assert [f.project_path for f in result.spec.data_files] == ["data/flats.csv", "data/rooms.csv"]


def test_a_constant_other_code_reads_keeps_working():
    # FOLDER also lists its files: it stays as written; the read is still one parameter
    result, load = _load(
        "names = sorted(os.listdir(FOLDER))\nflats = pd.read_csv(os.path.join(FOLDER, FLATS))\n"
        "flats['n_files'] = len(names)"
    )
    assert 'FOLDER = "inputs"' in load and "os.listdir(FOLDER)" in load
    assert "flats = pd.read_csv(flats_path)" in load
    assert [p.name for p in result.spec.parameters] == ["flats_path"]


def test_a_path_composed_from_an_unknown_part_keeps_its_pieces_as_written():
    # the name comes from a loop: no single file, and "/part_" is no absolute path
    result, load = _load(
        "parts = [pd.read_csv(FOLDER + '/part_' + n) for n in ['a.csv', 'b.csv']]\n"
        "flats = pd.concat(parts)"
    )
    assert result.spec.parameters == ()
    assert 'pd.read_csv(FOLDER + "/part_" + n)' in load


@pytest.mark.parametrize(
    ("code", "value", "constructor"),
    [
        ("Path('data') / 'x.csv'", "data/x.csv", "Path"),
        ("pathlib.Path('data', 'x.csv')", "data/x.csv", "pathlib.Path"),
        ("os.path.join('data/', 'x.csv')", "data/x.csv", None),
        ("f'{D}/x.csv'", "d/x.csv", None),
        ("f'{D!r}/x.csv'", None, None),
        ("f'{D:>10}/x.csv'", None, None),
        ("'data' / 'x.csv'", None, None),
        ("P + 'x.csv'", None, None),
        ("P / 'x.csv'", "p/x.csv", "Path"),
        ("P.joinpath('x.csv')", "p/x.csv", "Path"),
        ("os.path.join(D, name)", None, None),
    ],
)
def test_resolving_a_composed_path(code, value, constructor):
    constants = path_constants(ast.parse("D = 'd'\nP = Path('p')\n").body)
    resolved = resolve(ast.parse(code, mode="eval").body, constants)
    if value is None:
        assert resolved is None
    else:
        assert (resolved.value, resolved.constructor) == (value, constructor)


def test_a_name_bound_twice_is_no_constant():
    tree = ast.parse("D = 'a'\nD = 'b'\nE = 'e'\nfor F in ['x']:\n    pass\nF = 'f'\n")
    assert set(path_constants(tree.body)) == {"E"}


def _write_flats(folder):
    rng = np.random.default_rng(5)
    (folder / "inputs").mkdir()
    pd.DataFrame(
        {
            "area": rng.uniform(20, 150, 80).round(1),
            "floor": rng.integers(0, 12, 80),
            "rent": rng.uniform(400, 3000, 80).round(0),
        }
    ).to_csv(folder / "inputs" / "flats.csv", index=False)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
def test_a_notebook_composing_its_data_path_splits_and_verifies(tmp_path):
    _write_flats(tmp_path)
    nb = make_notebook(
        IMPORTS,
        "FOLDER = 'inputs'\nFLATS = 'flats.csv'\nprint(os.listdir(FOLDER))",
        "flats = pd.read_csv(Path(FOLDER) / FLATS)",
        FIT,
        GUESS,
    )
    notebook = tmp_path / "flats.ipynb"
    nbformat.write(nb, notebook)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["split", str(notebook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "data" / "flats.csv").read_bytes() == (
        tmp_path / "inputs" / "flats.csv"
    ).read_bytes()
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["verify"]["ok"] is True, report["verify"]
    statuses = {c["status"] for c in report["verify"]["checks"]}
    assert statuses <= {"equal", "skipped"} and "equal" in statuses
