"""Plan a predict() over raw rows of the one frame the notebook cleans and then splits.

The most common notebook loads one CSV, cleans it (maps, fills, one-hot columns, new feature
columns, dropped columns) and splits it::

    df = pd.read_csv("passengers.csv")
    df["Age"] = df["Age"].fillna(df["Age"].median())
    df = pd.get_dummies(df, columns=["Embarked"])
    X = df.drop("Survived", axis=1)
    y = df["Survived"]
    X_train, X_test, y_train, y_test = train_test_split(X, y)
    model.fit(X_train, y_train)
    predictions = model.predict(X_test)

Rows of ``X_test`` are rows of ``X``, which is a row-wise cleaning of ``df``: the service takes
raw rows of ``df`` as the CSV has them, less the target and the columns the cleaning drops
without reading them, and predict() replays the cleaning from ``df`` to ``X`` (records_plan's
replay: statistics such as the median and the one-hot columns are fixed at train time, on the
whole frame the notebook computed them on), then predicts on ``X`` as the notebook predicts on
``X_test``. A cleaning that cannot be replayed per record raises Unsupported (the caller keeps
records shaped like the training features, with a note saying why).
"""

from __future__ import annotations

import ast
import copy
from dataclasses import replace

from .defuse import BUILTIN_NAMES
from .records_plan import (
    RESERVED,
    SCOPES,
    RecordsPlan,
    Unsupported,
    _backward,
    _check_aliases,
    _check_called_once,
    _column_key,
    _defs,
    _dropped,
    _generate,
    _helpers_used,
    _is_literal,
    _reads,
    _where,
    taint,
)
from .statements import CODE
from .tree_walk import child_nodes, walk_nodes

SPLITTERS = frozenset({"train_test_split"})
# uses of a whole frame that work the same when it lacks a column they do not name
COLUMN_AGNOSTIC = frozenset({"drop", "copy", "get_dummies"})
FRAME_ATTRS = frozenset({"values", "columns", "T", "dtypes", "shape", "iloc", "loc", "index"})


