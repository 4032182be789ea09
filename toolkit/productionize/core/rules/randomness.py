"""PN6xx: randomness without a seed — results that change on every run."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ...model import CellEdit, Finding, Fix, Severity
from ..defuse import ParsedCell
from .base import LintContext, line_column, rule

# Callables whose ``random_state`` defaults to the global RNG (scikit-learn, xgboost, lightgbm)
SEEDED_BY_RANDOM_STATE = frozenset(
    """train_test_split resample shuffle RandomForestClassifier RandomForestRegressor
    ExtraTreesClassifier ExtraTreesRegressor GradientBoostingClassifier GradientBoostingRegressor
    HistGradientBoostingClassifier HistGradientBoostingRegressor DecisionTreeClassifier
    DecisionTreeRegressor ExtraTreeClassifier ExtraTreeRegressor BaggingClassifier BaggingRegressor
    AdaBoostClassifier AdaBoostRegressor IsolationForest RandomTreesEmbedding KMeans
    MiniBatchKMeans BisectingKMeans SpectralClustering GaussianMixture BayesianGaussianMixture
    MLPClassifier MLPRegressor SGDClassifier SGDRegressor Perceptron PassiveAggressiveClassifier
    RandomizedSearchCV ShuffleSplit StratifiedShuffleSplit GroupShuffleSplit TSNE
    RandomUnderSampler RandomOverSampler SMOTE XGBClassifier XGBRegressor LGBMClassifier
    LGBMRegressor make_classification make_regression make_blobs make_moons make_circles""".split()
)
# only random when shuffling
SHUFFLE_ONLY = frozenset({"KFold", "StratifiedKFold", "GroupKFold", "RepeatedKFold"})
NUMPY_SEEDLESS_OK = frozenset({"seed", "default_rng", "RandomState", "Generator", "SeedSequence"})
STDLIB_RANDOM_FUNCS = frozenset(
    "random randint randrange choice choices shuffle sample uniform gauss normalvariate".split()
)
_SEED_NAME = re.compile(r"^(seed|random_state|random_seed|rng_seed)$", re.IGNORECASE)


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def _has_star_kwargs(call: ast.Call) -> bool:
    return any(k.arg is None for k in call.keywords)


def _seed_parameter(ctx: LintContext, before: int) -> str | None:
    """A seed-like name (``SEED``, ``random_state``) defined by a cell above, to seed with."""
    for p in ctx.parsed:
        if p.cell.index >= before:
            break
        for name in sorted(p.names.defined):
            if _SEED_NAME.match(name):
                return name
    return None


def _insert_keyword(source: str, call: ast.Call, text: str) -> str | None:
    """Source with ``text`` added as the last argument of ``call``; None when unsure."""
    data = source.encode("utf-8")
    starts = [0]
    for line in data.split(b"\n"):
        starts.append(starts[-1] + len(line) + 1)

    def offset(line: int | None, column: int | None) -> int:
        return starts[(line or 1) - 1] + (column or 0)

    close = offset(call.end_lineno, call.end_col_offset) - 1
    if close < 0 or data[close : close + 1] != b")":
        return None
    arguments = [*call.args, *call.keywords]
    if arguments:
        last = max(offset(a.end_lineno, a.end_col_offset) for a in arguments)
        between = re.sub(rb"#[^\n]*", b"", data[last:close])
        if b"," in between:  # trailing comma already there
            insert_at, insert = close, f" {text}"
        else:
            insert_at, insert = last, f", {text}"
    else:
        insert_at, insert = close, text
    new_source = (data[:insert_at] + insert.encode("utf-8") + data[insert_at:]).decode("utf-8")
    try:
        ast.parse(new_source)
    except SyntaxError:
        return None
    return new_source


def _random_state_fix(ctx: LintContext, p: ParsedCell, call: ast.Call, name: str) -> Fix:
    seed = _seed_parameter(ctx, p.cell.index) or "42"
    new_source = None if p.magics else _insert_keyword(p.cell.source, call, f"random_state={seed}")
    description = f"Pass random_state={seed} to {name}(...)"
    if new_source is None:
        return Fix(description)
    return Fix(description, safe=True, edits=(CellEdit(p.cell.index, p.cell.cell_id, new_source),))


@rule(
    "PN601",
    "unseeded-estimator",
    Severity.WARNING,
    "`train_test_split`, `df.sample`, a shuffling splitter or a randomized estimator without "
    "`random_state`",
    "Safe: add `random_state=<seed>` (a `seed`/`random_state` parameter if the notebook has one)",
)
def unseeded_estimator(ctx: LintContext) -> Iterator[Finding]:
    random_aliases = {"random"}
    own = _own_definitions(ctx)
    for p in ctx.parsed:
        random_aliases |= _module_aliases(p, "random")
        if p.tree is None:
            continue
        for node in ctx.nodes(p).calls:
            if not isinstance(node, ast.Call) or _has_star_kwargs(node):
                continue
            name = _called_name(node)
            if name in ("shuffle", "resample") and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if not (isinstance(owner, ast.Name) and owner.id == "utils"):
                    continue  # random.shuffle / np.random.shuffle: PN602 / PN603
            if name == "sample" and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Name) and owner.id in random_aliases:
                    continue  # random.sample: PN603
                if isinstance(owner, ast.Attribute) and owner.attr == "random":
                    continue  # np.random.sample: PN602
                name = "DataFrame.sample"
            elif name in SHUFFLE_ONLY:
                shuffle = _keyword(node, "shuffle")
                if not (
                    shuffle and isinstance(shuffle.value, ast.Constant) and shuffle.value.value
                ):
                    continue
            elif name not in SEEDED_BY_RANDOM_STATE and name != "DataFrame.sample":
                continue
            if _keyword(node, "random_state") is not None:
                continue
            takes = _takes_random_state(own, node)
            if takes is False:
                continue  # the notebook's own SMOTE or train_test_split, not the library's
            column = line_column(p.source, node.lineno, node.col_offset)
            fix = _random_state_fix(ctx, p, node, name)
            if takes is None:  # a subclass without __init__: the parent's may not take it
                fix = Fix(fix.description)
            yield ctx.finding(
                "PN601",
                p.cell,
                f"`{name}(...)` without random_state gives different results on every run",
                node.lineno,
                column,
                fix,
            )


def _own_definitions(ctx: LintContext) -> dict[str, ast.AST]:
    """Top-level classes and functions the notebook defines, by name (the last one wins)."""
    own: dict[str, ast.AST] = {}
    for p in ctx.parsed:
        for node in p.tree.body if p.tree is not None else ():
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                own[node.name] = node
    return own


def _takes_random_state(own: dict[str, ast.AST], call: ast.Call) -> bool | None:
    """Whether a call to one of the notebook's own definitions accepts ``random_state``:
    True for a library callable, None when a class without ``__init__`` inherits one."""
    if not isinstance(call.func, ast.Name) or call.func.id not in own:
        return True
    node = own[call.func.id]
    if isinstance(node, ast.ClassDef):
        init = next(
            (n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"),
            None,
        )
        if init is None:
            return None if node.bases else False
        node = init
    args = node.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    return "random_state" in names or args.kwarg is not None


def _module_aliases(p: ParsedCell, module: str) -> set[str]:
    aliases = set()
    for binding in p.names.imports:
        if binding.statement in (f"import {module}", f"import {module} as {binding.name}"):
            aliases.add(binding.name)
    return aliases


def _seed_calls(ctx: LintContext):
    """Cell index of the first ``np.random.seed`` / ``random.seed`` call, per library."""
    first: dict[str, int] = {}
    for p in ctx.parsed:
        if p.tree is None:
            continue
        for node in ctx.nodes(p).calls:
            if isinstance(node, ast.Call) and _called_name(node) == "seed":
                func = node.func
                owner = func.value if isinstance(func, ast.Attribute) else None
                library = "numpy" if isinstance(owner, ast.Attribute) else "random"
                first.setdefault(library, p.cell.index)
    return first


@rule(
    "PN602",
    "unseeded-numpy-random",
    Severity.WARNING,
    "`np.random.*` (or `default_rng()`) used without a seed",
    "Create `rng = np.random.default_rng(seed)` once and draw from it",
)
def unseeded_numpy(ctx: LintContext) -> Iterator[Finding]:
    numpy_aliases: set[str] = set()
    seeded = _seed_calls(ctx).get("numpy")
    for p in ctx.parsed:
        numpy_aliases |= _module_aliases(p, "numpy")
        if p.tree is None or (seeded is not None and seeded <= p.cell.index):
            continue
        for node in ctx.nodes(p).calls:
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            owner = node.func.value
            if not (
                isinstance(owner, ast.Attribute)
                and owner.attr == "random"
                and isinstance(owner.value, ast.Name)
                and owner.value.id in numpy_aliases
            ):
                continue
            func = node.func.attr
            if func in NUMPY_SEEDLESS_OK and not (
                func in ("default_rng", "RandomState") and not node.args and not node.keywords
            ):
                continue
            column = line_column(p.source, node.lineno, node.col_offset)
            yield ctx.finding(
                "PN602",
                p.cell,
                f"`{owner.value.id}.random.{func}(...)` draws from an unseeded generator",
                node.lineno,
                column,
                Fix("Use rng = np.random.default_rng(SEED) (SEED in the parameters cell)"),
            )


@rule(
    "PN603",
    "unseeded-random-module",
    Severity.WARNING,
    "The standard `random` module used without `random.seed(...)` first",
    "Call `random.seed(SEED)` in the parameters cell, or use `random.Random(SEED)`",
)
def unseeded_stdlib(ctx: LintContext) -> Iterator[Finding]:
    aliases: set[str] = set()
    seeded = _seed_calls(ctx).get("random")
    for p in ctx.parsed:
        aliases |= _module_aliases(p, "random")
        if p.tree is None or (seeded is not None and seeded <= p.cell.index):
            continue
        for node in ctx.nodes(p).calls:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in aliases
                and node.func.attr in STDLIB_RANDOM_FUNCS
            ):
                column = line_column(p.source, node.lineno, node.col_offset)
                yield ctx.finding(
                    "PN603",
                    p.cell,
                    f"`{node.func.value.id}.{node.func.attr}(...)` is not seeded",
                    node.lineno,
                    column,
                    Fix("Call random.seed(SEED) in the parameters cell first"),
                )
