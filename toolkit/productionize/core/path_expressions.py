"""Resolve a file path the notebook composes from constants to the one path it names.

``Path(DATA_DIR) / FEATURES``, ``os.path.join(DATA_DIR, "train.csv")``, ``f"{DATA_DIR}/train.csv"``
and ``DATA_DIR + "train.csv"`` name one file when every part is a string literal or a name bound
once to one (``DATA_DIR = "data"``, ``DATA = Path("data")``). The planner lifts the whole
expression to one parameter (``data/train.csv``) instead of the literal pieces: lifting
``"train.csv"`` alone made ``data/data/train.csv``, and ``"/train.csv"`` in ``DATA_DIR +
"/train.csv"`` looked like an absolute path of its own.

A path given to the notebook's own reader (``def load_data(p): return pd.read_csv(p)``, then
``load_data("shopping.csv")``) is a file read too: ``reader_functions`` finds those functions.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from .tree_walk import walk_nodes

PATH_TYPES = frozenset(
    {"Path", "PurePath", "PosixPath", "PurePosixPath", "WindowsPath", "PureWindowsPath"}
)
READER_ARGUMENT_KEYWORDS = frozenset({"filepath_or_buffer", "path", "fname", "file", "io"})


@dataclass(frozen=True)
class Resolved:
    """The path an expression names; ``constructor`` is the text building a ``Path`` of it
    (``Path``, ``pathlib.Path``) when the expression's value is a Path, else None (a str)."""

    value: str
    constructor: str | None = None
    reads: tuple[ast.Name, ...] = ()  # the constants' names the expression reads


@dataclass(frozen=True)
class PathLiteral:
    """A file path in the code: a string literal, or an expression composing one (``node``)."""

    node: ast.expr
    value: str
    constructor: str | None = None  # wrap the parameter in it to keep the value's type
    reads: tuple[ast.Name, ...] = ()

    @property
    def composed(self) -> bool:
        return not isinstance(self.node, ast.Constant)

    @property
    def lineno(self) -> int:
        return self.node.lineno

    @property
    def col_offset(self) -> int:
        return self.node.col_offset

    @property
    def end_lineno(self) -> int:
        return self.node.end_lineno

    @property
    def end_col_offset(self) -> int:
        return self.node.end_col_offset


def resolve(expr: ast.AST, constants: Mapping[str, Resolved]) -> Resolved | None:
    """The path ``expr`` names when every part of it is a constant, else None."""
    if isinstance(expr, ast.Constant):
        return Resolved(expr.value) if isinstance(expr.value, str) else None
    if isinstance(expr, ast.Name):
        known = constants.get(expr.id)
        return None if known is None else Resolved(known.value, known.constructor, (expr,))
    if isinstance(expr, ast.JoinedStr):
        return _formatted(expr, constants)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Div)):
        left, right = resolve(expr.left, constants), resolve(expr.right, constants)
        if left is None or right is None:
            return None
        reads = left.reads + right.reads
        constructor = left.constructor or right.constructor
        if isinstance(expr.op, ast.Add):  # str + str; a Path has no +
            return None if constructor else Resolved(left.value + right.value, None, reads)
        if constructor is None:  # str / str is a TypeError
            return None
        return Resolved(str(PurePosixPath(left.value, right.value)), constructor, reads)
    if isinstance(expr, ast.Call) and not expr.keywords:
        return _called(expr, constants)
    return None


def _formatted(expr: ast.JoinedStr, constants: Mapping[str, Resolved]) -> Resolved | None:
    text, reads = [], ()
    for part in expr.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            text.append(part.value)
            continue
        if not (
            isinstance(part, ast.FormattedValue)
            and part.format_spec is None
            and part.conversion in (-1, ord("s"))
        ):
            return None
        inner = resolve(part.value, constants)
        if inner is None:
            return None
        text.append(inner.value)
        reads += inner.reads
    return Resolved("".join(text), None, reads)


