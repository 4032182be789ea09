"""Find the features a notebook standardises by hand before the fit.

``X = (X - X.mean()) / X.std()`` (or a min-max ``(X - X.min()) / (X.max() - X.min())``) in the
cell that reads the data: the model learns on scaled values, and when the service cannot replay
the scaling per record (it runs in the load stage, or on an array cut by position) it takes rows
shaped like the scaled training features. A client sending raw values would get answers for
other inputs than it meant, so the build says so, and how to let predict() replay the scaling
with the training statistics.
"""

from __future__ import annotations

import ast

from .statements import CODE
from .tree_walk import walk_nodes

# statistics a hand-written standardisation subtracts or divides by
SCALING_STATISTICS = frozenset({"mean", "std", "min", "max", "median", "var", "quantile"})

ADVICE = {
    # the scaling sits in the cell reading the data: the load stage returns scaled rows
    True: "scale in a cell of its own after the cell reading the data, before a "
    "train_test_split (predict() then replays it with the training statistics), or fit a "
    "StandardScaler (predict() applies it as fitted at train time)",
    False: "fit a StandardScaler (or MinMaxScaler) instead: predict() applies it to raw rows "
    "as fitted at train time",
}


def rescales(value: ast.expr, names: set[str]) -> bool:
    """``(X - X.mean()) / X.std()`` assigned to one of ``names`` (or ``(x_data -
    x_data.min()) / ...`` to another name): data rescaled with statistics of its own
    (``np.mean(X, axis=0)`` too)."""
    if not isinstance(value, ast.BinOp):
        return False
    names = names | {
        op.left.id
        for op in walk_nodes(value)
        if isinstance(op, ast.BinOp)
        and isinstance(op.op, ast.Sub)
        and isinstance(op.left, ast.Name)
    }
    for call in walk_nodes(value):
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            continue
        if call.func.attr not in SCALING_STATISTICS:
            continue
        receiver = call.func.value
        if isinstance(receiver, ast.Name) and receiver.id in ("np", "numpy") and call.args:
            receiver = call.args[0]  # np.mean(X, axis=0)
        while isinstance(receiver, (ast.Subscript, ast.Attribute)):
            receiver = receiver.value  # X[cols].mean(), X.values.std()
        if isinstance(receiver, ast.Name) and receiver.id in names:
            return True
    return False


def hand_scaling_note(pieces: dict, features: str | None) -> str | None:
    """What a client must know when the served records are the model's features and a statement
    the features come from standardises them by hand; None when none does."""
    if not features:
        return None
    sequence = [
        p
        for stage in ("load", "clean", "train")
        for p in pieces.get(stage, ())
        if p.statement.kind == CODE
    ]
    needed = {features}
    for piece in reversed(sequence):
        node = piece.statement.node
        if not isinstance(node, ast.Assign):
            continue
        bound = {n.id for t in node.targets for n in walk_nodes(t) if isinstance(n, ast.Name)}
        if not bound & needed:
            continue
        if rescales(node.value, bound):
            where = f"cell {piece.cell.cell.index} line {node.lineno}"
            return (
                f"the model learns on values {where} standardises by hand "
                f"(`{ast.unparse(node)}`), with statistics of the whole training data; "
                f"the service takes rows of `{features}` as scaled there, so a client must send "
                "values scaled the same way (raw values get answers for other inputs); to serve "
                f"raw rows, {ADVICE[piece.stage == 'load']}"
            )
        needed |= {n.id for n in walk_nodes(node.value) if isinstance(n, ast.Name)}
    return None
