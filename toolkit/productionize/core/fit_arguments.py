"""Bind the features and target a model is fitted on to names, where the notebook fits on
expressions: ``model.fit(df[["sqft", "rooms"]], df["price"])``, ``model.fit(df.drop("price",
axis=1), df.price)``.

The planner learns which records the served predict() receives from the name the model is
fitted on (``X``, then ``X_test`` or a predict cell's argument); a fit on a column selection of a
frame has none, and the build stopped there. The fit statement becomes three (``X = df[[...]]``,
``y = df["price"]``, ``model.fit(X, y)``), with names the notebook does not use, so the service
takes rows with the selected columns. Only a top-level fit alone on its lines, on a selection of
one frame by constant columns (or ``drop``), is rewritten. Pure: a new ``Notebook`` and a note
per rewrite; ``verify`` runs the notebook rewritten the same way.
"""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass

from ..model import Notebook
from .defuse import parse_cell
from .tree_walk import walk_nodes

FITS = frozenset({"fit"})


@dataclass(frozen=True)
class Named:
    """The notebook with fit arguments bound to names, and a note per fit rewritten."""

    notebook: Notebook
    notes: tuple[str, ...] = ()


def name_fit_arguments(notebook: Notebook) -> Named:
    """Rewrite top-level ``m.fit(<frame selection>, <column>)`` as ``X = ...; y = ...; m.fit(X, y)``."""
    parsed = [parse_cell(cell) for cell in notebook.code_cells]
    if any(p.tree is None for p in parsed):
        return Named(notebook)  # the splitter reports the syntax error itself
    taken: set[str] | None = None  # every name the notebook binds or reads, on the first rewrite
    rewrites: dict[int, list[tuple[int, int, list[str]]]] = {}  # cell -> (first, last, lines)
    notes = []
    for p in parsed:
        if p.source != p.cell.source:
            continue  # magics masked: the text is not the tree's
        body = p.tree.body
        for position, statement in enumerate(body):
            call = _fit_on_expressions(statement)
            if call is None or not _alone_on_its_lines(body, position):
                continue
            features, target = call.args[0], call.args[1]
            if taken is None:
                taken = {
                    n for q in parsed for node in walk_nodes(q.tree) for n in _bound_or_read(node)
                }
            x_name = _free_name("X", taken)
            taken.add(x_name)
            lines = [f"{x_name} = {ast.get_source_segment(p.source, features)}"]
            y_name = target.id if isinstance(target, ast.Name) else _free_name("y", taken)
            if not isinstance(target, ast.Name):
                taken.add(y_name)
                lines.append(f"{y_name} = {ast.get_source_segment(p.source, target)}")
            rest = [ast.get_source_segment(p.source, a) for a in call.args[2:]]
            rest += [ast.get_source_segment(p.source, k) for k in call.keywords]
            receiver = ast.get_source_segment(p.source, call.func)
            lines.append(f"{receiver}({', '.join([x_name, y_name, *rest])})")
            if any(segment is None for segment in lines):
                continue
            rewrites.setdefault(p.cell.index, []).append(
                (statement.lineno, statement.end_lineno or statement.lineno, lines)
            )
            written = ast.get_source_segment(p.source, call)
            notes.append(
                f"cell {p.cell.index} line {statement.lineno}: `{_shorten(written)}` fits on "
                f"expressions; they are bound to `{x_name}`"
                + (f" and `{y_name}`" if len(lines) == 3 else "")
                + " first, so the served predict() takes rows with the columns of "
                f"`{x_name}` (verify runs the notebook with those lines)"
            )
    if not rewrites:
        return Named(notebook)
    cells = []
    for cell in notebook.cells:
        if cell.index not in rewrites:
            cells.append(cell)
            continue
        lines = cell.source.split("\n")
        for first, last, new in sorted(rewrites[cell.index], reverse=True):
            lines[first - 1 : last] = new
        cells.append(dataclasses.replace(cell, source="\n".join(lines)))
    return Named(dataclasses.replace(notebook, cells=tuple(cells)), tuple(notes))


def _fit_on_expressions(statement: ast.stmt) -> ast.Call | None:
    """``m.fit(df[[...]], df["y"])`` as a statement of its own, fitted on one frame's columns."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    call = statement.value
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in FITS and len(call.args) >= 2):
        return None
    if not isinstance(func.value, ast.Name) or statement.col_offset != 0:
        return None
    features, target = call.args[0], call.args[1]
    if any(isinstance(a, ast.Starred) for a in call.args):
        return None
    frame = _selected_frame(features)
    if frame is None:
        return None
    if isinstance(target, ast.Name):
        return call if target.id != frame else None
    return call if _column_of(target) == frame else None


def _selected_frame(node: ast.expr) -> str | None:
    """``df`` for ``df[["a", "b"]]``, ``df[columns]`` and ``df.drop(...)``; None otherwise."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        key = node.slice
        if (
            isinstance(key, ast.List)
            and key.elts
            and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in key.elts)
        ):
            return node.value.id
        if isinstance(key, ast.Name):  # df[FEATURES]: a list of columns (a column name alone
            return node.value.id  # gives a Series, which no estimator fits on)
        return None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "drop"
        and isinstance(node.func.value, ast.Name)
        and not any(k.arg == "inplace" for k in node.keywords)
    ):
        return node.func.value.id
    return None


def _column_of(node: ast.expr) -> str | None:
    """``df`` for ``df["price"]`` and ``df.price``."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    ):
        return node.value.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id
    return None


def _alone_on_its_lines(body: list[ast.stmt], position: int) -> bool:
    statement = body[position]
    end = statement.end_lineno or statement.lineno
    before = body[position - 1] if position else None
    after = body[position + 1] if position + 1 < len(body) else None
    return (before is None or (before.end_lineno or before.lineno) < statement.lineno) and (
        after is None or after.lineno > end
    )


def _bound_or_read(node: ast.AST) -> tuple[str, ...]:
    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return (node.name,)
    if isinstance(node, ast.arg):
        return (node.arg,)
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return tuple((a.asname or a.name).split(".")[0] for a in node.names)
    return ()


def _free_name(base: str, taken: set[str]) -> str:
    name, counter = base, 2
    while name in taken:
        name = f"{base}_{counter}"
        counter += 1
    return name


def _shorten(text: str | None, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
