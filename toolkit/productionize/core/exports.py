"""Find the statements that only export a copy of the data to a file before the model predicts.

``data.to_csv("cleaned.csv")`` or ``df.to_excel(r"E:\\work\\churn.xlsx")`` in the middle of the
cleaning hands a copy of the data to a person, not to the next step: the generated pipeline passes
its values between stages as products. Kept in ``clean.py`` it would write that file (a Windows
path included) on every run, so these statements stay in the notebook like plots; the report lists
them. An export the notebook reads back (``pd.read_csv("cleaned.csv")`` further down) is kept:
what it reads must have been written. Exports in the predict stage (the Kaggle submission) stay.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from .tree_walk import walk_nodes

EXPORT_METHODS = frozenset(
    {"to_csv", "to_excel", "to_parquet", "to_json", "to_pickle", "to_feather", "to_hdf"}
)
# stages whose exports are copies for people: the predict stage's output is the notebook's result
BEFORE_PREDICT = frozenset({"load", "clean", "train"})


def export_statements(statements: Iterable[tuple[str, ast.stmt]]) -> frozenset[ast.stmt]:
    """The statements among ``(stage, node)`` pairs that only export data before predicting."""
    statements = list(statements)
    read_back = {ast.dump(path) for _stage, node in statements for path in _paths_read(node)}
    return frozenset(
        node
        for stage, node in statements
        if stage in BEFORE_PREDICT
        and (path := _exported_path(node)) is not None
        and ast.dump(path) not in read_back
    )


def _exported_path(node: ast.stmt) -> ast.expr | None:
    """The path ``df.to_csv(path, ...)`` writes to, when the statement is only that call."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return None
    call = node.value
    if not (isinstance(call.func, ast.Attribute) and call.func.attr in EXPORT_METHODS):
        return None
    if call.args:
        return call.args[0]
    keyword = next(
        (k for k in call.keywords if k.arg in ("path_or_buf", "path", "excel_writer")), None
    )
    return keyword.value if keyword is not None else None  # `df.to_csv()` returns text


def _paths_read(node: ast.AST) -> list[ast.expr]:
    """First arguments of the reads in ``node`` (``pd.read_csv(p)``, ``open(p)``)."""
    paths = []
    for call in walk_nodes(node):
        if not (isinstance(call, ast.Call) and call.args):
            continue
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name.startswith("read_") or name in ("open", "load", "loadtxt", "genfromtxt"):
            paths.append(call.args[0])
    return paths
