"""Split one big opened-up cell (the body of ``main()``) into one virtual cell per stage.

An untagged notebook whose work sat in ``def main(): ...`` has, once the function is opened up
(core/inline), all of it in one cell, which would make one stage. Its statements are sorted
instead: reading data -> ``load``, what follows until the model is fit -> ``clean``, ``.fit(``
-> ``train`` (scoring it on held-out data right after stays in ``train``). Each run of statements becomes a virtual
cell tagged with its stage, numbered after the cell it came from (cell 4 -> cells 4, 5, 6) and
padded with blank lines so every statement keeps its line number. Pure: Notebook -> Notebook.
"""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass

from ..model import Cell, Notebook
from . import tags as tag_grammar
from .defuse import parse_cell
from .graph import _code_stage, _own_functions
from .statements import is_main_guard
from .tree_walk import walk_nodes


@dataclass(frozen=True)
class StageSplit:
    """The notebook with the cell split, and which virtual cells came from which cell."""

    notebook: Notebook
    origin: tuple[tuple[int, int], ...] = ()  # (virtual cell index, original cell index)
    notes: tuple[str, ...] = ()


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
    groups = _stage_groups(target, _own_functions(parsed))
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
    cells = [c for c in notebook.cells if c.index < cell_index] + virtual
    cells += [dataclasses.replace(c, index=c.index + shift) for c in later]
    origin = tuple((c.index, cell_index) for c in virtual)
    listed = ", ".join(f"cell {c.index} -> {s}" for c, (s, _) in zip(virtual, groups, strict=True))
    note = (
        f"cell {cell_index} held the whole pipeline; it was split at statement level into "
        f"virtual cells ({listed}), numbered after it; line numbers are those of cell "
        f"{cell_index}"
    )
    return StageSplit(dataclasses.replace(notebook, cells=tuple(cells)), origin, (note,))


def _stage_groups(target, own_functions) -> list[tuple[str, tuple[int, int]]]:
    """Runs of statements with the same stage: (stage, (first line, last line))."""
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
    stages: list[str] = []
    current: str | None = None
    for node in body:
        stage = _statement_stage(node, target, own_functions)
        if stage == "predict" and current == "train":
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
