"""Reuse the object a notebook saved instead of reading its pickle back.

Notebooks save the trained model and reload it to show that the file works::

    joblib.dump(clf, "model.pkl")          # or pickle.dump(clf, open("model.pkl", "wb"))
    loaded = joblib.load("model.pkl")      # or pickle.load(open(...)), with open(...) as f
    loaded.predict(X_test)

In a pipeline the reload reads whatever ``model.pkl`` is lying around (the notebook's own copy
from its last run, lifted into ``data/`` like any file the code reads), so a retrained model would
never be served; it also makes tag inference see a ``load`` cell after training. The registry
stores the model, so a reload of a file the notebook saved earlier from a name that still holds
the object becomes ``loaded = clf`` (or a comment when it rebinds the same name), line for line so
messages keep their cell and line. Pure: a new ``Notebook``; ``verify`` runs the notebook
restructured the same way (the original pickles and unpickles an equal model).
"""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass

from ..model import Notebook
from .defuse import parse_cell
from .tree_walk import walk_nodes

PICKLERS = frozenset({"pickle", "joblib", "dill", "cloudpickle", "cPickle"})


@dataclass(frozen=True)
class Persisted:
    """The restructured notebook and a note per reload replaced."""

    notebook: Notebook
    notes: tuple[str, ...] = ()


def reuse_saved_models(notebook: Notebook) -> Persisted:
    """Replace reloads of files the notebook saved by the objects it saved."""
    parsed = [parse_cell(cell) for cell in notebook.code_cells]
    if any(p.tree is None for p in parsed):
        return Persisted(notebook)  # the splitter reports the syntax error itself
    statements = [(p, node) for p in parsed for node in p.tree.body]
    literals = _literal_names(statements)
    saved: dict[str, tuple[str, int, int]] = {}  # path -> (object name, cell, position)
    replaced: set[int] = set()  # ids of the reloads replaced (they restore the saved object)
    edits: dict[int, dict[int, str]] = {}  # cell index -> {line: new text}
    notes: list[str] = []
    handles: dict[str, tuple[str, object, ast.stmt]] = {}  # name -> (path, parsed, statement)
    for position, (item, node) in enumerate(statements):
        cell = item.cell.index
        dump = _dump(node, literals)
        if dump is not None:
            saved[dump[1]] = (dump[0], cell, position)
            continue
        handle = _read_handle(node, literals)
        if handle is not None:
            handles[handle[0]] = (handle[1], item, node)
            continue
        reload = _reload(node, literals, handles)
        if reload is None:
            continue
        target, path, handle_name = reload
        if path not in saved:
            continue
        source, saved_cell, saved_at = saved[path]
        if _rebound_between(statements[saved_at + 1 : position], source, replaced):
            continue
        replaced.add(id(node))
        if target == source:
            text = f"# `{target}` already holds the object saved to {path!r} (cell {saved_cell})"
        else:
            text = f"{target} = {source}  # the object saved to {path!r} (cell {saved_cell})"
        _replace(edits, cell, node, text)
        if handle_name is not None and _only_use(statements, handle_name, node):
            _, handle_item, handle_node = handles[handle_name]
            _replace(edits, handle_item.cell.index, handle_node, f"# {handle_name}: see below")
        notes.append(
            f"cell {cell} line {node.lineno} reloads {path!r}, which cell {saved_cell} saved from "
            f"`{source}`: the pipeline keeps `{source}` itself (the model registry stores it), so a "
            "retrained model is never replaced by the notebook's old file; verify runs the "
            "notebook the same way"
        )
    if not edits:
        return Persisted(notebook)
    cells = []
    for cell in notebook.cells:
        if cell.index not in edits:
            cells.append(cell)
            continue
        lines = cell.source.split("\n")
        for line, text in edits[cell.index].items():
            lines[line - 1] = text
        cells.append(dataclasses.replace(cell, source="\n".join(lines)))
    return Persisted(dataclasses.replace(notebook, cells=tuple(cells)), tuple(notes))


def _replace(edits: dict, cell: int, node: ast.stmt, text: str) -> None:
    lines = edits.setdefault(cell, {})
    lines[node.lineno] = text
    for line in range(node.lineno + 1, (node.end_lineno or node.lineno) + 1):
        lines[line] = ""


