"""Find the statements that only save the trained model (or another fitted object) to a file.

``joblib.dump(model, "model.pkl")`` at the end of a notebook, or ``pickle.dump(model, f)`` inside
``with open("model.pkl", "wb") as f:``, is how a notebook hands its model on. In the generated
project the model registry does that job (``models/vNNNN/``), so these statements stay in the
notebook like plots do; the report lists them. A notebook that loads a saved file back
(``joblib.load``, ``pickle.load``) keeps them: what it reads must have been written.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from .tree_walk import walk_nodes

# modules whose ``dump`` writes a Python object to a file, and their ``load`` that reads one back
SERIALIZERS = frozenset({"joblib", "pickle", "cloudpickle", "dill", "skops"})
LOADS = frozenset({"load", "loads"})


def saving_statements(
    statements: Iterable[ast.stmt], imports: dict[str, str]
) -> frozenset[ast.stmt]:
    """The statements among ``statements`` that only save objects to files.

    ``imports`` maps each imported name to its top-level module (``{"joblib": "joblib",
    "dump": "joblib"}``). Empty when any statement loads a saved object back."""
    statements = list(statements)
    if any(_loads_saved_object(node, imports) for node in statements):
        return frozenset()
    return frozenset(node for node in statements if _only_saves(node, imports))


def _only_saves(node: ast.stmt, imports: dict[str, str]) -> bool:
    if isinstance(node, ast.Expr):
        return _is_dump(node.value, imports)
    if isinstance(node, ast.With):
        # `with open("model.pkl", "wb") as f: pickle.dump(model, f)`
        return all(_opens_for_writing(item.context_expr) for item in node.items) and all(
            _only_saves(stmt, imports) for stmt in node.body
        )
    return False


def _is_dump(node: ast.AST, imports: dict[str, str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):  # `from joblib import dump`
        return func.id == "dump" and imports.get(func.id) in SERIALIZERS
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "dump"
        and _module_of(func.value, imports) in SERIALIZERS
        and all(_is_open_for_writing_or_plain(arg) for arg in node.args[1:2])
    )


def _is_open_for_writing_or_plain(node: ast.AST) -> bool:
    """The file argument: a path or handle, or ``open(path, "wb")`` (not ``open(path)``)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
        return _opens_for_writing(node)
    return True


def _opens_for_writing(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        return False
    if node.func.id != "open":
        return False
    modes = [k.value for k in node.keywords if k.arg == "mode"] + node.args[1:2]
    return any(
        isinstance(m, ast.Constant) and isinstance(m.value, str) and set(m.value) & set("wax")
        for m in modes
    )


def _module_of(node: ast.AST, imports: dict[str, str]) -> str | None:
    """``joblib`` for ``joblib`` / ``jl`` (``import joblib as jl``) / ``skops.io``."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return imports.get(node.id) if isinstance(node, ast.Name) else None


def _loads_saved_object(node: ast.AST, imports: dict[str, str]) -> bool:
    for call in walk_nodes(node):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        if isinstance(func, ast.Name) and func.id in LOADS and imports.get(func.id) in SERIALIZERS:
            return True
        if (
            isinstance(func, ast.Attribute)
            and func.attr in LOADS
            and _module_of(func.value, imports) in SERIALIZERS
        ):
            return True
    return False
