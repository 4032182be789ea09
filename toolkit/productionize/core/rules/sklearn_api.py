"""PN211: scikit-learn modules and names that no longer exist (``sklearn.cross_validation``...).

Kaggle notebooks from 2016-2019 import ``train_test_split`` from ``sklearn.cross_validation``,
``GridSearchCV`` from ``sklearn.grid_search`` and ``joblib`` from ``sklearn.externals``; today the
first cell stops with ``ModuleNotFoundError``. The names live on under the modules below. Course
notebooks of 2020-2022 import ``plot_roc_curve`` from ``sklearn.metrics`` (removed in 1.2, the
first cell stops with ``ImportError``); their replacement takes the same arguments.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model import CellEdit, Finding, Fix, Severity
from ..defuse import ParsedCell
from ..tree_walk import walk_nodes
from .base import LintContext, line_column, rewrite_on_line, rule

# removed module -> where its names went (and the release that removed it)
REMOVED_MODULES = {
    "sklearn.cross_validation": ("sklearn.model_selection", "0.20"),
    "sklearn.grid_search": ("sklearn.model_selection", "0.20"),
    "sklearn.learning_curve": ("sklearn.model_selection", "0.20"),
}

# (module, removed name) -> (what to write instead, the release that removed it)
REMOVED_NAMES = {
    ("sklearn.metrics", "plot_roc_curve"): ("RocCurveDisplay.from_estimator", "1.2"),
    ("sklearn.metrics", "plot_confusion_matrix"): ("ConfusionMatrixDisplay.from_estimator", "1.2"),
    ("sklearn.metrics", "plot_precision_recall_curve"): (
        "PrecisionRecallDisplay.from_estimator",
        "1.2",
    ),
    ("sklearn.metrics", "plot_det_curve"): ("DetCurveDisplay.from_estimator", "1.2"),
    ("sklearn.preprocessing", "Imputer"): ("sklearn.impute.SimpleImputer", "0.22"),
}


@rule(
    "PN211",
    "sklearn-removed-module",
    Severity.WARNING,
    "`from sklearn.cross_validation import ...` (also `sklearn.grid_search`, "
    "`sklearn.learning_curve`, `from sklearn.externals import joblib`): scikit-learn removed "
    "these modules (ModuleNotFoundError / ImportError); `from sklearn.metrics import "
    "plot_roc_curve` (also `plot_confusion_matrix`, `plot_precision_recall_curve`, "
    "`plot_det_curve`, `metrics.plot_roc_curve(...)`, `sklearn.preprocessing.Imputer`): removed "
    "names (ImportError, AttributeError)",
    "Safe: import from `sklearn.model_selection` (`import joblib` for joblib; one-line imports); "
    "a removed name is pointed at its replacement (`RocCurveDisplay.from_estimator(model, X, y)`, "
    "same arguments), not applied automatically",
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
        yield from _removed_names(ctx, p)


def _removed_names(ctx: LintContext, p: ParsedCell) -> Iterator[Finding]:
    """Imports and ``metrics.plot_roc_curve`` uses of names scikit-learn removed."""
    for node in walk_nodes(p.tree):
        if isinstance(node, ast.ImportFrom) and not node.level:
            hits = [(node.module, a.name) for a in node.names]
            error = "ImportError"
        elif isinstance(node, ast.Attribute) and _is_sklearn_module(node.value):
            hits = [(_dotted(node.value), node.attr)]
            error = "AttributeError"
        else:
            continue
        for module, name in hits:
            instead = REMOVED_NAMES.get((module, name)) or REMOVED_NAMES.get(
                ("sklearn." + (module or ""), name)
            )
            if instead is None:
                continue
            target, release = instead
            yield ctx.finding(
                "PN211",
                p.cell,
                f"`{name}` was removed from `{REMOVED_NAMES_MODULE[name]}` in scikit-learn "
                f"{release} ({error}): use `{target}`",
                node.lineno,
                line_column(p.cell.source, node.lineno, node.col_offset),
                Fix(_advice(name, target)),
            )


REMOVED_NAMES_MODULE = {name: module for module, name in REMOVED_NAMES}


def _advice(name: str, target: str) -> str:
    if target.endswith(".from_estimator"):
        display = target.split(".")[0]
        return (
            f"Import `{display}` from `sklearn.metrics` and write `{target}(model, X, y)` "
            f"where the notebook calls `{name}(model, X, y)` (same arguments)"
        )
    return f"Use `{target}` (its arguments differ: `axis=` is gone, it imputes columns)"


def _is_sklearn_module(node: ast.AST) -> bool:
    """``metrics`` (from sklearn import metrics) or ``sklearn.metrics`` / ``sklearn.preprocessing``."""
    dotted = _dotted(node)
    return dotted in ("metrics", "preprocessing") or dotted in (
        "sklearn.metrics",
        "sklearn.preprocessing",
    )


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


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
