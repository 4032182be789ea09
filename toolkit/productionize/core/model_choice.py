"""Which of several compared models the service serves.

Course and Kaggle notebooks fit a LogisticRegression, a RandomForest and an SVC in turn, each
in its own cell, and show each one's score on the held-out data; the last one fitted is rarely
the one the author would keep. When no predict cell names the model to use, the train stage
serves the one whose shown score is best: the scores are bound where the notebook computes them
(``_train_scores`` in core/plan.py), and a closing statement picks the model by them, so a
retraining on new data picks again as the notebook's reader would.
"""

from __future__ import annotations

import ast
import copy

from ..model import ModelChoice
from .shown_metrics import metric_kind
from .statements import CODE
from .tree_walk import walk_nodes

# scores where more is better; the errors and losses (mse, rmse, mae, log_loss, any *_error or
# *_loss) are better lower; another kind of score (cross_val) is not compared
HIGHER_IS_BETTER = frozenset(
    {
        "score",
        "accuracy",
        "balanced_accuracy",
        "r2",
        "f1",
        "precision",
        "recall",
        "roc_auc",
        "explained_variance",
        "average_precision",
        "jaccard",
        "matthews_corrcoef",
    }
)
LOWER_IS_BETTER = frozenset({"mse", "rmse", "mae", "mape", "median_ae", "log_loss"})
FIT_METHODS = ("fit",)
HELD_IN = ("_train", "_tr")  # a score of the training data says nothing of the choice


def choice_statements(choice: ModelChoice) -> tuple[str, ...]:
    """The train stage's closing lines binding ``choice.name`` to the best of the models."""
    scores = ", ".join(f"{m!r}: {s}" for m, s in zip(choice.models, choice.scores, strict=True))
    table = f"held_out_{choice.metric}"
    return (
        f"# the notebook compares {_listed(choice.models)} ({_cells(choice.cells)}): serve",
        f"# the one with the {_better(choice)} held-out {choice.metric}",
        f"{table} = {{{scores}}}",
        f"{choice.name} = {_models(choice)}[{_pick(choice)}({table}, key={table}.get)]",
    )


def choice_expression(choice: ModelChoice) -> str:
    """The served model as an expression over the notebook's own names (verify)."""
    scores = ", ".join(
        f"{m!r}: {e}" for m, e in zip(choice.models, choice.expressions, strict=True)
    )
    pick = f"{_pick(choice)}(scores, key=scores.get)"
    return f"(lambda scores: {_models(choice)}[{pick}])({{{scores}}})"


def choice_note(choice: ModelChoice) -> str:
    """What build and the README say of the choice."""
    return (
        f"the notebook compares {len(choice.models)} models ({_listed(choice.models)}, "
        f"{_cells(choice.cells)}) and no predict cell uses one: the service serves the one "
        f"with the {_better(choice)} held-out {choice.metric} ({', '.join(choice.scores)}), "
        "picked again at each training; predict with the model to serve "
        f"(`{choice.models[0]}.predict(...)` in a cell below) to serve that one instead"
    )


def _cells(cells) -> str:
    return f"cell {cells[0]}" if len(cells) == 1 else f"cells {_listed(cells)}"


def _pick(choice: ModelChoice) -> str:
    return "min" if choice.lower_is_better else "max"


def _better(choice: ModelChoice) -> str:
    return "lowest" if choice.lower_is_better else "highest"


def _models(choice: ModelChoice) -> str:
    return "{" + ", ".join(f"{m!r}: {m}" for m in choice.models) + "}"


def compared_models(
    train: list,
    scores: dict[int, tuple[str, str, ast.expr, int]],
    imports: dict[str, tuple[str, str]],
    served: str,
    taken: set[str],
) -> ModelChoice | None:
    """The choice among the supervised models the train cells fit one after the other
    (``lr.fit(X_train, y_train)``, ``rf = RandomForestClassifier().fit(X_train, y_train)``)
    when two or more of them have a shown score of one kind on held-out data, ``served`` (the
    model found otherwise) among them; None otherwise."""
    fitted, scored, _replaced = _scan(train, scores, imports)
    if served not in scored:
        return None
    for kind in scored[served]:
        lower = kind in LOWER_IS_BETTER or kind.endswith(("_error", "_loss"))
        if kind not in HIGHER_IS_BETTER and not lower:
            continue
        models = tuple(m for m in fitted if kind in scored.get(m, {}))
        if len(models) < 2:
            continue
        name = "best_model"
        number = 2
        while name in taken:
            name, number = f"best_model_{number}", number + 1
        return ModelChoice(
            name=name,
            models=models,
            scores=tuple(scored[m][kind][0] for m in models),
            expressions=tuple(scored[m][kind][1] for m in models),
            metric=kind,
            lower_is_better=lower,
            cells=tuple(sorted({fitted[m][0] for m in models})),
        )
    return None


