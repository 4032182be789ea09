"""Say which features a forecasting notebook computes from the previous rows.

``df["lag_1"] = df["sales"].shift(1)`` and ``df["rolling_mean_7"] = df["sales"].rolling(7).mean()``
make a feature out of the rows before each row. The model is served on records shaped like its
training features, so a request must carry ``lag_1`` itself: one record has no previous rows to
shift. Nothing is recomputed per request (that would use the other records of the batch as
history); a note names each such column, its cell and line, so the README and the pull request say
what a client has to send.
"""

from __future__ import annotations

import ast

from .statements import CODE
from .tree_walk import walk_nodes

HISTORY_METHODS = frozenset(
    {"shift", "rolling", "expanding", "ewm", "diff", "pct_change", "cumsum", "cumprod"}
)


def history_notes(pieces: dict) -> list[str]:
    """One note per column of the production code computed from previous rows."""
    notes = []
    seen: set[str] = set()
    for stage in ("load", "clean", "train"):
        for piece in pieces.get(stage, ()):
            if piece.statement.kind != CODE:
                continue
            for node in walk_nodes(piece.statement.node):  # function bodies too (create_features)
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    _note(piece, node, seen, notes)
    return notes


def _note(piece, node: ast.Assign, seen: set, notes: list) -> None:
    column = _column(node.targets[0])
    methods = sorted(
        {
            sub.func.attr
            for sub in walk_nodes(node.value)
            if isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Attribute)
            and sub.func.attr in HISTORY_METHODS
        }
    )
    if column is None or not methods or column in seen:
        return
    seen.add(column)
    where = f"cell {piece.cell.cell.index} line {node.lineno}"
    named = f"`{column}`" if not column.startswith(NAMED_BY) else column
    notes.append(
        f"{named} ({where}) {'are' if column.startswith(NAMED_BY) else 'is'} computed from "
        "the previous rows "
        f"({', '.join(f'`{m}`' for m in methods)}): /predict takes it as an input, so a request "
        "must carry it, computed from the history the way the notebook did; the service does not "
        "recompute it from the other records of a request"
    )


def _column(target: ast.expr) -> str | None:
    """``df["lag_1"]`` / ``df.loc[:, "lag_1"]`` -> "lag_1"; a name computed in a loop
    (``df["t-" + str(lag)]``) -> "the columns named `'t-' + str(lag)`"."""
    if isinstance(target, ast.Subscript):
        key = target.slice
        if isinstance(key, ast.Tuple) and key.elts:
            key = key.elts[-1]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
        if isinstance(key, (ast.BinOp, ast.JoinedStr, ast.Call, ast.Name)):
            # df["t-" + str(lag)] = series.shift(lag) in a loop over the lags
            return f"{NAMED_BY}`{ast.unparse(key)}`"
    return None


NAMED_BY = "the columns named "
