"""Give the notebook's functions the notebook globals they read, in the generated modules.

A notebook function reads names of the notebook's namespace::

    stop_words = {"the", "a", "an"}
    stemmer = PorterStemmer()

    def clean_text(text):
        return " ".join(stemmer.stem(w) for w in text.split() if w not in stop_words)

The function becomes a module-level definition of its stage module, while ``stop_words`` and
``stemmer`` become locals of the stage function: the module would raise NameError the first time
``clean_text`` runs. A global that is bound once, by one assignment computed from imports and
literals alone (a stop-word set, a stemmer, a compiled regex), moves to module level next to the
function. One computed from the notebook's data (``cols = df.columns``) is refused, naming the
function, the cell and the line, with the way out (pass it as an argument).
"""

from __future__ import annotations

import ast

from ..errors import SplitError
from ..model import Notebook
from .codegen import READ_FUNCTIONS, find_path_literals
from .defuse import BUILTIN_NAMES, statement_names
from .statements import CODE
from .tree_walk import walk_nodes

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def hoisted_globals(notebook: Notebook, pieces: dict, imports: dict, constants: dict) -> dict:
    """{stage: [pieces to define at module level]} for the globals that the functions production
    code calls read; raises SplitError for a global computed from data."""
    production = [
        p
        for stage_pieces in pieces.values()
        for p in stage_pieces
        if p.statement.kind == CODE and not isinstance(p.statement.node, DEFINITIONS)
    ]
    bindings: dict[str, list] = {}
    for piece in production:
        names = _names(piece)
        for name in set(names.defined) | set(names.modified):
            bindings.setdefault(name, []).append(piece)
    functions = {
        p.statement.node.name: p
        for stage_pieces in pieces.values()
        for p in stage_pieces
        if p.statement.kind == CODE and isinstance(p.statement.node, DEFINITIONS)
    }
    module_names = set(imports) | set(constants) | set(functions) | BUILTIN_NAMES
    called = _called(production, functions)
    result: dict[str, list] = {}
    for stage, stage_pieces in pieces.items():
        hoisted: list = []
        for piece in stage_pieces:
            node = piece.statement.node
            if piece.statement.kind != CODE or not isinstance(node, DEFINITIONS):
                continue
            if node.name not in called:
                continue  # defined, never run by production code: nothing can fail
            for name in sorted(set(_names(piece).used) - module_names):
                found = bindings.get(name)
                if not found:
                    continue  # never bound at top level (the splitter reports it if it matters)
                chain = _constant_chain(found, name, bindings, module_names)
                if chain is None:
                    raise _refusal(notebook, piece, name, found[-1], len(found) > 1)
                hoisted += [c for c in chain if c not in hoisted]
        if hoisted:
            positions = {id(p): i for i, p in enumerate(production)}
            result[stage] = sorted(hoisted, key=lambda p: positions[id(p)])
    return result


def _names(piece):
    return statement_names(piece.statement.node)


def _called(production: list, functions: dict) -> set[str]:
    """The notebook functions production code calls, directly or through another function."""
    called = {n for p in production for n in _names(p).used if n in functions}
    todo = list(called)
    while todo:
        for name in _names(functions[todo.pop()]).used:
            if name in functions and name not in called:
                called.add(name)
                todo.append(name)
    return called


def _constant_chain(found: list, name: str, bindings: dict, module_names: set, depth: int = 0):
    """The assignments (in dependency order) binding ``name`` from imports and literals alone,
    or None when it is bound more than once, is computed from data or reads a file."""
    if len(found) != 1 or depth > 4:
        return None
    source = found[0]
    node = source.statement.node
    if not _plain_assignment(node, name) or _reads_data(node):
        return None
    chain: list = []
    for other in sorted(set(_names(source).used) - module_names):
        inner = bindings.get(other)
        if not inner:
            return None
        sub = _constant_chain(inner, other, bindings, module_names, depth + 1)
        if sub is None:
            return None
        chain += [c for c in sub if c not in chain]
    return chain + [source]


def _reads_data(node: ast.stmt) -> bool:
    """The statement reads a file (``pd.read_csv``, ``open``) or names one."""
    if any(True for _ in find_path_literals(node)):
        return True
    for sub in walk_nodes(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in READ_FUNCTIONS:
                return True
    return False


def _plain_assignment(node: ast.stmt, name: str) -> bool:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target = node.target
    else:
        return False
    return isinstance(target, ast.Name) and target.id == name


def _refusal(notebook: Notebook, piece, name: str, source, several: bool) -> SplitError:
    function = piece.statement.node.name
    cell = source.cell.cell
    why = "the notebook binds it more than once" if several else "it is computed from the data"
    return SplitError(
        f"function `{function}` (cell {piece.cell.cell.index} line {piece.statement.node.lineno}) "
        f"reads the notebook global `{name}` (cell {cell.index} line "
        f"{source.statement.node.lineno}), and {why}: the generated module's function cannot "
        f"see it; pass `{name}` to `{function}` as an argument",
        notebook.location(cell, source.statement.node.lineno),
    )
