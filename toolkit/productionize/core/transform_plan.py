"""Plan a predict() that applies the notebook's fitted transformer before the model.

Text classifiers and clusterings rarely fit the model on the data as loaded: the notebook fits a
vectorizer or a scaler and the model on its output, often splitting that output afterwards::

    cv = CountVectorizer()
    X = cv.fit_transform(df["message"])
    X_train, X_test, y_train, y_test = train_test_split(X, y)
    clf.fit(X_train, y_train)

A service taking the transformer's output (4,000 token counts, scaled values) is useless to a
client, and refitting the transformer on a request would be wrong. The served records are what
the transformer was fitted on (``df["message"]``: the raw text field), and
``predict(model, records, fitted)`` applies the transformer fitted at train time, stored with the
model (``fitted["cv"]``), then the model. Traced backward from the model's features through
``train_test_split`` and ``.toarray()`` to ``T.fit_transform(SOURCE)`` (or ``T.transform``).
"""

from __future__ import annotations

import ast

from .codegen import imports_for
from .records_plan import (
    RESERVED,
    RecordsPlan,
    Unsupported,
    _changed_later,
    _column_key,
    _columns_written,
    _defs,
    _function_nodes,
    _where,
)
from .tree_walk import walk_nodes

SPLITTERS = frozenset({"train_test_split"})
TRANSFORMS = frozenset({"fit_transform", "transform"})
DENSIFY = frozenset({"toarray", "todense"})
ROOT = "transformer_input"


def plan_transformed_records(
    pieces: dict,
    flows: dict,
    imports: dict,
    model: str,
    features: str | None,
    helpers: dict | None = None,
) -> RecordsPlan | None:
    """A predict() over what the model's fitted transformer was fitted on, or None when the
    model was fitted on no transformer's output; raises Unsupported (a note) when the chain is
    found but cannot be served."""
    if not features:
        return None
    sequence = _production_sequence(pieces)
    found = _transformer_chain(sequence, features, model)
    if found is None:  # X = df.iloc[:, [3, 4]].values; kmeans.fit(X): serve named columns
        return _plan_named_rows(pieces, sequence, imports, model, features)
    position, transformer, source, dense = found
    piece = sequence[position]
    later = sequence[position + 1 :]
    if transformer in RESERVED:
        raise Unsupported(
            f"{_where(piece)}: the transformer is named `{transformer}`, which the served "
            "predict(model, records, fitted) reserves; rename it in the notebook"
        )
    expression = _source_expression(sequence, position, source, _function_nodes(pieces))
    # X_train = scaler.fit_transform(X_train) right after train_test_split: the stage keeps the
    # input just before that statement; the notebook's own features give its predictions
    rebinds_source = isinstance(source, ast.Name) and source.id in _defs(piece.statement.node)[0]
    if expression is None and not rebinds_source:
        raise Unsupported(
            f"{_where(piece)} fits `{transformer}` on `{ast.unparse(source)}`, which the notebook "
            "changes afterwards; the served predict() cannot tell which values it was fitted on"
        )
    if _changed(later, transformer):
        raise Unsupported(
            f"{_where(piece)} fits `{transformer}`, and the notebook changes it afterwards; the "
            "served predict() would apply another transformer than the model was trained with"
        )
    captures: tuple[tuple[int, int, str, str], ...] = ()
    functions = _function_nodes(pieces)
    cleaning = _cleaning(sequence, position, source, helpers or {}, functions)
    taken = {n for stage in pieces.values() for p in stage for n in _defs(p.statement.node)[0]}
    root = ROOT
    while root in taken:
        root = "_" + root
    steps = [f"{root} = records.copy()"]
    helper_imports: list[str] = []
    if cleaning is not None:  # df["clean"] = df["text"].apply(clean_text): serve the raw text
        clean_piece, raw, method, function = cleaning
        captures = ((clean_piece.cell.cell.index, clean_piece.statement.first_line, root, raw),)
        steps.append(f"{root} = {root}.{method}({function})  # {_where(clean_piece)}")
        helper_imports.append(f"from .{helpers[function]} import {function}")
        expression = f"{raw}.{method}({function})"
        source_text = raw
    elif isinstance(source, ast.Name) and (
        named := _named_frame(sequence, position, source.id, functions)
    ):  # X = df[["a", "b"]].values, then scaler.fit_transform(X): serve df's named columns
        bound, selection, suffix = named
        captures = ((bound.cell.cell.index, bound.statement.first_line, root, selection),)
        steps.append(f"{root} = {root}{suffix}")
        expression = f"{selection}{suffix}"
        source_text = selection
    elif isinstance(source, ast.Name) and source.id not in _rebound(sequence[position:], source.id):
        root = source.id  # the notebook's own variable, unchanged from here on
        steps = [f"{root} = records.copy()"]
        source_text = root
    else:
        captures = ((piece.cell.cell.index, piece.statement.first_line, root, ast.unparse(source)),)
        source_text = ast.unparse(source)
    densify = f".{dense}()" if dense else ""
    key = transformer
    body = "\n".join(
        [
            *steps,
            f"features = fitted[{key!r}].transform({root}){densify}",
            "predictions = model.predict(features)",
            "return predictions.tolist() if hasattr(predictions, 'tolist') else list(predictions)",
        ]
    )
    fit_function = (
        f"def fitted_values({root}, {transformer}):\n"
        f'    """Return the transformer fitted at train time, which predict() applies."""\n'
        f"    return {{{key!r}: {transformer}}}"
    )
    producer = piece.stage
    exports = [(transformer, producer)]
    if not captures:
        exports.append((root, _last_stage_changing(sequence, root) or producer))
    else:
        exports.append((root, producer))
    notebook_expression = (
        f"{model}.predict({transformer}.transform({expression}){densify})"
        if expression is not None
        else f"{model}.predict({features})"
    )
    cleaned = (
        f", cleaned by the notebook's `{cleaning[3]}` ({_where(cleaning[0])})" if cleaning else ""
    )
    note = (
        f"predict() receives `{source_text}`{cleaned}, what `{transformer}` was fitted on "
        f"({_where(piece)}), and applies `{transformer}` as fitted at train time (stored with the "
        f"model, never refitted on a request) before `{model}.predict`."
    )
    return RecordsPlan(
        root=root,
        producer=exports[-1][1],
        cells=(piece.cell.cell.index,),
        predict_body=body,
        fit_function=fit_function,
        fit_inputs=(transformer,),
        helpers=(),
        support=(),
        imports=tuple(
            sorted(
                set(imports_for(body, imports, {"model", "records", "fitted", root}))
                | set(helper_imports)
            )
        ),
        fit_imports=(),
        expression=notebook_expression,
        capture_cell=max(p.cell.cell.index for p in sequence),
        exports=tuple(exports),
        captures=captures,
        note=note,
    )


