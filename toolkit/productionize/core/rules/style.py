"""PN7xx: code style — black formatting (in process) and pyflakes-class problems from ruff.

Ruff runs as one process per notebook in an adapter; ``ruff_source`` builds the single Python file
it checks and ``findings_from_ruff`` maps its diagnostics back to cells and lines. The adapter may
also pass ruff's formatter's verdict on each cell (``LintContext.preformatted``): black, which has
the last word on PN701, then only formats the cells ruff cannot vouch for (those it leaves alone
where the two may differ, those it changes into a shape black may lay out otherwise).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ...model import CellEdit, Finding, Fix, Severity
from ..black_compat import ruff_cell_trusted, ruff_may_differ
from ..defuse import ParsedCell
from ..tree_walk import walk_nodes
from .base import LintContext, NodeIndex, external_rule, rule


def _first_changed_line(old: str, new: str) -> int:
    for number, (a, b) in enumerate(zip(old.split("\n"), new.split("\n"), strict=False), start=1):
        if a != b:
            return number
    return min(len(old.split("\n")), len(new.split("\n")))


# black needs ~1 ms per line: a pasted 1 MB data cell would take minutes and GBs. Cells this large
# are data, not code anyone formats by hand, so the style check skips them.
MAX_BLACK_CHARS = 50_000


@functools.lru_cache(maxsize=4096)
def format_cell(source: str, line_length: int) -> str | None:
    """The black-formatted source of one cell, or None when black leaves it unchanged/can't.

    Cached on the source: the JupyterLab server re-lints a notebook after every edit, and only
    the edited cells need black again (black is most of a lint run's time).
    """
    if len(source) > MAX_BLACK_CHARS:
        return None
    import black

    mode = black.Mode(is_ipynb=True, line_length=line_length)
    try:
        # fast: black's AST-equivalence and stability checks would format each dirty cell three
        # times; ``lint --fix`` re-parses every fixed cell and writes nothing if one breaks
        return black.format_cell(source, fast=True, mode=mode)
    except black.NothingChanged:
        return None
    except Exception:  # black refuses some valid IPython (unusual magics): not a style finding
        return None


def needs_black(
    source: str, tree: ast.Module, nodes: NodeIndex, ruff_formatted: str | None, line_length: int
) -> bool:
    """Whether black must format a cell to decide PN701, given ruff's formatting of it.

    Ruff's formatter reproduces black's output on black-formatted code (>99.9 % of lines), so a
    cell ruff leaves unchanged is taken as black-clean, except where the two are known to decide
    differently (``black_compat.ruff_may_differ``), for a cell magic (black formats only Python
    ones), a final newline (black strips it) and a leading string (black formats it as the
    module's docstring, ruff does not in a notebook cell). A cell ruff changes or could not
    format (None) needs black unless ruff's result is known to be black's
    (``ruff_changes_as_black``).
    """
    if ruff_formatted is None or ruff_formatted != source:
        return True
    if source.startswith("%%") or source.endswith("\n"):
        return True
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        if isinstance(body[0].value.value, str):
            return True
    return ruff_may_differ(source, tree, nodes, line_length)


def ruff_changes_as_black(
    source: str, p: ParsedCell, ruff_formatted: str | None, line_length: int
) -> bool:
    """Whether ruff's formatting of a cell it changes is what black makes of it too
    (``black_compat.ruff_cell_trusted``): the finding and its fix are then ruff's, black is not run.
    """
    if ruff_formatted is None or ruff_formatted == source or len(source) > MAX_BLACK_CHARS:
        return False
    return ruff_cell_trusted(source, p.tree, bool(p.magics), ruff_formatted, line_length)


@rule(
    "PN701",
    "black-formatting",
    Severity.INFO,
    "The cell is not formatted with black (`line_length` from the configuration)",
    "Safe: reformat the cell with black",
)
def black_formatting(ctx: LintContext) -> Iterator[Finding]:
    preformatted = ctx.preformatted
    length = ctx.options.line_length
    for p in ctx.parsed:
        source = p.cell.source
        if p.tree is None or not p.python_body or not source.strip():
            continue
        formatted = None
        if preformatted is not None and source in preformatted:
            verdict = preformatted[source]
            nodes = ctx.nodes(p)
            if not needs_black(source, p.tree, nodes, verdict, length):
                continue
            if ruff_changes_as_black(source, p, verdict, length):
                formatted = verdict
        if formatted is None:
            formatted = format_cell(source, length)
        if formatted is None or formatted == p.cell.source:
            continue
        yield ctx.finding(
            "PN701",
            p.cell,
            "cell is not black-formatted",
            _first_changed_line(p.cell.source, formatted),
            1,
            Fix(
                "Reformat the cell with black",
                safe=True,
                edits=(CellEdit(p.cell.index, p.cell.cell_id, new_source=formatted),),
            ),
        )


def format_candidates(parsed: Iterable[ParsedCell]) -> list[str]:
    """The distinct cell sources PN701 formats, in document order (for ruff's formatter)."""
    seen: dict[str, None] = {}
    for p in parsed:
        if p.tree is not None and p.python_body and p.cell.source.strip():
            seen.setdefault(p.cell.source)
    return list(seen)


# ruff codes -> our rule ids; F821 (undefined name) is PN201, which knows about cell order
RUFF_RULES = {"F401": "PN702", "F811": "PN703"}
RUFF_OTHER = "PN704"
RUFF_SELECT = ("F",)
RUFF_IGNORE = ("F821", "F822", "F704", "F403", "F405")  # PN201 / top-level await / star imports

external_rule(
    "PN702",
    "unused-import",
    Severity.WARNING,
    "An import no cell uses (ruff F401, whole notebook)",
    "Remove the import",
)
external_rule(
    "PN703",
    "redefined-unused-name",
    Severity.WARNING,
    "A name is redefined before its first value was ever used (ruff F811; the same import "
    "again in a later cell is not reported)",
    "Remove the unused definition or rename one",
)
external_rule(
    "PN704",
    "pyflakes",
    Severity.WARNING,
    "Other pyflakes-class problems reported by ruff (F-codes: unused variables, bad comparisons…)",
    "See the ruff code in the message",
)


@dataclass(frozen=True)
class RuffSource:
    """The notebook's code cells as one Python file, and where each cell starts in it."""

    text: str
    starts: tuple[tuple[int, int], ...]  # (first line in text, position in ``parsed``)


def ruff_source(parsed: Iterable[ParsedCell]) -> RuffSource:
    """Join the parseable code cells (magics masked) into one file ruff can check."""
    chunks: list[str] = []
    starts: list[tuple[int, int]] = []
    line = 1
    for position, p in enumerate(parsed):
        if p.tree is None or not p.python_body or not p.source.strip():
            continue
        text = p.source if p.source.endswith("\n") else p.source + "\n"
        starts.append((line, position))
        chunks.append(text)
        line += text.count("\n")
    return RuffSource("".join(chunks), tuple(starts))


def findings_from_ruff(
    ctx: LintContext, source: RuffSource, diagnostics: Iterable[dict]
) -> list[Finding]:
    """Map ruff's JSON diagnostics on ``source`` back to notebook cells and lines."""
    findings = []
    # a cell that does not parse is left out of the file: imports it uses would look unused
    incomplete = any(p.tree is None and p.python_body for p in ctx.parsed)
    for diagnostic in diagnostics:
        code = diagnostic.get("code") or ""
        if incomplete and code in RUFF_RULES:
            continue
        location = diagnostic.get("location") or {}
        row, column = location.get("row"), location.get("column")
        if not code or not isinstance(row, int):
            continue
        located = _cell_line(ctx, source, row)
        if located is None:
            continue
        p, line = located
        if code == "F811" and _repeats_an_import(ctx, source, (p, line), diagnostic):
            continue
        rule_id = RUFF_RULES.get(code, RUFF_OTHER)
        fix = (
            Fix(f"{diagnostic['fix']['message']} (ruff {code})") if diagnostic.get("fix") else None
        )
        findings.append(
            ctx.finding(
                rule_id,
                p.cell,
                f"{code} {_cell_lines_in(ctx, source, diagnostic.get('message', ''))}",
                line,
                column,
                fix,
            )
        )
    return findings


def _repeats_an_import(ctx, source: RuffSource, located, diagnostic: dict) -> bool:
    """Whether an F811 redefinition is the same import again in a later cell (``import pandas
    as pd`` in the Kaggle boilerplate cell and again in the next): notebooks repeat imports per
    section, and binding the same module to the same name changes nothing. Twice in one cell is
    still reported (a slip)."""
    original = re.search(r"\bfrom line (\d+)\b", diagnostic.get("message", ""))
    if original is None:
        return False
    earlier = _cell_line(ctx, source, int(original.group(1)))
    if earlier is None or earlier[0] is located[0]:
        return False
    name = re.search(r"`([^`]+)`", diagnostic.get("message", ""))
    if name is None:
        return False
    first = _imported_as(*earlier, name.group(1))
    return first is not None and first == _imported_as(*located, name.group(1))


def _imported_as(p: ParsedCell, line: int, name: str) -> tuple[str, str] | None:
    """What an import statement on ``line`` of the cell binds to ``name``: (module, object)."""
    for node in walk_nodes(p.tree) if p.tree is not None else ():
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if not node.lineno <= line <= (node.end_lineno or node.lineno):
            continue
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            if bound != name:
                continue
            if isinstance(node, ast.Import):
                return (alias.name if alias.asname else bound, "")
            return ("." * node.level + (node.module or ""), alias.name)
    return None


def _cell_line(ctx: LintContext, source: RuffSource, row: int) -> tuple[ParsedCell, int] | None:
    """The cell and the line inside it of line ``row`` of the joined file."""
    start, position = max(((s, pos) for s, pos in source.starts if s <= row), default=(None, None))
    if start is None:
        return None
    return ctx.parsed[position], row - start + 1


def _cell_lines_in(ctx: LintContext, source: RuffSource, message: str) -> str:
    """``Redefinition of unused `re` from line 14``: say the cell and its line, as findings do."""

    def replace(match: re.Match[str]) -> str:
        located = _cell_line(ctx, source, int(match.group(1)))
        if located is None:
            return match.group(0)
        p, line = located
        return f"cell {p.cell.index}, line {line}"

    return re.sub(r"\bline (\d+)\b", replace, message)
