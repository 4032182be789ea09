"""PN204-PN207, PN209: pandas 2/3 API changes that break notebooks written for pandas 1.x.

``fillna(method=...)`` is gone (PN204, safe fix to ``.ffill()``/``.bfill()``); ``df.corr()``,
``df.mean()`` and other reductions no longer skip text columns by themselves (PN205, suggests
``numeric_only=True``: it changes which columns the result has, so it is never applied);
``df[col].dtype == "O"`` no longer finds text columns, whose dtype is ``str`` (PN206, safe fix to
``in ("O", "str")``); ``df["a"][mask] = v`` writes to a temporary Series under Copy-on-Write
(PN207, safe fix to ``df.loc[mask, "a"] = v``), the old Titanic notebooks' random ages; ``df.drop("a", 1)``
must name ``axis=1``, and pandas 3 refuses ``axis`` beside ``columns=``/``index=`` (PN209).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model import CellEdit, Finding, Fix, Severity
from ..defuse import ParsedCell
from ..text_columns import all_converted
from ..tree_walk import walk_nodes
from .base import LintContext, line_column, rewrite_on_line, rule

FILL_METHODS = {"ffill": "ffill", "pad": "ffill", "bfill": "bfill", "backfill": "bfill"}
# DataFrame reductions whose ``numeric_only`` default became False (pandas 2): on a frame with a
# text column they raise ``could not convert string to float`` / ``TypeError``
NUMERIC_REDUCTIONS = frozenset(
    {"corr", "cov", "mean", "median", "std", "var", "sem", "skew", "kurt", "quantile"}
)
NOT_A_LITERAL = object()
READERS = frozenset({"read_csv", "read_excel", "read_table", "read_json", "read_parquet"})


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def _call_rewrite(p: ParsedCell, call: ast.Call, method: str, drop: str) -> str | None:
    """The cell's source with ``call`` rewritten to ``<receiver>.<method>(<args without drop>)``.

    Only a call written on one line of a cell without magics: its text is replaced in place.
    """
    if p.magics or call.lineno != call.end_lineno or not isinstance(call.func, ast.Attribute):
        return None

    def write(segment) -> str:
        arguments = [segment(a) for a in call.args]
        arguments += [segment(k) for k in call.keywords if k.arg != drop]
        return f"{segment(call.func.value)}.{method}({', '.join(arguments)})"  # type: ignore

    return rewrite_on_line(p.cell.source, call, write)


def _safe_fix(p: ParsedCell, description: str, new_source: str | None) -> Fix:
    if new_source is None:
        return Fix(description)
    return Fix(description, safe=True, edits=(CellEdit(p.cell.index, p.cell.cell_id, new_source),))


@rule(
    "PN204",
    "fillna-method",
    Severity.WARNING,
    "`fillna(method=...)`: pandas 3 removed the `method` argument (TypeError)",
    "Safe: `.fillna(method='ffill')` -> `.ffill()`, `'bfill'` -> `.bfill()`, `method=None` dropped "
    "(calls written on one line)",
)
def fillna_method(ctx: LintContext) -> Iterator[Finding]:
    for p in ctx.parsed:
        for call in ctx.nodes(p).calls:
            if not isinstance(call.func, ast.Attribute) or call.func.attr != "fillna":
                continue
            keyword = _keyword(call, "method")
            if keyword is None:
                continue
            value = keyword.value
            method = value.value if isinstance(value, ast.Constant) else NOT_A_LITERAL
            receiver = ast.unparse(call.func.value)
            advice = "use `.ffill()`/`.bfill()`"
            if method is None:
                advice = "drop `method=None`"
                description = "Drop `method=None` (it was the default)"
                new_source = _call_rewrite(p, call, "fillna", "method")
            elif isinstance(method, str) and method in FILL_METHODS and not call.args:
                if _keyword(call, "value") is not None:
                    continue  # value and method together never worked: pandas 1 raised too
                replacement = FILL_METHODS[method]
                description = f"Call `{receiver}.{replacement}(...)` instead"
                new_source = _call_rewrite(p, call, replacement, "method")
            else:
                description = "Call `.ffill()` or `.bfill()` instead"
                new_source = None
            yield ctx.finding(
                "PN204",
                p.cell,
                f"`{receiver}.fillna(method=...)` raises TypeError under pandas 3 (the argument "
                f"was removed); {advice}",
                call.lineno,
                line_column(p.cell.source, call.lineno, call.col_offset),
                _safe_fix(p, description, new_source),
            )


# methods whose result keeps the text columns of the frame they are called on
SAME_COLUMNS = frozenset(
    {"copy", "dropna", "drop_duplicates", "reset_index", "fillna", "rename", "sort_values"}
)


def _frames_read_from_files(ctx: LintContext) -> dict[str, str | None]:
    """Names bound to ``pd.read_csv(...)`` and friends, or to a copy of one (``df = data.copy()``):
    tables that may hold text columns, each with the frame it copies (None: read itself)."""
    frames: dict[str, str | None] = {}
    copies: list[tuple[str, str]] = []
    for p in ctx.parsed:
        if p.tree is None:
            continue
        for node in walk_nodes(p.tree):
            if not isinstance(node, ast.Assign):
                continue
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            source = _copied_frame(node.value)
            if source is not None:
                copies += [(t, source) for t in targets]
                continue
            if not isinstance(node.value, ast.Call):
                continue
            func = node.value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in READERS:
                frames.update(dict.fromkeys(targets))
    grew = True
    while grew:  # df = data.copy(); train = df.dropna() ...
        grew = False
        for target, source in copies:
            if source in frames and target not in frames:
                frames[target] = source if frames[source] is None else frames[source]
                grew = True
    return frames


def _copied_frame(value: ast.expr) -> str | None:
    """``data`` in ``data.copy()``, ``data.dropna()``... (a frame with the same text columns)."""
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in SAME_COLUMNS
        and isinstance(value.func.value, ast.Name)
    ):
        return value.func.value.id
    return None


@rule(
    "PN205",
    "numeric-only",
    Severity.WARNING,
    "`df.corr()`/`df.mean()`... on a table read from a file (or a copy of one: `df = "
    "data.copy()`, `.dropna()`...): since pandas 2 text columns are no longer skipped and the "
    "call raises `could not convert string to float`",
    "Pass `numeric_only=True` (or select the numeric columns first); not applied automatically: "
    "it changes which columns the result has",
)
def numeric_only(ctx: LintContext) -> Iterator[Finding]:
    frames = _frames_read_from_files(ctx)
    if not frames:
        return
    for p in ctx.parsed:
        for call in ctx.nodes(p).calls:
            func = call.func
            if not isinstance(func, ast.Attribute) or func.attr not in NUMERIC_REDUCTIONS:
                continue
            if not isinstance(func.value, ast.Name) or func.value.id not in frames:
                continue  # df["a"].mean() is a column; df.groupby(...) is another story
            if _keyword(call, "numeric_only") is not None or call.args:
                continue
            name = func.value.id
            chain = [name] + ([frames[name]] if frames[name] is not None else [])
            if all_converted(ctx.parsed, chain, (p.cell.index, call.lineno)):
                continue  # every text column was label-encoded (or dropped) before the call
            origin = "is read from a file"
            if frames[name] is not None:
                origin = f"is a copy of `{frames[name]}`, read from a file"
            yield ctx.finding(
                "PN205",
                p.cell,
                f"`{name}.{func.attr}()` raises on text columns since pandas 2 (`{name}` {origin}); "
                f"pass `numeric_only=True` if `{name}` has any",
                call.lineno,
                line_column(p.cell.source, call.lineno, call.col_offset),
                Fix(f"Use `{name}.{func.attr}(numeric_only=True)`"),
            )


# what an old notebook compares a column's dtype with to find its text columns
OBJECT_DTYPE_NAMES = frozenset({"O", "object", "|O"})


def _is_object_dtype_literal(node: ast.AST) -> bool:
    """``"O"``, ``"object"``, ``object``, ``np.object_``."""
    if isinstance(node, ast.Constant):
        return node.value in OBJECT_DTYPE_NAMES
    if isinstance(node, ast.Name):
        return node.id == "object"
    return isinstance(node, ast.Attribute) and node.attr in ("object_", "object")


def _dtype_of_one_column(node: ast.AST) -> bool:
    """``df[col].dtype``, ``df[col].dtypes``, ``df.Sex.dtype``: one dtype, not a Series of them."""
    if not isinstance(node, ast.Attribute) or node.attr not in ("dtype", "dtypes"):
        return False
    return node.attr == "dtype" or isinstance(node.value, (ast.Subscript, ast.Attribute))


@rule(
    "PN206",
    "object-dtype-test",
    Severity.WARNING,
    '`df[col].dtype == "O"` (or `"object"`): under pandas 3 text columns have dtype `str`, so the '
    "test is False and the code meant for text columns (label encoding...) skips them",
    'Safe: `df[col].dtype == "O"` -> `df[col].dtype in ("O", "str")` (`!=` -> `not in`), true for '
    'text columns under pandas 2 and 3; a whole-frame mask (`df.dtypes == "object"`) is pointed at '
    '`df.select_dtypes(include=["object", "str"])`',
)
def object_dtype_test(ctx: LintContext) -> Iterator[Finding]:
    for p in ctx.parsed:
        if p.tree is None:
            continue
        for node in walk_nodes(p.tree):
            if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
                continue
            op = node.ops[0]
            if not isinstance(op, (ast.Eq, ast.NotEq)):
                continue
            left, right = node.left, node.comparators[0]
            if _is_object_dtype_literal(left):
                left, right = right, left
            if not (
                isinstance(left, ast.Attribute)
                and left.attr in ("dtype", "dtypes")
                and _is_object_dtype_literal(right)
            ):
                continue
            text = ast.unparse(node)
            if _dtype_of_one_column(left):
                containment = "in" if isinstance(op, ast.Eq) else "not in"
                subject = ast.unparse(left)

                def write(segment, left=left, containment=containment) -> str:
                    return f'{segment(left)} {containment} ("O", "str")'

                new_source = None
                if not p.magics and node.lineno == node.end_lineno:
                    new_source = rewrite_on_line(p.cell.source, node, write)
                fix = _safe_fix(
                    p, f'Test `{subject} {containment} ("O", "str")` instead', new_source
                )
            else:
                frame = ast.unparse(left.value)
                fix = Fix(
                    f'Select the text columns with `{frame}.select_dtypes(include=["object", "str"])`'
                )
            yield ctx.finding(
                "PN206",
                p.cell,
                f"`{text}` does not see text columns as text under pandas 3 (their dtype is "
                "`str`, not `object`): code meant for them (label encoding...) skips them",
                node.lineno,
                line_column(p.cell.source, node.lineno, node.col_offset),
                fix,
            )


def _chained_assignment(
    target: ast.AST, frames: dict[str, str | None]
) -> tuple[str, ast.AST, ast.AST] | None:
    """``(frame, column, key)`` of ``df["a"][key] = v`` / ``df.a[key] = v`` on a table read from a
    file: the assignment goes to an intermediate Series that pandas 3 never writes back."""
    if not isinstance(target, ast.Subscript) or isinstance(target.slice, ast.Slice):
        return None
    inner = target.value
    if isinstance(inner, ast.Subscript) and isinstance(inner.value, ast.Name):
        if inner.value.id in frames and isinstance(inner.slice, ast.Constant):
            if isinstance(inner.slice.value, str):
                return inner.value.id, inner.slice, target.slice
    if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name):
        if inner.value.id in frames and inner.attr not in ("loc", "iloc", "at", "iat"):
            return inner.value.id, ast.Constant(inner.attr), target.slice  # no position
    return None


@rule(
    "PN207",
    "chained-assignment",
    Severity.WARNING,
    '`df["a"][mask] = value` (or `df.a[mask] = value`) on a table read from a file: under pandas 3 '
    "Copy-on-Write the assignment changes a temporary Series and `df` keeps its old values",
    'Safe: `df.loc[mask, "a"] = value` (single-line statements with a boolean or label key)',
)
def chained_assignment(ctx: LintContext) -> Iterator[Finding]:
    frames = _frames_read_from_files(ctx)
    if not frames:
        return
    for p in ctx.parsed:
        if p.tree is None:
            continue
        for node in walk_nodes(p.tree):
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
                continue
            found = _chained_assignment(node.targets[0], frames)
            if found is None:
                continue
            frame, column, key = found
            target = node.targets[0]
            text = ast.unparse(target)
            replacement = f"{frame}.loc[{ast.unparse(key)}, {ast.unparse(column)}]"
            new_source = None
            # an integer key was a position for a Series without a RangeIndex: not rewritten
            positional = isinstance(key, ast.Constant) and isinstance(key.value, int)
            if not p.magics and node.lineno == node.end_lineno and not positional:

                def write(segment, key=key, column=column, frame=frame) -> str:
                    name = segment(column) if hasattr(column, "lineno") else f'"{column.value}"'
                    return f"{frame}.loc[{segment(key)}, {name}]"

                new_source = rewrite_on_line(p.cell.source, target, write)
            yield ctx.finding(
                "PN207",
                p.cell,
                f"`{text} = ...` changes a temporary copy under pandas 3 Copy-on-Write: "
                f"`{frame}` keeps its old values (write `{replacement} = ...`)",
                node.lineno,
                line_column(p.cell.source, node.lineno, node.col_offset),
                _safe_fix(p, f"Assign through `{replacement}` instead", new_source),
            )


@rule(
    "PN209",
    "positional-axis",
    Severity.WARNING,
    "`df.drop('col', 1)`: pandas 2 made `axis` keyword-only (TypeError: takes 2 positional "
    "arguments); `df.drop(columns='col', axis=1)`: pandas 3 refuses `axis` next to "
    "`columns=`/`index=` (ValueError)",
    "Safe: `df.drop('col', axis=1)`; `df.drop(columns='col')` (calls written on one line)",
)
def positional_axis(ctx: LintContext) -> Iterator[Finding]:
    for p in ctx.parsed:
        if p.tree is None:
            continue
        for call in ctx.nodes(p).calls:
            labelled = _axis_beside_labels(call)
            if labelled is not None:
                yield ctx.finding(
                    "PN209",
                    p.cell,
                    f"`.drop({labelled}=..., axis=...)`: pandas 3 refuses `axis` next to "
                    f"`{labelled}=` (ValueError: Cannot specify both 'axis' and "
                    f"'index'/'columns'); `{labelled}=` already says which axis, so drop `axis=`",
                    call.lineno,
                    line_column(p.cell.source, call.lineno, call.col_offset),
                    _safe_fix(p, "Remove axis=", _call_rewrite(p, call, "drop", "axis")),
                )
                continue
            if not (
                isinstance(call.func, ast.Attribute)
                and call.func.attr == "drop"
                and len(call.args) == 2
                and isinstance(call.args[1], ast.Constant)
                and type(call.args[1].value) is int
                and call.args[1].value in (0, 1)
                and _keyword(call, "axis") is None
            ):
                continue
            axis = call.args[1].value
            new_source = None
            if not p.magics and call.lineno == call.end_lineno:

                def write(segment, call=call, axis=axis) -> str:
                    arguments = [segment(call.args[0]), f"axis={axis}"]
                    arguments += [segment(k) for k in call.keywords]
                    return f"{segment(call.func.value)}.drop({', '.join(arguments)})"

                new_source = rewrite_on_line(p.cell.source, call, write)
            yield ctx.finding(
                "PN209",
                p.cell,
                f"`.drop(..., {axis})` passes the axis by position, which pandas 2 refuses "
                f"(TypeError); write `axis={axis}`",
                call.lineno,
                line_column(p.cell.source, call.lineno, call.col_offset),
                _safe_fix(p, f"Pass axis={axis} by keyword", new_source),
            )


def _axis_beside_labels(call: ast.Call) -> str | None:
    """``columns`` for ``x.drop(columns=..., axis=1)`` (``index`` likewise): pandas 1 and 2
    ignored the axis there, pandas 3 raises."""
    if not (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "drop"
        and not call.args
        and _keyword(call, "axis") is not None
    ):
        return None
    return next((k for k in ("columns", "index") if _keyword(call, k) is not None), None)


# numpy reductions that hand a DataFrame to its own method with axis=None: column by column
# under pandas 1, one number over every value since pandas 2
WHOLE_FRAME_REDUCTIONS = frozenset({"min", "max", "mean", "sum"})
# calls whose result is a DataFrame when given one (or built from files)
FRAME_RESULTS = frozenset({"concat", "get_dummies", "DataFrame", "merge"})
FRAME_METHODS = SAME_COLUMNS | {"drop", "select_dtypes", "astype", "assign", "merge", "join"}


def _data_frames(ctx: LintContext) -> set[str]:
    """Names bound to a table: read from a file, or a frame made from one (``x = df.drop(...)``,
    ``pd.concat([df, dummies], axis=1)``, ``df[["a", "b"]]``)."""
    frames = set(_frames_read_from_files(ctx))
    assigns = [
        node
        for p in ctx.parsed
        if p.tree is not None
        for node in walk_nodes(p.tree)
        if isinstance(node, ast.Assign)
    ]
    lists = {
        t.id: {n.id for n in node.value.elts if isinstance(n, ast.Name)}
        for node in assigns
        if isinstance(node.value, ast.List)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    grew = True
    while grew:
        grew = False
        for node in assigns:
            targets = {t.id for t in node.targets if isinstance(t, ast.Name)} - frames
            if targets and _makes_frame(node.value, frames, lists):
                frames |= targets
                grew = True
    return frames


def _makes_frame(value: ast.expr, frames: set[str], lists: dict[str, set[str]]) -> bool:
    """Whether ``value`` is a table: a frame's name, a read, ``df.drop(...)``, ``df[["a"]]``,
    ``pd.concat([...])`` of frames (also through a list bound to a name)."""
    if isinstance(value, ast.Name):
        return value.id in frames
    if isinstance(value, ast.Call):
        func = value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in READERS:
            return True
        if isinstance(func, ast.Attribute) and name in FRAME_METHODS:
            return _makes_frame(func.value, frames, lists)
        names = {n.id for n in walk_nodes(value) if isinstance(n, ast.Name)}
        names |= {m for n in names for m in lists.get(n, ())}  # parts = [df, a]; concat(parts)
        return name in FRAME_RESULTS and bool(names & frames)
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.List):
        return _makes_frame(value.value, frames, lists)
    return False


@rule(
    "PN210",
    "numpy-reduction-of-frame",
    Severity.WARNING,
    "`np.min(df)`, `np.max(df)`, `np.mean(df)`, `np.sum(df)` on a table: under pandas 1 one value "
    "per column, since pandas 2 one number over every value (min-max scaling then divides by a "
    "number, and `.values` on it raises AttributeError)",
    "Safe: `np.min(df)` -> `df.min()` (per column, as the notebook was written for; calls "
    "written on one line)",
)
def numpy_reduction_of_frame(ctx: LintContext) -> Iterator[Finding]:
    numpy = {
        b.name
        for p in ctx.parsed
        for b in p.names.imports
        if b.statement in ("import numpy", f"import numpy as {b.name}")
    }
    if not numpy:
        return
    frames = _data_frames(ctx)
    if not frames:
        return
    for p in ctx.parsed:
        for call in ctx.nodes(p).calls:
            func = call.func
            if not (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in numpy
                and func.attr in WHOLE_FRAME_REDUCTIONS
                and len(call.args) == 1
                and not call.keywords
                and isinstance(call.args[0], ast.Name)
                and call.args[0].id in frames
            ):
                continue
            frame, method = call.args[0].id, func.attr
            written = f"{func.value.id}.{method}({frame})"
            description = f"Use `{frame}.{method}()` (one value per column) instead of `{written}`"
            fix = Fix(description)
            if not p.magics and call.lineno == call.end_lineno:
                new_source = rewrite_on_line(
                    p.cell.source, call, lambda _segment, f=frame, m=method: f"{f}.{m}()"
                )
                if new_source is not None:
                    fix = Fix(
                        description,
                        safe=True,
                        edits=(CellEdit(p.cell.index, p.cell.cell_id, new_source),),
                    )
            yield ctx.finding(
                "PN210",
                p.cell,
                f"`{written}` is one number over every value of `{frame}` since pandas 2 "
                f"(pandas 1 gave one value per column, as `{frame}.{method}()` does)",
                call.lineno,
                line_column(p.cell.source, call.lineno, call.col_offset),
                fix,
            )