ARRAY_STEPS = frozenset({"fillna", "astype", "copy"})  # per-record steps before .values


def _named_frame(sequence: list, position: int, name: str, functions: dict):
    """(binding piece, frame selection, suffix) of ``name = df[cols].fillna(0).values`` (or
    ``df.iloc[:, [3, 4]].to_numpy()``) bound before ``position`` and bound once: the model saw
    the selection's columns as an array, so the service takes them by name. None otherwise."""
    at = _last_binding(sequence[:position], name)
    if at is None or sum(name in _defs(p.statement.node)[0] for p in sequence) != 1:
        return None
    node = sequence[at].statement.node
    if not isinstance(node.targets[0], ast.Name):
        return None
    value, suffix = node.value, []
    if isinstance(value, ast.Attribute) and value.attr == "values":
        suffix.append(".values")
        value = value.value
    elif _call_name(value) == "to_numpy" and not value.args and not value.keywords:
        suffix.append(".to_numpy()")
        value = value.func.value
    elif _numpy_array(value):  # np.asarray(df[cols]): the frame's values, as .to_numpy() gives
        suffix.append(".to_numpy()")
        value = value.args[0]
    else:
        return None
    while _call_name(value) in ARRAY_STEPS and isinstance(value.func, ast.Attribute):
        if any(_reads(a) for a in (*value.args, *(k.value for k in value.keywords))):
            return None  # fillna(df.mean()): a statistic, not a per-record step
        suffix.append(ast.unparse(value)[len(ast.unparse(value.func.value)) :])
        value = value.func.value
    if _dropped_columns(value):  # X = df.drop("target", axis=1).values
        if not _unchanged_after(sequence, at, value, functions):
            return None
        return sequence[at], ast.unparse(value), "".join(reversed(suffix))
    if not (isinstance(value, ast.Subscript) and _frame_base(value.value)):
        return None
    if not _unchanged_after(sequence, at, value, functions):
        if _selected_columns(sequence, at, value, functions) is None:
            return None
    # `df[features]` -> `df[["income", "age"]]`: verify evaluates it after the last cell, when
    # `features` may have changed (`features = features + [...]` for another selection)
    key = value.slice
    columns = key.elts[1] if isinstance(key, ast.Tuple) and len(key.elts) == 2 else key
    names = _string_list(columns, sequence, at) if isinstance(columns, ast.Name) else None
    if names:
        listed = ast.List([ast.Constant(c) for c in names], ast.Load())
        key = ast.Tuple([key.elts[0], listed], ast.Load()) if columns is not key else listed
        value = ast.Subscript(value.value, key, ast.Load())
    return sequence[at], ast.unparse(value), "".join(reversed(suffix))


