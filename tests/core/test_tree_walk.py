"""The fast AST traversals give exactly what the standard library's would.

``tree_walk.walk_nodes`` / ``child_nodes`` read ``_fields`` directly instead of going through
``ast.walk`` / ``ast.iter_child_nodes``, and the def/use visitor dispatches on a per-class table
instead of ``ast.NodeVisitor``'s name lookup: same nodes, same order, same names.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import productionize
from productionize.core import defuse
from productionize.core.tree_walk import child_nodes, walk_nodes

SOURCES = sorted(Path(productionize.__file__).parent.rglob("*.py"))
TRICKY = [
    "match point:\n    case {'x': x, **rest}:\n        pass\n    case [a, *others] if a:\n        pass",
    "lambda x=1, *a, y=2, **k: (x, a, y, k)",
    "async def f():\n    async with a as b:\n        async for c in b:\n            await c",
    "x: int\ny: 'str' = 'a'\nf'{x!r:>{y}}'",
    "[z := i for i in range(3) if (w := i)]",
    "try:\n    pass\nexcept* ValueError as e:\n    del e",
    "class C(B, metaclass=M):\n    global g\n    g = 1",
    "def f(a, /, b, *, c):\n    nonlocal_name = 1\n    def g():\n        nonlocal nonlocal_name",
]


class _ReferenceVisitor(defuse._ModuleVisitor):
    """The def/use visitor with ast.NodeVisitor's own dispatch and generic traversal."""

    visit = ast.NodeVisitor.visit
    generic_visit = ast.NodeVisitor.generic_visit
    visit_Constant = ast.NodeVisitor.visit_Constant


def _trees():
    for path in SOURCES:
        yield path.name, ast.parse(path.read_text(encoding="utf-8"))
    for number, source in enumerate(TRICKY):
        yield f"tricky-{number}", ast.parse(source)
    # built by hand, as the planner does: optional fields left out
    hand_built = ast.Module(body=[ast.Expr(ast.Name("x", ast.Load()))])
    yield "hand-built", ast.fix_missing_locations(hand_built)


@pytest.mark.parametrize("name,tree", list(_trees()), ids=lambda v: v if isinstance(v, str) else "")
def test_walks_match_the_standard_library(name, tree):
    assert walk_nodes(tree) == tuple(ast.walk(tree))
    for node in ast.walk(tree):
        assert child_nodes(node) == list(ast.iter_child_nodes(node))
        if isinstance(node, ast.stmt):
            assert walk_nodes(node) == tuple(ast.walk(node))


@pytest.mark.parametrize("name,tree", list(_trees()), ids=lambda v: v if isinstance(v, str) else "")
def test_names_match_node_visitor_dispatch(name, tree):
    for statement in [tree, *getattr(tree, "body", [])]:
        module = statement if isinstance(statement, ast.Module) else ast.Module([statement], [])
        reference = _ReferenceVisitor()
        reference.visit(module)
        expected = reference.result()
        got = defuse.analyze_tree(module)
        assert got == expected
        assert (got.first_use, got.first_def) == (expected.first_use, expected.first_def)


def _recursive_function_locals(node):
    """defuse._function_locals as it was written first: a recursive walk (the reference)."""
    bound, declared_global = set(), set()

    def walk(n):
        for child in ast.iter_child_nodes(n):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.add(child.name)
                for deco in child.decorator_list:
                    walk(deco)
                continue
            if isinstance(child, ast.Lambda):
                continue
            if isinstance(child, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                for named in ast.walk(child):
                    if isinstance(named, ast.NamedExpr) and isinstance(named.target, ast.Name):
                        bound.add(named.target.id)
                continue
            if isinstance(child, (ast.Global, ast.Nonlocal)):
                declared_global.update(child.names)
            elif isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
                bound.add(child.id)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                for alias in child.names:
                    bound.add((alias.asname or alias.name).split(".")[0])
            elif isinstance(child, ast.ExceptHandler) and child.name:
                bound.add(child.name)
            elif isinstance(child, (ast.MatchAs, ast.MatchStar)) and child.name:
                bound.add(child.name)
            elif isinstance(child, ast.MatchMapping) and child.rest:
                bound.add(child.rest)
            walk(child)

    walk(node)
    return bound - declared_global, declared_global


@pytest.mark.parametrize("name,tree", list(_trees()), ids=lambda v: v if isinstance(v, str) else "")
def test_function_locals_match_the_recursive_walk(name, tree):
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
    for node in ast.walk(tree):
        if isinstance(node, scopes):
            assert defuse._function_locals(node) == _recursive_function_locals(node)


def test_statement_names_are_the_statement_analysed_alone_and_die_with_the_tree():
    tree = ast.parse((Path(defuse.__file__)).read_text(encoding="utf-8"))
    for statement in tree.body:
        names = defuse.statement_names(statement)
        assert names == defuse.analyze_tree(ast.Module([statement], []))
        assert defuse.statement_names(statement) is names  # asked again: remembered
    remembered, statements = len(defuse._STATEMENT_NAMES), len(tree.body)
    del tree, statement
    assert len(defuse._STATEMENT_NAMES) <= remembered - statements  # weakly keyed


def test_remembered_walks_die_with_their_tree():
    import gc
    import weakref

    tree = ast.parse("def f(x):\n    return [y for y in x]\nz = f(1)")
    nodes = walk_nodes(tree)
    for node in nodes:
        assert walk_nodes(node) is walk_nodes(node)  # remembered
    alive = weakref.ref(tree)
    del tree, nodes, node
    gc.collect()
    # nothing but the tree itself kept its walks: the Jupyter server re-lints for hours
    assert alive() is None
