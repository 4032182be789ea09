"""Names defined and used per cell, from Python's ``ast`` (one parse per cell, shared by all users).

``parse_cell`` is the single entry point: lint rules, the cell graph and the planner all read the
``ParsedCell`` it returns instead of parsing again.
"""

from __future__ import annotations

import ast
import builtins
import functools
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..model import Cell
from .magics import Magic, mask_commands, mask_magics
from .tree_walk import child_nodes, walk_nodes

IPYTHON_NAMES = frozenset(
    {"display", "get_ipython", "In", "Out", "_", "__", "___", "exit", "quit", "_ih", "_oh"}
)
BUILTIN_NAMES = frozenset(dir(builtins)) | IPYTHON_NAMES

# Methods that change their receiver in place; ``x.fit(...)`` makes x an output of the cell.
MUTATING_METHODS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "clear",
        "sort",
        "reverse",
        "update",
        "add",
        "discard",
        "setdefault",
        "popitem",
        "fit",
        "partial_fit",
        "set_params",
        "fit_transform",
        "rename_axis",
        "set_index",
        "reset_index",
        "fillna",
        "dropna",
        "drop",
        "replace",
        "sort_values",
        "sort_index",
        "drop_duplicates",
        "rename",
        "astype",
        "seed",
        "shuffle",
    }
)
# pandas-style methods above mutate only with ``inplace=True``.
INPLACE_ONLY = frozenset(
    {
        "set_index",
        "reset_index",
        "fillna",
        "dropna",
        "drop",
        "replace",
        "sort_values",
        "sort_index",
        "drop_duplicates",
        "rename",
        "rename_axis",
        "astype",
    }
)
# Functions that change the array or list passed first: ``np.random.shuffle(X)``,
# ``random.shuffle(rows)``, ``np.fill_diagonal(corr, 0)``.
ARGUMENT_MUTATORS = frozenset({"shuffle", "fill_diagonal", "copyto", "putmask", "place"})


@dataclass(frozen=True)
class ImportBinding:
    """One name bound by an import statement, with the statement that binds it."""

    name: str
    module: str  # top-level distribution-ish module: ``sklearn`` for ``from sklearn.x import y``
    statement: str  # a normalized import statement binding exactly this name
    line: int


@dataclass(frozen=True)
class CellNames:
    """What one cell reads from and writes to the notebook's global namespace."""

    defined: frozenset[str] = frozenset()
    used: frozenset[str] = frozenset()  # read before (or without) being defined in this cell
    modified: frozenset[str] = frozenset()  # mutated in place (attribute/subscript store, x.fit())
    deleted: frozenset[str] = frozenset()
    imports: tuple[ImportBinding, ...] = ()
    star_imports: tuple[str, ...] = ()  # modules imported with ``*``
    first_use: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, hash=False)
    first_def: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class ParsedCell:
    """A code cell parsed once: masked source, AST (or the syntax error), magics and names."""

    cell: Cell
    source: str  # masked source that ``tree`` was parsed from
    tree: ast.Module | None = field(compare=False, hash=False)
    magics: tuple[Magic, ...] = ()
    names: CellNames = CellNames()
    syntax_error: tuple[str, int, int] | None = None  # (message, line, column), 1-based
    python_body: bool = True


def parse_cell(cell: Cell) -> ParsedCell:
    """Parse one code cell (masking magics only if plain parsing fails) and analyse its names.

    The work is memoized on the source text (``_parse_source``): lint and split of the same
    notebook parse each cell once, and the Jupyter server's re-lint after an edit parses only the
    edited cells. Nothing downstream mutates the tree.
    """
    return ParsedCell(cell, *_parse_source(cell.source))


@functools.lru_cache(maxsize=2048)
def _parse_source(source: str) -> tuple:
    """The fields of ParsedCell after ``cell`` (keyed on text only: outputs are not kept alive)."""
    try:
        return _parse(source)
    except (RecursionError, MemoryError):
        # hostile or generated code (``1+1+...`` thousands deep) exhausts the parser or our
        # recursive visitor: report it like a syntax error instead of crashing every stage
        problem = ("too deeply nested to analyse; split the expression", 1, 1)
        return (source, None, (), CellNames(), problem, True)


def _parse(source: str) -> tuple:
    try:
        tree = ast.parse(source)
        masked_source, magics, python_body = source, (), True
        commands = mask_commands(source, tree)
        if commands is not None:
            masked_source, magics = commands.source, commands.magics
            tree = ast.parse(masked_source)
    except (SyntaxError, ValueError):
        masked = mask_magics(source)
        masked_source, magics, python_body = masked.source, masked.magics, masked.python_body
        try:
            tree = ast.parse(masked_source)
        except SyntaxError as exc:
            line = exc.lineno or 1
            column = exc.offset or 1
            return (masked_source, None, magics, CellNames(), (exc.msg, line, column), True)
        except ValueError as exc:  # e.g. null bytes
            return (masked_source, None, magics, CellNames(), (str(exc), 1, 1), True)
    names = analyze_tree(tree)
    for magic in magics:
        if magic.assigned_to and magic.assigned_to.isidentifier():
            names = _with_defined(names, magic.assigned_to, (magic.line, magic.column))
    return (masked_source, tree, magics, names, None, python_body)


