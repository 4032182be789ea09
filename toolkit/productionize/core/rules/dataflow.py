"""PN2xx: dataflow — names used before any cell above defines them, meanings that change,
in-place updates that pandas 3 Copy-on-Write drops."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import replace

from ...model import CellEdit, Finding, Fix, Severity
from ..defuse import ParsedCell
from ..exercise_checkers import checker_advice
from ..tags import STAGES
from ..tree_walk import walk_nodes
from .base import LintContext, line_column, rewrite_on_line, rule


def _function_lines(functions) -> list[tuple[int, int]]:
    """Line spans of function and lambda bodies: names in them are looked up when called."""
    spans = []
    for node in functions:
        body = node.body if isinstance(node.body, list) else [node.body]
        spans.append((body[0].lineno, node.end_lineno or body[-1].lineno))
    return spans


def _in_function(position: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start <= position[0] <= end for start, end in spans)


def _mentions(source: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", source) is not None


def _at_most_warning(severity: Severity) -> Severity:
    return Severity.WARNING if severity.at_least(Severity.ERROR) else severity


def _first_definitions(parsed: tuple[ParsedCell, ...]) -> dict[str, ParsedCell]:
    first: dict[str, ParsedCell] = {}
    for p in parsed:
        for name in p.names.defined:
            first.setdefault(name, p)
    return first


@rule(
    "PN201",
    "used-before-defined",
    Severity.ERROR,
    "A name is used before any cell above defines it (the notebook relies on hidden state)",
    "Move the defining cell above, or define the name before its first use",
)
def used_before_defined(ctx: LintContext) -> Iterator[Finding]:
    defined: set[str] = set()
    first_def = _first_definitions(ctx.parsed)
    star_import: tuple[str, ParsedCell] | None = None
    unparsed: list[str] = []  # sources of cells above that do not parse (PN302 reports them)
    for p in ctx.parsed:
        if p.tree is None:
            unparsed.append(p.cell.source)
            continue
        if star_import is None and p.names.star_imports:
            star_import = (p.names.star_imports[0], p)
        spans = None
        for name in sorted(p.names.used - defined, key=lambda n: p.names.first_use[n]):
            position = p.names.first_use[name]
            later = first_def.get(name)
            if spans is None:
                spans = _function_lines(ctx.nodes(p).functions)
            if _in_function(position, spans) and later is not None:
                continue  # a function body looks the name up when it is called, not defined
            if any(_mentions(source, name) for source in unparsed):
                continue  # a cell above that does not parse may define it: one error, not many
            if star_import is not None and later is None:
                # ``from x import *`` may define it: say so, as a warning, rather than stay silent
                module, star_cell = star_import
                yield replace(
                    ctx.finding(
                        "PN201",
                        p.cell,
                        f"`{name}` is not defined in any cell; it can only come from "
                        f"`from {module} import *` (cell {star_cell.cell.index}), which hides "
                        "where names come from",
                        position[0],
                        position[1],
                        Fix(
                            checker_advice(module, name)
                            or f"Import `{name}` by name instead of relying on `import *`"
                        ),
                    ),
                    severity=_at_most_warning(ctx.options.severity_for("PN201", Severity.ERROR)),
                )
                continue
            if later is not None and later.cell.index > p.cell.index:
                message = (
                    f"`{name}` is used here but first defined in cell {later.cell.index} below: "
                    "the notebook only runs because of hidden state"
                )
                fix = Fix(
                    f"Move the definition of `{name}` (cell {later.cell.index}) above this cell"
                )
            elif later is not None and later.cell.index == p.cell.index:
                message = f"`{name}` is used before this cell defines it"
                fix = Fix(f"Define `{name}` before its first use")
            else:
                message = f"`{name}` is not defined in any cell"
                fix = Fix(f"Define or import `{name}` in a cell above")
            yield ctx.finding("PN201", p.cell, message, position[0], position[1], fix)
        defined |= p.names.defined
        defined -= p.names.deleted


def _stage_of(tags: tuple[str, ...]) -> str | None:
    return next((t for t in tags if t in STAGES), None)


def _import_only(p: ParsedCell, name: str) -> bool:
    return any(b.name == name for b in p.names.imports)


@rule(
    "PN202",
    "redefined-across-stages",
    Severity.WARNING,
    "A name defined in one stage is rebound in another stage without using its old value",
    "Rename one of the two so each stage's name keeps one meaning",
)
def redefined_across_stages(ctx: LintContext) -> Iterator[Finding]:
    owner: dict[str, ParsedCell] = {}
    for p in ctx.parsed:
        stage = _stage_of(p.cell.tags)
        if stage is None or p.tree is None:
            continue
        for name in sorted(p.names.defined, key=lambda n: p.names.first_def.get(n, (0, 0))):
            earlier = owner.get(name)
            if (
                earlier is not None
                and _stage_of(earlier.cell.tags) != stage
                and name not in p.names.used
                and not (_import_only(p, name) and _import_only(earlier, name))
            ):
                line, column = p.names.first_def.get(name, (None, None))
                yield ctx.finding(
                    "PN202",
                    p.cell,
                    f"`{name}` from the {_stage_of(earlier.cell.tags)} stage "
                    f"(cell {earlier.cell.index}) is redefined here in the {stage} stage with a "
                    "new meaning; generated modules would disagree on what it is",
                    line,
                    column,
                    Fix(f"Rename `{name}` in one of the two stages"),
                )
            owner[name] = p


def _chain_root(node: ast.expr) -> ast.Name | None:
    """The name a chain of subscripts and attributes starts from (``df`` in ``df.loc[m, "a"]``)."""
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node if isinstance(node, ast.Name) else None


def _inplace_keyword(call: ast.Call) -> ast.keyword | None:
    return next(
        (
            k
            for k in call.keywords
            if k.arg == "inplace" and isinstance(k.value, ast.Constant) and k.value.value is True
        ),
        None,
    )


def _chained_inplace_receiver(call: ast.Call, modules: set[str]) -> ast.expr | None:
    """The ``df["a"]`` / ``df.a`` a method is called on in place, unless it cannot be a column."""
    func = call.func
    if not isinstance(func, ast.Attribute) or _inplace_keyword(call) is None:
        return None
    receiver = func.value
    if not isinstance(receiver, (ast.Subscript, ast.Attribute)) or func.attr[:1].isupper():
        return None  # ``df.fillna`` is fine; ``torch.nn.ReLU(inplace=True)`` builds a layer
    root = _chain_root(receiver)
    if root is None or root.id in modules or root.id in ("self", "cls"):
        return None
    return receiver


def _assignment_form(p: ParsedCell, statement: ast.stmt, call: ast.Call) -> str | None:
    """The cell's source with ``x.m(..., inplace=True)`` rewritten to ``x = x.m(...)``."""
    receiver = call.func.value  # type: ignore[attr-defined]
    if (
        p.magics
        or not isinstance(receiver.value, ast.Name)  # only ``name[...]`` / ``name.attr``
        or not isinstance(statement, ast.Expr)
        or statement.value is not call
        or statement.lineno != statement.end_lineno
    ):
        return None

    def write(segment) -> str:
        target = segment(receiver)
        arguments = [segment(a) for a in call.args]
        arguments += [segment(k) for k in call.keywords if k.arg != "inplace"]
        return f"{target} = {target}.{call.func.attr}({', '.join(arguments)})"  # type: ignore

    return rewrite_on_line(p.cell.source, statement, write)


