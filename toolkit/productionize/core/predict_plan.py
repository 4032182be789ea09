"""Plan the predict stage: the served ``predict(model, records)`` and the notebook's evaluation.

The statement of a predict cell that calls the model on upstream records becomes ``predict()``
(renamed to the contract's ``model``/``records``); the rest of the predict cells becomes
``evaluate()``, which calls ``predict()`` for that statement. A notebook without such a
statement gets a ``predict()`` that applies the model's own ``predict``.
"""

from __future__ import annotations

import ast

from ..errors import SplitError
from ..model import Notebook, StageSpec
from . import tags as tag_grammar
from .codegen import (
    constants_for,
    dropped_entry,
    imports_for,
    ordered_defs,
    ordered_uses,
    rename_names,
    statement_text,
)
from .defuse import BUILTIN_NAMES, analyze_tree, statement_names
from .hand_scaling import hand_scaling_note
from .records_plan import RecordsPlan, Unsupported, plan_records
from .shown_metrics import shown_metric
from .split_records import plan_split_records
from .statements import CODE, DISPLAY
from .transform_plan import plan_transformed_records, transformer_output
from .tree_walk import walk_nodes

STAGES = tag_grammar.STAGES
PREDICT_METHODS = ("predict", "predict_proba", "decision_function", "transform")


def predict_call(node: ast.AST, model: str) -> ast.Call | None:
    """The first ``model.predict*(records, ...)`` call in a statement, if any."""
    for call in walk_nodes(node):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in PREDICT_METHODS
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == model
            and call.args
        ):
            return call
    return None


# transformations that keep a frame's columns: applied to records shaped like the training
# features they give what the model saw; drop()/[cols] would not (served records lack those columns)
SAME_COLUMNS_ATTRS = ("values", "T")
SAME_COLUMNS_METHODS = ("to_numpy", "astype", "fillna", "copy", "infer_objects", "convert_dtypes")


def records_of(call: ast.Call, allowed: set[str]) -> str | None:
    """The frame the model's records argument is (``X``) or keeps the columns of
    (``X.to_numpy()``, ``X.fillna(0)``), or None."""
    node = call.args[0]
    while not isinstance(node, ast.Name):
        if isinstance(node, ast.Attribute) and node.attr in SAME_COLUMNS_ATTRS:
            node = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SAME_COLUMNS_METHODS
            and not (_reads(node.args) | _reads(k.value for k in node.keywords)) - allowed
        ):
            node = node.func.value
        else:
            return None
    return node.id


def _reads(nodes) -> set[str]:
    body = [ast.Expr(n) for n in nodes]
    return analyze_tree(ast.Module(body=body, type_ignores=[])).used if body else set()


def _candidates(pieces: list, model: str, allowed: set[str], features: str | None) -> list:
    found = [
        (piece, call)
        for piece in pieces
        if piece.statement.kind == CODE
        and (call := predict_call(piece.statement.node, model)) is not None
    ]
    # prefer predictions on held-out records over predictions on the training features
    found.sort(key=lambda pc: records_of(pc[1], allowed) == features)
    return found


def plan_served_records(
    pieces: dict,
    flows: dict,
    imports: dict,
    helpers: dict[str, str],
    parameters: list,
    model: str,
    features: str | None,
) -> RecordsPlan | str | None:
    """A predict() over raw rows of the frame the notebook predicts on (``test``), a note saying
    why that frame's cleaning cannot be replayed per record, or None (records are features).

    Stages that keep a value predict() needs only locally are told to return it (``flows``)."""
    served = _served_records(pieces, flows, imports, helpers, parameters, model, features)
    if isinstance(served, RecordsPlan):
        return served
    scaled = hand_scaling_note(pieces, features)  # X = (X - X.mean()) / X.std(), not replayed
    return f"{served}; {scaled}" if served and scaled else served or scaled


