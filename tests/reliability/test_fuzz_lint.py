"""Fuzz ``productionize lint`` (in process, through click): exit 0/1 with a report, or exit 2 with
one ``error:`` line naming the file; never a traceback; nothing written unless ``--fix``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from hypothesis import event, given, settings
from hypothesis import strategies as st

from productionize.adapters.cli import main
from productionize.adapters.linting import lint_notebook
from productionize.adapters.notebook_io import read_notebook
from productionize.errors import InputError
from productionize.options import Options
from tests.reliability.hostile import DEEP_MIX, hostile_notebooks
from tests.reliability.profile import RELIABILITY, count
from tests.reliability.test_fuzz_reader import MUST_REFUSE
from tests.reliability.treehash import tree_hash

SMALL_HUGE = (60_000,)  # just over the black cap: the skip path, without 10 s per case


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("lint")


def check_exit_2(stderr: str, name: str) -> None:
    lines = stderr.strip().splitlines()
    assert lines, "exit 2 without a message"
    for line in lines:
        assert line.startswith(f"error: {name}"), stderr
        assert "internal error" not in line and "Traceback" not in line, stderr


@settings(RELIABILITY, max_examples=450)
@given(
    case=hostile_notebooks(kinds=DEEP_MIX, huge_sizes=SMALL_HUGE),
    fmt=st.sampled_from(["json", "text", "sarif"]),
)
def test_lint_cli_reports_or_refuses(workdir, case, fmt):
    path = workdir / "hostile.ipynb"
    path.write_bytes(case.data)
    before = tree_hash(workdir)
    count("lint", case.kind)
    result = CliRunner().invoke(main, ["lint", str(path), "--format", fmt])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1, 2), result.output
    event(f"exit {result.exit_code}")
    if result.exit_code == 2:
        check_exit_2(result.stderr, str(path))
    else:
        assert not case.kind.startswith(MUST_REFUSE), case.kind
        assert "internal error" not in result.stderr
        if fmt != "text":
            json.loads(result.stdout)
    assert tree_hash(workdir) == before


@settings(RELIABILITY, max_examples=250)
@given(case=hostile_notebooks(kinds=DEEP_MIX, huge_sizes=SMALL_HUGE))
def test_lint_fix_leaves_a_readable_notebook_or_nothing_changed(workdir, case):
    path = workdir / "fixme.ipynb"
    path.write_bytes(case.data)
    before = tree_hash(workdir)
    count("lint --fix", case.kind)
    result = CliRunner().invoke(main, ["lint", "--fix", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        check_exit_2(result.stderr, str(path))
        assert tree_hash(workdir) == before  # refused: nothing written
    else:
        fixed, _ = read_notebook(path)  # whatever --fix wrote is still a valid notebook
        again = lint_notebook(fixed, Options())
        remaining_safe = [f for f in again if f.fix and f.fix.safe and f.rule == "PN701"]
        assert not remaining_safe, remaining_safe  # black fixes converge in one run
    for leftover in workdir.iterdir():  # no temp files left behind by the atomic writer
        assert not leftover.name.startswith("."), leftover


@pytest.mark.slow
def test_megabyte_code_cell_is_linted_in_bounded_time(tmp_path):
    source = "x = 1\n" * 170_000  # 1 MB of code in one cell
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "id": "big",
                "metadata": {},
                "source": source,
                "execution_count": None,
                "outputs": [],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "big.ipynb"
    path.write_text(json.dumps(nb))
    notebook, _ = read_notebook(path)
    findings = lint_notebook(notebook, Options())
    assert all(f.rule != "PN701" for f in findings)  # too large for black: skipped, not hung


def test_lint_refuses_hostile_files_in_a_real_process(tmp_path):
    """A handful through a real subprocess: stderr is exactly one line, no traceback."""
    cases = {
        "truncated.ipynb": b'{"cells": [{"cell_type": "code", "sou',
        "binary.ipynb": b"\x89PNG\r\n\x1a\n\x00\x00",
        "v3.ipynb": json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": []}).encode(),
        "deep.ipynb": b'{"cells": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    before = tree_hash(tmp_path)
    for name in cases:
        proc = subprocess.run(
            [sys.executable, "-m", "productionize", "lint", str(tmp_path / name)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 2, (name, proc.stderr)
        check_exit_2(proc.stderr, str(tmp_path / name))
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert tree_hash(tmp_path) == before


def test_input_error_for_unreadable_bytes_names_the_problem(tmp_path):
    path = tmp_path / "latin1.ipynb"
    path.write_bytes('{"cells": [], "metadata": {"author": "Zoë"}}'.encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_notebook(path)