def _literal_names(statements: list) -> dict[str, str]:
    """Names bound exactly once, to a string literal (``vec_file = "vectorizer.pkl"``)."""
    found: dict[str, list[str | None]] = {}
    for _item, node in statements:
        for sub in walk_nodes(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                value = None
                if (
                    isinstance(node, ast.Assign)
                    and len(node.targets) == 1
                    and node.targets[0] is sub
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                ):
                    value = node.value.value
                found.setdefault(sub.id, []).append(value)
    return {name: values[0] for name, values in found.items() if len(values) == 1 and values[0]}


def _path(node: ast.expr, literals: dict) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return literals.get(node.id)
    return None


def _pickler_call(node: ast.AST, method: str) -> ast.Call | None:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == method
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in PICKLERS
    ):
        return node
    return None


def _open_call(node: ast.AST, literals: dict, writing: bool) -> str | None:
    """The path of ``open(path, mode)`` opened for writing (or for reading), else None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        return None
    if node.func.id != "open" or not node.args:
        return None
    mode = node.args[1] if len(node.args) > 1 else None
    mode = next((k.value for k in node.keywords if k.arg == "mode"), mode)
    text = mode.value if isinstance(mode, ast.Constant) and isinstance(mode.value, str) else "r"
    if mode is not None and not isinstance(mode, ast.Constant):
        return None
    if writing != bool(set(text) & set("wax")):
        return None
    return _path(node.args[0], literals)


def _dump(node: ast.stmt, literals: dict) -> tuple[str, str] | None:
    """(object name, path) of ``pickle.dump(obj, open(path, "wb"))``, ``joblib.dump(obj, path)``
    or ``with open(path, "wb") as f: pickle.dump(obj, f)``."""
    if isinstance(node, ast.With) and len(node.items) == 1 and len(node.body) == 1:
        item = node.items[0]
        path = _open_call(item.context_expr, literals, writing=True)
        inner = node.body[0]
        call = _pickler_call(getattr(inner, "value", None), "dump")
        if (
            path
            and isinstance(inner, ast.Expr)
            and call is not None
            and len(call.args) == 2
            and isinstance(call.args[0], ast.Name)
            and isinstance(item.optional_vars, ast.Name)
            and isinstance(call.args[1], ast.Name)
            and call.args[1].id == item.optional_vars.id
        ):
            return call.args[0].id, path
        return None
    if not isinstance(node, ast.Expr):
        return None
    call = _pickler_call(node.value, "dump")
    if call is None or len(call.args) != 2 or not isinstance(call.args[0], ast.Name):
        return None
    path = _path(call.args[1], literals) or _open_call(call.args[1], literals, writing=True)
    return (call.args[0].id, path) if path else None


def _read_handle(node: ast.stmt, literals: dict) -> tuple[str, str] | None:
    """(name, path) of ``handle = open(path, "rb")``."""
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    ):
        path = _open_call(node.value, literals, writing=False)
        if path:
            return node.targets[0].id, path
    return None


def _reload(node: ast.stmt, literals: dict, handles: dict):
    """(target, path, handle name or None) of ``x = joblib.load(path)``,
    ``x = pickle.load(open(path, "rb"))``, ``x = pickle.load(handle)`` or
    ``with open(path, "rb") as f: x = pickle.load(f)``."""
    if isinstance(node, ast.With) and len(node.items) == 1 and len(node.body) == 1:
        item = node.items[0]
        path = _open_call(item.context_expr, literals, writing=False)
        inner = node.body[0]
        if not (path and isinstance(item.optional_vars, ast.Name)):
            return None
        found = _assigned_load(inner)
        if found is None:
            return None
        target, argument = found
        if isinstance(argument, ast.Name) and argument.id == item.optional_vars.id:
            return target, path, None
        return None
    found = _assigned_load(node)
    if found is None:
        return None
    target, argument = found
    if isinstance(argument, ast.Name) and argument.id in handles:
        return target, handles[argument.id][0], argument.id
    path = _path(argument, literals) or _open_call(argument, literals, writing=False)
    return (target, path, None) if path else None


def _assigned_load(node: ast.stmt) -> tuple[str, ast.expr] | None:
    if not (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    ):
        return None
    call = _pickler_call(node.value, "load")
    if call is None or len(call.args) != 1 or call.keywords:
        return None
    return node.targets[0].id, call.args[0]


def _rebound_between(statements: list, name: str, replaced: set[int]) -> bool:
    """Whether a statement (other than a replaced reload) assigns ``name``."""
    for _item, node in statements:
        if id(node) in replaced:
            continue
        for sub in walk_nodes(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store) and sub.id == name:
                return True
    return False


def _only_use(statements: list, name: str, reload: ast.stmt) -> bool:
    """The file handle ``name`` is read by the reload alone."""
    for _item, node in statements:
        if node is reload:
            continue
        for sub in walk_nodes(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id == name:
                return False
    return True
