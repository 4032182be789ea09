"""Golden files: the generated project of each example, byte for byte.

Refresh deliberately with ``PRODUCTIONIZE_UPDATE_GOLDEN=1 pytest tests/split/test_golden.py`` and
review the diff like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from productionize.adapters.notebook_io import read_notebook
from productionize.core.flow import split
from productionize.core.render import RenderInputs
from productionize.options import Options
from tests.conftest import EXAMPLES
from tests.split.conftest import DISTRIBUTIONS, VERSIONS

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("PRODUCTIONIZE_UPDATE_GOLDEN") == "1"


def _files(name: str, preformat=None) -> dict[str, str]:
    from productionize.adapters.splitting import template_environment

    path = EXAMPLES / f"{name}.ipynb"
    notebook, _ = read_notebook(path)
    inputs = RenderInputs(
        templates=template_environment(),
        notebook_text=path.read_text(),
        notebook_sha256="0" * 64,  # golden files must not change when the example is re-run
        tool_version="0.0.golden",
        versions={**VERSIONS, "ploomber": "0.23.3", "skops": "0.16.0"},
        distributions=DISTRIBUTIONS,
        preformat=preformat,
    )
    sizes = {"data/churn.csv": 1, "data/housing.csv": 1}
    result = split(notebook, Options(), inputs, sizes.get)
    return {f.path: f.content for f in result.files if not f.path.startswith("notebooks/")}


@pytest.mark.parametrize("name", ["churn_classifier", "house_prices_regressor"])
def test_generated_project_matches_golden(name):
    files = _files(name)
    root = GOLDEN / f"split_{name}"
    if UPDATE:
        for rel, content in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        for stale in [p for p in root.rglob("*") if p.is_file()]:
            if stale.relative_to(root).as_posix() not in files:
                stale.unlink()
    expected = {
        p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()
    }
    assert sorted(files) == sorted(expected), "file list changed: refresh the golden files"
    for rel in sorted(files):
        assert files[rel] == expected[rel], f"{rel} differs from tests/golden/split_{name}/{rel}"


@pytest.mark.parametrize("name", ["churn_classifier", "house_prices_regressor"])
def test_modules_formatted_by_ruff_match_golden(name):
    """What the adapters do: ruff formats the modules, black only those it must (same bytes)."""
    from productionize.adapters import module_format

    module_format._FORMATTED_MODULES.clear()
    assert _files(name, module_format.format_modules) == _files(name)
