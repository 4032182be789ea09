"""Render findings as text (for people), JSON (for programs) and SARIF 2.1.0 (for code hosts)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from .. import __version__
from ..model import Finding, Location, Severity, to_dict
from .rules import RULES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
URI_SAFE = "/:!$&'()*+,;=@-._~"  # RFC 3986 path characters; everything else is %-encoded
SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


@dataclass(frozen=True)
class FileRegion:
    """Where a cell-relative location sits in the notebook file's text (1-based line, column)."""

    line: int
    column: int | None = None


def finding_to_json(finding: Finding) -> dict:
    """One finding as the documented JSON object (flat location, fix or null)."""
    loc = finding.location
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "path": loc.path,
        "cell_index": loc.cell_index,
        "cell_id": loc.cell_id,
        "line": loc.line,
        "column": loc.column,
        "message": finding.message,
        "fix": to_dict(finding.fix) if finding.fix else None,
    }


def format_json(findings: Iterable[Finding]) -> str:
    """A JSON array of findings (schema in the README)."""
    return json.dumps([finding_to_json(f) for f in findings], indent=2) + "\n"


def summary_line(findings: Sequence[Finding], files: int) -> str:
    """``3 errors, 2 warnings, 1 info in 2 notebooks (4 fixable with --fix)``."""
    counts = Counter(f.severity for f in findings)
    if not findings:
        return f"no problems in {files} notebook{'s' if files != 1 else ''}"
    parts = []
    for severity, word in (
        (Severity.ERROR, "error"),
        (Severity.WARNING, "warning"),
        (Severity.INFO, "info"),
    ):
        n = counts.get(severity, 0)
        if n:
            parts.append(f"{n} {word}{'s' if n != 1 and word != 'info' else ''}")
    fixable = sum(1 for f in findings if f.fix and f.fix.safe)
    text = f"{', '.join(parts)} in {files} notebook{'s' if files != 1 else ''}"
    if fixable:
        text += f" ({fixable} fixable with --fix)"
    return text


GROUPED_IN_TEXT = "PN701"  # one line per cell would bury the warnings of a big notebook


def grouped_line(findings: Sequence[Finding]) -> str:
    """The text report's one entry for a notebook's PN701 findings (each cell stays in JSON)."""
    cells = ", ".join(
        "notebook" if f.location.cell_index is None else f"cell {f.location.cell_index}"
        for f in findings
    )
    n = len(findings)
    return (
        f"  {GROUPED_IN_TEXT} info: {n} cell{'s are' if n != 1 else ' is'} not black-formatted:"
        f" {cells}; fix: productionize lint --fix"
    )


def format_text(findings: Sequence[Finding], paths: Sequence[str] | int) -> str:
    """A readable report: findings grouped by notebook and cell, then a summary line.

    ``paths`` are the notebooks that were linted (those without findings get a "no problems"
    line), or just their number. A notebook's PN701 findings (cell not black-formatted) are one
    entry listing the cells, after its other findings; the summary still counts each one.
    """
    files = paths if isinstance(paths, int) else len(paths)
    lines: list[str] = []
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.location.path, []).append(finding)
    order = [] if isinstance(paths, int) else list(paths)
    order += [p for p in by_path if p not in order]
    for path in order:
        if path not in by_path:
            if lines and not lines[-1].endswith(": no problems"):
                lines.append("")
            lines.append(f"{path}: no problems")
            continue
        if lines:
            lines.append("")
        lines.append(path)
        current_cell: object = object()
        grouped = [f for f in by_path[path] if f.rule == GROUPED_IN_TEXT]
        for finding in by_path[path]:
            if finding.rule == GROUPED_IN_TEXT:
                continue
            loc = finding.location
            if loc.cell_index != current_cell:
                current_cell = loc.cell_index
                where = "notebook" if loc.cell_index is None else f"cell {loc.cell_index}"
                if loc.cell_id:
                    where += f" (id {loc.cell_id})"
                lines.append(f"  {where}")
            position = f"{loc.line}:{loc.column or 1}" if loc.line is not None else "-"
            lines.append(
                f"    {position:>7}  {finding.severity.value:<7} {finding.rule}  {finding.message}"
            )
            if finding.fix:
                marker = "fix (safe, --fix)" if finding.fix.safe else "fix"
                lines.append(f"{'':>22}{marker}: {finding.fix.description}")
        if grouped:
            lines.append(grouped_line(grouped))
    if lines:
        lines.append("")
    lines.append(summary_line(findings, files))
    return "\n".join(lines) + "\n"


def _sarif_rule(rule_id: str) -> dict:
    rule = RULES[rule_id]
    level = SARIF_LEVEL[rule.severity]
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "help": {"text": rule.fix or rule.summary},
        "defaultConfiguration": {"level": level},
    }


def artifact_uri(path: str) -> str:
    """A notebook path as SARIF wants it: a URI reference (``Copy of churn.ipynb`` -> ``%20``)."""
    posix = path.replace("\\", "/")
    if re.match(r"^[A-Za-z]:/", posix):  # C:/work/nb.ipynb
        return "file:///" + quote(posix, safe=URI_SAFE)
    if posix.startswith("/"):
        return "file://" + quote(posix, safe=URI_SAFE)
    if ":" in posix.split("/")[0]:  # "a:b.ipynb" would read as a URI scheme
        posix = "./" + posix
    return quote(posix, safe=URI_SAFE)


def _sarif_result(finding: Finding, rule_index: dict[str, int], file: FileRegion | None) -> dict:
    loc = finding.location
    physical: dict = {"artifactLocation": {"uri": artifact_uri(loc.path)}}
    if file is not None:
        physical["region"] = {"startLine": file.line}
        if file.column is not None:
            physical["region"]["startColumn"] = file.column
    location: dict = {"physicalLocation": physical}
    if loc.cell_index is not None:
        location["logicalLocations"] = [
            {
                "name": loc.cell_id or f"cell {loc.cell_index}",
                "fullyQualifiedName": f"{loc.path}:cell {loc.cell_index}",
                "kind": "module",
                "index": loc.cell_index,
            }
        ]
    properties: dict = {"cellIndex": loc.cell_index, "cellId": loc.cell_id}
    if loc.line is not None:
        properties["cellLine"] = loc.line
        if loc.column is not None:
            properties["cellColumn"] = loc.column
    result: dict = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index[finding.rule],
        "level": SARIF_LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [location],
        "properties": properties,
    }
    if finding.fix:
        properties["fix"] = finding.fix.description
        properties["fixSafe"] = finding.fix.safe
    return result


def format_sarif(
    findings: Sequence[Finding], regions: Mapping[Location, FileRegion] | None = None
) -> str:
    """A SARIF 2.1.0 log with one run.

    ``regions`` (from the adapter that read the files) gives each location's line and column in
    the ``.ipynb`` text; a location without one gets no region (the result names the file, and
    the cell through its logical location). Cell-relative positions are in ``properties``.
    """
    regions = regions or {}
    rule_ids = sorted(RULES)
    rule_index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "productionize",
                        "version": __version__,
                        "rules": [_sarif_rule(r) for r in rule_ids],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [
                    _sarif_result(f, rule_index, regions.get(f.location)) for f in findings
                ],
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
