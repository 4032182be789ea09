"""Generated modules formatted by ruff (RenderInputs.preformat) are byte for byte black's.

``render`` keeps ruff's formatting of a module only where ``black_compat.ruff_module_trusted``
says black agrees; black formats the others. Split with and without ruff must give the same
files for every notebook under tests/ and examples/ and the bench's synthetic notebooks, and
each shape on which the two formatters differ must reach black.
"""

from __future__ import annotations

import dataclasses
import sys

import black
import pytest

from productionize.adapters import module_format
from productionize.adapters.notebook_io import read_notebook
from productionize.core import render
from productionize.core.black_compat import ruff_module_trusted
from productionize.core.flow import split
from productionize.errors import ProductionizeError
from productionize.options import Options
from tests.conftest import EXAMPLES, ROOT
from tests.messy import public_shapes
from tests.split.conftest import inputs_for

sys.path.insert(0, str(ROOT / "bench"))
import synthetic  # noqa: E402

MODE = black.Mode(line_length=render.LINE_LENGTH)


@pytest.fixture(autouse=True)
def _cold():
    module_format._FORMATTED_MODULES.clear()
    render.format_python.cache_clear()


def _both(notebook, node) -> tuple[dict, dict]:
    inputs = inputs_for(node)
    with_ruff = dataclasses.replace(inputs, preformat=module_format.format_modules)
    files = []
    for each in (inputs, with_ruff):
        result = split(notebook, Options(infer_tags=True), each, lambda _path: 1)
        files.append({f.path: f.content for f in result.files})
    return files[0], files[1]


def _notebook_files():
    yield from sorted((ROOT / "tests" / "notebooks").glob("*.ipynb"))
    yield from sorted(EXAMPLES.glob("*.ipynb"))


@pytest.mark.parametrize("path", list(_notebook_files()), ids=lambda p: p.name)
def test_notebook_files(path):
    notebook, node = read_notebook(path)
    try:
        black_only, with_ruff = _both(notebook, node)
    except ProductionizeError:
        pytest.skip("this notebook does not split")
    assert with_ruff == black_only


def test_public_shapes():
    from productionize.core.notebook import notebook_from_dict

    for node in (public_shapes.IRIS, public_shapes.CHURN, public_shapes.HOUSE_PRICES):
        notebook, node = notebook_from_dict(node, "nb.ipynb")
        black_only, with_ruff = _both(notebook, node)
        assert with_ruff == black_only


@pytest.mark.parametrize("cells", [50, 200])
def test_bench_notebooks_take_ruffs_layout(tmp_path, cells):
    path = tmp_path / "nb.ipynb"
    synthetic.write_notebook(cells, path)
    notebook, node = read_notebook(path)
    texts = _rendered_modules(notebook, node)
    assert len(texts) >= 5  # load, clean, train, predict, __init__
    for text, formatted in zip(texts, module_format.format_modules(texts), strict=True):
        assert formatted == black.format_str(text, mode=MODE)
        assert ruff_module_trusted(text, formatted, render.LINE_LENGTH)  # black not needed


def _rendered_modules(notebook, node) -> list[str]:
    """The modules render hands to the formatter, as rendered."""
    texts: list[str] = []

    def capture(batch):
        texts.extend(batch)
        return [None] * len(batch)

    inputs = dataclasses.replace(inputs_for(node), preformat=capture)
    split(notebook, Options(), inputs, lambda _path: 1)
    return texts


DIFFERENT = {
    "star argument": (
        "def f(\n    first_argument_name, second_argument_name, third_argument_name, fourth,"
        " **keyword_args\n):\n    pass\n"
    ),
    "bare star in a split signature": (
        "def f(*, first_argument_name, second_argument_name, third_argument_name, fourth_one,"
        " fifth_argument_name):\n"
        "    pass\n"
    ),
    "empty line opening a block": "class A:\n\n    def f(self):\n        pass\n",
    "implicit concatenation": 'x = "a long string " "and another"\n',
    "unary power": "y = -x**2\n",
    "end-of-line comment": "value = compute(a,  # the first\n    b)\n",
    "conditional over lines": "v = call(\n    a\n    if b\n    else c\n)\n",
    "lone string argument": 'q = run(\n    """\n    select 1\n    """\n)\n',
}


@pytest.mark.parametrize("text", list(DIFFERENT.values()), ids=list(DIFFERENT))
def test_shapes_where_ruff_differs_go_to_black(text):
    module = f'"""A module."""\n\nimport os\n\n\n{text}'
    inputs = dataclasses.replace(inputs_for({"cells": []}), preformat=module_format.format_modules)
    assert render.format_modules([module], inputs) == [black.format_str(module, mode=MODE)]
    ruff = module_format.format_modules([module])[0]
    assert ruff is not None
    assert not ruff_module_trusted(module, ruff, render.LINE_LENGTH)


def test_without_ruff_black_formats_every_module(monkeypatch):
    monkeypatch.setattr(module_format, "_ruff_binary", lambda: None)
    assert module_format.format_modules(["x=1\n"]) == [None]
    inputs = dataclasses.replace(inputs_for({"cells": []}), preformat=module_format.format_modules)
    assert render.format_modules(["x=1\n"], inputs) == ["x = 1\n"]


def test_a_module_ruff_cannot_parse_leaves_all_to_black():
    assert module_format.format_modules(["x=1\n", "def f(:\n"]) == [None, None]
