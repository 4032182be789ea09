"""PN503/PN504: secrets (tokens, passwords, private keys, cloud keys) in source and in outputs."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...model import CellEdit, Finding, Fix, Severity
from ..html_text import visible_text
from ..secret_scan import find_printed_secrets, find_secrets_in_texts, is_secret_name
from ..tree_walk import walk_nodes
from .base import LintContext, rule

MAX_OUTPUT_SCAN = 64 * 1024  # scan the first 64 KB of each output: keys are printed early


def clear_outputs_fix(cell, why: str) -> Fix:
    """A safe fix that clears one cell's outputs."""
    return Fix(
        f"Clear this cell's outputs ({why})",
        safe=True,
        edits=(CellEdit(cell.index, cell.cell_id, clear_outputs=True),),
    )


@rule(
    "PN503",
    "secret-in-source",
    Severity.ERROR,
    "A token, password, private key or cloud key is written in a cell, code or markdown (detect-secrets)",
    "Read it from an environment variable or a secrets manager, and rotate the leaked secret",
)
def secret_in_source(ctx: LintContext) -> Iterator[Finding]:
    # markdown and raw cells leak keys as easily as code cells do
    cells = [c for c in ctx.notebook.cells if c.source.strip()]
    for cell, hits in zip(cells, find_secrets_in_texts([c.source for c in cells]), strict=True):
        for hit in hits:
            yield ctx.finding(
                "PN503",
                cell,
                f"possible secret ({hit.kind}) in the source; anyone with the notebook can use it",
                hit.line,
                hit.column,
                Fix("Read it from os.environ or a secrets manager, and rotate the secret"),
            )


def _secret_names_shown(p) -> tuple[str, ...]:
    """Secret-like names a cell prints or ends with: ``print(api_key)``, a last line ``token``."""
    if p.tree is None:
        return ()
    shown = [
        arg
        for node in walk_nodes(p.tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "print"
        for arg in node.args
    ]
    if p.tree.body and isinstance(p.tree.body[-1], ast.Expr):
        shown.append(p.tree.body[-1].value)
    names = []
    for node in shown:
        name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
        if isinstance(node, (ast.Name, ast.Attribute)) and name and is_secret_name(name):
            names.append(name)
    return tuple(dict.fromkeys(names))


@rule(
    "PN504",
    "secret-in-output",
    Severity.ERROR,
    "A saved output contains what looks like a secret (detect-secrets' formats; in printed "
    "text and the text an HTML output shows also a key or password after `key:`, `token=` or "
    "`password:`, or printed from a variable named like one)",
    "Safe: clear the cell's outputs; then rotate the secret",
)
def secret_in_output(ctx: LintContext) -> Iterator[Finding]:
    # tracebacks quote the source, which PN503 already reports
    outputs = [
        (p, output)
        for p in ctx.parsed
        for output in p.cell.outputs
        if output.output_type != "error"
    ]
    texts = [output.text[:MAX_OUTPUT_SCAN] for _, output in outputs]
    found: dict[int, list[str]] = {}
    for (p, output), text, hits in zip(
        outputs, texts, find_secrets_in_texts(texts, entropy=False), strict=True
    ):
        # ``key: 2ac2…`` printed. Of an HTML output only the text it shows is read (a table's
        # cells, a <pre>): its attributes and scripts (plots' embedded JSON) name keys and
        # tokens that are not, and a table's cell alone is not the value of a printed name
        if not hits and output.html:
            plain = output.text.replace(output.html, "", 1)[:MAX_OUTPUT_SCAN]
            shown = plain + "\n" + visible_text(output.html[:MAX_OUTPUT_SCAN])
            hits = find_printed_secrets(shown)
        elif not hits:
            hits = find_printed_secrets(text, _secret_names_shown(p))
        kinds = found.setdefault(p.cell.index, [])
        kinds.extend(h.kind for h in hits if h.kind not in kinds)
    for p in ctx.parsed:
        kinds = found.get(p.cell.index)
        if kinds:
            yield ctx.finding(
                "PN504",
                p.cell,
                f"output contains a possible secret ({', '.join(kinds)})",
                fix=clear_outputs_fix(p.cell, "they contain a secret"),
            )
