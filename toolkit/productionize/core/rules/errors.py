"""PN3xx: errors left in outputs and cells that do not parse."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import Finding, Fix, Notebook, Severity
from .base import LintContext, rule

EXPECTED_TO_RAISE = "raises-exception"  # nbmake/jupyter-book's tag for cells that fail on purpose


@rule(
    "PN301",
    "error-in-output",
    Severity.ERROR,
    "A cell's saved output is an exception: the notebook did not run cleanly",
    "Fix the error and re-run the notebook top to bottom",
)
def error_in_output(ctx: LintContext) -> Iterator[Finding]:
    for p in ctx.parsed:
        if EXPECTED_TO_RAISE in p.cell.tags:
            continue
        for output in p.cell.outputs:
            if output.output_type == "error":
                name = output.ename or "an exception"
                detail = f": {output.evalue}" if output.evalue else ""
                yield ctx.finding(
                    "PN301",
                    p.cell,
                    f"the saved output is an error ({name}{detail[:120]})",
                    fix=Fix("Fix the error and re-run the notebook top to bottom"),
                )
                break


@rule(
    "PN302",
    "syntax-error",
    Severity.ERROR,
    "A code cell does not parse as Python (after masking IPython magics)",
    "Correct the syntax at the reported line and column",
)
def syntax_error(ctx: LintContext) -> Iterator[Finding]:
    for p in ctx.parsed:
        if p.syntax_error is not None:
            message, line, column = p.syntax_error
            yield ctx.finding(
                "PN302",
                p.cell,
                f"syntax error: {message}",
                line,
                column,
                Fix("Correct the syntax at the reported line and column"),
            )


def is_python(notebook: Notebook) -> bool:
    """Whether the notebook's kernel runs Python (unknown counts as Python)."""
    language = (notebook.language or "python").lower()
    return language in ("python", "python3", "ipython", "ipython3", "pypy", "pypy3")


@rule(
    "PN303",
    "not-python",
    Severity.INFO,
    "The notebook's kernel is not Python: only language-independent rules run",
    "Nothing to fix; split and service need a Python notebook",
)
def not_python(ctx: LintContext) -> Iterator[Finding]:
    if not is_python(ctx.notebook):
        yield ctx.finding(
            "PN303",
            None,
            f"kernel language is {ctx.notebook.language!r}, not Python: dataflow, magics, paths, "
            "seeds, black and ruff checks were skipped",
        )