def _scan(train: list, scores: dict, imports: dict):
    """(fitted, scored, replaced) over the train statements in order: the models fitted by
    name, their held-out scores per metric, and the scored fits a later one of the same name
    replaced."""
    fitted: dict[str, tuple[int, str | None]] = {}  # model -> (cell, the data it is fit on)
    scored: dict[str, dict[str, tuple[str, str]]] = {}  # model -> metric -> (name, expression)
    derived: dict[str, set[str]] = {}  # pred -> models its value was computed from
    values: dict[str, ast.expr] = {}  # pred -> the expression it was last bound to
    replaced: dict[str, list[int]] = {}  # model -> cells of earlier scored fits of that name
    # `acc_lr = accuracy_score(y_test, pred)`: a score the notebook names, bound once
    bindings: dict[str, int] = {}
    for piece in train:
        for target in _assigned(piece.statement.node) if piece.statement.kind == CODE else ():
            bindings[target] = bindings.get(target, 0) + 1

    def record(name: str, expression: ast.expr) -> None:
        kind = metric_kind(expression, imports)
        reads = {n.id for n in walk_nodes(expression) if isinstance(n, ast.Name)}
        models = {m for r in reads for m in ({r} if r in fitted else derived.get(r, set()))}
        held_out = not name.endswith(HELD_IN) and not any(
            fitted[m][1] in reads for m in models if fitted[m][1]
        )
        if len(models) == 1 and kind and held_out:
            # verify evaluates it after the notebook's last cell, where `y_pred` may hold
            # the next model's predictions: `lr.predict(X_test)` in its place
            inlined = _Inline(values).visit(copy.deepcopy(expression))
            scored.setdefault(models.pop(), {})[kind] = (name, ast.unparse(inlined))

    for piece in train:
        node = piece.statement.node
        bound = scores.get(id(piece.statement))
        if bound is not None:
            record(bound[0], bound[2])
            continue
        if piece.statement.kind != CODE:
            continue
        for target, value in _assignments(node):
            if bindings.get(target) == 1 and metric_kind(value, imports):
                record(target, value)
        model = _fitted_model(node)
        if model is not None:
            if model[0] in scored:  # refit: a score before says nothing of this model
                replaced.setdefault(model[0], []).append(fitted[model[0]][0])
            fitted[model[0]] = (piece.cell.cell.index, model[1])
            scored.pop(model[0], None)
            derived = {k: v - {model[0]} for k, v in derived.items()}
            continue
        reads = {n.id for n in walk_nodes(node) if isinstance(n, ast.Name)}
        for target, value in _assignments(node):
            values[target] = _Inline(values).visit(copy.deepcopy(value))
        for target in _assigned(node):
            # `pred = lr.predict(X_test)`: a score of pred is lr's
            derived[target] = {r for r in reads if r in fitted} | {
                m for r in reads if r != target for m in derived.get(r, ())
            }
            if target not in reads:  # `lr = LogisticRegression(C=10)`: not fitted (yet)
                if target in scored:
                    replaced.setdefault(target, []).append(fitted[target][0])
                fitted.pop(target, None)
                scored.pop(target, None)
    return fitted, scored, replaced


def replaced_note(train: list, scores: dict, imports: dict, served: str) -> str | None:
    """A note when ``served`` was fitted and scored before under the same name (``model =
    LogisticRegression()`` ... ``model = RandomForestClassifier()``): only the last is left."""
    fitted, scored, replaced = _scan(train, scores, imports)
    if served not in replaced or served not in fitted:
        return None
    earlier = sorted(set(replaced[served]))
    return (
        f"`{served}` is fitted and scored in {_cells(earlier)}, then fitted again in cell "
        f"{fitted[served][0]}: the service serves the last fit, whatever the earlier ones "
        f"scored; give each model its own name (`{served}_1`, `{served}_2`) to serve the one "
        "with the best held-out score"
    )


def predicted_among(train: list, served: str) -> str | None:
    """The note naming the other supervised models the train cells fit, when the predict
    cells use ``served``: which one the service serves is the notebook's choice."""
    others: dict[str, int] = {}
    for piece in train:
        model = _fitted_model(piece.statement.node) if piece.statement.kind == CODE else None
        if model is not None and model[0] != served:
            others[model[0]] = piece.cell.cell.index
    if not others:
        return None
    return (
        f"the service serves `{served}`, the model the predict cells use; the notebook also "
        f"fits {_listed(f'`{m}`' for m in others)} ({_cells(sorted(set(others.values())))})"
    )


class _Inline(ast.NodeTransformer):
    """Names replaced by the expressions they were bound to (``y_pred`` -> ``lr.predict(X)``)."""

    def __init__(self, values: dict[str, ast.expr]):
        self.values = values

    def visit_Name(self, node: ast.Name) -> ast.AST:
        value = self.values.get(node.id)
        return copy.deepcopy(value) if value is not None and _derived_call(value) else node


