"""PN208: NumPy aliases of builtins removed in NumPy 1.24 (``np.float``, ``np.int``...).

Course notebooks written for NumPy 1.x call ``np.float(x)`` or ``astype(np.int)``; today that is
``AttributeError: module 'numpy' has no attribute 'float'``. The builtin is what the alias was.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model import CellEdit, Finding, Fix, Severity
from ..tree_walk import walk_nodes
from .base import LintContext, line_column, rewrite_on_line, rule

REMOVED_ALIASES = {
    "float": "float",
    "int": "int",
    "bool": "bool",
    "object": "object",
    "str": "str",
    "long": "int",
    "unicode": "str",
    "complex": "complex",
}


@rule(
    "PN208",
    "numpy-removed-alias",
    Severity.WARNING,
    "`np.float`, `np.int`, `np.bool`, `np.object`, `np.str`: NumPy 1.24 removed these aliases "
    "(AttributeError)",
    "Safe: use the builtin (`float`, `int`, `bool`, `object`, `str`)",
)
def removed_alias(ctx: LintContext) -> Iterator[Finding]:
    aliases: set[str] = set()
    for p in ctx.parsed:
        aliases |= {
            b.name
            for b in p.names.imports
            if b.statement in ("import numpy", f"import numpy as {b.name}")
        }
        if p.tree is None or not aliases:
            continue
        for node in walk_nodes(p.tree):
            if not (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Load)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr in REMOVED_ALIASES
            ):
                continue
            builtin = REMOVED_ALIASES[node.attr]
            written = f"{node.value.id}.{node.attr}"
            new_source = None
            if not p.magics and node.lineno == node.end_lineno:
                new_source = rewrite_on_line(p.cell.source, node, lambda _segment, b=builtin: b)
            description = f"Use the builtin `{builtin}` instead of `{written}`"
            fix = Fix(description)
            if new_source is not None:
                fix = Fix(
                    description,
                    safe=True,
                    edits=(CellEdit(p.cell.index, p.cell.cell_id, new_source),),
                )
            yield ctx.finding(
                "PN208",
                p.cell,
                f"`{written}` was removed in NumPy 1.24 (AttributeError): it was the builtin "
                f"`{builtin}`",
                node.lineno,
                line_column(p.cell.source, node.lineno, node.col_offset),
                fix,
            )
