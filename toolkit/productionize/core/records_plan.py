"""Plan a predict() that serves raw rows of the frame the notebook predicts on.

Kaggle-style notebooks load ``train`` and ``test``, clean ``test`` with statements that repeat
the training cleaning, and predict on a reshaping of it (``model.predict(test[features])``).
The served records are then rows of ``test`` as loaded, and ``predict(model, records, fitted)``
replays the notebook's own statements on them: the *lineage* of the predict argument, traced
forward from ``test`` and pruned backward from the predict call.

Values those statements take from elsewhere never come from the request batch:

- sub-expressions that read no records (``train["Age"].median()``, ``features``, ``X.columns``)
  are *fitted values*, computed once at train time;
- statistics of the records themselves (``test["Fare"].median()``) are fitted values too, taken
  on the whole frame the notebook computed them on, so one record gets the notebook's answer;
- ``pd.get_dummies`` of records keeps the columns (and dtypes) it had on the whole frame.

``fitted_values(...)`` replays the same statements at train time and records those values; the
registry stores them with the model. Anything that cannot be replayed per record safely is
refused with a note naming the cell and line (the caller then serves the model's own predict).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from .codegen import imports_for, rename_names
from .defuse import BUILTIN_NAMES, analyze_tree, statement_names
from .mutations import Container, note_containers
from .statements import CODE
from .tree_walk import walk_nodes

# reductions of a frame/column: on records they would be recomputed from each request batch
REDUCERS = frozenset(
    {
        "mean",
        "median",
        "mode",
        "std",
        "var",
        "sum",
        "min",
        "max",
        "quantile",
        "count",
        "nunique",
        "unique",
        "value_counts",
        "describe",
        "idxmax",
        "idxmin",
        "prod",
        "sem",
        "skew",
        "kurt",
        "agg",
        "aggregate",
    }
)
# row-wise results that depend on the other rows of the batch, or that drop/reorder rows
BATCH_DEPENDENT = frozenset(
    {
        "transform",
        "rank",
        "shift",
        "diff",
        "pct_change",
        "rolling",
        "expanding",
        "ewm",
        "cumsum",
        "cumprod",
        "cummax",
        "cummin",
        "qcut",
        "dropna",
        "drop_duplicates",
        "head",
        "tail",
        "sample",
        "nlargest",
        "nsmallest",
        "sort_values",
        "sort_index",
    }
)
ONE_HOT = "get_dummies"
RESERVED = ("model", "records", "fitted")


@dataclass(frozen=True)
class RecordsPlan:
    """The served predict() over raw rows of ``root`` and the train-time ``fitted_values()``."""

    root: str  # the frame whose raw rows are served (``test``)
    producer: str  # the stage that outputs it (``load``)
    cells: tuple[int, ...]  # notebook cells of the replayed statements and the predict call
    predict_body: str  # body of predict(model, records[, fitted])
    fit_function: str  # module-level source of fitted_values(root, *fit_inputs) (or "")
    fit_inputs: tuple[str, ...]  # upstream values and parameters fitted_values reads
    helpers: tuple[tuple[str, str], ...]  # (function, defining stage) the statements call
    support: tuple[str, ...]  # module-level helper sources predict() needs (align_columns)
    imports: tuple[str, ...]  # import statements predict.py needs
    fit_imports: tuple[str, ...]  # import statements fitted_values needs
    expression: str  # the notebook expression whose value the predictions are (verify)
    capture_cell: int  # the cell after which that expression is evaluated in the notebook
    exports: tuple[tuple[str, str], ...]  # (name, stage) a stage must now return for fitting
    # (cell, first line, variable, expression): the stage computes the expression into the
    # variable just before that statement (the notebook changes what it reads afterwards)
    captures: tuple[tuple[int, int, str, str], ...] = ()
    note: str = ""  # what predict() does, for the README (default: replays the statements)
    # columns of the raw rows the service does not take (the target, columns dropped unread)
    unserved: tuple[str, ...] = ()

    @property
    def uses_fitted(self) -> bool:
        return bool(self.fit_function)


class Unsupported(Exception):
    """The predict path cannot be replayed on single records; the message says where and why."""


def _defs(node: ast.AST) -> tuple[set[str], set[str], set[str]]:
    """(rebound, changed in place, read) names of one statement."""
    names = statement_names(node)
    changed = set(names.modified)
    for sub in walk_nodes(node):  # ``del test["a"]`` changes test
        if isinstance(sub, ast.Delete):
            for target in sub.targets:
                base = target
                while isinstance(base, (ast.Subscript, ast.Attribute)):
                    base = base.value
                if isinstance(base, ast.Name):
                    changed.add(base.id)
    return set(names.defined), changed, set(names.used)


def _line(piece) -> int:
    return piece.statement.node.lineno


def _where(piece) -> str:
    return f"cell {piece.cell.cell.index} line {_line(piece)}"


def taint(sequence: list, root: str, holders: frozenset[str] = frozenset()) -> set[str]:
    """Names whose value derives from ``root`` after running ``sequence`` (forward);
    ``holders`` hold ``root`` itself (``combine = [train, test]``, see core/mutations)."""
    tainted = {root} | holders
    for piece in sequence:
        rebound, changed, read = _defs(piece.statement.node)
        if read & tainted:
            tainted |= rebound | changed
        else:
            tainted -= rebound
    return tainted


def plan_records(
    pieces: dict,
    flows: dict,
    imports: dict[str, tuple[str, str]],
    helpers: dict[str, str],
    parameters: set[str],
    model: str,
    predict_piece,
    call: ast.Call,
    reshaping: bool = True,
) -> RecordsPlan | None:
    """Plan predict() over raw rows of the loaded frame ``call`` predicts on (or, when
    ``reshaping`` drops or picks columns of one upstream frame, over rows of that frame).

    None when the records are (a reshaping of) the training features' own lineage (the split's
    usual predict applies); raises Unsupported with a note when the lineage cannot be replayed.
    """
    sequence = [
        p
        for stage in ("clean", "train", "predict")
        for p in pieces.get(stage, ())
        if p.statement.kind == CODE
        and not isinstance(p.statement.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    if predict_piece not in sequence:
        return None
    sequence = sequence[: sequence.index(predict_piece)]
    known = {model} | set(imports) | set(helpers) | BUILTIN_NAMES
    argument_reads = _reads(call.args[0]) - known
    fitted_on = _fit_reads(sequence) - known
    if not fitted_on:  # the training data is unknown: cannot tell held-out records apart
        return None
    roots = []
    containers: dict[str, Container] = {}
    for piece in pieces.get("load", ()):
        if piece.statement.kind == CODE:
            note_containers(piece.statement.node, containers)
    holders = {
        root: frozenset(n for n, c in containers.items() if root in c.elements)
        for root in flows["outputs"].get("load", ())
    }
    for root in flows["outputs"].get("load", ()):
        if _is_literal(pieces.get("load", ()), root):  # features = ["Age", ...]: not data
            continue
        tainted = taint(sequence, root, holders[root])
        # records sharing the training data's lineage keep the split's usual predict
        if argument_reads & tainted and not fitted_on & tainted:
            roots.append((root, tainted))
    if not roots:
        # no loaded frame of its own: predict on rows of the one upstream frame the expression
        # starts from (``X_test[features]``, ``X_test.drop(columns=["id"])``)
        direct = _direct_frame(call.args[0], flows) if reshaping else None
        if direct is None:
            return None
        root, producer = direct
        loaded = root in flows["outputs"].get("load", ())
        if root in fitted_on or (loaded and taint(sequence, root) & fitted_on):
            return None  # predictions on the training data itself: the usual predict
        keys: dict[str, int] = {}
        used_helpers, copies = _helpers_used([predict_piece], helpers, pieces, imports, keys)
        return _generate(
            keys,
            copies,
            pieces,
            [],
            [],
            predict_piece,
            call,
            root,
            {root},
            flows,
            imports,
            helpers,
            used_helpers,
            parameters,
            model,
            producer,
        )
    if len(roots) > 1:
        names = " and ".join(f"`{r}`" for r, _ in roots)
        raise Unsupported(
            f"{_where(predict_piece)} predicts on `{ast.unparse(call.args[0])}`, derived from both "
            f"{names}, a cleaning the served predict() cannot replay per record"
        )
    root, tainted = roots[0]
    lineage = _backward(sequence, root, tainted, argument_reads & tainted)
    _check_aliases(sequence, lineage, root, holders[root])
    clash = sorted((tainted - {root}) & set(RESERVED)) if root not in RESERVED else [root]
    if clash:
        raise Unsupported(
            f"the statements predict() would replay use the name `{clash[0]}`, which the served "
            f"predict(model, records, fitted) reserves; rename it in the notebook"
        )
    keys: dict[str, int] = {}
    used_helpers, copies = _helpers_used(lineage + [predict_piece], helpers, pieces, imports, keys)
    _check_called_once(lineage + [predict_piece], copies)
    return _generate(
        keys,
        copies,
        pieces,
        sequence,
        lineage,
        predict_piece,
        call,
        root,
        tainted,
        flows,
        imports,
        helpers,
        used_helpers,
        parameters,
        model,
        "load",
    )


# methods along which a frame keeps its rows: ``X_test.drop(columns=...)[cols].to_numpy()``
FRAME_METHODS = frozenset(
    {
        "drop",
        "fillna",
        "astype",
        "to_numpy",
        "reindex",
        "filter",
        "select_dtypes",
        "copy",
        "assign",
        "rename",
        "replace",
        "clip",
        "round",
        "abs",
    }
)


def _direct_frame(argument: ast.expr, flows: dict) -> tuple[str, str] | None:
    """(frame, producing stage) a reshaping of one upstream frame starts from, or None."""
    node = argument
    while not isinstance(node, ast.Name):
        if isinstance(node, (ast.Subscript, ast.Attribute)):
            node = node.value
        elif isinstance(node, ast.Call) and _method(node) in FRAME_METHODS:
            if not isinstance(node.func, ast.Attribute):
                return None
            node = node.func.value
        else:
            return None
    if node is argument:  # the frame itself: the split's usual predict
        return None
    for stage in ("train", "clean", "load"):
        if node.id in flows["outputs"].get(stage, ()):
            return node.id, stage
    return None


def _is_literal(load: list, name: str) -> bool:
    """``name`` is only ever assigned literals (a list of column names) in the load stage."""
    values = [
        p.statement.node.value
        for p in load
        if isinstance(p.statement.node, ast.Assign)
        and name in {_target_id(t) for t in p.statement.node.targets}
    ]
    if not values:
        return False
    try:
        for value in values:
            ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _fit_reads(sequence: list) -> set[str]:
    """Names the data arguments of the train stage's ``.fit(`` calls read."""
    names: set[str] = set()
    for piece in sequence:
        if piece.stage != "train":
            continue
        for sub in walk_nodes(piece.statement.node):
            if _method(sub) in FITTING and sub.args:
                names |= _reads(sub.args[0])
    return names


