"""Stage 1: ``lint(notebook, options) -> list[Finding]`` — every rule over cells parsed once."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from ..model import Finding, Notebook
from ..options import Options
from .defuse import CellNames, ParsedCell, parse_cell
from .rules import RULES, LintContext
from .rules.errors import is_python


def parse_cells(notebook: Notebook) -> tuple[ParsedCell, ...]:
    """Parse every code cell once (the single ``ast.parse`` all rules share).

    Cells of a notebook whose kernel is not Python are not parsed: rules that need Python
    (dataflow, magics, paths, seeds, black, ruff) then have nothing to look at.
    """
    if not is_python(notebook):
        return tuple(
            ParsedCell(cell, cell.source, None, (), CellNames(), None, python_body=False)
            for cell in notebook.code_cells
        )
    return tuple(parse_cell(cell) for cell in notebook.code_cells)


def lint(
    notebook: Notebook,
    options: Options,
    parsed: Sequence[ParsedCell] | None = None,
    external: Iterable[Finding] = (),
    preformatted: Mapping[str, str | None] | None = None,
) -> list[Finding]:
    """Run the enabled rules, merge findings of external tools (ruff), sort by cell/line/rule.

    ``preformatted`` maps cell sources to ruff's formatting of them: PN701 then runs black only
    on the cells that need it (``rules.style.needs_black``); without it, black checks every cell.
    """
    ctx = LintContext(
        notebook,
        options,
        tuple(parsed) if parsed is not None else parse_cells(notebook),
        preformatted,
    )
    findings: list[Finding] = []
    for rule_id in sorted(RULES):
        rule = RULES[rule_id]
        if rule.check is not None and options.rule_enabled(rule_id):
            findings.extend(rule.check(ctx))
    findings.extend(f for f in external if options.rule_enabled(f.rule))
    sources = {cell.index: cell.source for cell in notebook.cells}
    return sort_findings(f for f in findings if not _suppressed(f, sources))


# a ``noqa`` comment silences every finding on its line, ``noqa: PN501, PN6`` the listed ids/prefixes
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z]+\d*(?:[\s,]+[A-Za-z]+\d*)*))?", re.I)


def _suppressed(finding: Finding, sources: dict[int, str]) -> bool:
    loc = finding.location
    if loc.cell_index is None or loc.line is None or loc.cell_index not in sources:
        return False
    lines = sources[loc.cell_index].split("\n")
    if not 1 <= loc.line <= len(lines):
        return False
    match = _NOQA.search(lines[loc.line - 1])
    if match is None:
        return False
    codes = match.group("codes")
    if not codes:
        return True
    return any(finding.rule.startswith(code.upper()) for code in re.split(r"[\s,]+", codes) if code)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Order findings by file, cell, line, column, then rule id."""

    def key(f: Finding):
        loc = f.location
        return (
            loc.path,
            -1 if loc.cell_index is None else loc.cell_index,
            loc.line or 0,
            loc.column or 0,
            f.rule,
            f.message,
        )

    return sorted(findings, key=key)