def _called(call: ast.Call, constants: Mapping[str, Resolved]) -> Resolved | None:
    func = call.func
    if any(isinstance(a, ast.Starred) for a in call.args):
        return None
    if _is_path_type(func) or (isinstance(func, ast.Attribute) and func.attr == "joinpath"):
        parts = list(call.args)
        constructor = None
        if _is_path_type(func):
            constructor = ast.unparse(func)
        else:  # DATA.joinpath("x.csv")
            parts = [func.value, *parts]
        resolved = [resolve(a, constants) for a in parts]
        if any(r is None for r in resolved):
            return None
        constructor = constructor or resolved[0].constructor
        if constructor is None:
            return None  # "data".joinpath: not a Path
        values = [r.value for r in resolved] or ["."]
        reads = tuple(n for r in resolved for n in r.reads)
        return Resolved(str(PurePosixPath(*values)), constructor, reads)
    if _is_os_path_join(func) and call.args:
        resolved = [resolve(a, constants) for a in call.args]
        if any(r is None for r in resolved):
            return None
        reads = tuple(n for r in resolved for n in r.reads)
        return Resolved(posixpath.join(*(r.value for r in resolved)), None, reads)
    if isinstance(func, ast.Name) and func.id == "str" and len(call.args) == 1:
        inner = resolve(call.args[0], constants)
        return None if inner is None else Resolved(inner.value, None, inner.reads)
    return None


def _is_path_type(func: ast.AST) -> bool:
    if isinstance(func, ast.Name):
        return func.id in PATH_TYPES
    return (
        isinstance(func, ast.Attribute)
        and func.attr in PATH_TYPES
        and isinstance(func.value, ast.Name)
        and func.value.id == "pathlib"
    )


def _is_os_path_join(func: ast.AST) -> bool:
    """``os.path.join`` (or ``osp.join`` after ``import os.path as osp``)."""
    if not (isinstance(func, ast.Attribute) and func.attr == "join"):
        return False
    owner = func.value
    if isinstance(owner, ast.Name):
        return owner.id == "osp"
    return (
        isinstance(owner, ast.Attribute)
        and owner.attr == "path"
        and isinstance(owner.value, ast.Name)
        and owner.value.id == "os"
    )


def path_constants(nodes: Iterable[ast.AST]) -> dict[str, Resolved]:
    """Names bound once, at the top level of ``nodes``, to a path the constants above compose
    (``DATA_DIR = "data"``, ``TRAIN = DATA_DIR + "train.csv"``); a name stored anywhere else too
    (a loop variable, a second assignment, ``+=``) is no constant."""
    nodes = list(nodes)
    stores: dict[str, int] = {}
    for node in nodes:
        for sub in walk_nodes(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                stores[sub.id] = stores.get(sub.id, 0) + 1
    constants: dict[str, Resolved] = {}
    for node in nodes:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and stores.get(node.targets[0].id) == 1
        ):
            resolved = resolve(node.value, constants)
            if resolved is not None:
                constants[node.targets[0].id] = resolved
    return constants


def reader_functions(definitions: Iterable[ast.AST], read_functions) -> dict[str, tuple[int, str]]:
    """The notebook's functions that read the file an argument names: name -> (position,
    argument name) of that argument (``def load_data(p): return pd.read_csv(p)``: (0, "p")); a
    function passing its argument on to one of them reads it too."""
    functions = [d for d in definitions if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef))]
    readers: dict[str, tuple[int, str]] = {}
    changed = True
    while changed:
        changed = False
        for function in functions:
            if function.name in readers:
                continue
            positional = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
            for call in walk_nodes(function):
                if not isinstance(call, ast.Call):
                    continue
                argument = _path_argument(call, read_functions, readers)
                if isinstance(argument, ast.Name) and argument.id in positional:
                    readers[function.name] = (positional.index(argument.id), argument.id)
                    changed = True
                    break
    return readers


def _path_argument(call: ast.Call, read_functions, readers) -> ast.expr | None:
    """The expression a read call (a library's or one of ``readers``) reads the file of."""
    func = call.func
    if isinstance(func, ast.Name) and func.id in readers:
        position, keyword = readers[func.id]
        if len(call.args) > position:
            return call.args[position]
        return next((k.value for k in call.keywords if k.arg == keyword), None)
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in read_functions:
        return None
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg in READER_ARGUMENT_KEYWORDS), None)