@rule(
    "PN203",
    "chained-inplace",
    Severity.WARNING,
    '`df["a"].fillna(..., inplace=True)` (a call with `inplace=True` on a column or attribute): '
    "under pandas 3 Copy-on-Write it silently changes nothing",
    'Safe: rewrite to `df["a"] = df["a"].fillna(...)` (single-line statements only)',
)
def chained_inplace(ctx: LintContext) -> Iterator[Finding]:
    modules = {b.name for p in ctx.parsed for b in p.names.imports}
    for p in ctx.parsed:
        if p.tree is None:
            continue
        statements = None  # call -> its expression statement, found once a call is reported
        for call in ctx.nodes(p).calls:
            receiver = _chained_inplace_receiver(call, modules)
            if receiver is None:
                continue
            if statements is None:
                statements = {
                    id(node.value): node
                    for node in walk_nodes(p.tree)
                    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                }
            method = call.func.attr  # type: ignore[attr-defined]
            target = ast.unparse(receiver)
            description = f"Assign the result instead: `{target} = {target}.{method}(...)`"
            statement = statements.get(id(call))
            new_source = None if statement is None else _assignment_form(p, statement, call)
            fix = (
                Fix(description)
                if new_source is None
                else Fix(
                    description,
                    safe=True,
                    edits=(CellEdit(p.cell.index, p.cell.cell_id, new_source),),
                )
            )
            yield ctx.finding(
                "PN203",
                p.cell,
                f"`{target}.{method}(..., inplace=True)` modifies a temporary copy under pandas 3 "
                f"Copy-on-Write: `{target}` keeps its old values",
                call.lineno,
                line_column(p.cell.source, call.lineno, call.col_offset),
                fix,
            )
