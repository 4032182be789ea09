"""Split one big opened-up cell (the body of ``main()``) into one virtual cell per stage.

An untagged notebook whose work sat in ``def main(): ...`` has, once the function is opened up
(core/inline), all of it in one cell, which would make one stage. Its statements are sorted
instead: reading data -> ``load``, what follows until the model is fit -> ``clean``, ``.fit(``
-> ``train`` (scoring it on held-out data right after stays in ``train``). Each run of statements becomes a virtual
cell tagged with its stage, numbered after the cell it came from (cell 4 -> cells 4, 5, 6) and
padded with blank lines so every statement keeps its line number. Pure: Notebook -> Notebook.

The Kaggle getting-started cell is cut the same way when it is the notebook's last: it encodes
the training and the test frame, fits, then predicts the test frame's rows for the submission.
A prediction on rows of another file than the training data is no scoring of held-out data: it
starts ``predict``, so the service takes raw rows of that file (core/records_plan) instead of the
encoded training features. The cells above it keep the stages suggested for them.
"""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass

from ..model import Cell, Notebook, TagSuggestion
from . import tags as tag_grammar
from .defuse import parse_cell
from .graph import PREDICT_METHODS, _code_stage, _own_functions, _reads_file, suggest_tags
from .statements import is_main_guard
from .tree_walk import walk_nodes


@dataclass(frozen=True)
class StageSplit:
    """The notebook with the cell split, and which virtual cells came from which cell."""

    notebook: Notebook
    origin: tuple[tuple[int, int], ...] = ()  # (virtual cell index, original cell index)
    notes: tuple[str, ...] = ()
    suggestions: tuple[TagSuggestion, ...] = ()  # the stages given to the cells above it


def split_by_statement(notebook: Notebook, cell_index: int) -> StageSplit:
    """Split code cell ``cell_index`` of an untagged notebook into one virtual cell per stage."""
    parsed = [parse_cell(c) for c in notebook.code_cells]
    if any(p.tree is None for p in parsed) or any(
        tag_grammar.stage_tags(c.tags) for c in notebook.code_cells
    ):
        return StageSplit(notebook)
    later = [c for c in notebook.cells if c.index > cell_index]
    if any(c.is_code and c.source.strip() for c in later):
        return StageSplit(notebook)  # renumbering cells the user sees would mislead
    target = next(p for p in parsed if p.cell.index == cell_index)
    above = [s for s in suggest_tags(notebook, parsed) if s.cell_index < cell_index]
    stages_above = [s.tag for s in above if s.tag in tag_grammar.STAGES]
    groups = _stage_groups(
        target,
        _own_functions(parsed),
        stages_above[-1] if stages_above else None,
        _loaded_roots([p for p in parsed if p.cell.index < cell_index]),
    )
    if len({stage for stage, _ in groups}) < 2:
        return StageSplit(notebook)
    lines = target.cell.source.split("\n")
    virtual: list[Cell] = []
    for number, (stage, (first, last)) in enumerate(groups):
        text = "\n" * (first - 1) + "\n".join(lines[first - 1 : last])
        virtual.append(
            dataclasses.replace(
                target.cell,
                index=cell_index + number,
                cell_id=f"{target.cell.cell_id}-{stage}" if target.cell.cell_id else None,
                source=text,
                tags=(*target.cell.tags, stage),
                outputs=(),
            )
        )
    shift = len(virtual) - 1
    tag_of = {s.cell_index: s.tag for s in above}
    cells = [
        dataclasses.replace(c, tags=(*c.tags, tag_of[c.index])) if c.index in tag_of else c
        for c in notebook.cells
        if c.index < cell_index
    ] + virtual
    cells += [dataclasses.replace(c, index=c.index + shift) for c in later]
    origin = tuple((c.index, cell_index) for c in virtual)
    listed = ", ".join(f"cell {c.index} -> {s}" for c, (s, _) in zip(virtual, groups, strict=True))
    held = "the whole pipeline" if not above else "the training and the prediction"
    note = (
        f"cell {cell_index} held {held}; it was split at statement level into "
        f"virtual cells ({listed}), numbered after it; line numbers are those of cell "
        f"{cell_index}"
    )
    return StageSplit(
        dataclasses.replace(notebook, cells=tuple(cells)), origin, (note,), tuple(above)
    )


def last_cell_predicting_new_rows(notebook: Notebook) -> int | None:
    """The last code cell of an untagged notebook when it fits a model and then predicts rows of
    another file than the training data (the Kaggle getting-started cell), else None."""
    parsed = [parse_cell(c) for c in notebook.code_cells if c.source.strip()]
    if not parsed or any(p.tree is None for p in parsed):
        return None
    last = parsed[-1]
    roots = _loaded_roots(parsed[:-1])
    fitted_on: frozenset = frozenset()
    for node in last.tree.body:
        fitted_on = fitted_on | _fit_roots(node, roots)
        if _predicts_other_rows(node, roots, fitted_on):
            return last.cell.index
        _note_roots(node, roots)
    return None


