"""PN213: pandas API that pandas 2 and 3 removed, which old tutorials still call.

``pd.value_counts(s)``, ``df.append(row)``, ``s.dt.weekofyear``, ``df.ix[...]`` and the frequency
aliases ``'M'``, ``'Y'``/``'A'``, ``'Q'``, ``'H'``, ``'T'``, ``'S'`` (``resample('M')``) each stop
today's notebook with AttributeError or ``ValueError: Invalid frequency``; so does Kaggle's
``pd.set_option('display.max_colwidth', -1)`` (ValueError since pandas 1.0: None means no limit). Each has a documented
replacement; the ones that mean exactly what the notebook meant are safe fixes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model import CellEdit, Finding, Fix, Severity
from ..tree_walk import walk_nodes
from .base import LintContext, line_column, rewrite_on_line, rule
from .pandas_api import _data_frames

# removed frequency alias -> its name since pandas 2.2 (removed in 3)
FREQUENCIES = {
    "M": "ME",
    "BM": "BME",
    "SM": "SME",
    "Q": "QE",
    "BQ": "BQE",
    "Y": "YE",
    "BY": "BYE",
    "A": "YE",
    "BA": "BYE",
    "AS": "YS",
    "BAS": "BYS",
    "H": "h",
    "BH": "bh",
    "T": "min",
    "S": "s",
    "L": "ms",
    "U": "us",
    "N": "ns",
}
# (periods still spell months "M": to_period and period_range are left alone)
FREQUENCY_METHODS = frozenset({"resample", "asfreq"})
FREQUENCY_CALLS = frozenset({"date_range", "bdate_range", "Grouper"})


@rule(
    "PN213",
    "pandas-removed-api",
    Severity.WARNING,
    "`pd.value_counts(s)`, `df.append(...)`, `s.dt.weekofyear`, `df.ix[...]`, `resample('M')` "
    "(frequency aliases M, Y, A, Q, H, T, S), `pd.set_option('display.max_colwidth', -1)`: "
    "removed in pandas 1, 2 and 3 (AttributeError, ValueError: Invalid frequency, ValueError: "
    "Value must be a nonnegative integer or None)",
    "Safe: `s.value_counts()`, `s.dt.isocalendar().week`, `resample('ME')`, `max_colwidth` "
    "None...; `pd.concat` for `append` and `.loc`/`.iloc` for `.ix` by hand",
)
def removed_api(ctx: LintContext) -> Iterator[Finding]:
    pandas = {
        b.name
        for p in ctx.parsed
        for b in p.names.imports
        if b.statement in ("import pandas", f"import pandas as {b.name}")
    }
    if not pandas and not any(b.module == "pandas" for p in ctx.parsed for b in p.names.imports):
        return
    frames = _data_frames(ctx)
    for p in ctx.parsed:
        if p.tree is None:
            continue
        for node in walk_nodes(p.tree):
            found = _removed(node, pandas, frames)
            if found is None:
                continue
            message, description, target, write = found
            fix = Fix(description)
            if write is not None and not p.magics and target.lineno == target.end_lineno:
                new_source = rewrite_on_line(p.cell.source, target, write)
                if new_source is not None:
                    fix = Fix(
                        description,
                        safe=True,
                        edits=(CellEdit(p.cell.index, p.cell.cell_id, new_source),),
                    )
            yield ctx.finding(
                "PN213",
                p.cell,
                message,
                node.lineno,
                line_column(p.cell.source, node.lineno, node.col_offset),
                fix,
            )


def _removed(node: ast.AST, pandas: set[str], frames: set[str]):
    """(message, fix description, node to rewrite, writer or None) for a removed API, else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        func = node.func
        if (
            func.attr == "value_counts"
            and isinstance(func.value, ast.Name)
            and func.value.id in pandas
            and node.args
        ):

            def write(segment, node=node):
                rest = [segment(a) for a in node.args[1:]] + [segment(k) for k in node.keywords]
                return f"{segment(node.args[0])}.value_counts({', '.join(rest)})"

            return (
                "`pd.value_counts(s)` was removed in pandas 3 (AttributeError): write "
                "`s.value_counts()`",
                "Call value_counts() on the Series",
                node,
                write,
            )
        if func.attr == "append" and isinstance(func.value, ast.Name) and func.value.id in frames:
            name = func.value.id
            return (
                f"`{name}.append(...)` was removed in pandas 2 (AttributeError: 'DataFrame' "
                f"object has no attribute 'append'): write `pd.concat([{name}, other])` (a dict "
                "or a row: `pd.DataFrame([row])`)",
                "Use pd.concat",
                node,
                None,
            )
        if (
            func.attr == "set_option"
            and isinstance(func.value, ast.Name)
            and func.value.id in pandas
        ):
            found = _negative_colwidth(node)
            if found is not None:
                return found
        frequency = _frequency_argument(node, func.attr if func.attr in FREQUENCY_METHODS else None)
        if frequency is None and func.attr in FREQUENCY_CALLS:
            frequency = _frequency_argument(node, func.attr)
        if frequency is not None:
            return _frequency_finding(frequency)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in FREQUENCY_CALLS:
            frequency = _frequency_argument(node, node.func.id)
            if frequency is not None:
                return _frequency_finding(frequency)
    if (
        isinstance(node, ast.Attribute)
        and node.attr in ("weekofyear", "week")
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "dt"
        and isinstance(node.ctx, ast.Load)
    ):
        return (
            f"`.dt.{node.attr}` was removed in pandas 2 (AttributeError): write "
            "`.dt.isocalendar().week`",
            "Use .dt.isocalendar().week",
            node,
            lambda segment, node=node: f"{segment(node.value)}.isocalendar().week",
        )
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
        if node.value.attr == "ix":  # nothing but pandas has .ix
            return (
                "`.ix[...]` was removed in pandas 1 (AttributeError): write `.loc[...]` for "
                "labels or `.iloc[...]` for positions",
                "Use .loc or .iloc",
                node,
                None,
            )
    return None


