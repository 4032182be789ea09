"""PN211: scikit-learn modules that no longer exist (``sklearn.cross_validation``...).

Kaggle notebooks from 2016-2019 import ``train_test_split`` from ``sklearn.cross_validation``,
``GridSearchCV`` from ``sklearn.grid_search`` and ``joblib`` from ``sklearn.externals``; today the
first cell stops with ``ModuleNotFoundError``. The names live on under the modules below.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model import CellEdit, Finding, Fix, Severity
from ..tree_walk import walk_nodes
from .base import LintContext, line_column, rewrite_on_line, rule

# removed module -> where its names went (and the release that removed it)
REMOVED_MODULES = {
    "sklearn.cross_validation": ("sklearn.model_selection", "0.20"),
    "sklearn.grid_search": ("sklearn.model_selection", "0.20"),
    "sklearn.learning_curve": ("sklearn.model_selection", "0.20"),
}


@rule(
    "PN211",
    "sklearn-removed-module",
    Severity.WARNING,
    "`from sklearn.cross_validation import ...` (also `sklearn.grid_search`, "
    "`sklearn.learning_curve`, `from sklearn.externals import joblib`): scikit-learn removed "
    "these modules (ModuleNotFoundError / ImportError)",
    "Safe: import from `sklearn.model_selection` (`import joblib` for joblib; one-line imports)",
)
def removed_module(ctx: LintContext) -> Iterator[Finding]:
    for p in ctx.parsed:
        if p.tree is None:
            continue
        for node in walk_nodes(p.tree):
            if not isinstance(node, ast.ImportFrom) or node.level:
                continue
            replacement = _replacement(node)
            if replacement is None:
                continue
            new_text, message = replacement
            fix = Fix(f"Write `{new_text}`")
            if not p.magics and node.lineno == node.end_lineno:
                new_source = rewrite_on_line(p.cell.source, node, lambda _segment, t=new_text: t)
                if new_source is not None:
                    fix = Fix(
                        f"Write `{new_text}`",
                        safe=True,
                        edits=(CellEdit(p.cell.index, p.cell.cell_id, new_source),),
                    )
            yield ctx.finding(
                "PN211",
                p.cell,
                message,
                node.lineno,
                line_column(p.cell.source, node.lineno, node.col_offset),
                fix,
            )


def _replacement(node: ast.ImportFrom) -> tuple[str, str] | None:
    """The import to write instead, and the message; None for an import that still works."""
    names = ", ".join(a.name if a.asname is None else f"{a.name} as {a.asname}" for a in node.names)
    if node.module in REMOVED_MODULES:
        target, release = REMOVED_MODULES[node.module]
        return (
            f"from {target} import {names}",
            f"`{node.module}` was removed in scikit-learn {release} (ModuleNotFoundError): "
            f"its names are in `{target}`",
        )
    if node.module == "sklearn.externals" and [a.name for a in node.names] == ["joblib"]:
        alias = node.names[0].asname
        return (
            "import joblib" + (f" as {alias}" if alias else ""),
            "`sklearn.externals.joblib` was removed in scikit-learn 0.23 (ImportError): "
            "joblib is its own package",
        )
    return None