def _numpy_array(node: ast.expr) -> bool:
    """``np.asarray(frame)``, ``np.array(frame)``: one argument, no dtype."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("asarray", "array")
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in ("np", "numpy")
        and len(node.args) == 1
        and not node.keywords
    )


def _dropped_columns(node: ast.expr) -> bool:
    """``df.drop("y", axis=1)``, ``df.drop(columns=["y", "id"])``: the frame less named columns."""
    if not (
        _call_name(node) == "drop"
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
    ):
        return False
    keywords = {k.arg: k.value for k in node.keywords}
    if "columns" in keywords:
        names, rest = keywords.pop("columns"), node.args
    elif len(node.args) == 1 and ast.unparse(keywords.pop("axis", ast.Constant(0))) in (
        "1",
        "'columns'",
    ):
        names, rest = node.args[0], ()
    else:
        return False
    listed = names.elts if isinstance(names, (ast.List, ast.Tuple)) else [names]
    return (
        not rest
        and not keywords
        and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in listed)
    )


def _selected_columns(sequence: list, at: int, selection: ast.Subscript, functions):
    """The column list of ``df[features]`` (a name bound once before to ``["a", "b"]``, or the
    list written out) when the selection still gives the same values after ``sequence[at]``:
    the frame may gain or change other columns (``df["ratio"] = ...``), not these, nor be
    rebound or lose rows. None otherwise."""
    base, key = selection.value, selection.slice
    if isinstance(base, ast.Attribute):
        # .iloc positions could shift; .loc[mask, cols] picks rows by a value that may change
        if not (
            base.attr == "loc"
            and isinstance(key, ast.Tuple)
            and len(key.elts) == 2
            and ast.unparse(key.elts[0]) == ":"
        ):
            return None
        base, key = base.value, key.elts[1]
    if not isinstance(base, ast.Name):
        return None
    columns = _string_list(key, sequence, at)
    if columns is None:
        return None
    for piece in sequence[at + 1 :]:
        rebound, changed, _ = _defs(piece.statement.node)
        if base.id in rebound:
            return None
        if base.id in changed:
            written = _columns_written(piece.statement.node, base.id, functions)
            if written is None or written & set(columns):
                return None
    return key


def _string_list(node: ast.expr, sequence: list, at: int) -> list[str] | None:
    """The column names of ``["a", "b"]``, or of a name bound to such a list before
    ``sequence[at]`` and unchanged until then (``features = ["a", "b"]``); None otherwise."""
    if isinstance(node, ast.Name):
        binding = _last_binding(sequence[:at], node.id)
        if binding is None or _rebound(sequence[binding + 1 : at], node.id):
            return None
        bound = sequence[binding].statement.node
        if not isinstance(bound.targets[0], ast.Name):
            return None
        node = bound.value
    if not isinstance(node, (ast.List, ast.Tuple)) or not node.elts:
        return None
    if not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return None
    return [e.value for e in node.elts]


def _frame_base(node: ast.expr) -> bool:
    """``df`` or ``df.iloc`` / ``df.loc``."""
    if isinstance(node, ast.Attribute) and node.attr in ("iloc", "loc"):
        node = node.value
    return isinstance(node, ast.Name)


def _reads(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _plan_named_rows(pieces, sequence, imports, model, features) -> RecordsPlan | None:
    """predict() over named columns when the model was fitted on ``df[cols].values`` itself,
    or on a half of its ``train_test_split`` (rows of it)."""
    position, name = len(sequence), features
    split = _split_source(sequence, features)
    if split is not None:
        position, name = split
    named = _named_frame(sequence, position, name, _function_nodes(pieces))
    if named is None:
        return None
    bound, selection, suffix = named
    taken = {n for stage in pieces.values() for p in stage for n in _defs(p.statement.node)[0]}
    root = ROOT
    while root in taken:
        root = "_" + root
    body = "\n".join(
        [
            f"{root} = records.copy()",
            f"features = {root}{suffix}",
            "predictions = model.predict(features)",
            "return predictions.tolist() if hasattr(predictions, 'tolist') else list(predictions)",
        ]
    )
    split_from = f", rows of `{name}` split at {_where(sequence[position])}" if split else ""
    note = (
        f"predict() receives rows of `{selection}` ({_where(bound)}), the columns `{model}` was "
        f"fitted on as an array (`{features}`{split_from}), by name, and applies `{suffix}` "
        f"before `{model}.predict`."
    )
    return RecordsPlan(
        root=root,
        producer=bound.stage,
        cells=(bound.cell.cell.index,),
        predict_body=body,
        fit_function="",
        fit_inputs=(),
        helpers=(),
        support=(),
        imports=tuple(imports_for(body, imports, {"model", "records", root})),
        fit_imports=(),
        expression=f"{model}.predict({selection}{suffix})",
        capture_cell=max(p.cell.cell.index for p in sequence),
        exports=((root, bound.stage),),
        captures=((bound.cell.cell.index, bound.statement.first_line, root, selection),),
        note=note,
    )


def _split_source(sequence: list, features: str) -> tuple[int, str] | None:
    """(position, input) of ``X_train, X_test, ... = train_test_split(X, y, ...)`` binding
    ``features``, when neither half is changed afterwards (scaled, reshaped): its rows are rows
    of ``X``. None otherwise."""
    for position in range(len(sequence) - 1, -1, -1):
        node = sequence[position].statement.node
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Tuple)
            and _call_name(node.value) in SPLITTERS
        ):
            continue
        names = [e.id if isinstance(e, ast.Name) else None for e in node.targets[0].elts]
        if features not in names:
            continue
        args = node.value.args
        if len(names) != 2 * len(args):
            return None
        index = names.index(features) // 2
        source, halves = args[index], [n for n in names[2 * index : 2 * index + 2] if n]
        if not isinstance(source, ast.Name) or _changed(sequence[position + 1 :], *halves):
            return None
        return position, source.id
    return None


def _cleaning(sequence: list, position: int, source: ast.expr, helpers: dict, functions: dict):
    """(piece, raw column, method, function) of ``df["clean"] = df["text"].apply(clean_text)``
    making the column the transformer is fitted on, when replaying it on the raw text gives the
    notebook's value: a function of the notebook applied row by row, the raw column unchanged
    afterwards. None otherwise (the records are then the cleaned values)."""
    if not (
        isinstance(source, ast.Subscript)
        and isinstance(source.value, ast.Name)
        and isinstance(source.slice, ast.Constant)
        and isinstance(source.slice.value, str)
    ):
        return None
    frame, column = source.value.id, source.slice.value
    for index in range(position - 1, -1, -1):
        candidate = sequence[index]
        node = candidate.statement.node
        rebound, changed, _ = _defs(node)
        if frame not in rebound | changed:
            continue
        written = _columns_written(node, frame, functions)
        if written is not None and column not in written:
            continue  # another column of the frame
        value = getattr(node, "value", None)
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and _column_key(node.targets[0], frame) == column
            and isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in ("apply", "map")
            and len(value.args) == 1
            and not value.keywords
            and isinstance(value.args[0], ast.Name)
            and value.args[0].id in helpers
            and _column_key(value.func.value, frame) is not None
        ):
            return None
        raw = value.func.value
        if _changed_later(sequence, candidate, frame, raw, functions):
            return None  # rows dropped or the raw column changed afterwards
        return candidate, ast.unparse(raw), value.func.attr, value.args[0].id
    return None


def transformer_output(pieces: dict, name: str, model: str) -> bool:
    """Whether ``name`` is bound by ``T.fit_transform(...)`` / ``T.transform(...)``, directly or
    through ``train_test_split`` / ``.toarray()`` (``X = cv.fit_transform(X)`` then
    ``X_train, X_test, ... = train_test_split(X, y)``: ``X_test`` holds token counts)."""
    return _transformer_chain(_production_sequence(pieces), name, model) is not None


def _production_sequence(pieces: dict) -> list:
    return [
        p
        for stage in ("load", "clean", "train")
        for p in pieces.get(stage, ())
        if p.statement.kind == "code"
        and not isinstance(p.statement.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]


def _undensified(value: ast.expr) -> ast.expr:
    if _call_name(value) in DENSIFY and isinstance(value.func, ast.Attribute):
        return value.func.value
    return value


def _transformer_chain(sequence: list, features: str, model: str):
    """(position, transformer, source expression, densify method) of ``T.fit_transform(SOURCE)``
    the model's features come from, or None."""
    name = features
    end = len(sequence)
    while True:
        position = _last_binding(sequence[:end], name)
        if position is None:
            return None
        node = sequence[position].statement.node
        value = node.value
        if isinstance(node.targets[0], ast.Tuple):  # X_train, X_test, ... = train_test_split(X, y)
            if _call_name(value) not in SPLITTERS:
                return None
            names = [e.id if isinstance(e, ast.Name) else None for e in node.targets[0].elts]
            index = names.index(name) // 2
            if index >= len(value.args) or not isinstance(value.args[index], ast.Name):
                return None
            name, end = value.args[index].id, position
            continue
        dense = None
        if _call_name(value) in DENSIFY and isinstance(value.func, ast.Attribute):
            dense, value = value.func.attr, value.func.value
        if not (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in TRANSFORMS
            and isinstance(value.func.value, ast.Name)
            and value.func.value.id != model
            and len(value.args) == 1
            and not value.keywords
        ):
            return None
        return position, value.func.value.id, value.args[0], dense