def _derived_call(value: ast.expr) -> bool:
    """``lr.predict(X_test)``, ``lr.predict_proba(X_test)[:, 1]``: a model's output."""
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr.startswith("predict")
        for n in walk_nodes(value)
    )


def _fitted_model(node: ast.stmt) -> tuple[str, str | None] | None:
    """(model, features) of a top-level ``model.fit(X, y)`` or ``model = Est().fit(X, y)``
    given a target; None for anything else (a scaler's fit, a fit inside a loop)."""
    value = node.value if isinstance(node, (ast.Expr, ast.Assign)) else None
    if not (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in FIT_METHODS
        and (len(value.args) > 1 or any(k.arg == "y" for k in value.keywords))
    ):
        return None
    features = value.args[0].id if value.args and isinstance(value.args[0], ast.Name) else None
    if isinstance(node, ast.Assign):
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            return node.targets[0].id, features
        return None
    if isinstance(value.func.value, ast.Name):
        return value.func.value.id, features
    return None


def _assigned(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return [n.id for t in targets for n in walk_nodes(t) if isinstance(n, ast.Name)]
    return []


def _listed(items) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def picked_from_loop(train: list, model: str) -> tuple[str | None, str | None, tuple[int, ...]]:
    """``(name, note, revived)`` when ``model`` is the variable of a loop fitting the models a
    container holds (``for name, m in models.items(): m.fit(...)``): the name a later statement
    picks from that container (``best = models[max(scores, key=scores.get)]``), served instead
    of the loop's last model, and the positions in ``train`` of the statements computing the
    pick that were left out as exploration (nothing read them: they must become code); or a
    note saying the loop's last model is served, when no statement picks one."""
    loop = None
    for position, piece in enumerate(train):
        node = piece.statement.node
        if loop is None:
            container = _looped_container(node, model) if piece.statement.kind == CODE else None
            if container is not None:
                loop = (piece.cell.cell.index, node.lineno, container)
            continue
        for target, value in _assignments(node):
            if _picks_from(value, loop[2]):
                note = (
                    f"cell {loop[0]} line {loop[1]} fits each model of `{loop[2]}` in a loop: "
                    f"the service serves the one cell {piece.cell.cell.index} line "
                    f"{node.lineno} picks (`{target} = {ast.unparse(value)}`), not the loop's "
                    "last"
                )
                return target, note, _needed(train, position)
    if loop is None:
        return None, None, ()
    cell, line, container = loop
    return (
        None,
        f"cell {cell} line {line} fits each model of `{container}` in a loop and keeps none by "
        f"name: the service serves the loop's last one (`{model}` after the loop); pick the "
        f"one to serve after the loop (`model = {container}[...]`) to serve it instead",
        (),
    )


def _needed(train: list, position: int) -> tuple[int, ...]:
    """``position`` and the statements before it binding what it reads, when they are not code."""
    needed = {n.id for n in walk_nodes(train[position].statement.node) if isinstance(n, ast.Name)}
    revived = [position] if train[position].statement.kind != CODE else []
    for earlier in range(position - 1, -1, -1):
        statement = train[earlier].statement
        if statement.kind == CODE or not set(_assigned(statement.node)) & needed:
            continue
        revived.append(earlier)
        needed |= {n.id for n in walk_nodes(statement.node) if isinstance(n, ast.Name)}
    return tuple(sorted(revived))


def _looped_container(node: ast.stmt, model: str) -> str | None:
    """``models`` for ``for m in models``, ``for name, m in models.items()``, ``.values()``,
    ``enumerate(models)`` or ``zip(names, models)``, when the loop variable is ``model``."""
    if not isinstance(node, ast.For) or not any(
        isinstance(n, ast.Name) and n.id == model for n in walk_nodes(node.target)
    ):
        return None
    source = node.iter
    if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute):
        if source.func.attr in ("items", "values") and not source.args:
            source = source.func.value
    elif isinstance(source, ast.Call) and isinstance(source.func, ast.Name):
        if source.func.id == "enumerate" and source.args:
            source = source.args[0]
        elif source.func.id == "zip" and source.args:
            source = source.args[-1]
    return source.id if isinstance(source, ast.Name) else None


def _assignments(node: ast.stmt):
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        if isinstance(node.targets[0], ast.Name):
            yield node.targets[0].id, node.value


def _picks_from(value: ast.expr, container: str) -> bool:
    """``models[best]``, ``models.get(best)``: a value taken out of ``container``."""
    if isinstance(value, ast.Subscript):
        return isinstance(value.value, ast.Name) and value.value.id == container
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "get"
        and isinstance(value.func.value, ast.Name)
        and value.func.value.id == container
    )
