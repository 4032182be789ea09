"""The pure fixer: deep copy, safe fixes only, one source rewrite per cell per call."""

from __future__ import annotations

import copy

from productionize.core.fixes import apply_fixes
from productionize.model import CellEdit, Finding, Fix, Location, Severity
from tests.conftest import make_notebook


def finding(rule, cell, fix):
    return Finding(rule, Severity.WARNING, Location("nb.ipynb", cell, f"cell-{cell}", 1), "m", fix)


def test_input_untouched_and_unsafe_skipped():
    nb = make_notebook("x=1", "print(x)")
    nb.cells[1].outputs = [{"output_type": "stream", "name": "stdout", "text": "1\n"}]
    before = copy.deepcopy(nb)
    findings = [
        finding("PN701", 0, Fix("black", True, (CellEdit(0, "cell-0", new_source="x = 1"),))),
        finding("PN505", 1, Fix("clear", True, (CellEdit(1, "cell-1", clear_outputs=True),))),
        finding("PN201", 1, Fix("move it", False, (CellEdit(1, "cell-1", new_source="oops"),))),
    ]
    new, applied = apply_fixes(nb, findings)
    assert nb == before
    assert [f.rule for f in applied] == ["PN505", "PN701"]
    assert new.cells[0].source == "x = 1"
    assert new.cells[1].outputs == [] and new.cells[1].source == "print(x)"


def test_one_source_rewrite_per_cell():
    nb = make_notebook("a")
    findings = [
        finding("PN401", 0, Fix("pip", True, (CellEdit(0, "cell-0", new_source="b"),))),
        finding("PN701", 0, Fix("black", True, (CellEdit(0, "cell-0", new_source="c"),))),
    ]
    new, applied = apply_fixes(nb, findings)
    assert new.cells[0].source == "b" and [f.rule for f in applied] == ["PN401"]


def test_stale_cell_id_is_never_guessed():
    nb = make_notebook("a", "b")
    stale = finding("PN701", 0, Fix("black", True, (CellEdit(0, "cell-9", new_source="x"),)))
    new, applied = apply_fixes(nb, [stale])
    assert applied == [] and new.cells[0].source == "a"


def test_tag_edits():
    nb = make_notebook(("code", "a = 1", ["trian", "skip-execution"]))
    fix = Fix("rename", True, (CellEdit(0, "cell-0", add_tags=("train",), remove_tags=("trian",)),))
    new, _ = apply_fixes(nb, [finding("PN803", 0, fix)])
    assert new.cells[0].metadata["tags"] == ["skip-execution", "train"]
