"""Lay out import statements the way isort/ruff (``I001``) expects, for generated modules."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable


def sort_imports(statements: Iterable[str]) -> str:
    """Group (stdlib, third-party, relative), merge ``from`` imports, and sort, isort-style."""
    plain: dict[int, set[tuple[str, str | None]]] = {0: set(), 1: set(), 2: set()}
    froms: dict[int, dict[str, set[tuple[str, str | None]]]] = {0: {}, 1: {}, 2: {}}
    aliased_froms: dict[int, set[tuple[str, str, str]]] = {0: set(), 1: set(), 2: set()}
    for statement in statements:
        for node in ast.parse(statement).body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    plain[_section(alias.name)].add((alias.name, alias.asname))
            elif isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                section = _section(module)
                for alias in node.names:
                    if alias.asname:
                        aliased_froms[section].add((module, alias.name, alias.asname))
                    else:
                        froms[section].setdefault(module, set()).add((alias.name, None))
    blocks = []
    for section in (0, 1, 2):
        lines = [
            f"import {name}" + (f" as {asname}" if asname else "")
            for name, asname in sorted(plain[section], key=lambda x: (x[0].lower(), x[1] or ""))
        ]
        from_lines: list[tuple[str, str]] = []
        for module, members in froms[section].items():
            names = ", ".join(m for m, _ in sorted(members, key=lambda m: _member_key(m[0])))
            from_lines.append((module, f"from {module} import {names}"))
        for module, name, asname in aliased_froms[section]:
            from_lines.append((module, f"from {module} import {name} as {asname}"))
        lines += [
            text for _module, text in sorted(from_lines, key=lambda x: (_module_key(x[0]), x[1]))
        ]
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _section(module: str) -> int:
    if module.startswith("."):
        return 2
    top = module.split(".")[0]
    return 0 if top in sys.stdlib_module_names else 1


def _module_key(module: str) -> tuple:
    dots = len(module) - len(module.lstrip("."))
    return (-dots if dots else 0, module.lstrip(".").lower())


def _member_key(name: str) -> tuple[int, str]:
    if name.isupper() and len(name) > 1:
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)
