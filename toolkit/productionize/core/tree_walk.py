"""``ast.walk`` computed once per node: lint rules and the planner walk the same cell trees.

A cell's tree is parsed once per text (``defuse.parse_cell``) and then walked by some twenty
rules and planning steps; each walk of a 200-cell notebook visits ~3,000 nodes. The nodes of a
walk are kept for as long as the tree lives (weakly keyed), so every later walk of the same node
is a lookup. Only for trees nothing mutates (records_plan rewrites fresh copies and walks them
with ``ast.walk``).
"""

from __future__ import annotations

import ast
import weakref

_WALKS: weakref.WeakKeyDictionary[ast.AST, tuple[ast.AST, ...]] = weakref.WeakKeyDictionary()


def walk_nodes(node: ast.AST) -> tuple[ast.AST, ...]:
    """``tuple(ast.walk(node))``, the same nodes in the same order, remembered per node."""
    try:
        return _WALKS[node]
    except KeyError:
        nodes = tuple(ast.walk(node))
        _WALKS[node] = nodes
        return nodes
    except TypeError:  # not weakly referenceable (not an ast node): walk it plainly
        return tuple(ast.walk(node))