def plan_split_records(
    pieces: dict,
    flows: dict,
    imports: dict,
    helpers: dict[str, str],
    parameters: set[str],
    model: str,
    features: str | None,
    predict_piece=None,
    call: ast.Call | None = None,
) -> RecordsPlan | None:
    """predict() over raw rows of the loaded frame ``features`` was split from, or None when the
    model was not fitted on a split of a cleaned loaded frame (or predicts on other rows)."""
    sequence = [
        p
        for stage in ("clean", "train", "predict")
        for p in pieces.get(stage, ())
        if p.statement.kind == CODE
        and not isinstance(p.statement.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    if predict_piece is not None:
        if predict_piece not in sequence:
            return None
        sequence = sequence[: sequence.index(predict_piece)]
    found = _split_of(sequence, features) if features else None
    if found is None:
        return None
    position, source, target, halves = found
    known = {model} | set(imports) | set(helpers) | BUILTIN_NAMES
    if _rebound(sequence[position + 1 :], features, *halves, source):
        return None  # scaled or reshaped after the split: not the rows of `source`
    others = _reads(call.args[0]) - known - set(halves) if call is not None else set()
    if call is not None and not _reads(call.args[0]) & set(halves):
        return None  # predictions on other data than the split's rows
    before = sequence[:position]
    roots = []
    for root in flows["outputs"].get("load", ()):
        if _is_literal(pieces.get("load", ()), root):
            continue
        refitted = _refitted(before, root)
        tainted = _taint_except(before, root, refitted)
        if source in tainted:
            roots.append((root, tainted, refitted))
    if len(roots) != 1:
        return None
    root, tainted, refitted = roots[0]
    if root in RESERVED or (tainted - {root}) & set(RESERVED):
        return None
    if others & taint(sequence, root):
        return None  # X_test with other data (a second split, a frame built from the data)
    lineage = _backward(before, root, tainted, {source})
    if not lineage:
        return None  # `source` is the loaded frame itself: its rows are the records already
    _check_aliases(before, lineage, root)
    anchor = _predict_anchor(sequence, model, source, halves, predict_piece, call)
    if anchor is None:
        return None
    anchor_piece, anchor_call = anchor
    target_columns = _target_columns(before, target, tainted)
    fitting_only = _target_only(lineage, tainted, target_columns)
    unserved = sorted(target_columns | _dropped_unread(lineage, tainted))
    keys: dict[str, int] = {}
    used_helpers, copies = _helpers_used(lineage + [anchor_piece], helpers, pieces, imports, keys)
    _check_called_once(lineage + [anchor_piece], copies)
    plan = _generate(
        keys,
        copies,
        pieces,
        before,
        lineage,
        anchor_piece,
        anchor_call,
        root,
        tainted,
        flows,
        imports,
        helpers,
        used_helpers,
        parameters,
        model,
        "load",
        fitting_only=frozenset(id(p) for p in fitting_only),
        lenient_drops=bool(unserved),
        refitted=refitted,
    )
    cells = ", ".join(str(c) for c in plan.cells if c != anchor_piece.cell.cell.index)
    without = (
        f", without {', '.join(f'`{c}`' for c in unserved)} (the target and the columns the "
        "cleaning drops unread)"
        if unserved
        else ""
    )
    note = (
        f"predict() receives raw rows of `{root}` as the load stage returns it{without}, and "
        f"replays the notebook's cleaning from `{root}` to `{source}` (cells {cells}) before "
        f"`{model}.predict`: the rows {_where(sequence[position])} splits into "
        f"{' and '.join(f'`{h}`' for h in halves)}."
    )
    if plan.uses_fitted:
        note += (
            f" Statistics of `{root}` the cleaning takes (medians, modes, one-hot columns, "
            "fitted encoders) are computed once at train time on the whole frame, as in the notebook, and stored with "
            "the model: a request is never cleaned with statistics of its own batch."
        )
    return replace(plan, note=note, unserved=tuple(unserved))


def _refitted(before: list, root: str) -> frozenset[str]:
    """Encoders the cleaning fits on the frame (``le.fit_transform(df["Sex"])``), fitted again
    at train time: bound to what reads no records, not fitted inside a loop or comprehension
    (one fitted state per statement), not given a target."""
    tainted = taint(before, root)
    fitted, refused = set(), set()
    for piece in before:
        node = piece.statement.node
        looped = {
            id(sub)
            for scope in walk_nodes(node)
            if isinstance(scope, (ast.For, ast.While, *SCOPES))
            for sub in walk_nodes(scope)
        }
        for sub in walk_nodes(node):
            if not (
                isinstance(sub, ast.Call)
                and isinstance(sub.func, ast.Attribute)
                and sub.func.attr == "fit_transform"
                and isinstance(sub.func.value, ast.Name)
            ):
                continue
            name = sub.func.value.id
            ok = len(sub.args) == 1 and not sub.keywords and id(sub) not in looped
            (fitted if ok else refused).add(name)
        if isinstance(node, ast.Assign) and _reads(node.value) & tainted:
            refused |= _defs(node)[0]  # bound from the data
    return frozenset(fitted - refused - {root})


def _taint_except(sequence: list, root: str, clean: frozenset[str]) -> set[str]:
    """``taint`` where fitting an encoder in ``clean`` on records does not make it records."""
    tainted = {root}
    for piece in sequence:
        rebound, changed, read = _defs(piece.statement.node)
        if read & tainted:
            tainted |= rebound | changed
        else:
            tainted -= rebound
        tainted -= clean
    return tainted


def _split_of(sequence: list, features: str):
    """(position, split input, target input, the input's halves) of the ``train_test_split``
    statement binding ``features`` (``X_train, X_test, y_train, y_test = ...(X, y)``), or None."""
    for position in range(len(sequence) - 1, -1, -1):
        node = sequence[position].statement.node
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Tuple)
            and isinstance(node.value, ast.Call)
            and _name(node.value.func) in SPLITTERS
        ):
            continue
        names = [e.id if isinstance(e, ast.Name) else None for e in node.targets[0].elts]
        if features not in names:
            continue
        args = node.value.args
        index = names.index(features) // 2
        if len(names) != 2 * len(args) or not all(isinstance(a, ast.Name) for a in args):
            return None
        halves = tuple(n for n in names[2 * index : 2 * index + 2] if n)
        target = args[1 - index].id if len(args) == 2 else None
        return position, args[index].id, target, halves
    return None