def _reads(node: ast.AST) -> set[str]:
    return set(analyze_tree(ast.Module(body=[ast.Expr(node)], type_ignores=[])).used)


def _backward(sequence: list, root: str, tainted: set[str], live: set[str]) -> list:
    """The statements on the way from ``root`` to the predict argument, in order."""
    kept = []
    live = set(live)
    for piece in reversed(sequence):
        rebound, changed, read = _defs(piece.statement.node)
        if not (rebound | changed) & live:
            continue
        if not read & tainted:
            name = sorted((rebound | changed) & live)[0]
            raise Unsupported(
                f"{_where(piece)} rebinds `{name}` from other data than `{root}`; the served "
                f"predict() cannot start from raw rows of `{root}`"
            )
        kept.append(piece)
        live = (live - (rebound - changed)) | (read & tainted)
    return list(reversed(kept))


def _check_aliases(
    sequence: list, lineage: list, root: str, holders: frozenset[str] = frozenset()
) -> None:
    """Refuse records-derived values changed outside the lineage (``for df in [train, test]``,
    ``for df in combine``)."""
    kept = {id(p) for p in lineage}
    tainted = {root} | holders
    for piece in sequence:
        node = piece.statement.node
        rebound, changed, read = _defs(node)
        if not read & tainted:
            tainted -= rebound
            continue
        loop = isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.With))
        if id(piece) not in kept and (loop or changed & tainted):
            raise Unsupported(
                f"{_where(piece)} changes a value derived from `{root}` outside the statements "
                "predict() replays (a loop over [train, test]?); apply that cleaning to the "
                "frame by name, or through a function called on it"
            )
        tainted |= rebound | changed


