"""Fuzz ``productionize split --no-verify`` (in process, through click): a complete project, or
exit 2 with ``error:`` lines naming the notebook or the folder and the output folder unchanged."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import event, given, settings
from hypothesis import strategies as st

from productionize.adapters.cli import main
from tests.conftest import make_notebook
from tests.reliability.hostile import DEEP_MIX, PIPELINE, hostile_notebooks
from tests.reliability.profile import RELIABILITY, count
from tests.reliability.test_fuzz_reader import MUST_REFUSE
from tests.reliability.treehash import tree_hash

SMALL_HUGE = (60_000,)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("split")


@pytest.fixture(scope="module")
def previous_project(workdir):
    """A project generated earlier from a valid notebook: a re-split must replace it or keep it."""
    nb = make_notebook(*(("code", source, tags) for source, tags in PIPELINE))
    source = workdir / "previous.ipynb"
    source.write_text(json.dumps(nb))
    project = workdir / "previous-project"
    result = CliRunner().invoke(main, ["split", str(source), "-o", str(project), "--no-verify"])
    assert result.exit_code == 0, result.output
    return project


@settings(RELIABILITY, max_examples=200)
@given(
    case=hostile_notebooks(kinds=DEEP_MIX, huge_sizes=SMALL_HUGE),
    outdir_state=st.sampled_from(["absent", "previous", "foreign"]),
)
def test_split_writes_a_project_or_nothing(workdir, previous_project, case, outdir_state):
    path = workdir / "hostile.ipynb"
    path.write_bytes(case.data)
    out = workdir / "out"
    shutil.rmtree(out, ignore_errors=True)
    if outdir_state == "previous":
        shutil.copytree(previous_project, out)
    elif outdir_state == "foreign":
        out.mkdir()
        (out / "notes.txt").write_text("mine")
    before = tree_hash(out)
    count("split", case.kind)

    result = CliRunner().invoke(main, ["split", str(path), "-o", str(out), "--no-verify"])

    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 2), result.output
    event(f"exit {result.exit_code} ({outdir_state})")
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert lines, "exit 2 without a message"
        for line in lines:
            assert line.startswith("error: "), result.stderr
            assert "internal error" not in line, result.stderr
            assert str(path) in line or str(out) in line, result.stderr
        assert tree_hash(out) == before  # refused: the folder is exactly as it was
    else:
        assert not case.kind.startswith(MUST_REFUSE), case.kind
        assert outdir_state != "foreign", result.output  # never over someone else's folder
        assert (out / ".productionize" / "manifest.json").is_file()
        assert (out / "pipeline.yaml").is_file()
        for py in out.rglob("*.py"):
            compile(py.read_text(encoding="utf-8"), str(py), "exec")  # generated code parses
    leftovers = [p.name for p in workdir.iterdir() if p.name.startswith(".out.")]
    assert not leftovers, leftovers  # no staging folders left beside the output


def test_module_level_global_statement_still_compiles(tmp_path):
    """Found by the fuzz: ``global g`` after ``g = 0`` in a cell broke the generated module."""
    cells = [("code", source, tags) for source, tags in PIPELINE]
    cells.insert(3, ("code", "g = 0\nglobal g\ng = 1", ("clean",)))
    path = tmp_path / "globals.ipynb"
    path.write_text(json.dumps(make_notebook(*cells)))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["split", str(path), "-o", str(out), "--no-verify"])
    assert result.exit_code == 0, result.output
    for py in out.rglob("*.py"):
        compile(py.read_text(encoding="utf-8"), str(py), "exec")
