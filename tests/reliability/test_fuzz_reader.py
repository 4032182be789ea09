"""Fuzz the notebook reader: every hostile file is read or refused with one line naming it."""

from __future__ import annotations

import json

import pytest
from hypothesis import event, given, settings

from productionize.adapters.notebook_io import read_notebook
from productionize.core.notebook import notebook_from_dict
from productionize.errors import InputError
from tests.reliability.hostile import hostile_notebooks
from tests.reliability.profile import RELIABILITY, count
from tests.reliability.treehash import tree_hash

# Kinds no reader may accept; the others may be valid after all (e.g. a deleted optional key).
MUST_REFUSE = ("broken_json", "non_utf8", "not_a_notebook", "v3_notebook")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("reader")


def check_refusal(exc: InputError, name: str) -> None:
    text = str(exc)
    assert text.startswith(name), text
    assert "\n" not in text, text
    assert len(exc.message) < 400, text
    assert "Traceback" not in text


@settings(RELIABILITY, max_examples=700)
@given(case=hostile_notebooks())
def test_reader_reads_or_refuses_in_one_line(workdir, case):
    path = workdir / "hostile.ipynb"
    path.write_bytes(case.data)
    before = tree_hash(workdir)
    count("reader", case.kind)
    try:
        notebook, _node = read_notebook(path)
    except InputError as exc:
        check_refusal(exc, str(path))
        event(f"refused {case.kind.split(':')[0]}")
    else:
        assert not case.kind.startswith(MUST_REFUSE), case.kind
        event(f"read {case.kind.split(':')[0]}")
        assert len(notebook.cells) == len(json.loads(case.data)["cells"])
    assert tree_hash(workdir) == before


@settings(RELIABILITY, max_examples=300)
@given(case=hostile_notebooks())
def test_decoded_notebooks_from_the_front_end_are_validated(case):
    """The server receives live notebook JSON already decoded: same guarantees, no file."""
    try:
        data = json.loads(case.data)
    except (ValueError, RecursionError):
        return  # the HTTP layer refuses undecodable bodies before this point
    count("from_dict", case.kind)
    try:
        notebook, _node = notebook_from_dict(data, "live.ipynb")
    except InputError as exc:
        check_refusal(exc, "live.ipynb")
    else:
        assert len(notebook.cells) == len(data["cells"])


def test_json_nested_too_deeply_is_refused_not_a_crash(tmp_path):
    path = tmp_path / "deep.ipynb"
    path.write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(InputError, match="nested too deeply") as info:
        read_notebook(path)
    check_refusal(info.value, str(path))