def _stage_groups(
    target, own_functions, current: str | None = None, roots: dict[str, frozenset] | None = None
) -> list[tuple[str, tuple[int, int]]]:
    """Runs of statements with the same stage: (stage, (first line, last line)).

    ``current``: the stage of the cells above; ``roots``: the files (names bound to a read)
    each name above comes from."""
    roots = dict(roots or {})
    fitted_on: frozenset = frozenset()
    body = []
    for node in target.tree.body:
        if is_main_guard(node):
            return []  # its statements cannot be cut apart without the guard
        body.append(node)
    lines = target.source.split("\n")
    spans = []
    previous_end = 0
    for node in body:
        first = node.lineno
        while first - 1 > previous_end and lines[first - 2].strip().startswith("#"):
            first -= 1
        spans.append((first, node.end_lineno))
        previous_end = node.end_lineno
    stages: list[str | None] = []
    for node in body:
        stage = _statement_stage(node, target, own_functions)
        if isinstance(node, (ast.Import, ast.ImportFrom)) and all(s is None for s in stages):
            stages.append(None)  # imports opening the cell join its first stage
            continue
        fitted_on = fitted_on | _fit_roots(node, roots)
        new_rows = stage == "predict" and _predicts_other_rows(node, roots, fitted_on)
        _note_roots(node, roots)
        if stage == "predict" and current == "train" and not new_rows:
            # scoring on held-out data right after fitting is how training ends; the served
            # predict() is the model's own (a notebook without a predict cell gets one)
            stage = current
        if stage is None or stage == tag_grammar.PARAMETERS:
            stage = "clean" if current == "load" and _assigns(node) else current
        elif current is not None and _order(stage) < _order(current):
            stage = current  # never back to an earlier stage
        current = stage
        stages.append(stage)
    if all(s is None for s in stages):
        return []
    # statements before the first stage (parameters, constants) join it
    first_known = next((s for s in stages if s is not None), None)
    stages = [s or first_known for s in stages]
    groups: list[tuple[str, tuple[int, int]]] = []
    for stage, (first, last) in zip(stages, spans, strict=True):
        if groups and groups[-1][0] == stage:
            groups[-1] = (stage, (groups[-1][1][0], last))
        else:
            groups.append((stage, (first, last)))
    return groups


def _statement_stage(node: ast.stmt, target, own_functions) -> str | None:
    module = ast.Module(body=[node], type_ignores=[])
    item = dataclasses.replace(target, tree=module)
    found = _code_stage(item, False, True, own_functions)
    return found[0] if found else None


def _assigns(node: ast.stmt) -> bool:
    return isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) or any(
        isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) for n in walk_nodes(node)
    )


def _order(stage: str) -> int:
    return tag_grammar.STAGES.index(stage) if stage in tag_grammar.STAGES else -1


def _loaded_roots(parsed) -> dict[str, frozenset]:
    """For each name the cells bind, the names of the frames read from files it comes from."""
    roots: dict[str, frozenset] = {}
    for item in parsed:
        for node in item.tree.body if item.tree is not None else ():
            _note_roots(node, roots)
    return roots


def _note_roots(node: ast.stmt, roots: dict[str, frozenset]) -> None:
    """Record where the names a statement binds come from: ``test = pd.read_csv(...)`` is a
    file of its own, ``X_test = pd.get_dummies(test[features])`` comes from ``test``."""
    if not isinstance(node, ast.Assign):
        return
    targets = [n.id for t in node.targets for n in walk_nodes(t) if isinstance(n, ast.Name)]
    if isinstance(node.value, ast.Call) and _reads_file(node.value):
        origin = frozenset(targets)
    else:
        origin = _roots_of(node.value, roots)
    for name in targets:
        roots[name] = origin


def _roots_of(node: ast.AST, roots: dict[str, frozenset]) -> frozenset:
    found: frozenset = frozenset()
    for n in walk_nodes(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            found |= roots.get(n.id, frozenset())
    return found


def _fit_roots(node: ast.stmt, roots: dict[str, frozenset]) -> frozenset:
    """The files the features of a ``.fit(X, y)`` in the statement come from."""
    found: frozenset = frozenset()
    for call in (n for n in walk_nodes(node) if isinstance(n, ast.Call)):
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "fit" and call.args:
            found |= _roots_of(call.args[0], roots)
    return found


def _predicts_other_rows(node: ast.stmt, roots: dict[str, frozenset], fitted_on) -> bool:
    """Whether the statement predicts rows of a file the model was not fitted on (Kaggle's
    ``model.predict(X_test)`` with ``X_test`` from ``test.csv``), not held-out training rows."""
    if not fitted_on:
        return False
    for call in (n for n in walk_nodes(node) if isinstance(n, ast.Call)):
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in PREDICT_METHODS and call.args:
            rows = _roots_of(call.args[0], roots)
            if rows and not rows & fitted_on:
                return True
    return False
