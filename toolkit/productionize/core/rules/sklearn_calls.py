"""PN212: scikit-learn calls that stopped working (``vect.get_feature_names()``, a frozenset of
stop words).

Text-classification tutorials written for scikit-learn 1.0 or older call
``vect.get_feature_names()`` (removed in 1.2: AttributeError) and pass
``stop_words=ENGLISH_STOP_WORDS``, a frozenset that scikit-learn's parameter validation refuses
since 1.2 (InvalidParameterError: 'english', a list or None). Both have a one-word fix.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model import CellEdit, Finding, Fix, Severity
from ..tree_walk import walk_nodes
from .base import LintContext, line_column, rewrite_on_line, rule

SET_CALLS = frozenset({"set", "frozenset"})
SET_METHODS = frozenset({"union", "difference", "intersection", "symmetric_difference"})


@rule(
    "PN212",
    "sklearn-removed-call",
    Severity.WARNING,
    "`vect.get_feature_names()` (removed in scikit-learn 1.2: AttributeError) or "
    "`stop_words=ENGLISH_STOP_WORDS` / a set of stop words (refused since 1.2: "
    "InvalidParameterError)",
    "Safe: `get_feature_names_out()`; `stop_words=list(ENGLISH_STOP_WORDS)` (one-line calls)",
)
def removed_call(ctx: LintContext) -> Iterator[Finding]:
    uses_sklearn = any(b.module == "sklearn" for p in ctx.parsed for b in p.names.imports)
    if not uses_sklearn:
        return
    vectorizers = _vectorizers(ctx)
    for p in ctx.parsed:
        if p.tree is None:
            continue
        for node in walk_nodes(p.tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "get_feature_names"
                and not node.args
                and not node.keywords
            ):
                yield ctx.finding(
                    "PN212",
                    p.cell,
                    "`get_feature_names()` was removed in scikit-learn 1.2 (AttributeError): "
                    "write `get_feature_names_out()`",
                    node.lineno,
                    line_column(p.cell.source, node.lineno, node.col_offset),
                    (
                        _fix(p, func, "Call get_feature_names_out()", _renamed)
                        if isinstance(func.value, ast.Name) and func.value.id in vectorizers
                        # an encoder's names change: OneHotEncoder's x0_a becomes workclass_a
                        else Fix(
                            "Call get_feature_names_out() (the names may differ: an encoder fitted "
                            "on a DataFrame names its columns after the frame's)"
                        )
                    ),
                )
                continue
            stop_words = next((k for k in node.keywords if k.arg == "stop_words"), None)
            if stop_words is not None and _is_a_set(stop_words.value):
                written = ast.unparse(stop_words.value)
                yield ctx.finding(
                    "PN212",
                    p.cell,
                    f"`stop_words={written}` is a set, which scikit-learn refuses since 1.2 "
                    "(InvalidParameterError: 'english', a list or None): write "
                    f"`stop_words=list({written})`",
                    stop_words.value.lineno,
                    line_column(
                        p.cell.source, stop_words.value.lineno, stop_words.value.col_offset
                    ),
                    _fix(p, stop_words.value, "Pass the stop words as a list", _listed),
                )


VECTORIZERS = frozenset(
    {"CountVectorizer", "TfidfVectorizer", "DictVectorizer", "TfidfTransformer"}
)


def _vectorizers(ctx: LintContext) -> set[str]:
    """Names bound to a text vectorizer, whose get_feature_names_out() gives the same names."""
    names = set()
    for p in ctx.parsed:
        for node in walk_nodes(p.tree) if p.tree is not None else ():
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                func = node.value.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if called in VECTORIZERS:
                    names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _is_a_set(value: ast.expr) -> bool:
    """``ENGLISH_STOP_WORDS`` (also ``text.ENGLISH_STOP_WORDS``), ``set(...)``, ``{...}`` and
    ``ENGLISH_STOP_WORDS.union([...])``."""
    if isinstance(value, ast.Name):
        return value.id == "ENGLISH_STOP_WORDS"
    if isinstance(value, ast.Attribute):
        return value.attr == "ENGLISH_STOP_WORDS"
    if isinstance(value, (ast.Set, ast.SetComp)):
        return True
    if isinstance(value, ast.Call):
        if isinstance(value.func, ast.Name) and value.func.id in SET_CALLS:
            return True
        if isinstance(value.func, ast.Attribute) and value.func.attr in SET_METHODS:
            return _is_a_set(value.func.value)
    return False


def _renamed(segment, node: ast.Attribute) -> str:
    return f"{segment(node.value)}.get_feature_names_out"


def _listed(segment, node: ast.expr) -> str:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SET_CALLS:
        return f"list({', '.join(segment(a) for a in node.args)})"  # set(words) -> list(words)
    return f"list({segment(node)})"


def _fix(p, node: ast.AST, description: str, write) -> Fix:
    if p.magics or node.lineno != node.end_lineno:
        return Fix(description)
    new_source = rewrite_on_line(p.cell.source, node, lambda segment: write(segment, node))
    if new_source is None:
        return Fix(description)
    return Fix(description, safe=True, edits=(CellEdit(p.cell.index, p.cell.cell_id, new_source),))
