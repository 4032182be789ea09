"""Reading notebooks: the model, and one-line errors for bad input."""

from __future__ import annotations

import json

import nbformat
import pytest

from productionize.adapters.notebook_io import read_notebook
from productionize.errors import InputError
from tests.conftest import make_notebook


def test_model_has_index_id_tags_and_outputs(write_notebook):
    nb = make_notebook(("markdown", "# Title"), ("code", "x = 1\nx", ["load"]), executed=True)
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "1"})]
    model, _ = read_notebook(write_notebook(nb))
    cell = model.cells[1]
    assert (cell.index, cell.cell_id, cell.tags, cell.execution_count) == (
        1,
        "cell-1",
        ("load",),
        1,
    )
    assert cell.outputs[0].text == "1"
    assert [c.index for c in model.code_cells] == [1]


@pytest.mark.parametrize(
    "content,message",
    [
        ("", "empty file"),
        ("{not json", "not valid notebook JSON"),
        (
            '{"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {}',
            "not valid notebook JSON",
        ),
        ('{"hello": 1}', "not a Jupyter notebook"),
        ('{"worksheets": [], "nbformat": 3, "nbformat_minor": 0, "metadata": {}}', "nbformat v3"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (
            '{"cells": [{"cell_type": "code"}], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
            "invalid notebook",
        ),
    ],
)
def test_bad_input_is_one_clear_error(write_notebook, content, message):
    path = write_notebook(content)
    with pytest.raises(InputError) as info:
        read_notebook(path)
    text = str(info.value)
    assert text.startswith(str(path))
    assert message in text
    assert "\n" not in text


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        read_notebook(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        read_notebook(tmp_path / "missing.ipynb")


def test_huge_output_is_refused_with_cell(write_notebook):
    nb = make_notebook("print('x')", "y = 2")
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 11_000_000)]
    with pytest.raises(InputError, match=r"cell 1: an output of 11.0 MB"):
        read_notebook(write_notebook(nb))


def test_source_lists_are_joined(write_notebook):
    nb = json.loads(json.dumps(make_notebook("a = 1\nb = 2")))
    nb["cells"][0]["source"] = ["a = 1\n", "b = 2"]
    model, _ = read_notebook(write_notebook(nb))
    assert model.cells[0].source == "a = 1\nb = 2"
