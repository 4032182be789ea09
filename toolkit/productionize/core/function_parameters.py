"""Give the notebook's functions a keyword parameter and pass it wherever they are called.

A data path hard-coded inside a function (``def load(): return pd.read_csv("x.csv")``) becomes a
keyword parameter of that function (``x_path="data/x.csv"``, the project's copy), and every call of
it passes the stage's parameter on (``load(x_path=x_path)``); a function calling one that needs it
gets the keyword too and passes it on, so ``env.yaml`` reaches the path however deep it is read.
Edits are source spans (``Replacement``), so the notebook's comments and layout survive.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from .codegen import Replacement
from .tree_walk import walk_nodes

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass
class Needs:
    """What one function needs passed: pipeline parameter -> the keyword that receives it
    (the parameter's own name once added, or an argument the function already has)."""

    keywords: dict[str, str] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)  # parameters added as keywords, in order


def default_argument(node: ast.AST, literal: ast.AST) -> str | None:
    """The argument of function ``node`` whose default is ``literal`` (``path`` in ``def
    f(path="x.csv")``), or None when ``literal`` is elsewhere."""
    if not isinstance(node, FUNCTIONS):
        return None
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    tail = positional[len(positional) - len(args.defaults) :]
    for arg, default in zip(tail, args.defaults, strict=True):
        if default is literal:
            return arg.arg
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if default is literal:
            return arg.arg
    return None


def propagate(definitions: dict[str, ast.AST], needs: dict[str, Needs]) -> None:
    """A function calling one that needs a parameter without passing it needs it too."""
    changed = True
    while changed:
        changed = False
        for name, node in definitions.items():
            for _call, _keyword, parameter in missing_arguments(node, definitions, needs):
                mine = needs.setdefault(name, Needs())
                if parameter not in mine.keywords:
                    mine.keywords[parameter] = parameter
                    mine.added.append(parameter)
                    changed = True


def missing_arguments(node: ast.AST, definitions: dict[str, ast.AST], needs: dict[str, Needs]):
    """(call, keyword, parameter) for each call in ``node`` of a function that needs
    ``parameter`` as ``keyword`` and is not given it."""
    for call in walk_nodes(node):
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id in needs
            and call.func.id in definitions
        ):
            continue
        callee = definitions[call.func.id]
        for parameter, keyword in needs[call.func.id].keywords.items():
            if not _supplied(call, callee, keyword):
                yield call, keyword, parameter


def call_edits(
    cell: int, node: ast.AST, definitions: dict, needs: dict[str, Needs], passed_as
) -> dict[tuple[int, int, int], Replacement]:
    """Insertions passing the missing keywords at every call in ``node``; ``passed_as(parameter)``
    is the name holding the value there (the caller's keyword, or the stage's parameter)."""
    inserts: dict[tuple[int, int], list[str]] = {}
    lead: dict[tuple[int, int], bool] = {}
    for call, keyword, parameter in missing_arguments(node, definitions, needs):
        given = [*call.args, *call.keywords]
        if given:
            last = max(given, key=lambda n: (n.end_lineno, n.end_col_offset))
            at = (last.end_lineno, last.end_col_offset)
            lead[at] = True
        else:
            at = (call.end_lineno, call.end_col_offset - 1)  # before the closing parenthesis
            lead.setdefault(at, False)
        inserts.setdefault(at, []).append(f"{keyword}={passed_as(parameter)}")
    return {
        (cell, line, col): Replacement(
            line, col, line, col, (", " if lead[(line, col)] else "") + ", ".join(texts)
        )
        for (line, col), texts in inserts.items()
    }


def signature_edit(
    cell: int,
    source: str,
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    added: list[tuple[str, str]],
):
    """The insertion adding keywords ``added`` ((name, default text)) to the ``def`` of ``node``:
    after its last argument, before ``**kwargs`` (keyword-only after ``*args``)."""
    texts = [f"{name}={default}" for name, default in added]
    args = node.args
    before_kwarg = [
        n
        for n in [*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs]
        + [*args.defaults, *args.kw_defaults]
        if n is not None
    ]
    if before_kwarg:
        last = max(before_kwarg, key=lambda n: (n.end_lineno, n.end_col_offset))
        line, col, text = last.end_lineno, last.end_col_offset, ", " + ", ".join(texts)
        if args.posonlyargs and not (args.args or args.vararg or args.kwonlyargs):
            # `def f(a, /)`: after the slash, or the keyword would be positional-only
            slash = source.split("\n")[line - 1].encode("utf-8").find(b"/", col)
            col = slash + 1 if slash >= 0 else col
    else:  # `def f():` or `def f(**kwargs):` -> right after the opening parenthesis
        encoded = source.split("\n")[node.lineno - 1].encode("utf-8")
        opening = re.compile(rb"def\s+" + node.name.encode() + rb"\s*\(")
        match = opening.search(encoded, node.col_offset)
        if match is None:
            return {}
        line, col = node.lineno, match.end()
        text = ", ".join(texts) + (", " if args.kwarg is not None else "")
    return {(cell, line, col): Replacement(line, col, line, col, text)}


def _supplied(call: ast.Call, callee: ast.FunctionDef | ast.AsyncFunctionDef, keyword: str) -> bool:
    """Whether ``call`` gives ``callee`` its argument ``keyword`` (or may, through ``*``/``**``)."""
    if any(k.arg == keyword or k.arg is None for k in call.keywords):
        return True
    if any(isinstance(a, ast.Starred) for a in call.args):
        return True
    args = callee.args
    positional = [a.arg for a in [*args.posonlyargs, *args.args]]
    return keyword in positional and positional.index(keyword) < len(call.args)
