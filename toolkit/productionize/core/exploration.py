"""Find exploration code that production does not need: values computed only to be looked at.

``corr = df.corr()`` feeding a heatmap, ``miss = df.isnull()`` feeding a plot, ``rows = []`` plus
``rows.append(df[...].value_counts())`` feeding a bar chart: statements that only inspect data
and whose names no later production statement reads. They stay in the notebook; the generated
modules leave them out like plots and prints. Conservative by construction: a statement is only
a candidate when everything it calls is a known side-effect-free inspection (no ``inplace=``),
it binds plain names, and nothing downstream in production reads any of them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from .tags import PARAMETERS, STAGES
from .tree_walk import walk_nodes

# Methods that only read a frame/array and return a new value.
INSPECTION_METHODS = frozenset(
    {
        "head",
        "tail",
        "describe",
        "corr",
        "cov",
        "isna",
        "isnull",
        "notna",
        "notnull",
        "value_counts",
        "nunique",
        "unique",
        "sample",
        "sum",
        "mean",
        "median",
        "std",
        "var",
        "min",
        "max",
        "count",
        "round",
        "abs",
        "sort_values",
        "sort_index",
        "to_frame",
        "reset_index",
        "groupby",
        "agg",
        "nlargest",
        "nsmallest",
        "idxmax",
        "idxmin",
        "quantile",
        "skew",
        "kurt",
        "copy",
        "dropna",
        "select_dtypes",
        "memory_usage",
        "tolist",
        "to_list",
        "items",
        "keys",
        "values",
    }
)
# numpy constructors, called on the module (``np.arange(len(labels))`` for a bar chart's x)
ARRAY_CONSTRUCTORS = frozenset({"arange", "linspace", "array", "asarray", "zeros", "ones"})
PURE_BUILTINS = frozenset(
    {"len", "round", "abs", "sorted", "list", "tuple", "dict", "set", "str", "int", "float", "sum"}
)
# clocks read to time a cell (``start = timeit.default_timer()``): looked at, never a result
CLOCK_FUNCTIONS = frozenset(
    {"time", "perf_counter", "monotonic", "process_time", "default_timer", "now"}
)
CLOCK_MODULES = frozenset({"time", "timeit", "datetime", "dt"})
# ``rows.append(...)`` on an exploration list grows that list only
GROWING_METHODS = frozenset({"append", "extend", "insert", "add", "update"})
# the predict stage is left alone: every value it computes may be a metric of the evaluation
PRUNED = frozenset(STAGES) - {"predict"}
PRODUCTION = frozenset(STAGES) | {PARAMETERS}


def exploration_statements(
    statements: Iterable[tuple[str, str, ast.stmt]],
) -> set[int]:
    """Positions (in the given order) of statements production does not need.

    ``statements`` are ``(stage, kind, node)`` for every top-level statement of the notebook in
    document order (kind ``code`` for production code; display, import and magic statements
    and non-production stages read nothing production needs).
    """
    items = list(statements)
    kept: set[str] = set()  # stages whose statements all stay (nothing else would be left)
    while True:
        dead = _dead(items, kept)
        code_stages = {stage for stage, kind, _ in items if kind == "code"}
        left = {items[p][0] for p in range(len(items)) if items[p][1] == "code" and p not in dead}
        emptied = (code_stages & PRUNED) - left - kept
        if not emptied:
            return dead
        # a stage of inspection only (`summary = raw.mean()`) keeps its code: dropping it all
        # would leave an empty task, and the tag says the author wants that step
        kept |= emptied


def _dead(items: list[tuple[str, str, ast.stmt]], kept: set[str]) -> set[int]:
    live: set[str] = set()
    dead: set[int] = set()
    clocks = _clock_names(items)
    for position in range(len(items) - 1, -1, -1):
        stage, kind, node = items[position]
        if stage not in PRODUCTION or kind != "code":
            continue
        prunable = stage in PRUNED and stage not in kept
        # the predict stage keeps its values (metrics), except clock readings: `end - start`
        # timed the cell, it is no property of the model
        prunable = prunable or (stage == "predict" and _times_the_cell(node, clocks))
        bound = _bound_by_inspection(node) if prunable else None
        if bound is not None and not bound & live:
            dead.add(position)
            continue
        # a kept statement keeps alive everything it reads (function bodies included); names it
        # rebinds stay live too: an over-approximation that can only keep more code
        live |= {n.id for n in walk_nodes(node) if isinstance(n, ast.Name)}
    return dead


def _is_clock(node: ast.AST) -> bool:
    """``time.time()``, ``timeit.default_timer()``, ``datetime.now()``, ``datetime.datetime.now()``."""
    if not (isinstance(node, ast.Call) and not node.args and not node.keywords):
        return False
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr in CLOCK_FUNCTIONS):
        return False
    receiver = func.value
    while isinstance(receiver, ast.Attribute):
        receiver = receiver.value
    return isinstance(receiver, ast.Name) and receiver.id in CLOCK_MODULES


def _clock_names(items: list[tuple[str, str, ast.stmt]]) -> set[str]:
    """Names bound to a clock reading or to arithmetic on clock readings, in document order."""
    clocks: set[str] = set()
    for _stage, _kind, node in items:
        if isinstance(node, ast.Assign) and _times_the_cell(node, clocks):
            clocks |= {n.id for t in node.targets for n in walk_nodes(t) if isinstance(n, ast.Name)}
    return clocks


def _times_the_cell(node: ast.stmt, clocks: set[str]) -> bool:
    """``end = timeit.default_timer()``, ``elapsed = end - start``: a statement of clock values."""
    if not isinstance(node, ast.Assign):
        return False
    value = node.value
    nodes = walk_nodes(value)
    reads = {n.id for n in nodes if isinstance(n, ast.Name)}
    has_clock = any(_is_clock(n) for n in nodes)
    other_calls = [n for n in nodes if isinstance(n, ast.Call) and not _is_clock(n)]
    return (
        (has_clock or bool(reads & clocks)) and not other_calls and reads - CLOCK_MODULES <= clocks
    )


def _bound_by_inspection(node: ast.stmt) -> set[str] | None:
    """The names an inspection-only statement binds or grows; None when it is anything else."""
    if isinstance(node, ast.Assign):
        names: set[str] = set()
        for target in node.targets:
            if not _plain_names(target, names):
                return None
        return names if _pure(node.value) else None
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        return {node.target.id} if isinstance(node.target, ast.Name) and _pure(node.value) else None
    if isinstance(node, ast.Expr) and _pure(node.value):
        return set()  # `df.isnull().sum().sort_values()`: a value shown, then discarded
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        call = node.value
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in GROWING_METHODS
            and isinstance(func.value, ast.Name)
            and _pure_arguments(call)
        ):
            return {func.value.id}
    return None


def _plain_names(target: ast.expr, names: set[str]) -> bool:
    if isinstance(target, ast.Name):
        names.add(target.id)
        return True
    if isinstance(target, (ast.Tuple, ast.List)):
        return all(_plain_names(t, names) for t in target.elts)
    return False  # df["a"] = ..., obj.x = ...: changes an object others may read


def _pure(node: ast.expr) -> bool:
    """Whether evaluating ``node`` reads values only (no call with a possible side effect)."""
    if isinstance(node, (ast.Name, ast.Constant)):
        return True
    if isinstance(node, ast.Attribute):
        return _pure(node.value)
    if isinstance(node, ast.Subscript):
        return _pure(node.value) and _pure(node.slice)
    if isinstance(node, ast.Slice):
        return all(_pure(p) for p in (node.lower, node.upper, node.step) if p is not None)
    if isinstance(node, ast.BinOp):
        return _pure(node.left) and _pure(node.right)
    if isinstance(node, ast.UnaryOp):
        return _pure(node.operand)
    if isinstance(node, ast.BoolOp):
        return all(_pure(v) for v in node.values)
    if isinstance(node, ast.Compare):
        return _pure(node.left) and all(_pure(c) for c in node.comparators)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_pure(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(_pure(k) for k in node.keys if k is not None) and all(
            _pure(v) for v in node.values
        )
    if isinstance(node, ast.Call):
        func = node.func
        if _is_clock(node):
            return True
        if isinstance(func, ast.Name):
            return func.id in PURE_BUILTINS and _pure_arguments(node)
        if isinstance(func, ast.Attribute) and func.attr in INSPECTION_METHODS:
            return _pure(func.value) and _pure_arguments(node)
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ARRAY_CONSTRUCTORS
            and isinstance(func.value, ast.Name)
        ):
            return _pure_arguments(node)
        return False
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return _pure(node.elt) and _pure_generators(node.generators)
    if isinstance(node, ast.DictComp):
        return _pure(node.key) and _pure(node.value) and _pure_generators(node.generators)
    return False


def _pure_generators(generators: list[ast.comprehension]) -> bool:
    return all(
        not g.is_async
        and isinstance(g.target, (ast.Name, ast.Tuple))
        and _pure(g.iter)
        and all(_pure(condition) for condition in g.ifs)
        for g in generators
    )


def _pure_arguments(call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg == "inplace":
            return False
        if not _pure(keyword.value):
            return False
    return all(_pure(a.value if isinstance(a, ast.Starred) else a) for a in call.args)
