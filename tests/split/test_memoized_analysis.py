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
    defuse.parse_cell.cache_clear()
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
