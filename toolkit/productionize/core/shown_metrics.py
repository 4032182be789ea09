"""Name the scores a notebook only shows, so the evaluation returns them as metrics.

Regression notebooks end a cell with ``r2_score(y_test, y_pred)`` or ``model.score(X_test,
y_test)`` (Jupyter displays the value), or print it: ``print("RMSE", np.sqrt(mean_squared_error(
y_test, pred)))``. Kept as written, the score would be computed and thrown away, and the model
registry, the retraining gate and the pull request would have no metric to compare. The
evaluation binds it instead (``r2_test = r2_score(y_test, y_pred)``) and returns it; ``verify``
computes the same expression in the notebook right after that cell.
"""

from __future__ import annotations

import ast
import re

from .tree_walk import walk_nodes

# short names for the usual metrics; any other `*_score`/`*_error`/`*_loss` keeps its own name
SHORT_NAMES = {
    "r2_score": "r2",
    "mean_squared_error": "mse",
    "root_mean_squared_error": "rmse",
    "mean_absolute_error": "mae",
    "mean_absolute_percentage_error": "mape",
    "median_absolute_error": "median_ae",
    "explained_variance_score": "explained_variance",
    "accuracy_score": "accuracy",
    "balanced_accuracy_score": "balanced_accuracy",
    "f1_score": "f1",
    "precision_score": "precision",
    "recall_score": "recall",
    "roc_auc_score": "roc_auc",
    "log_loss": "log_loss",
}
METRIC_FUNCTION = re.compile(r"^\w+(_score|_error|_loss)$")
SQRT = frozenset({"sqrt"})


def shown_metric(
    node: ast.stmt, later: list[ast.stmt], imports: dict[str, tuple[str, str]], taken: set[str]
) -> tuple[str, ast.expr] | None:
    """``(name, expression)`` when ``node`` only shows one score (a bare expression or a
    ``print`` of it), or None. The expression's names must keep their values to the end of the
    cell (no statement in ``later`` rebinds them): verify evaluates it after the cell."""
    if not isinstance(node, ast.Expr) or not isinstance(node.value, ast.Call):
        return None
    call = node.value
    if isinstance(call.func, ast.Name) and call.func.id == "print":
        scores = [a for a in _printed_values(call) if _metric_name(a, imports)]
        if len(scores) != 1:
            return None
        expression = scores[0]
    else:
        expression = call
    base = _metric_name(expression, imports)
    if base is None:
        return None
    reads = {n.id for n in walk_nodes(expression) if isinstance(n, ast.Name)}
    rebound = {
        n.id
        for stmt in later
        for n in walk_nodes(stmt)
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))
    }
    if reads & rebound:
        return None
    name = base + _data_suffix(expression)
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}_{number}", number + 1
    return candidate, expression


def assigned_metric(node: ast.stmt, imports: dict[str, tuple[str, str]]) -> ast.expr | None:
    """The score ``acc = accuracy_score(y_test, pred) * 100`` binds to a name, or None."""
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and _metric_name(node.value, imports)
    ):
        return node.value
    return None


def _printed_values(call: ast.Call) -> list[ast.expr]:
    """What a ``print`` shows: its arguments, and the values formatted into a string argument
    (``f"{accuracy_score(y, p):.2%}"``, ``"{:.3f}".format(r2)``, ``"%.3f" % r2``)."""
    values: list[ast.expr] = []
    for argument in call.args:
        if isinstance(argument, ast.JoinedStr):
            values += [v.value for v in argument.values if isinstance(v, ast.FormattedValue)]
        elif (
            isinstance(argument, ast.Call)
            and isinstance(argument.func, ast.Attribute)
            and argument.func.attr == "format"
            and isinstance(argument.func.value, ast.Constant)
            and isinstance(argument.func.value.value, str)
        ):
            values += argument.args
        elif (
            isinstance(argument, ast.BinOp)
            and isinstance(argument.op, ast.Mod)
            and isinstance(argument.left, ast.Constant)
            and isinstance(argument.left.value, str)
        ):
            right = argument.right
            values += right.elts if isinstance(right, ast.Tuple) else [right]
        else:
            values.append(argument)
    return values


def metric_kind(node: ast.AST, imports: dict[str, tuple[str, str]]) -> str | None:
    """The kind of score an expression computes (``accuracy``, ``rmse``, ``score``), or None."""
    return _metric_name(node, imports)


