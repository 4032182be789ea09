"""Apply the safe fixes of lint findings to a notebook dict (a deep copy; the input is untouched)."""

from __future__ import annotations

import copy
from typing import Any

from ..model import CellEdit, Finding


def _cell_matches(cell: Any, edit: CellEdit) -> bool:
    return edit.cell_id is None or cell.get("id") in (None, edit.cell_id)


def apply_fixes(node: Any, findings: list[Finding]) -> tuple[Any, list[Finding]]:
    """Apply safe fixes; return the new notebook dict and the findings whose fix was applied.

    At most one source replacement per cell is applied (edits were computed from the current
    source, so a second one would undo the first): callers re-lint and call again until nothing
    is applied. Output clearing and tag edits always compose.
    """
    new = copy.deepcopy(node)
    cells = new.get("cells", [])
    applied: list[Finding] = []
    rewritten: set[int] = set()
    for finding in sorted(findings, key=lambda f: (f.rule, f.location.line or 0)):
        fix = finding.fix
        if fix is None or not fix.safe or not fix.edits:
            continue
        edits = fix.edits
        if any(
            not 0 <= e.cell_index < len(cells) or not _cell_matches(cells[e.cell_index], e)
            for e in edits
        ):
            continue  # the notebook changed under the finding: never guess
        if any(e.new_source is not None and e.cell_index in rewritten for e in edits):
            continue
        for edit in edits:
            _apply_edit(cells[edit.cell_index], edit)
            if edit.new_source is not None:
                rewritten.add(edit.cell_index)
        applied.append(finding)
    return new, applied


def _apply_edit(cell: Any, edit: CellEdit) -> None:
    if edit.new_source is not None:
        cell["source"] = edit.new_source
    if edit.clear_outputs and cell.get("cell_type") == "code":
        cell["outputs"] = []
    if edit.add_tags or edit.remove_tags:
        metadata = cell.setdefault("metadata", {})
        tags = [t for t in metadata.get("tags", []) if t not in edit.remove_tags]
        tags += [t for t in edit.add_tags if t not in tags]
        if tags:
            metadata["tags"] = tags
        else:
            metadata.pop("tags", None)
