"""Rename the notebook's functions that carry the name of a generated stage function.

A notebook defining ``def load(): ...`` (or ``def train(X, y)``) gets a stage module whose own
``def load(...)`` comes after it: the stage function replaces the notebook's, and its call
``load()`` calls the stage itself (RecursionError), or ``from .train import train`` in another
stage module is replaced by that module's own function. The notebook's function becomes
``notebook_load`` in every code cell, consistently (definition and uses; attributes such as
``joblib.load`` and keyword arguments are other names), line for line so messages keep their
cell and line. Left alone when the name is also bound another way (an import, an assignment, a
parameter, ``global``). Pure: a new ``Notebook``; ``verify`` runs the notebook renamed the
same way.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from dataclasses import dataclass

from ..model import Notebook
from .defuse import parse_cell
from .tree_walk import walk_nodes

# the public functions of the generated stage modules (predict.py has fitted_values too)
STAGE_FUNCTIONS = ("load", "clean", "train", "predict", "evaluate", "fitted_values")


@dataclass(frozen=True)
class Renamed:
    """The notebook with the functions renamed and a note per rename."""

    notebook: Notebook
    notes: tuple[str, ...] = ()


def rename_stage_named_functions(notebook: Notebook) -> Renamed:
    """Rename top-level ``def load``/``def train``/... of the notebook to ``notebook_<name>``."""
    parsed = [parse_cell(cell) for cell in notebook.code_cells]
    if any(p.tree is None for p in parsed):
        return Renamed(notebook)  # the splitter reports the syntax error itself
    defined = {
        node.name
        for p in parsed
        for node in p.tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.name in STAGE_FUNCTIONS
    }
    taken = {
        getattr(n, "id", None) or getattr(n, "name", None) or getattr(n, "arg", None)
        for p in parsed
        for n in walk_nodes(p.tree)
        if isinstance(n, (ast.Name, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.arg))
    }
    cells = {cell.index: cell for cell in notebook.cells}
    edits: dict[int, list[tuple[int, int, str, str]]] = {}  # cell -> (line, col, old, new)
    notes = []
    for name in sorted(defined):
        new = _free_name(f"notebook_{name}", taken)
        found = _occurrences(parsed, name)
        if found is None:
            continue
        sources = {index: cells[index].source.split("\n") for index, _l, _c in found}
        if not all(
            sources[index][line - 1].encode("utf-8")[col : col + len(name)] == name.encode()
            for index, line, col in found
        ):
            continue  # the text is not where the tree says (a masked magic): leave it
        taken.add(new)
        for index, line, col in found:
            edits.setdefault(index, []).append((line, col, name, new))
        notes.append(
            f"function `{name}()` of the notebook is `{new}()` in the modules: `{name}` is the "
            f"name of the {name} stage's own function, which would replace it"
            if name != "fitted_values"
            else f"function `{name}()` of the notebook is `{new}()` in the modules: "
            "predict.py defines its own `fitted_values()`"
        )
    if not edits:
        return Renamed(notebook)
    changed = []
    for cell in notebook.cells:
        if cell.index not in edits:
            changed.append(cell)
            continue
        lines = [line.encode("utf-8") for line in cell.source.split("\n")]
        for line, col, old, new in sorted(edits[cell.index], reverse=True):
            text = lines[line - 1]
            lines[line - 1] = text[:col] + new.encode() + text[col + len(old) :]
        source = "\n".join(line.decode("utf-8") for line in lines)
        changed.append(dataclasses.replace(cell, source=source))
    return Renamed(dataclasses.replace(notebook, cells=tuple(changed)), tuple(notes))


def _occurrences(parsed, name: str) -> list[tuple[int, int, int]] | None:
    """(cell, line, byte column) of every use and top-level definition of function ``name``,
    or None when the name is also bound another way."""
    found = []
    for p in parsed:
        cell = p.cell.index
        lines = p.source.split("\n")
        for node in walk_nodes(p.tree):
            if isinstance(node, ast.Name) and node.id == name:
                if not isinstance(node.ctx, ast.Load):
                    return None  # `load = ...`, `del load`, `for load in ...`
                found.append((cell, node.lineno, node.col_offset))
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                if any((a.asname or a.name).split(".")[0] == name for a in node.names):
                    return None
            elif isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
                return None
            elif isinstance(node, ast.arg) and node.arg == name:
                return None
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and (
                node.name == name
            ):
                if node not in p.tree.body or isinstance(node, ast.ClassDef):
                    return None  # a nested function or a class of that name
                match = re.compile(rf"def\s+{name}\b").search(lines[node.lineno - 1])
                if match is None:
                    return None
                column = len(lines[node.lineno - 1][: match.end() - len(name)].encode("utf-8"))
                found.append((cell, node.lineno, column))
    return found


def _free_name(base: str, taken: set[str]) -> str:
    name, counter = base, 2
    while name in taken:
        name = f"{base}_{counter}"
        counter += 1
    return name