def _served_records(pieces, flows, imports, helpers, parameters, model, features):
    names = {p.name for p in parameters}
    allowed = {model} | set(imports) | names | BUILTIN_NAMES
    found = _candidates(pieces.get("predict", []), model, allowed, features)
    served = None
    fallback = f"the served predict() applies `{model}.predict` to records shaped like the training features"
    # one frame cleaned, then train_test_split(X, y): serve its raw rows, cleaned in predict()
    split_note = None
    try:
        piece, call = found[0] if found else (None, None)
        served = plan_split_records(
            pieces, flows, imports, helpers, names, model, features, piece, call
        )
    except Unsupported as exc:
        split_note = (
            f"the service takes cleaned rows (shaped like `{features}`), not the raw rows the "
            f"notebook loads: {exc}; {fallback}"
        )
    if served is None and found:
        piece, call = found[0]
        try:
            reshaping = records_of(call, allowed) is None
            served = plan_records(
                pieces, flows, imports, helpers, names, model, piece, call, reshaping
            )
        except Unsupported as exc:
            return split_note or f"{exc}; {fallback}"
    # the model was fitted on a vectorizer's or scaler's output: serve what that was fitted on
    # (also instead of rows of the transformer's output the notebook predicts on: X_test_cv)
    if served is None or transformer_output(pieces, served.root, model):
        try:
            served = (
                plan_transformed_records(pieces, flows, imports, model, features, helpers) or served
            )
        except Unsupported as exc:
            return split_note or f"{exc}; {fallback}"
    if served is None and split_note:
        return split_note
    if served is not None:
        for name, stage in served.exports:
            if name not in flows["outputs"][stage]:
                flows["outputs"][stage].append(name)
    return served


def plan_predict(
    notebook: Notebook,
    pieces: list,
    flows: dict,
    parameters: list,
    constants: dict[str, str],
    imports: dict[str, tuple[str, str]],
    replacements: dict,
    helpers: dict[str, str],
    model: str,
    features: str | None,
    served: RecordsPlan | str | None = None,
    train_pieces: list = (),
    carried: tuple[str, ...] = (),
) -> tuple[StageSpec, StageSpec | None, str | None, str, list[str], list[str], tuple]:
    """Plan ``predict`` and ``evaluate``; return them, the records and predictions names, the
    evaluation's value names, notes for the generated README and the scores the notebook only
    shows, named by the evaluation (``(name, notebook expression, cell)``, see shown_metrics)."""
    if isinstance(served, RecordsPlan):
        return _plan_served(
            served,
            pieces,
            flows,
            parameters,
            constants,
            imports,
            replacements,
            helpers,
            model,
            carried,
        )
    notes: list[str] = []
    slice_piece = None
    records = None
    prediction = "predictions"
    allowed = {model} | set(imports) | {p.name for p in parameters} | BUILTIN_NAMES
    candidates = _candidates(pieces, model, allowed, features)
    for piece, call in candidates[:1]:
        node = piece.statement.node
        records = records_of(call, allowed)
        reshaped = set() if records else _reads(call.args[:1]) - allowed
        used = statement_names(node).used
        # predict() is served on its own: it sees neither upstream values nor parameters
        extra = sorted((used - allowed - {records}) | (used & {p.name for p in parameters}))
        train_only = [n for n in extra if flows["inputs"]["predict"].get(n) == "train"]
        if train_only:
            cell = piece.cell.cell.index
            raise SplitError(
                f"predict cell {cell} needs training-only value(s) "
                f"{', '.join('`' + n + '`' for n in train_only)} besides the model `{model}`; "
                "put that step inside the model (e.g. an sklearn Pipeline) so prediction needs "
                "only the model, or tag the cell that computes it 'train'",
                notebook.location(notebook.cells[cell]),
            )
        simple = (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and records is not None
            and flows["inputs"]["predict"].get(records) in STAGES  # records come from upstream
        )
        if simple and not extra:
            slice_piece, prediction = piece, node.targets[0].id
        else:
            records = None
        if isinstance(served, str):
            notes.append(served)
        elif len(reshaped) == 1:
            notes.append(
                f"cell {piece.cell.cell.index} predicts on `{ast.unparse(call.args[0])}`, a "
                f"reshaping of `{next(iter(reshaped))}`; the served predict() receives records "
                f"shaped like the training features, so it applies `{model}.predict` to them"
            )
        elif extra:
            notes.append(
                f"cell {piece.cell.cell.index} also needs {', '.join(extra)}: the served "
                f"predict() applies `{model}.predict` directly"
            )
    if isinstance(served, str) and not candidates:  # only a score: why records are features
        notes.append(served)
    if slice_piece is not None:
        text = statement_text(slice_piece.cell, slice_piece.statement, replacements)
        text = rename_names(text, {model: "model", records: "records"})
        body = f"{text}\nreturn {prediction}.tolist() if hasattr({prediction}, 'tolist') else list({prediction})"
        cells = (slice_piece.cell.cell.index,)
        predict_imports = imports_for(body, imports, set())
        synthesized = False
        note = ""
    else:
        records = records or _records_fallback(
            flows, features, notebook, model, train_pieces, pieces
        )
        body = (
            "predictions = model.predict(records)\n"
            "return predictions.tolist() if hasattr(predictions, 'tolist') else list(predictions)"
        )
        prediction = "predictions"
        cells = ()
        predict_imports = ()
        synthesized = True
        if any(p.statement.kind == CODE for p in pieces):
            note = (
                "predict() applies the trained model's own predict to records shaped like its "
                "training features; the notebook's predict cells run in evaluate()."
            )
        else:
            note = (
                "The notebook has no predict step of its own: predict() applies the trained "
                "model's own predict to records shaped like its training features."
            )
        notes.append(note)
    predict_spec = StageSpec(
        name="predict",
        cells=cells,
        inputs=("model", "records"),
        parameters=(),
        outputs=(prediction,),
        imports=predict_imports,
        body=body,
        upstream=(("model", "train"), ("records", producer_of(flows, records))),
        synthesized=synthesized,
        note=note,
    )

    evaluate_spec, metric_names, shown = _plan_evaluate(
        pieces,
        slice_piece,
        flows,
        parameters,
        constants,
        imports,
        replacements,
        helpers,
        model,
        records,
        prediction,
        carried,
    )
    return predict_spec, evaluate_spec, records, prediction, metric_names, notes, shown