def _metric_name(node: ast.AST, imports: dict[str, tuple[str, str]]) -> str | None:
    """``r2`` for ``r2_score(...)``/``metrics.r2_score(...)``, ``score`` for ``m.score(X, y)``,
    ``rmse`` for ``np.sqrt(mean_squared_error(...))``."""
    if _scaled(node) is not None:
        return _metric_name(_scaled(node), imports)  # accuracy_score(...) * 100
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Name) and func.id == "round" and node.args:
        return _metric_name(node.args[0], imports)  # round(accuracy_score(...), 2)
    if _agreement(node) is not None:
        return "accuracy"
    if isinstance(func, ast.Attribute) and func.attr in SQRT and len(node.args) == 1:
        inner = _metric_name(node.args[0], imports)
        return "rmse" if inner == "mse" else None
    if isinstance(func, ast.Attribute) and func.attr == "score" and len(node.args) >= 2:
        return "score"
    if isinstance(func, ast.Name):
        function, module = func.id, imports.get(func.id, ("", ""))[1]
    elif isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Name, ast.Attribute)):
        root = func.value
        while isinstance(root, ast.Attribute):
            root = root.value
        function, module = func.attr, imports.get(getattr(root, "id", ""), ("", ""))[1]
    else:
        return None
    if module != "sklearn" or not METRIC_FUNCTION.match(function):
        return None
    return SHORT_NAMES.get(function, function.removesuffix("_score"))


def _scaled(node: ast.AST) -> ast.expr | None:
    """``score`` of ``score * 100``, ``100 * score`` or ``score / 100``; None otherwise."""
    if not isinstance(node, ast.BinOp) or not isinstance(node.op, (ast.Mult, ast.Div)):
        return None

    def number(side: ast.expr) -> bool:
        return (
            isinstance(side, ast.Constant)
            and isinstance(side.value, (int, float))
            and not isinstance(side.value, bool)
            and side.value > 0
        )

    if number(node.right):
        return node.left
    if isinstance(node.op, ast.Mult) and number(node.left):
        return node.right
    return None


def _agreement(node: ast.Call) -> ast.Compare | None:
    """The comparison of an accuracy computed by hand: ``(pred == y_val).mean()``,
    ``(model.predict(X) == y).mean()``, ``np.mean(y_test == pred)``."""
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "mean" and not node.args:
        compare = func.value  # (a == b).mean()
    elif isinstance(func, ast.Attribute) and func.attr == "mean" and len(node.args) == 1:
        compare = node.args[0]  # np.mean(a == b)
    else:
        return None
    if (
        isinstance(compare, ast.Compare)
        and len(compare.ops) == 1
        and isinstance(compare.ops[0], ast.Eq)
    ):
        return compare
    return None


def _data_suffix(expression: ast.expr) -> str:
    """``_test`` when the score is of ``y_test`` (``_train`` for ``y_train``...), else ''."""
    if _scaled(expression) is not None:
        inner = _scaled(expression)
        return _data_suffix(inner) if isinstance(inner, ast.Call) else ""
    call = expression
    if isinstance(call.func, ast.Name) and call.func.id == "round" and call.args:
        inner = call.args[0]
        return _data_suffix(inner) if isinstance(inner, (ast.Call, ast.BinOp)) else ""
    compare = _agreement(call)
    if compare is not None:  # the target compared with: y_val == pred -> _val
        names = [n for n in (compare.left, *compare.comparators) if isinstance(n, ast.Name)]
        targets = [n for n in names if n.id.lower().startswith("y")] or names
        call = ast.Call(func=ast.Name(id="_"), args=targets[:1], keywords=[])
    if isinstance(call.func, ast.Attribute) and call.func.attr in SQRT:
        call = call.args[0]  # type: ignore[assignment]
    args = call.args  # type: ignore[attr-defined]
    if isinstance(call.func, ast.Attribute) and call.func.attr == "score":  # type: ignore
        args = args[1:2]  # model.score(X_test, y_test): the target
    first = args[0] if args else None
    if isinstance(first, ast.Name) and "_" in first.id:
        suffix = first.id.split("_", 1)[1]
        if suffix.isidentifier() and suffix.lower() in (
            "test",
            "train",
            "val",
            "valid",
            "tr",
            "te",
        ):
            return "_" + suffix.lower()
    return ""