def _name(func: ast.expr | None) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _rebound(sequence: list, *names: str) -> bool:
    return any(
        (_defs(p.statement.node)[0] | _defs(p.statement.node)[1]) & set(names) for p in sequence
    )


def _predict_anchor(sequence, model, source, halves, predict_piece, call):
    """(piece, call) of the prediction predict() makes: the notebook's own predict call with
    the split's half replaced by ``source`` (``model.predict(X)`` for ``model.predict(X_test)``),
    or ``model.predict(source)`` after the fit when the notebook only shows a score."""
    if predict_piece is None or call is None:
        fits = [p for p in sequence if p.stage == "train" and _fits(p.statement.node, model)]
        if not fits:
            return None
        node = ast.Expr(ast.parse(f"{model}.predict({source})", mode="eval").body)
        node = ast.fix_missing_locations(ast.copy_location(node, fits[-1].statement.node))
        piece = replace(fits[-1], statement=replace(fits[-1].statement, node=node), stage="predict")
        return piece, node.value
    original = predict_piece.statement.node
    position = next(i for i, sub in enumerate(ast.walk(original)) if sub is call)
    node = copy.deepcopy(original)
    new_call = list(ast.walk(node))[position]
    for argument in new_call.args[:1]:
        for sub in ast.walk(argument):
            if isinstance(sub, ast.Name) and sub.id in halves:
                sub.id = source
    return replace(predict_piece, statement=replace(predict_piece.statement, node=node)), new_call


def _fits(node: ast.AST, model: str) -> bool:
    return any(
        isinstance(sub, ast.Call)
        and isinstance(sub.func, ast.Attribute)
        and sub.func.attr in ("fit", "fit_predict")
        and isinstance(sub.func.value, ast.Name)
        and sub.func.value.id == model
        for sub in ast.walk(node)
    )


def _target_columns(before: list, target: str | None, tainted: set[str]) -> set[str]:
    """Columns of the cleaned frame the target is read from (``y = df["Survived"]``)."""
    if target is None:
        return set()
    for piece in reversed(before):
        node = piece.statement.node
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == target for t in node.targets
        ):
            return _columns_named(node.value, tainted)
    return set()


def _columns_named(node: ast.AST, frames: set[str]) -> set[str]:
    """Columns of ``frames`` an expression names: ``df["a"]``, ``df[["a", "b"]]``, ``df.a``."""
    columns = set()
    methods = {id(c.func) for c in walk_nodes(node) if isinstance(c, ast.Call)}
    for sub in walk_nodes(node):
        if _popped(sub, frames) is not None:  # y = df.pop("Survived")
            columns.add(_popped(sub, frames))
        if id(sub) in methods:  # df.fillna(...): a method, not a column
            continue
        if not (
            isinstance(sub, (ast.Subscript, ast.Attribute))
            and isinstance(sub.value, ast.Name)
            and sub.value.id in frames
        ):
            continue
        key = _column_key(sub, sub.value.id)
        if key is not None:
            columns.add(key)
        elif isinstance(sub, ast.Subscript) and isinstance(sub.slice, (ast.List, ast.Tuple)):
            columns |= {str(e.value) for e in sub.slice.elts if isinstance(e, ast.Constant)}
    return columns