def analyze_source(source: str) -> CellNames:
    """Names defined/used by a piece of Python source (magics masked); SyntaxError propagates."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = ast.parse(mask_magics(source).source)
    return analyze_tree(tree)


def analyze_tree(tree: ast.AST) -> CellNames:
    """Names defined/used at module level by an already-parsed cell."""
    visitor = _ModuleVisitor()
    visitor.visit(tree)
    return visitor.result()


# statement node -> its names: planning asks about the same statements many times (the functions
# production code calls, each step of the served records' lineage). Weakly keyed, like
# tree_walk's walks: an entry dies with its tree, and nothing mutates the trees of parsed cells.
_STATEMENT_NAMES: weakref.WeakKeyDictionary[ast.AST, CellNames] = weakref.WeakKeyDictionary()


def statement_names(node: ast.stmt) -> CellNames:
    """``analyze_tree`` of a module holding only ``node``, remembered while the node lives."""
    try:
        return _STATEMENT_NAMES[node]
    except KeyError:
        names = analyze_tree(ast.Module(body=[node], type_ignores=[]))
        _STATEMENT_NAMES[node] = names
        return names


def _with_defined(names: CellNames, name: str, pos: tuple[int, int]) -> CellNames:
    first_def = dict(names.first_def)
    first_def.setdefault(name, pos)
    return CellNames(
        names.defined | {name},
        names.used,
        names.modified,
        names.deleted,
        names.imports,
        names.star_imports,
        names.first_use,
        first_def,
    )


def _target_names(node: ast.AST) -> list[ast.Name]:
    return [n for n in walk_nodes(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]


def _changed_object(node: ast.AST, through_attributes: bool) -> str | None:
    """The name whose object a method call on ``node`` changes: ``df`` for ``df``, ``df["a"]``
    and (``through_attributes``: the call says ``inplace=True``) ``df.a``; None for anything
    else (``np.random.seed(0)`` changes no name of the notebook)."""
    while isinstance(node, ast.Subscript) or (
        through_attributes and isinstance(node, ast.Attribute)
    ):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


class _Scope:
    """Names bound in a nested (function/class/comprehension) scope."""

    def __init__(self, bound: set[str], globals_: set[str] | None = None):
        self.bound = bound
        self.globals = globals_ or set()


# nodes that bind nothing and hold no node that could: constants, contexts and operators
_CHILDLESS = frozenset(
    {ast.Constant, ast.Load, ast.Store, ast.Del}
    | {
        kind
        for base in (ast.operator, ast.cmpop, ast.unaryop, ast.boolop)
        for kind in base.__subclasses__()
    }
)


def _function_locals(node: ast.AST) -> tuple[set[str], set[str]]:
    """Names a function body binds locally (Python's rule: any store makes a name local)."""
    bound: set[str] = set()
    declared_global: set[str] = set()
    # the nodes whose children are still to look at (a stack: only the sets matter, not order)
    pending = [node]
    while pending:
        for child in child_nodes(pending.pop()):
            kind = type(child)
            if kind is ast.Name:  # the commonest node: its only child is its context
                if type(child.ctx) is not ast.Load:  # Store or Del
                    bound.add(child.id)
                continue
            if kind in _CHILDLESS:
                continue
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.add(child.name)
                pending.extend(child.decorator_list)
                continue  # their bodies are separate scopes
            if isinstance(child, ast.Lambda):
                continue
            if isinstance(child, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                for named in walk_nodes(child):
                    if isinstance(named, ast.NamedExpr) and isinstance(named.target, ast.Name):
                        bound.add(named.target.id)
                continue
            if isinstance(child, (ast.Global, ast.Nonlocal)):
                declared_global.update(child.names)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                for alias in child.names:
                    bound.add((alias.asname or alias.name).split(".")[0])
            elif isinstance(child, ast.ExceptHandler) and child.name:
                bound.add(child.name)
            elif isinstance(child, (ast.MatchAs, ast.MatchStar)) and child.name:
                bound.add(child.name)
            elif isinstance(child, ast.MatchMapping) and child.rest:
                bound.add(child.rest)
            pending.append(child)
    return bound - declared_global, declared_global


def _arg_names(args: ast.arguments) -> set[str]:
    every = args.posonlyargs + args.args + args.kwonlyargs
    names = {a.arg for a in every}
    if args.vararg:
        names.add(args.vararg.arg)
    if args.kwarg:
        names.add(args.kwarg.arg)
    return names


# node class -> the _ModuleVisitor method that visits it (``visit_<Class>`` or generic_visit)
_DISPATCH: dict[type, Callable[..., None]] = {}


class _ModuleVisitor(ast.NodeVisitor):
    """Walks a cell in execution order, tracking what is read before it is written."""

    def __init__(self) -> None:
        self.defined: set[str] = set()
        self.used: set[str] = set()
        self.modified: set[str] = set()
        self.deleted: set[str] = set()
        self.imports: list[ImportBinding] = []
        self.star_imports: list[str] = []
        self.first_use: dict[str, tuple[int, int]] = {}
        self.first_def: dict[str, tuple[int, int]] = {}
        self.scopes: list[_Scope] = []
        self.deferred: list[tuple[ast.AST, list[_Scope]]] = []

    def result(self) -> CellNames:
        # Function bodies run later: their free names count as uses unless the cell defines them.
        for node, scopes in self.deferred:
            saved = self.scopes
            self.scopes = scopes
            self._visit_function_body(node)
            self.scopes = saved
        return CellNames(
            frozenset(self.defined),
            frozenset(self.used),
            frozenset(self.modified & (self.defined | self.used)),
            frozenset(self.deleted),
            tuple(self.imports),
            tuple(self.star_imports),
            dict(self.first_use),
            dict(self.first_def),
        )

    # -- name bookkeeping -------------------------------------------------------------------
    def _is_local(self, name: str) -> bool:
        for scope in reversed(self.scopes):
            if name in scope.globals:
                return False
            if name in scope.bound:
                return True
        return False

    def _load(self, name: str, node: ast.AST) -> None:
        # function bodies are visited after the whole cell, so ``defined`` is complete by then
        if self._is_local(name) or name in self.defined or name in BUILTIN_NAMES:
            return
        self.used.add(name)
        self.first_use.setdefault(name, (node.lineno, node.col_offset + 1))

    def _store(self, name: str, node: ast.AST) -> None:
        if self.scopes and not self._declared_global(name):
            return
        self.defined.add(name)
        self.deleted.discard(name)
        self.first_def.setdefault(name, (node.lineno, node.col_offset + 1))

    def _declared_global(self, name: str) -> bool:
        for scope in reversed(self.scopes):
            if name in scope.globals:
                return True
            if name in scope.bound:
                return False
        return False

    # -- dispatch: ast.NodeVisitor's, with the method looked up once per node class -------------
    def visit(self, node: ast.AST) -> Any:
        kind = node.__class__
        try:
            method = _DISPATCH[kind]
        except KeyError:
            method = getattr(_ModuleVisitor, "visit_" + kind.__name__, _ModuleVisitor.generic_visit)
            _DISPATCH[kind] = method
        return method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def visit_Constant(self, node: ast.Constant) -> None:
        return None  # no names inside (ast.NodeVisitor's version looks for visit_Num & co.)

    # -- visitors ---------------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self._load(node.id, node)
        elif isinstance(node.ctx, ast.Store):
            self._store(node.id, node)
        else:  # Del
            self._load(node.id, node)
            if not self.scopes:
                self.defined.discard(node.id)
                self.deleted.add(node.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self._visit_target(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.annotation)
        if node.value is not None or not isinstance(node.target, ast.Name):
            self._visit_target(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self._load(node.target.id, node.target)
            self._store(node.target.id, node.target)
        else:
            self._visit_target(node.target)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        # a walrus inside a comprehension binds in the enclosing (here: cell) scope
        scopes, self.scopes = self.scopes, [s for s in self.scopes if not getattr(s, "comp", False)]
        self._store(node.target.id, node.target)
        self.scopes = scopes

    def _visit_target(self, target: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self._store(target.id, target)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._visit_target(elt)
        elif isinstance(target, ast.Starred):
            self._visit_target(target.value)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            # ``df["a"] = ...`` / ``obj.x = ...`` read the base object and change it in place
            base = target.value
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                if isinstance(base, ast.Subscript):
                    self.visit(base.slice)
                base = base.value
            if isinstance(target, ast.Subscript):
                self.visit(target.slice)
            self.visit(base)
            if isinstance(base, ast.Name) and not self._is_local(base.id):
                self.modified.add(base.id)
        else:
            self.visit(target)

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self._visit_target(node.target)
        for stmt in node.body + node.orelse:
            self.visit(stmt)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self._visit_target(item.optional_vars)
        for stmt in node.body:
            self.visit(stmt)

    visit_AsyncWith = visit_With

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self._store(node.name, node)
        for stmt in node.body:
            self.visit(stmt)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            if alias.asname:
                statement = f"import {alias.name} as {alias.asname}"
            else:
                statement = f"import {alias.name}"
            self._bind_import(bound, alias.name, statement, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                self.star_imports.append(module)
                continue
            bound = alias.asname or alias.name
            suffix = f" as {alias.asname}" if alias.asname else ""
            self._bind_import(bound, module, f"from {module} import {alias.name}{suffix}", node)

    def _bind_import(self, bound: str, module: str, statement: str, node: ast.AST) -> None:
        if self.scopes:
            return  # function-local import
        self._store(bound, node)
        top = module.lstrip(".").split(".")[0]
        self.imports.append(ImportBinding(bound, top, statement, node.lineno))

    def visit_Global(self, node: ast.Global) -> None:
        return None

    visit_Nonlocal = visit_Global

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, (ast.Attribute, ast.Subscript)):
                # ``del df["a"]`` changes df in place, like ``df["a"] = ...``
                self._visit_target(target)
            else:
                self.visit(target)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            method = func.attr
            inplace = any(
                kw.arg == "inplace"
                and isinstance(kw.value, ast.Constant)
                and kw.value.value is True
                for kw in node.keywords
            )
            # ``items.append(x)``, ``df.drop(..., inplace=True)``; also on a part of the object
            # (``df["a"].fillna(0, inplace=True)``, ``groups["a"].append(x)``), and any pandas
            # method given ``inplace=True`` (``df.eval(..., inplace=True)``, ``s.clip(...)``)
            receiver = _changed_object(func.value, through_attributes=inplace)
            mutates = method in MUTATING_METHODS and (method not in INPLACE_ONLY or inplace)
            if receiver is not None and (mutates or inplace) and not self._is_local(receiver):
                self.modified.add(receiver)
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        first = node.args[0] if node.args else None
        if name in ARGUMENT_MUTATORS and isinstance(first, ast.Name):
            if not self._is_local(first.id):
                self.modified.add(first.id)
        self.generic_visit(node)

    # -- nested scopes ----------------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for deco in node.decorator_list:
            self.visit(deco)
        self._visit_arguments_defaults(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        self._store(node.name, node)
        self.deferred.append((node, list(self.scopes)))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._visit_arguments_defaults(node.args)
        self.deferred.append((node, list(self.scopes)))

    def _visit_arguments_defaults(self, args: ast.arguments) -> None:
        for default in args.defaults + [d for d in args.kw_defaults if d is not None]:
            self.visit(default)
        for arg in args.posonlyargs + args.args + args.kwonlyargs:
            if arg.annotation is not None:
                self.visit(arg.annotation)

    def _visit_function_body(self, node: ast.AST) -> None:
        local, declared_global = _function_locals(node)
        local |= _arg_names(node.args)
        self.scopes = self.scopes + [_Scope(local, declared_global)]
        body = node.body if isinstance(node.body, list) else [node.body]
        pending = len(self.deferred)
        for stmt in body:
            self.visit(stmt)
        # nested functions discovered while visiting: process now, with this scope chain
        while len(self.deferred) > pending:
            inner, scopes = self.deferred.pop()
            saved = self.scopes
            self.scopes = scopes
            self._visit_function_body(inner)
            self.scopes = saved
        self.scopes = self.scopes[:-1]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for deco in node.decorator_list:
            self.visit(deco)
        for base in node.bases:
            self.visit(base)
        for keyword in node.keywords:
            self.visit(keyword.value)
        local, declared_global = _function_locals(node)
        self.scopes = self.scopes + [_Scope(local, declared_global)]
        for stmt in node.body:
            self.visit(stmt)
        self.scopes = self.scopes[:-1]
        self._store(node.name, node)

    def _visit_comprehension(self, node: ast.AST, elements: list[ast.AST]) -> None:
        generators = node.generators
        self.visit(generators[0].iter)  # evaluated in the enclosing scope
        bound: set[str] = set()
        for gen in generators:
            bound.update(n.id for n in _target_names(gen.target))
        scope = _Scope(bound)
        scope.comp = True  # type: ignore[attr-defined]
        self.scopes = self.scopes + [scope]
        for index, gen in enumerate(generators):
            if index:
                self.visit(gen.iter)
            for cond in gen.ifs:
                self.visit(cond)
        for element in elements:
            self.visit(element)
        self.scopes = self.scopes[:-1]

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._visit_comprehension(node, [node.elt])

    visit_SetComp = visit_ListComp
    visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._visit_comprehension(node, [node.key, node.value])

    # -- match statement captures -----------------------------------------------------------
    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.pattern is not None:
            self.visit(node.pattern)
        if node.name:
            self._store(node.name, node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self._store(node.name, node)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        self.generic_visit(node)
        if node.rest:
            self._store(node.rest, node)
