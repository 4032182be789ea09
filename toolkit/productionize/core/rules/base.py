"""The rule registry and the context every rule reads: one parse per cell, shared by all rules."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ...model import Cell, Finding, Fix, Notebook, Severity
from ...options import Options
from ..defuse import ParsedCell
from ..tree_walk import walk_nodes


@dataclass(frozen=True)
class NodeIndex:
    """The nodes of one cell's tree that rules look for, collected in a single walk."""

    calls: tuple[ast.Call, ...] = ()
    strings: tuple[ast.Constant, ...] = ()
    functions: tuple[ast.AST, ...] = ()  # def, async def and lambda
    conditionals: tuple[ast.IfExp, ...] = ()  # ``a if c else b``


def index_tree(tree: ast.AST | None) -> NodeIndex:
    """Collect calls, string constants, functions and conditional expressions in one walk."""
    if tree is None:
        return NodeIndex()
    calls, strings, functions, conditionals = [], [], [], []
    for node in walk_nodes(tree):
        if isinstance(node, ast.Call):
            calls.append(node)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                strings.append(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            functions.append(node)
        elif isinstance(node, ast.IfExp):
            conditionals.append(node)
    return NodeIndex(tuple(calls), tuple(strings), tuple(functions), tuple(conditionals))


@dataclass(frozen=True)
class LintContext:
    """What a rule may look at: the notebook, the options and each code cell parsed once."""

    notebook: Notebook
    options: Options
    parsed: tuple[ParsedCell, ...]  # one per code cell, in document order
    # cell source -> ruff's formatting of it (None: ruff could not), if an adapter ran ruff format
    preformatted: Mapping[str, str | None] | None = None
    _indexes: dict[int, NodeIndex] = field(default_factory=dict, compare=False, repr=False)

    def nodes(self, parsed: ParsedCell) -> NodeIndex:
        """Calls, strings and functions of a parsed cell (one walk per cell, shared by rules)."""
        key = parsed.cell.index
        if key not in self._indexes:
            self._indexes[key] = index_tree(parsed.tree)
        return self._indexes[key]

    def finding(
        self,
        rule_id: str,
        cell: Cell | None,
        message: str,
        line: int | None = None,
        column: int | None = None,
        fix: Fix | None = None,
    ) -> Finding:
        """Build a finding of ``rule_id`` at a cell position, with the configured severity."""
        default = RULES[rule_id].severity
        return Finding(
            rule_id,
            self.options.severity_for(rule_id, default),
            self.notebook.location(cell, line, column),
            message,
            fix,
        )

    @property
    def stage_tagged(self) -> bool:
        """Whether any cell carries a Productionize tag (tag rules only apply then)."""
        from ..tags import stage_tags

        return any(stage_tags(c.tags) for c in self.notebook.cells)


Check = Callable[[LintContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """One lint rule: a stable id, a default severity, what it finds and how to fix it."""

    id: str
    name: str
    severity: Severity
    summary: str
    fix: str
    check: Check | None = None  # None: findings come from an external tool (ruff)


RULES: dict[str, Rule] = {}


def rule(rule_id: str, name: str, severity: Severity, summary: str, fix: str = ""):
    """Register the decorated function as the check of ``rule_id``."""

    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"duplicate rule id {rule_id}")
        RULES[rule_id] = Rule(rule_id, name, severity, summary, fix, check)
        return check

    return register


def external_rule(rule_id: str, name: str, severity: Severity, summary: str, fix: str = "") -> None:
    """Register a rule whose findings an adapter produces (a tool run as a process)."""
    RULES[rule_id] = Rule(rule_id, name, severity, summary, fix, None)


def line_column(source: str, line: int, byte_offset: int) -> int:
    """Turn ``ast``'s UTF-8 byte offset on a 1-based line into a 1-based character column."""
    lines = source.split("\n")
    if not 1 <= line <= len(lines):
        return byte_offset + 1
    prefix = lines[line - 1].encode("utf-8")[:byte_offset]
    return len(prefix.decode("utf-8", errors="ignore")) + 1


def rewrite_on_line(
    source: str, node: ast.AST, write: Callable[[Callable[[ast.AST], str]], str]
) -> str | None:
    """``source`` with one-line ``node`` replaced by ``write(segment)``, or None if it won't parse.

    ``segment(n)`` is the source text of a node ``n`` on that line (ast offsets are UTF-8 bytes).
    """
    lines = source.split("\n")
    line = lines[node.lineno - 1].encode("utf-8")  # type: ignore[attr-defined]

    def segment(n: ast.AST) -> str:
        return line[n.col_offset : n.end_col_offset].decode("utf-8")  # type: ignore

    start, end = node.col_offset, node.end_col_offset or len(line)  # type: ignore
    text = write(segment).encode("utf-8")
    lines[node.lineno - 1] = (line[:start] + text + line[end:]).decode("utf-8")  # type: ignore
    new_source = "\n".join(lines)
    try:
        ast.parse(new_source)
    except SyntaxError:
        return None
    return new_source
