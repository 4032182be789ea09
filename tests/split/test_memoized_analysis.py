"""Memoized parsing and formatting (per process) never change what lint and split produce.

lint and split share each cell's parse (``defuse.parse_cell``), and black/secret-scan results are
remembered per text; a warm run must equal a cold one, in either order.
"""

from __future__ import annotations

import pytest

from productionize.adapters.linting import lint_notebook
from productionize.adapters.notebook_io import read_notebook
from productionize.core import codegen, defuse, render, secret_scan
from productionize.core.rules import style
from productionize.options import Options
from tests.conftest import EXAMPLES
from tests.split.test_golden import _files


def _forget_everything() -> None:
    defuse._parse_source.cache_clear()
    codegen.body_names_cache_clear()
    render.format_python.cache_clear()
    style.format_cell.cache_clear()
    secret_scan.cache_clear()


@pytest.mark.parametrize("name", ["churn_classifier", "house_prices_regressor"])
def test_warm_lint_and_split_equal_cold_ones(name):
    notebook, _ = read_notebook(EXAMPLES / f"{name}.ipynb")
    _forget_everything()
    cold_split = _files(name)
    warm_lint = lint_notebook(notebook, Options())  # cells parsed by split first
    warm_split = _files(name)
    _forget_everything()
    cold_lint = lint_notebook(notebook, Options())
    assert warm_split == cold_split
    assert warm_lint == cold_lint
    assert lint_notebook(notebook, Options()) == cold_lint


def test_cells_with_the_same_source_share_the_parse_but_keep_their_own_cell():
    from productionize.model import Cell

    first = Cell(index=1, cell_id="a", cell_type="code", source="x = 1\nprint(x)")
    second = Cell(index=7, cell_id="b", cell_type="code", source="x = 1\nprint(x)")
    one, two = defuse.parse_cell(first), defuse.parse_cell(second)
    assert (one.cell, two.cell) == (first, second)
    assert one.tree is two.tree  # parsed once
    assert one.names == two.names and "x" in one.names.defined


def _test_notebooks():
    from tests.conftest import ROOT

    return sorted(
        p
        for folder in (ROOT / "examples", ROOT / "tests")
        for p in folder.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    )


def test_a_cell_kept_whole_reuses_its_parse_analysis_and_it_is_the_same():
    """``production_names(statements, parsed)`` returns the cell's analysis when every statement
    is kept: on every notebook of the repository, it equals analysing the kept statements."""
    from productionize.core.statements import classify, production_names

    reused = 0
    for path in _test_notebooks():
        try:
            notebook, _ = read_notebook(path)
        except Exception:
            continue  # the deliberately broken fixtures
        for cell in notebook.code_cells:
            parsed = defuse.parse_cell(cell)
            if parsed.tree is None:
                continue
            statements = classify(parsed)
            fast = production_names(statements, parsed)
            reused += fast is parsed.names
            assert fast == production_names(statements), (path, cell.index)
    assert reused > 20