def _popped(node: ast.AST, frames: set[str]) -> str | None:
    """The column of ``frame.pop("col")``, or None."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "pop"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in frames
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
    ):
        return str(node.args[0].value)
    return None


def _target_only(lineage: list, tainted: set[str], target: set[str]) -> list:
    """Statements of the lineage that only change the target column from itself
    (``df["Survived"] = df["Survived"].astype(int)``): replayed at train time only. A statement
    reading the target for anything else cannot be served (a record has no target)."""
    if not target:
        return []
    only = []
    for piece in lineage:
        node = piece.statement.node
        read = _columns_named(node, tainted)
        if not read & target:
            continue
        written = _written_columns(node, tainted)
        popped = _popped(getattr(node, "value", None), tainted)
        if (written and written <= target or popped in target) and read <= target:
            only.append(piece)
            continue
        if _drop_lists(node, tainted) & target and not (read - _drop_lists(node, tainted)) & target:
            continue  # X = df.drop("Survived", axis=1)
        raise Unsupported(
            f"{_where(piece)} reads the target column `{sorted(read & target)[0]}` to clean the "
            "features; the served predict() receives records without the target"
        )
    return only


def _written_columns(node: ast.stmt, frames: set[str]) -> set[str]:
    targets = node.targets if isinstance(node, ast.Assign) else []
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    columns = set()
    for target in targets:
        for frame in frames:
            key = _column_key(target, frame)
            if key is not None:
                columns.add(key)
    return columns if len(columns) == len(targets) else set()


def _drop_lists(node: ast.AST, frames: set[str]) -> set[str]:
    """Columns named in ``frame.drop(...)`` calls of a statement."""
    columns = set()
    for sub in walk_nodes(node):
        if (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Attribute)
            and sub.func.attr == "drop"
            and isinstance(sub.func.value, ast.Name)
            and sub.func.value.id in frames
        ):
            columns |= _dropped(sub, sub.func.value.id) or set()
    return columns


def _dropped_unread(lineage: list, tainted: set[str]) -> set[str]:
    """Columns a ``frame.drop([...])`` of the lineage removes that nothing before it reads: a
    record may lack them. A statement using a whole frame other than through drop/copy/
    get_dummies(columns=[...])/concat (a notebook function, ``apply(axis=1)``) may read any
    column."""
    unread: set[str] = set()
    read: set[str] = set()
    opaque = False
    for piece in lineage:
        node = piece.statement.node
        dropped = _drop_lists(node, tainted)
        named = _columns_named(node, tainted)
        unread |= dropped - read - named if not opaque else set()
        read |= named
        opaque = opaque or _whole_frame_use(node, tainted)
    return unread


def _whole_frame_use(node: ast.AST, frames: set[str]) -> bool:
    parents = {id(c): p for p in walk_nodes(node) for c in child_nodes(p)}
    for sub in walk_nodes(node):
        if not (isinstance(sub, ast.Name) and sub.id in frames and isinstance(sub.ctx, ast.Load)):
            continue
        parent = parents.get(id(sub))
        if isinstance(parent, ast.Subscript) and parent.value is sub:
            if _column_key(parent, sub.id) is not None or isinstance(
                parent.slice, (ast.List, ast.Tuple)
            ):
                continue
        if isinstance(parent, ast.Attribute) and parent.value is sub:
            grand = parents.get(id(parent))
            called = isinstance(grand, ast.Call) and grand.func is parent
            if parent.attr in COLUMN_AGNOSTIC or not (called or parent.attr in FRAME_ATTRS):
                continue  # df.Age, df.drop(...), df.copy()
        if isinstance(parent, (ast.List, ast.Tuple)) and _name(
            getattr(parents.get(id(parent)), "func", None)
        ) in ("concat",):
            continue  # pd.concat([df, dummies], axis=1): df's columns pass through
        if (
            isinstance(parent, ast.Call)
            and _name(parent.func) == "get_dummies"
            and any(k.arg == "columns" for k in parent.keywords)
        ):
            continue
        return True
    return False