def _last_binding(sequence: list, name: str) -> int | None:
    """Position of the last plain assignment binding ``name`` (alone or in a tuple)."""
    for position in range(len(sequence) - 1, -1, -1):
        node = sequence[position].statement.node
        rebound, changed, _ = _defs(node)
        if name not in rebound | changed:
            continue
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            return None
        target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == name:
            return position
        if isinstance(target, ast.Tuple) and any(
            isinstance(e, ast.Name) and e.id == name for e in target.elts
        ):
            return position
        return None
    return None


def _source_expression(
    sequence: list, position: int, source: ast.expr, functions: dict
) -> str | None:
    """The source as the notebook can still evaluate it after its last production cell: the
    expression itself when nothing changes what it reads afterwards (other columns of a frame
    may change), or the expression a name rebound by the fitting statement
    (``X = cv.fit_transform(X)``) was assigned before."""
    if _unchanged_after(sequence, position, source, functions):
        return ast.unparse(source)
    if not isinstance(source, ast.Name):
        return None
    before = _last_binding(sequence[:position], source.id)
    if before is None or not isinstance(sequence[before].statement.node.targets[0], ast.Name):
        return None
    value = sequence[before].statement.node.value
    if not _unchanged_after(sequence, before, value, functions):
        return None
    return ast.unparse(value)


def _unchanged_after(sequence: list, position: int, expression: ast.expr, functions) -> bool:
    piece = sequence[position]
    rebound = _defs(piece.statement.node)[0]
    reads = {n.id for n in walk_nodes(expression) if isinstance(n, ast.Name)}
    if reads & rebound:
        return False
    return not any(_changed_later(sequence, piece, n, expression, functions) for n in reads)


def _rebound(sequence: list, *names: str) -> set[str]:
    found = set()
    for piece in sequence:
        rebound, changed, _ = _defs(piece.statement.node)
        found |= (rebound | changed) & set(names)
    return found


def _changed(sequence: list, *names: str) -> bool:
    return bool(_rebound(sequence, *names))


def _last_stage_changing(sequence: list, name: str) -> str | None:
    for piece in reversed(sequence):
        rebound, changed, _ = _defs(piece.statement.node)
        if name in rebound | changed:
            return piece.stage
    return None


def _call_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            return node.func.attr
        if isinstance(node.func, ast.Name):
            return node.func.id
    return None