def _helpers_used(
    lineage: list, helpers: dict, pieces: dict, imports: dict, keys: dict
) -> tuple[list[str], dict[str, str]]:
    """The notebook's functions the statements call (with their own helper calls, checked), and
    instrumented copies of those computing statistics of their argument (name -> source)."""
    definitions = {
        p.statement.node.name: p
        for stage in pieces.values()
        for p in stage
        if isinstance(p.statement.node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    found: list[str] = []
    todo = [n for p in lineage for n in sorted(_defs(p.statement.node)[2]) if n in definitions]
    while todo:
        name = todo.pop(0)
        if name in found:
            continue
        found.append(name)
        piece = definitions[name]
        node = piece.statement.node
        free = _defs(node)[2] - set(imports) - set(helpers) - BUILTIN_NAMES
        if free:
            raise Unsupported(
                f"function `{name}` (cell {piece.cell.cell.index} line {node.lineno}) reads "
                f"`{sorted(free)[0]}` from the notebook; the served predict() calls it on records "
                "alone: pass that value as an argument, or compute it outside the function"
            )
        todo += [n for n in sorted(_defs(node)[2]) if n in definitions]
    # a function computing statistics of its argument (or calling one that does) gets a copy
    # taking ``fitted``: the statistics are recorded while fitted_values() replays the notebook's
    # call, and reused for every request
    instrumented = {n for n in found if _computes_statistics(definitions[n].statement.node)}
    changed = True
    while changed:
        changed = False
        for name in found:
            calls = _defs(definitions[name].statement.node)[2] & instrumented
            if name not in instrumented and calls:
                instrumented.add(name)
                changed = True
    known = set(imports) | set(helpers) | BUILTIN_NAMES
    copies = {}
    for name in found:
        if name not in instrumented:
            continue
        piece = definitions[name]
        node = ast.parse(ast.unparse(piece.statement.node)).body[0]
        params = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        where = (
            f"function `{name}` (cell {piece.cell.cell.index} line {piece.statement.node.lineno})"
        )
        rewrite = _Rewrite(
            params | _assigned_in(node), known, keys, where, instrumented, prefix=f"{name}(): "
        )
        node.body = [rewrite.visit(statement) for statement in node.body]
        node.args.kwonlyargs.append(ast.arg("fitted"))
        node.args.kw_defaults.append(None)
        copies[name] = ast.unparse(ast.fix_missing_locations(node))
    return found, copies


def _check_called_once(pieces: list, copies: dict) -> None:
    """A function whose statistics predict() records may run once on the records."""
    seen: dict[str, object] = {}
    for piece in pieces:
        for sub in walk_nodes(piece.statement.node):
            name = sub.func.id if isinstance(getattr(sub, "func", None), ast.Name) else None
            if name in copies and name in seen:
                raise Unsupported(
                    f"{_where(piece)} calls `{name}` on records again ({_where(seen[name])} "
                    "did first); it computes statistics of its argument, which predict() fixes "
                    "once per function: call it once on the frame"
                )
            if name in copies:
                seen[name] = piece


def _computes_statistics(node: ast.AST) -> bool:
    params = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
    derived = params | _assigned_in(node)
    for sub in ast.walk(node):
        method = _method(sub)
        if method in REDUCERS or method in BATCH_DEPENDENT or method == ONE_HOT:
            if _reads(sub) & derived:
                return True
    return False


def _assigned_in(node: ast.AST) -> set[str]:
    return {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def _method(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            return node.func.attr
        if isinstance(node.func, ast.Name):
            return node.func.id
    return None


def _row_wise(call: ast.Call) -> bool:
    """``frame.sum(axis=1)``: a reduction along a row is computed per record."""
    for keyword in call.keywords:
        if keyword.arg == "axis" and isinstance(keyword.value, ast.Constant):
            return keyword.value.value in (1, "columns")
    return False


class _Rewrite(ast.NodeTransformer):
    """Replace values read from outside the records with ``fitted[key]`` (one statement)."""

    def __init__(
        self,
        records: set[str],
        known: set[str],
        keys: dict,
        where: str,
        instrumented: set[str] = frozenset(),
        prefix: str = "",
        refitted: frozenset[str] | None = None,
    ):
        self.refitted = refitted  # transformers fitted on records, refit at train time (or None)
        self.refits: set[str] = set()  # keys of those fits
        self.records = records
        self.known = known
        self.keys = keys  # key -> count, shared across statements (unique keys)
        self.where = where
        self.instrumented = instrumented  # helpers taking ``fitted`` (see _helpers_used)
        self.prefix = prefix  # inside a helper: its statistics are recorded lazily
        self.hoisted: list[tuple[str, ast.expr]] = []

    def _hoist(self, node: ast.expr, text: str | None = None) -> ast.expr:
        text = self.prefix + (text or ast.unparse(node))
        count = self.keys.get(text, 0) + 1
        self.keys[text] = count
        key = text if count == 1 else f"{text} #{count}"
        self.hoisted.append((key, node))
        return ast.Subscript(
            value=ast.Name("fitted", ast.Load()), slice=ast.Constant(key), ctx=ast.Load()
        )

    def generic_visit(self, node):
        if not isinstance(node, ast.expr) or not isinstance(
            getattr(node, "ctx", ast.Load()), ast.Load
        ):
            return super().generic_visit(node)
        reads = _reads(node)
        on_records = bool(reads & self.records)
        if not on_records and reads - self.known:
            return self._hoist(node)
        if isinstance(node, SCOPES):  # names bound inside: left as written (checked later)
            return node
        if not isinstance(node, ast.Call):
            return super().generic_visit(node)
        method = _method(node)
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        receiver_reads = _reads(receiver) if receiver is not None else set()
        on_frame = bool(receiver_reads & self.records)
        module_function = receiver is not None and not (receiver_reads - self.known)
        if on_records and self._refit(node, method, receiver, receiver_reads):
            # le.fit_transform(df["Sex"]): a copy fitted on the whole frame at train time
            node.args = [self.visit(a) for a in node.args]
            fit = ast.Call(ast.Name("fitted_transformer", ast.Load()), [receiver, *node.args], [])
            fit = ast.fix_missing_locations(ast.copy_location(fit, node))
            text = f"{ast.unparse(receiver)}.fit({ast.unparse(node.args[0])})"
            slot = self._hoist(fit, text)
            self.refits.add(slot.slice.value)
            applied = ast.Call(ast.Attribute(slot, "transform", ast.Load()), node.args, [])
            return ast.fix_missing_locations(ast.copy_location(applied, node))
        if on_records and self._batch_dependent(node, method, on_frame, module_function):
            raise Unsupported(
                f"{self.where}: `{ast.unparse(node)}` depends on the other records of the batch "
                "(or fits on them, or drops/reorders rows); the served predict() answers each "
                "record on its own"
            )
        if (
            on_records
            and method in REDUCERS
            and (on_frame or module_function)
            and not _row_wise(node)
        ):
            if self.prefix:  # inside a helper: recorded when fitted_values() calls it
                key = self._hoist(node).slice.value
                self.hoisted.pop()
                return ast.Call(
                    func=ast.Name("fitted_statistic", ast.Load()),
                    args=[
                        ast.Name("fitted", ast.Load()),
                        ast.Constant(key),
                        ast.Lambda(
                            args=ast.arguments(
                                posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]
                            ),
                            body=node,
                        ),
                    ],
                    keywords=[],
                )
            return self._hoist(node)  # a statistic of the records: fixed at train time
        if isinstance(node.func, ast.Attribute):
            node.func.value = self.visit(node.func.value)
        elif not isinstance(node.func, ast.Name):
            node.func = self.visit(node.func)
        node.args = [self.visit(a) for a in node.args]
        for keyword in node.keywords:
            keyword.value = self.visit(keyword.value)
        if isinstance(node.func, ast.Name) and node.func.id in self.instrumented:
            node.keywords.append(ast.keyword("fitted", ast.Name("fitted", ast.Load())))
            self.keys.setdefault(f"{node.func.id}()", 1)  # predict() takes fitted
        if method == ONE_HOT and on_records:
            key = self._hoist(node, f"columns of {ast.unparse(node)}").slice.value
            self.hoisted.pop()  # recorded by align_columns itself, not evaluated before
            return ast.Call(
                func=ast.Name("align_columns", ast.Load()),
                args=[node, ast.Name("fitted", ast.Load()), ast.Constant(key)],
                keywords=[],
            )
        return node

    def _refit(self, node: ast.Call, method, receiver, receiver_reads: set[str]) -> bool:
        """``T.fit_transform(records_column)`` of a transformer the plan refits at train time:
        a name it was given, or a constructor call (``LabelEncoder().fit_transform(...)``)."""
        if self.refitted is None or method != "fit_transform" or receiver is None:
            return False
        if len(node.args) != 1 or node.keywords:
            return False
        if isinstance(receiver, ast.Name):
            return receiver.id in self.refitted
        return isinstance(receiver, ast.Call) and not (receiver_reads - self.known)

    @staticmethod
    def _batch_dependent(node: ast.Call, method, on_frame: bool, module_function: bool) -> bool:
        if method in FITTING:
            return True
        if method in BATCH_DEPENDENT and (on_frame or module_function):
            return True
        if method == "cut":  # pd.cut(column, 4): bin edges from the batch's range
            bins = node.args[1] if len(node.args) > 1 else None
            bins = next((k.value for k in node.keywords if k.arg == "bins"), bins)
            return isinstance(bins, ast.Constant) and isinstance(bins.value, int)
        return False


SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
FITTING = frozenset({"fit", "fit_transform", "partial_fit", "fit_predict", "train_test_split"})


def _comprehension_names(node: ast.AST) -> set[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.comprehension):
            names |= {n.id for n in ast.walk(sub.target) if isinstance(n, ast.Name)}
        elif isinstance(sub, ast.Lambda):
            names |= {a.arg for a in ast.walk(sub.args) if isinstance(a, ast.arg)}
    return names


FITTED_STATISTIC = '''def fitted_statistic(fitted, key, compute):
    """A statistic fixed at train time: computed and recorded while fitted_values() replays."""
    if key not in fitted:
        fitted[key] = compute()
    return fitted[key]'''

FITTED_TRANSFORMER = '''def fitted_transformer(transformer, values):
    """A copy of the notebook's transformer fitted as the notebook fits it (whole frame, train
    time); a copy, since the notebook may fit the same encoder again on another column."""
    import copy

    return copy.deepcopy(transformer).fit(values)'''

ALIGN_COLUMNS = '''def align_columns(frame, fitted, key):
    """Give one-hot columns the names and dtypes they had on the whole frame at train time."""
    if key not in fitted:  # fitted_values(): record them
        fitted[key] = [[name, str(dtype)] for name, dtype in frame.dtypes.items()]
        return frame
    columns = fitted[key]
    aligned = frame.reindex(columns=[name for name, _ in columns], fill_value=0)
    return aligned.astype(dict((name, dtype) for name, dtype in columns))'''


def _generate(
    keys,
    copies,
    pieces,
    sequence,
    lineage,
    predict_piece,
    call,
    root,
    tainted,
    flows,
    imports,
    helpers,
    used_helpers,
    parameters,
    model,
    producer,
    fitting_only: frozenset = frozenset(),
    lenient_drops: bool = False,
    refitted: frozenset[str] | None = None,
) -> RecordsPlan:
    """The plan replaying ``lineage`` on records: ``fitting_only`` holds ids of pieces replayed
    at train time only (they change the target column, which records lack); ``lenient_drops``
    makes the served ``.drop(...)`` calls on records skip columns records lack; ``refitted``
    names the transformers fitted on records that fitted_values() fits a copy of."""
    known = {model} | set(imports) | set(helpers) | BUILTIN_NAMES
    functions = _function_nodes(pieces)
    taken = {
        n
        for stage in pieces.values()
        for p in stage
        for n in statement_names(p.statement.node).defined
    }
    captures: list[tuple[int, int, str, ast.expr]] = []
    served: list[str] = []
    fitting: list[str] = []
    fit_reads: list[str] = []
    exports: list[tuple[str, str]] = []
    served_nodes: list[ast.stmt] = []  # the statements of ``served``, as trees
    for piece in lineage + [predict_piece]:
        node = piece.statement.node
        if piece is predict_piece:
            target = _prediction_expression(node, call)
            node = ast.Assign(targets=[ast.Name("predictions", ast.Store())], value=target)
            node = ast.fix_missing_locations(ast.copy_location(node, piece.statement.node))
        rewrite = _Rewrite(tainted, known, keys, _where(piece), set(copies), refitted=refitted)
        changed = rewrite.visit(ast.parse(ast.unparse(node)).body[0])
        for key, expression in rewrite.hoisted:
            reads = sorted(_reads(expression) - known - tainted - {"fitted_transformer"})
            conflicts = [
                c for n in reads if (c := _changed_later(sequence, piece, n, expression, functions))
            ]
            if key in rewrite.refits:  # a copy is fitted: later fits of the original do not matter
                conflicts = []
            if conflicts and piece.stage != "predict":
                # read again later in a changed state: the stage itself keeps the value, right
                # where the notebook computes it, and returns it for fitted_values()
                variable = _capture_name(key, taken)
                taken.add(variable)
                captures.append(
                    (piece.cell.cell.index, piece.statement.first_line, variable, expression)
                )
                fitting.append(f"fitted[{key!r}] = {variable}")
                fit_reads.append(variable)
                exports.append((variable, piece.stage))
                continue
            if conflicts:
                raise Unsupported(
                    f"{_where(piece)} reads `{conflicts[0][0]}` for `{key}`, and "
                    f"{_where(conflicts[0][1])} changes it afterwards; the value fitted at train "
                    "time would differ from the notebook's: compute it in a clean cell"
                )
            fitting.append(f"fitted[{key!r}] = {ast.unparse(expression)}")
            for name in reads:
                if name not in fit_reads:
                    fit_reads.append(name)
        text = ast.unparse(changed)
        if piece is not predict_piece:
            fitting.append(text)
        if id(piece) in fitting_only:
            continue
        if lenient_drops:
            changed = _LenientDrops(tainted).visit(changed)
            text = ast.unparse(changed)
        served.append(text)
        served_nodes.append(changed)
    reserved_reads = [n for n in fit_reads if n in RESERVED or n == root]
    if reserved_reads:
        raise Unsupported(
            f"the values predict() takes from training use the name `{reserved_reads[0]}`, which "
            "the served predict(model, records, fitted) reserves; rename it in the notebook"
        )
    captured = {c[2] for c in captures}
    for name in fit_reads:
        if name in parameters or name in captured:
            continue
        stage = _producer(flows, name, sequence, predict_piece)
        if stage is None:
            raise Unsupported(
                f"{_where(predict_piece)}: predict() needs `{name}`, which only the predict "
                "cells compute; compute it in a clean cell so it is fitted at train time"
            )
        exports.append((name, stage))
    # the rewritten trees (new nodes have no position: any will do for their names)
    served_tree = ast.fix_missing_locations(ast.Module(body=served_nodes, type_ignores=[]))
    free = set(analyze_tree(served_tree).used) - {root, "fitted"}
    free -= known | {"align_columns", "fitted_statistic", "fitted_transformer"}
    if free:
        raise Unsupported(
            f"{_where(predict_piece)}: predict() would replay code reading `{sorted(free)[0]}` "
            "inside a lambda or comprehension; compute that value outside it"
        )
    rename = {model: "model"}
    head = f"{root} = records.copy()"
    body = "\n".join([head, *served])
    body = rename_names(body, rename) if model != "model" else body
    body += "\nreturn predictions.tolist() if hasattr(predictions, 'tolist') else list(predictions)"
    uses_fitted = bool(keys)
    fit_function = ""
    if uses_fitted:
        signature = ", ".join([root, *fit_reads])
        fit_lines = ["fitted = {}", f"{root} = {root}.copy()", *fitting, "return fitted"]
        fit_function = (
            f"def fitted_values({signature}):\n"
            f'    """Replay the notebook\'s cleaning of `{root}` at train time; return the values '
            'predict() reuses."""\n' + "\n".join("    " + line for line in _lines(fit_lines))
        )
    copied = "\n".join(copies[n] for n in used_helpers if n in copies)
    support = tuple(
        source
        for source, used in (
            (FITTED_STATISTIC, "fitted_statistic(" in copied),
            (ALIGN_COLUMNS, "align_columns(" in body + copied),
            (FITTED_TRANSFORMER, "fitted_transformer(" in fit_function),
        )
        if used
    ) + tuple(copies[n] for n in used_helpers if n in copies)
    helper_pairs = tuple((name, helpers[name]) for name in used_helpers if name not in copies)
    bound = {"model", "records", "fitted", root} | set(used_helpers)
    code_for_imports = body + "\n" + fit_function + "\n" + copied
    needed = imports_for(code_for_imports, imports, bound)
    helper_imports = tuple(f"from .{stage} import {name}" for name, stage in helper_pairs)
    cells = sorted({p.cell.cell.index for p in lineage} | {predict_piece.cell.cell.index})
    expression_node = _prediction_expression(predict_piece.statement.node, call)
    return RecordsPlan(
        root=root,
        producer=producer,
        cells=tuple(cells),
        predict_body=body,
        fit_function=fit_function,
        fit_inputs=tuple(fit_reads),
        helpers=helper_pairs,
        support=support,
        imports=tuple(sorted(set(needed) | set(helper_imports))),
        fit_imports=(),
        expression=ast.unparse(expression_node),
        capture_cell=predict_piece.cell.cell.index,
        exports=tuple(exports),
        captures=tuple((cell, line, name, ast.unparse(e)) for cell, line, name, e in captures),
    )


class _LenientDrops(ast.NodeTransformer):
    """``frame.drop(cols)`` on records -> ``frame.drop(cols, errors="ignore")``: the records lack
    the target and the columns the notebook drops unread (on the whole frame nothing changes)."""

    def __init__(self, records: set[str]):
        self.records = records

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr == "drop"
            and _reads(node.func.value) & self.records
            and not any(k.arg == "errors" for k in node.keywords)
        ):
            node.keywords.append(ast.keyword("errors", ast.Constant("ignore")))
        return node


def _function_nodes(pieces: dict) -> dict:
    return {
        p.statement.node.name: p.statement.node
        for stage in pieces.values()
        for p in stage
        if isinstance(p.statement.node, ast.FunctionDef)
    }


def _lines(lines: list[str]) -> list[str]:
    return [sub for line in lines for sub in line.split("\n")]


def _assigns_one_name(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    )


# methods that reduce the predictions to a number (a score of them, not what a record gets)
REDUCTIONS = frozenset(
    {"mean", "sum", "max", "min", "std", "var", "median", "count", "all", "any", "nunique"}
)
# calls that put the predictions into a table or a file: the predictions are their argument
FRAME_BUILDERS = frozenset({"DataFrame", "Series", "concat", "to_csv", "append", "extend"})


def _prediction_expression(node: ast.stmt, call: ast.Call) -> ast.expr:
    """What the predictions are: ``model.predict(X)`` and what the notebook applies to it on the
    way to its variable or its submission, through indexing, methods, arithmetic, comparisons
    and functions: ``(model.predict_proba(X)[:, 1] > 0.5).astype(int)``, and
    ``np.expm1(model.predict(X))`` inside ``pd.DataFrame({"SalePrice": ...})`` (a log-transformed
    target: the service must answer in the target's own units). Not the table or file it goes to.
    """
    parents = {
        id(child): parent for parent in ast.walk(node) for child in ast.iter_child_nodes(parent)
    }
    current: ast.expr = call
    while (parent := parents.get(id(current))) is not None:
        if isinstance(parent, ast.Subscript) and parent.value is current:
            current = parent
        elif isinstance(parent, ast.Attribute) and parent.value is current:
            if parent.attr in REDUCTIONS:  # (pred == y).mean(): a score of the predictions
                break
            current = parent
        elif isinstance(parent, ast.Call) and parent.func is current:
            current = parent  # a method of the predictions: `.astype(int)`, `.round(2)`
        elif isinstance(parent, ast.Call) and current in parent.args and _transforms(parent):
            current = parent  # np.expm1(...), np.clip(..., 0, None), np.where(... > 0.5, 1, 0)
        elif isinstance(parent, ast.Compare) and not all(
            _constant(operand)
            for operand in (parent.left, *parent.comparators)
            if operand is not current
        ):
            break  # model.predict(X) == y_val compares with the target: not a threshold
        elif isinstance(parent, (ast.BinOp, ast.UnaryOp, ast.Compare)):
            current = parent
        else:
            break
    if isinstance(current, ast.Attribute):
        return call if current.value is call else current.value  # a method never called
    return current


def _constant(node: ast.expr) -> bool:
    """``0.5``, ``-1``: a threshold, not data the predictions are compared with."""
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    return isinstance(node, ast.Constant)


def _transforms(call: ast.Call) -> bool:
    """A function of the predictions (``np.expm1``, ``np.round``, ``scaler.inverse_transform``),
    not a table, a print or a file they are put into."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr not in FRAME_BUILDERS
    return isinstance(func, ast.Name) and func.id in ("abs", "round", "int", "float")


def _contains(tree: ast.AST, node: ast.AST) -> bool:
    return any(sub is node for sub in ast.walk(tree))


def _changed_later(sequence: list, piece, name: str, expression, functions: dict):
    """(name, the piece) changing what ``expression`` reads of ``name`` after ``piece``, or None:
    a fitted value read from its stage's product must still be what the notebook read."""
    read = _columns_read(expression, name)
    after = False
    for other in sequence:
        if other is piece:
            after = True
            continue
        if not after:
            continue
        rebound, changed, _ = _defs(other.statement.node)
        if name not in rebound | changed:
            continue
        written = _columns_written(other.statement.node, name, functions)
        if written is None or read is None or written & read:
            return name, other
    return None


def _capture_name(key: str, taken: set[str]) -> str:
    base = "fitted_" + (re.sub(r"\W+", "_", key).strip("_").lower()[:40] or "value")
    name, count = base, 1
    while name in taken:
        count += 1
        name = f"{base}_{count}"
    return name


def _column_key(node: ast.AST, name: str) -> str | None:
    """``name["col"]`` or ``name.col`` -> "col"."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        if node.value.id == name and isinstance(node.slice, ast.Constant):
            return str(node.slice.value)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        if node.value.id == name:
            return node.attr
    return None


def _columns_read(expression: ast.AST, name: str) -> set[str] | None:
    """The columns of ``name`` an expression reads, or None when it reads the whole frame."""
    columns: set[str] = set()
    parents = {id(c): p for p in ast.walk(expression) for c in ast.iter_child_nodes(p)}
    for sub in ast.walk(expression):
        if isinstance(sub, ast.Name) and sub.id == name:
            parent = parents.get(id(sub))
            column = _column_key(parent, name) if parent is not None else None
            if column is None:
                return None
            columns.add(column)
    return columns


def _columns_written(node: ast.stmt, name: str, functions: dict | None = None) -> set[str] | None:
    """The columns of ``name`` a statement changes, or None when it may change any."""
    call = getattr(node, "value", None)
    if (  # name = helper(name): the columns the helper writes on its parameter
        isinstance(node, ast.Assign)
        and [_target_id(t) for t in node.targets] == [name]
        and isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id in (functions or {})
        and call.args
        and isinstance(call.args[0], ast.Name)
        and call.args[0].id == name
    ):
        return _function_writes(functions[call.func.id])
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        columns = {_column_key(t, name) for t in targets}
        if None not in columns:
            return columns
        value = node.value
        if (  # name = name.drop(columns=[...]) / name.drop([...], axis=1)
            len(targets) == 1
            and isinstance(targets[0], ast.Name)
            and targets[0].id == name
            and isinstance(value, ast.Call)
        ):
            return _dropped(value, name)
        return None
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        call = node.value
        column = _column_key(getattr(call.func, "value", None), name)
        if column is not None:  # name["col"].fillna(..., inplace=True)
            return {column}
        return _dropped(call, name)
    return None


def _target_id(node: ast.AST) -> str | None:
    return node.id if isinstance(node, ast.Name) else None


def _function_writes(function: ast.FunctionDef) -> set[str] | None:
    """Columns a ``def f(df): df = df.copy(); df["a"] = ...; return df`` writes, or None."""
    if not function.args.args:
        return None
    param = function.args.args[0].arg
    columns: set[str] = set()
    for statement in function.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # the docstring
        if isinstance(statement, ast.Return):
            if not (isinstance(statement.value, ast.Name) and statement.value.id == param):
                return None
            continue
        value = getattr(statement, "value", None)
        if (  # df = df.copy()
            isinstance(statement, ast.Assign)
            and [_target_id(t) for t in statement.targets] == [param]
            and _method(value) == "copy"
            and isinstance(value.func, ast.Attribute)
            and isinstance(value.func.value, ast.Name)
            and value.func.value.id == param
        ):
            continue
        rebound, changed, _ = _defs(statement)
        if param not in rebound | changed:
            continue
        written = _columns_written(statement, param)
        if written is None:
            return None
        columns |= written
    return columns


def _dropped(call: ast.Call, name: str) -> set[str] | None:
    """Columns a ``name.drop(...)`` / ``pd.get_dummies(name, columns=[...])`` call replaces."""
    func = call.func
    if (
        _method(call) == ONE_HOT
        and call.args
        and isinstance(call.args[0], ast.Name)
        and call.args[0].id == name
    ):
        listed = next((k.value for k in call.keywords if k.arg == "columns"), None)
        if isinstance(listed, (ast.List, ast.Tuple)) and all(
            isinstance(e, ast.Constant) for e in listed.elts
        ):
            return {str(e.value) for e in listed.elts}
        return None
    if not (
        isinstance(func, ast.Attribute)
        and func.attr == "drop"
        and isinstance(func.value, ast.Name)
        and func.value.id == name
    ):
        return None
    axis = next((k.value for k in call.keywords if k.arg == "axis"), None)
    by_axis = isinstance(axis, ast.Constant) and axis.value in (1, "columns")
    values = [k.value for k in call.keywords if k.arg == "columns"]
    if by_axis:
        values += call.args[:1]
    if not values:  # rows dropped: any statistic may change
        return None
    columns: set[str] = set()
    for value in values:
        items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
        for item in items:
            if not isinstance(item, ast.Constant):
                return None
            columns.add(str(item.value))
    return columns


def _producer(flows: dict, name: str, sequence: list, predict_piece) -> str | None:
    """The stage whose product holds ``name`` as the statements read it: the last one changing
    it (told to return it), else the stage exporting it."""
    for piece in reversed(sequence):
        if piece.stage == "predict":
            continue
        rebound, changed, _ = _defs(piece.statement.node)
        if name in rebound | changed:
            return piece.stage
    for stage in ("train", "clean", "load"):
        if name in flows["outputs"].get(stage, ()):
            return stage
    return None
