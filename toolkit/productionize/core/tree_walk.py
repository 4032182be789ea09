"""``ast.walk`` computed once per node: lint rules and the planner walk the same cell trees.

A cell's tree is parsed once per text (``defuse.parse_cell``) and then walked by some twenty
rules and planning steps; each walk of a 200-cell notebook visits ~3,000 nodes. The nodes of a
walk are kept on the node (an attribute ``ast`` ignores: not a field, not a location) for as long
as the tree lives, so every later walk of the same node is a lookup. Only for trees nothing
mutates (records_plan rewrites fresh copies and walks them with ``ast.walk``).

The walk itself reads each node class's ``_fields`` directly instead of going through
``ast.iter_child_nodes`` (two generators per node): the same nodes in the same order, in about
half the time.
"""

from __future__ import annotations

import ast

_AST = ast.AST
# the attribute a node keeps its walk in: on the node itself, so that it dies with the tree (a
# WeakKeyDictionary cannot hold it: the walk starts with its own key and would keep it alive)
_WALK = "_productionize_walk"


def walk_nodes(node: ast.AST) -> tuple[ast.AST, ...]:
    """``tuple(ast.walk(node))``, the same nodes in the same order, remembered per node."""
    try:
        return node.__dict__[_WALK]
    except KeyError:
        nodes = _walk(node)
        node.__dict__[_WALK] = nodes
        return nodes
    except AttributeError:  # no __dict__ (not an ast node): walk it plainly
        return tuple(ast.walk(node))


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))``: the direct children, in field order."""
    children: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, _AST):
            children.append(value)
        elif isinstance(value, list):
            children.extend(item for item in value if isinstance(item, _AST))
    return children


def _walk(node: ast.AST) -> tuple[ast.AST, ...]:
    # breadth first like ast.walk (a deque of nodes whose children come next): the list grows
    # while it is read, so each node's children are appended after every node already queued
    nodes = [node]
    append = nodes.append
    for current in nodes:
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance(value, _AST):
                append(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, _AST):
                        append(item)
    return tuple(nodes)