def _plan_served(
    served: RecordsPlan,
    pieces,
    flows,
    parameters,
    constants,
    imports,
    replacements,
    helpers,
    model,
    carried=(),
):
    """predict() over raw rows of ``served.root``; evaluate() runs the predict cells as written."""
    cells = ", ".join(str(c) for c in served.cells)
    note = served.note or (
        f"predict() receives raw rows of `{served.root}` (as the {served.producer} stage returns "
        f"it) and replays the notebook's own statements on them (cells {cells}) before "
        f"`{model}.predict`."
    )
    if served.uses_fitted and not served.note:
        note += (
            " Values those statements take from the training data, and statistics of the whole "
            f"`{served.root}` frame, are computed once at train time by fitted_values() and stored "
            "with the model: a request is never cleaned with statistics of its own batch."
        )
    inputs = ("model", "records", "fitted") if served.uses_fitted else ("model", "records")
    predict_spec = StageSpec(
        name="predict",
        cells=served.cells,
        inputs=inputs,
        parameters=(),
        outputs=("predictions",),
        imports=served.imports,
        body=served.predict_body,
        constants=tuple(c for c in (*served.support, served.fit_function) if c),
        upstream=(("model", "train"), ("records", served.producer)),
        note=note,
    )
    evaluate_spec, metric_names, shown = _plan_evaluate(
        pieces,
        None,
        flows,
        parameters,
        constants,
        imports,
        replacements,
        helpers,
        model,
        served.root,
        "predictions",
        carried,
    )
    return predict_spec, evaluate_spec, served.root, "predictions", metric_names, [note], shown


