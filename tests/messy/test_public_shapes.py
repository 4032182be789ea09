"""End to end on notebooks shaped like popular public ones (see public_shapes.py): untagged, full
of plots and prints, seaborn, Kaggle boilerplate. They build with inferred tags, their modules
hold production code only, and the faithfulness check passes; a pandas-1 notebook is refused
with the failing cell and the lint rule that fixes it."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.verifying import can_verify

from . import public_shapes
from .conftest import ruff_problems

SHAPES = {
    "iris": (public_shapes.IRIS, None),
    "churn": (public_shapes.CHURN, public_shapes.write_telco_churn),
    "house_prices": (public_shapes.HOUSE_PRICES, public_shapes.write_house_train),
}


def _write(folder, name, nb, write_data=None):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    path.write_text(json.dumps(nb))
    if write_data is not None:
        write_data(folder)
    return path


@pytest.fixture(scope="module")
def splits(tmp_path_factory):
    """`split --no-verify` of every shape, without tag flags: (CLI result, project dir)."""
    root = tmp_path_factory.mktemp("shapes")
    done = {}
    for name, (nb, write_data) in SHAPES.items():
        path = _write(root / name, name, nb, write_data)
        out = root / f"{name}-project"
        result = CliRunner().invoke(main, ["split", str(path), "-o", str(out), "--no-verify"])
        done[name] = (result, out)
    return done


STAGE_MODULES = ("load.py", "clean.py", "train.py", "predict.py", "evaluate.py")


def _modules(out):
    """The generated stage modules (the notebook's code), not the project's own helpers."""
    paths = sorted(p for p in (out / "src").glob("*/*.py") if p.name in STAGE_MODULES)
    return "\n".join(p.read_text() for p in paths)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_untagged_public_shapes_split_with_inferred_tags(splits, name):
    result, out = splits[name]
    assert result.exit_code == 0, result.output
    assert result.output.startswith("inferred tags (the notebook has no stage tags):")
    report = json.loads((out / "productionize-report.json").read_text())
    assert {t["tag"] for t in report["inferred_tags"]} >= {"load", "train"}
    assert ruff_problems(out) == ""


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_modules_hold_no_plots_prints_or_exploration(splits, name):
    _result, out = splits[name]
    code = _modules(out)
    for shown in ("sns.", "plt.", "print(", ".head()", "describe()", "os.walk", "corr"):
        assert shown not in code, (name, shown)
    requirements = (out / "requirements.txt").read_text()
    assert "seaborn" not in requirements and "matplotlib" not in requirements


def test_the_report_lists_what_stayed_in_the_notebook(splits):
    _result, out = splits["churn"]
    report = json.loads((out / "productionize-report.json").read_text())
    stages = {s["name"]: s for s in report["stages"]}
    assert "cell 2: df.info()" in stages["load"]["dropped"]
    assert "cell 6: corr = df.corr()" in stages["clean"]["dropped"]
    assert (
        "cell 4: churn_rate = df['Churn'].value_counts(normalize=True)"
        in stages["clean"]["dropped"]
    )
    # the steps that change the data are the clean stage's, in-place ones included: load.py
    # returns the rows as read, which is what the service is given
    clean_module = next((out / "src").glob("*/clean.py")).read_text()
    assert 'df.drop("customerID", axis=1, inplace=True)' in clean_module
    assert "df.dropna(inplace=True)" in clean_module
    assert "dropna" not in next((out / "src").glob("*/load.py")).read_text()


def test_lint_fix_turns_the_pandas1_notebook_into_the_pandas3_one(tmp_path):
    path = _write(tmp_path, "house", public_shapes.HOUSE_PRICES_PANDAS1)
    result = CliRunner().invoke(main, ["lint", str(path), "--select", "PN204", "--fix"])
    assert "PN204" in result.output + result.stderr
    fixed = [c.source for c in nbformat.read(path, as_version=4).cells]
    assert fixed == [c.source for c in public_shapes.HOUSE_PRICES.cells]


needs_generated_env = pytest.mark.skipif(
    not can_verify(), reason="needs PRODUCTIONIZE_GENERATED_PYTHON with ploomber"
)


@pytest.mark.slow
@needs_generated_env
@pytest.mark.parametrize("name", sorted(SHAPES))
def test_public_shapes_build_and_reproduce_the_notebook(tmp_path, name):
    nb, write_data = SHAPES[name]
    path = _write(tmp_path, name, nb, write_data)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "--no-train"])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
    assert (out / "src" / name / "service" / "app.py").is_file()


@pytest.mark.slow
@needs_generated_env
def test_a_pandas1_notebook_is_refused_naming_the_cell_and_the_lint_fix(tmp_path):
    path = _write(
        tmp_path, "house", public_shapes.HOUSE_PRICES_PANDAS1, public_shapes.write_house_train
    )
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "--no-train"])
    assert result.exit_code == 1
    error = result.output.splitlines()[-1]
    assert error.startswith(f"error: {path}:cell 5:1: could not check faithfulness")
    assert "TypeError" in error and "'method'" in error and "PN204" in error
    assert "productionize lint --fix" in error and "does not reproduce" not in error
    assert not (out / "src" / "house" / "service").exists()
    shutil.rmtree(out)
