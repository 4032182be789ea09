"""Shared fixtures: notebooks built in memory with nbformat.v4."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def make_notebook(*cells, executed: bool = False):
    """Build a notebook from ``("code"|"markdown", source, tags)`` tuples or plain code strings."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    count = 0
    for spec in cells:
        if isinstance(spec, str):
            spec = ("code", spec, ())
        kind, source, tags = (list(spec) + [()])[:3]
        if kind == "markdown":
            cell = nbformat.v4.new_markdown_cell(source)
        else:
            cell = nbformat.v4.new_code_cell(source)
            if executed:
                count += 1
                cell.execution_count = count
        if tags:
            cell.metadata["tags"] = list(tags)
        nb.cells.append(cell)
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
    return nb


@pytest.fixture
def write_notebook(tmp_path):
    """Write an nbformat node (or raw text) to a file in tmp_path and return its path."""

    def write(nb, name: str = "nb.ipynb") -> Path:
        path = tmp_path / name
        if isinstance(nb, (str, bytes)):
            path.write_bytes(nb.encode() if isinstance(nb, str) else nb)
        else:
            path.write_text(json.dumps(nb, indent=1))
        return path

    return write