def _negative_colwidth(call: ast.Call):
    """``pd.set_option('display.max_colwidth', -1)``: "no limit" was spelled -1 until pandas 1.0
    (ValueError: Value must be a nonnegative integer or None); it is None now."""
    if len(call.args) != 2 or call.keywords:
        return None
    name, value = call.args
    if not (isinstance(name, ast.Constant) and str(name.value).endswith("max_colwidth")):
        return None
    if not (
        isinstance(value, ast.UnaryOp)
        and isinstance(value.op, ast.USub)
        and isinstance(value.operand, ast.Constant)
        and value.operand.value == 1
    ):
        return None
    return (
        "`max_colwidth` -1 (no limit) is refused since pandas 1.0 (ValueError: Value must be a "
        "nonnegative integer or None): write None",
        "Write None for no limit",
        value,
        lambda _segment: "None",
    )


def _frequency_argument(call: ast.Call, method: str | None) -> ast.Constant | None:
    """The removed alias a frequency argument spells (``resample('M')``, ``freq='H'``)."""
    if method is None:
        return None
    candidates = [k.value for k in call.keywords if k.arg in ("freq", "rule")]
    if method in FREQUENCY_METHODS and call.args:
        candidates.append(call.args[0])
    for value in candidates:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            text = value.value
            number = text.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            if text[len(number) :] in FREQUENCIES and (number.isdigit() or number == ""):
                return value
    return None


def _frequency_finding(value: ast.Constant):
    text = value.value
    number = text.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    new = number + FREQUENCIES[text[len(number) :]]
    return (
        f"frequency {text!r} was removed in pandas 3 (ValueError: Invalid frequency): write "
        f"{new!r}",
        f"Write {new!r}",
        value,
        lambda segment, new=new: segment(value)[0] + new + segment(value)[0],
    )