def _plan_evaluate(
    pieces,
    slice_piece,
    flows,
    parameters,
    constants,
    imports,
    replacements,
    helpers,
    model,
    records,
    prediction,
    carried=(),
) -> tuple[StageSpec | None, list[str], tuple]:
    """``carried``: scores the train stage computes (shown in a train cell), returned as they are."""
    # evaluation: the rest of the predict stage, calling predict() for the sliced statement
    rest = [p for p in pieces if p is not slice_piece]
    if not any(p.statement.kind == CODE for p in rest) and not carried:
        return None, [], ()
    lines: list[str] = []
    dropped: list[str] = []
    shown: list[tuple[str, str, int]] = []  # scores the notebook only shows, named here
    taken = set(imports) | set(helpers) | {model, prediction, records or ""}
    taken |= {n.id for p in pieces for n in walk_nodes(p.statement.node) if isinstance(n, ast.Name)}
    for position, piece in enumerate(pieces):
        kind = piece.statement.kind
        if piece is slice_piece:
            lines.append(f"{prediction} = numpy.asarray(predict({model}, {records}))")
            continue
        score = None
        if kind in (CODE, DISPLAY):
            cell = piece.cell.cell.index
            later = [p.statement.node for p in pieces[position + 1 :] if p.cell.cell.index == cell]
            score = shown_metric(piece.statement.node, later, imports, taken)
        if score is not None and kind == DISPLAY:
            # a printed score reads values production code may not have: only those it has
            reads = _reads([score[1]]) - BUILTIN_NAMES - set(imports)
            available = (
                set(flows["inputs"]["predict"]) | analyze_tree(ast.parse("\n".join(lines))).defined
            )
            if reads - available:
                score = None
        if score is not None:
            name, expression = score
            taken.add(name)
            shown.append((name, ast.unparse(expression), piece.cell.cell.index))
            lines.append(named_score(piece, expression, name, replacements))
        elif kind == CODE:
            lines.append(statement_text(piece.cell, piece.statement, replacements))
        elif kind == DISPLAY:  # stays in the notebook; the report lists it
            dropped.append(dropped_entry(piece.cell, piece.statement))
    code = "\n".join(lines)
    names = analyze_tree(ast.parse(code))
    typed_in = _constants(ast.parse(code), {p.name for p in parameters})
    metric_names = [
        n
        for n in ordered_defs(code)
        if n not in imports
        and n not in helpers
        and n != prediction
        and not n.startswith("_")
        and n not in typed_in
    ]
    metric_names += [n for n in carried if n not in metric_names]
    # a function of the notebook (defined in load/clean/train) is imported from its module, as the
    # other stages do: no stage returns it as a value, so reading it from upstream was a KeyError
    called = [n for n in ordered_uses(code) if n in names.used and n in helpers]
    inputs = [
        n
        for n in ordered_uses(code)
        if n in names.used and n in flows["inputs"]["predict"] and n not in helpers
    ]
    inputs += [n for n in carried if n not in inputs]
    if model not in inputs:
        inputs.insert(0, model)
    if slice_piece is not None and records not in inputs:
        inputs.insert(1, records)
    params = [n for n in inputs if flows["inputs"]["predict"].get(n) == "parameters"]
    # file paths lifted out of the evaluation code (e.g. a test set it re-reads) are parameters too
    params += [
        n
        for n in ordered_uses(code)
        if n in names.used
        and n in {p.name for p in parameters}
        and n not in params
        and n not in flows["inputs"]["predict"]
    ]
    upstream_inputs = [n for n in inputs if n not in params]
    returned = ", ".join(f'"{n}": {n}' for n in metric_names)
    body = f"{code}\nreturn {{{returned}}}"
    module_imports = set(imports_for(body, imports, set(upstream_inputs) | set(params)))
    module_imports |= {f"from .{helpers[n]} import {n}" for n in called}
    if slice_piece is not None:  # only the sliced statement calls the served predict()
        module_imports.add("import numpy")
        module_imports.add("from .predict import predict")
    evaluate_spec = StageSpec(
        name="evaluate",
        cells=tuple(sorted({p.cell.cell.index for p in pieces})),
        inputs=tuple(upstream_inputs),
        parameters=tuple(params),
        outputs=tuple(metric_names),
        imports=tuple(sorted(module_imports)),
        body=body,
        constants=constants_for(body, constants),
        upstream=tuple((n, producer_of(flows, n)) for n in upstream_inputs),
        dropped=tuple(dropped),
    )
    return evaluate_spec, metric_names, tuple(shown)


def _constants(tree: ast.Module, parameters: frozenset[str] | set[str] = frozenset()) -> set[str]:
    """Names the evaluation binds only from literals (``precision = 55 / float(55 + 28)``, a
    course notebook checking a confusion matrix by hand, and ``f1`` computed from those) or
    ``parameters`` (``out = submission_path``): numbers typed in, not measured on the model, so
    not metrics."""
    values: dict[str, list[ast.expr]] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    values.setdefault(target.id, []).append(node.value)
                    if isinstance(node, ast.AugAssign):
                        values[target.id].append(target)
        for inner in walk_nodes(node):  # bound any other way (a loop, a with, a tuple): measured
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                if not (isinstance(node, ast.Assign) and inner in node.targets):
                    values.setdefault(inner.id, []).append(inner)
    constants: set[str] = set()
    grew = True
    while grew:
        grew = False
        for name, bound in values.items():
            if name in constants:
                continue
            reads = {
                n.id
                for value in bound
                for n in walk_nodes(value)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            }
            stores = any(isinstance(v, ast.Name) and isinstance(v.ctx, ast.Store) for v in bound)
            if not stores and reads <= (BUILTIN_NAMES | constants | parameters):
                constants.add(name)
                grew = True
    return constants


def named_score(piece, expression: ast.expr, name: str, replacements: dict) -> str:
    """Bind a shown score: ``r2_test = r2_score(y_test, pred)`` for a score the cell shows, as written when the score
    is the whole statement (comments kept), else (inside ``print``) its own text."""
    node = piece.statement.node
    if isinstance(node, ast.Expr) and node.value is expression:
        text = statement_text(piece.cell, piece.statement, replacements).split("\n")
        line = node.lineno - piece.statement.first_line
        text[line] = f"{name} = {text[line]}"
        return "\n".join(text)
    segment = ast.get_source_segment(piece.cell.source, expression)
    if segment is None or "\n" in segment or not _same_expression(segment, expression):
        segment = ast.unparse(expression)  # inside an f-string, 3.11's positions can be off
    return f"{name} = {segment}"


