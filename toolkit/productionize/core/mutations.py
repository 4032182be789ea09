"""Find the values a cell changes in place where its own code does not say which.

Def/use sees ``df["a"] = ...`` and ``df.drop(..., inplace=True)``, but not the same change made
through the notebook's own function (``def add_features(frame): frame["a"] = ...`` then
``add_features(df)``) or through a loop variable (``for frame in (X_train, X_test):
frame["a"] = ...``, Titanic's ``for dataset in combine:`` after ``combine = [train, test]``).
Missed, the next stage reads the value the cell was given, as the stage before left it: the
pipeline hands the model the columns the notebook had before the change (a divergence, or a
stage failing on a column or a type it does not find). These names count as changed by the
cell that makes the call or runs the loop, so that stage exports them.

A list of frames crossing a stage boundary (``combine`` made in ``load``, looped over in
``clean``) arrives as a pickled copy that no longer holds the frames passed beside it, so the
stage reading it rebuilds it from them (``containers_at_stage_starts``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from .defuse import analyze_tree, statement_names
from .tree_walk import walk_nodes


def changing_functions(definitions: Iterable[ast.stmt]) -> dict[str, tuple[list[str], set[str]]]:
    """The notebook's functions that change what they are given: name -> (parameters in order,
    the parameters its body changes in place). A parameter the body rebinds (``frame =
    frame.copy()``) is taken as not changed: the change is made to the copy. (A function
    changing a notebook global is refused by the planner: see core/function_globals.)"""
    functions = {
        node.name: node
        for node in definitions
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    found: dict[str, tuple[list[str], set[str]]] = {}
    for name, node in functions.items():
        arguments = node.args
        parameters = [a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs]
        found[name] = (parameters, set())
    bodies = {
        name: analyze_tree(ast.Module(body=list(node.body), type_ignores=[]))
        for name, node in functions.items()
    }
    while True:  # a function calling another that changes its argument changes it too
        grown = False
        for name, node in functions.items():
            parameters, changed = found[name]
            names = bodies[name]
            now = set(names.modified) | _changed_through(node.body, found, {})
            # rebound in the body: a local, not the value given
            now = {n for n in now if n in parameters and n not in names.defined}
            if not now <= changed:
                changed |= now
                grown = True
        if not grown:
            return {name: entry for name, entry in found.items() if entry[1]}


@dataclass(frozen=True)
class Container:
    """A list or tuple of the notebook's names (``combine = [train, test]``): its items are the
    very objects those names hold, so a change through one of them changes the other."""

    elements: tuple[str, ...]
    text: str  # the statement that rebuilds it from its elements: `combine = [train, test]`


def note_containers(statement: ast.stmt, containers: dict[str, Container]) -> None:
    """Update ``containers`` (name -> Container) after ``statement`` ran at top level: a list
    or tuple of names bound is remembered; one whose name or any of whose items' names is rebound
    or deleted, or that is changed itself (``combine.append(x)``), no longer holds those names."""
    if not containers and not (
        isinstance(statement, ast.Assign) and _names_listed(statement.value)
    ):
        return  # nothing remembered to forget, nothing new to remember
    names = statement_names(statement)
    touched = set(names.defined) | set(names.deleted)
    for name, container in list(containers.items()):
        if name in touched | set(names.modified) or touched & set(container.elements):
            del containers[name]
    if isinstance(statement, ast.Assign):
        elements = _names_listed(statement.value)
        for target in statement.targets:
            if isinstance(target, ast.Name) and elements and target.id not in elements:
                text = f"{target.id} = {ast.unparse(statement.value)}"
                containers[target.id] = Container(elements, text)


def changed_through(
    statement: ast.stmt,
    functions: dict[str, tuple[list[str], set[str]]],
    containers: dict[str, Container],
) -> set[str]:
    """Names ``statement`` changes in place through ``functions`` (from ``changing_functions``)
    or through a loop variable over names (``for frame in (X_train, X_test)``, or over a
    container: ``for dataset in combine``)."""
    return _changed_through([statement], functions, containers)


def may_change_through(tree: ast.AST, functions: dict[str, tuple[list[str], set[str]]]) -> bool:
    """Whether any statement of ``tree`` (a cell) can change a name through ``functions`` or a
    loop: it has a ``for`` loop or calls one of them (``changed_through`` is empty otherwise)."""
    return any(
        isinstance(node, (ast.For, ast.AsyncFor))
        or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in functions
        )
        for node in walk_nodes(tree)
    )


def _changed_through(
    statements: list[ast.stmt],
    functions: dict[str, tuple[list[str], set[str]]],
    containers: dict[str, Container],
) -> set[str]:
    changed: set[str] = set()
    for statement in statements:
        for node in _run_nodes(statement):
            if isinstance(node, ast.Call):
                changed |= _call_changes(node, functions)
            elif isinstance(node, (ast.For, ast.AsyncFor)) and isinstance(node.target, ast.Name):
                elements = _names_listed(node.iter)
                if isinstance(node.iter, ast.Name) and node.iter.id in containers:
                    elements = containers[node.iter.id].elements
                if not elements:
                    continue
                body = ast.Module(body=list(node.body), type_ignores=[])
                names = analyze_tree(body)
                through = set(names.modified) | _changed_through(node.body, functions, containers)
                variable = node.target.id
                if variable in through or _augments(node.body, variable):
                    changed |= set(elements)
    return changed


def _call_changes(call: ast.Call, functions: dict[str, tuple[list[str], set[str]]]) -> set[str]:
    """The names ``add_features(df)`` changes: its arguments at the parameters it changes."""
    if not isinstance(call.func, ast.Name) or call.func.id not in functions:
        return set()
    parameters, changed = functions[call.func.id]
    names: set[str] = set()
    for position, argument in enumerate(call.args):
        if position < len(parameters) and parameters[position] in changed:
            if isinstance(argument, ast.Name):
                names.add(argument.id)
    for keyword in call.keywords:
        if keyword.arg in changed and isinstance(keyword.value, ast.Name):
            names.add(keyword.value.id)
    return names


def _run_nodes(statement: ast.stmt) -> list[ast.AST]:
    """The nodes of ``statement`` that run with it: not the bodies of functions, classes and
    lambdas it defines (they run when called)."""
    nodes: list[ast.AST] = []
    stack: list[ast.AST] = [statement]
    while stack:
        node = stack.pop()
        nodes.append(node)
        for child in ast.iter_child_nodes(node):
            if not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
            ):
                stack.append(child)
    return nodes


def _augments(body: list[ast.stmt], name: str) -> bool:
    """``frame += 1`` on a loop variable: arrays and frames change in place."""
    return any(
        isinstance(node, ast.AugAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == name
        for statement in body
        for node in ast.walk(statement)
    )


def _names_listed(node: ast.AST) -> tuple[str, ...]:
    """``(train, test)`` for ``[train, test]`` / ``(train, test)``; () for anything else."""
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        if all(isinstance(e, ast.Name) for e in node.elts):
            return tuple(e.id for e in node.elts)  # type: ignore[attr-defined]
    return ()


def containers_at_stage_starts(
    cells: Iterable[tuple[str, Iterable[ast.stmt]]],
) -> dict[str, dict[str, Container]]:
    """The containers that still hold their names when each stage begins, from ``(stage,
    production statements)`` per cell in document order. A stage reading one from upstream
    rebuilds it from its items: a list passed between stages would hold copies of them."""
    containers: dict[str, Container] = {}
    starts: dict[str, dict[str, Container]] = {}
    for stage, statements in cells:
        starts.setdefault(stage, dict(containers))
        for statement in statements:
            note_containers(statement, containers)
    return starts