def _same_expression(text: str, expression: ast.expr) -> bool:
    try:
        return ast.dump(ast.parse(text, mode="eval").body) == ast.dump(expression)
    except SyntaxError:
        return False


def _records_fallback(
    flows: dict,
    features: str | None,
    notebook: Notebook,
    model: str,
    train_pieces: list,
    predict_pieces: list,
) -> str:
    train_outputs = flows["outputs"].get("train", [])
    for candidate in ("X_test", "X_valid", "X_val"):
        if candidate in train_outputs:
            return candidate
    if features:
        return features
    raise _unknown_records(notebook, model, train_pieces, predict_pieces)


def _unknown_records(notebook: Notebook, model: str, train_pieces, predict_pieces) -> SplitError:
    """Name the fit that counts (the last one of ``model``, else the last fit of the train
    stage: ``grid.fit(...)`` for ``best = grid.best_estimator_``), what it was fit on, and the
    way out: features and target bound to names, fit and predicted on by those names."""
    fits = _method_calls(train_pieces, model, ("fit", "partial_fit")) or _method_calls(
        train_pieces, None, ("fit", "partial_fit")
    )
    predicts = _method_calls(predict_pieces, model, ("predict", "predict_proba"))
    if not fits:
        cell = train_pieces[0].cell.cell if train_pieces else None
        return SplitError(
            f"cannot tell which records the served predict() receives: no cell calls "
            f"`.fit(X, y)` on named features for `{model}`; bind them to names and fit on them "
            f"(`X = df[[...]]`, `y = df[...]`, `.fit(X, y)`, `predictions = {model}.predict(X)`)",
            notebook.location(cell, train_pieces[0].statement.first_line if cell else None),
        )
    piece, call = fits[-1]
    receiver = call.func.value.id
    cell, line = piece.cell.cell, call.lineno
    features = _argument(call, 0, ("X", "x"))
    target = _argument(call, 1, ("y",))
    fitted_on = ast.unparse(features) if features is not None else "nothing"
    served = "" if receiver == model else f" (the model served is `{model}`)"
    message = (
        f"cannot tell which records the served predict() receives: `{receiver}`{served} is last "
        f"fitted in cell {cell.index} line {line} on `{fitted_on}`"
        + ("" if isinstance(features, ast.Name) else ", an expression, not a name")
    )
    earlier = [(p, c) for p, c in fits[:-1] if c.args and isinstance(c.args[0], ast.Name)]
    if earlier:
        first_piece, first_call = earlier[-1]
        message += (
            f" (that fit replaces the one on `{first_call.args[0].id}` in cell "
            f"{first_piece.cell.cell.index} line {first_call.lineno}, so those features no "
            "longer fit the model)"
        )
    if predicts:
        predict_piece, predict = predicts[0]
        on = ast.unparse(predict.args[0]) if predict.args else "nothing"
        message += (
            f"; cell {predict_piece.cell.cell.index} line {predict.lineno} predicts on `{on}`"
        )
    x, y = ("X_last", "y_last") if earlier else ("X", "y")
    message += (
        f"; bind the features and the target to names before that fit and use them "
        f"(`{x} = {fitted_on if features is not None else 'df[[...]]'}`, "
        f"`{y} = {ast.unparse(target) if target is not None else 'df[...]'}`, "
        f"`{receiver}.fit({x}, {y})`, `predictions = {model}.predict({x})`)"
    )
    return SplitError(message, notebook.location(cell, line))


def _argument(call: ast.Call, position: int, keywords: tuple[str, ...]) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg in keywords), None)


def _method_calls(pieces, receiver: str | None, methods: tuple[str, ...]) -> list:
    """(piece, call) of every ``receiver.method(...)`` (any name when None) in the pieces'
    code, in notebook order."""
    found = []
    for piece in pieces:
        if piece.statement.kind != CODE:
            continue
        calls = [
            c
            for c in walk_nodes(piece.statement.node)
            if isinstance(c, ast.Call)
            and isinstance(c.func, ast.Attribute)
            and c.func.attr in methods
            and isinstance(c.func.value, ast.Name)
            and receiver in (None, c.func.value.id)
        ]
        found += [(piece, c) for c in sorted(calls, key=lambda c: (c.lineno, c.col_offset))]
    return found


def producer_of(flows: dict, name: str | None) -> str:
    """The last stage that exports ``name`` (train if none does)."""
    for stage in reversed(STAGES):
        if name in flows["outputs"].get(stage, ()):
            return stage
    return "train"
