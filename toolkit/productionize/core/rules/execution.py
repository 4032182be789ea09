"""PN1xx: execution order — what the saved execution counts say about hidden state."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import Finding, Fix, Severity
from .base import LintContext, rule

RESTART = Fix("Restart the kernel and run all cells top to bottom, then save")
MAX_LISTED = 3  # further offending cells are counted, not listed: the fix is the same for all


def _also(items: list[str]) -> str:
    if not items:
        return ""
    more = len(items) - MAX_LISTED
    listed = ", ".join(items[:MAX_LISTED]) + (f" and {more} more" if more > 0 else "")
    return "; also " + listed


def _executed(ctx: LintContext):
    return [
        p.cell
        for p in ctx.parsed
        if p.cell.source.strip() and isinstance(p.cell.execution_count, int)
    ]


@rule(
    "PN101",
    "out-of-order-execution",
    Severity.WARNING,
    "A cell was executed before a cell above it (lower execution count); reported once, at the "
    "first such cell",
    "Restart the kernel and run all cells",
)
def out_of_order(ctx: LintContext) -> Iterator[Finding]:
    # one cause (the notebook was run out of order), one finding: the others are listed in it
    late: list[tuple] = []  # (cell, the cell above it that ran later)
    previous = None
    for cell in _executed(ctx):
        if previous is not None and cell.execution_count < previous.execution_count:
            late.append((cell, previous))
        if previous is None or cell.execution_count > previous.execution_count:
            previous = cell
    if not late:
        return
    (first, above), others = late[0], late[1:]
    also = _also([f"cell {c.index} [{c.execution_count}]" for c, _ in others])
    yield ctx.finding(
        "PN101",
        first,
        f"executed out of order: [{first.execution_count}] runs before cell {above.index} above "
        f"it ([{above.execution_count}]){also}",
        fix=RESTART,
    )


@rule(
    "PN102",
    "skipped-cell",
    Severity.WARNING,
    "A code cell was never executed although cells below it were; reported once, at the first "
    "such cell",
    "Run it (restart and run all) or delete it",
)
def skipped(ctx: LintContext) -> Iterator[Finding]:
    # cells skipped in one session are one fact to fix (restart and run all): one finding
    code = [p.cell for p in ctx.parsed if p.cell.source.strip()]
    last_executed = max(
        (i for i, c in enumerate(code) if isinstance(c.execution_count, int)), default=-1
    )
    never = [c for c in code[: max(last_executed, 0)] if c.execution_count is None]
    if not never:
        return
    first, others = never[0], never[1:]
    also = _also([f"cell {c.index}" for c in others])
    yield ctx.finding(
        "PN102",
        first,
        "never executed, but cells below it were: their saved results do not include it"
        + (also and also + " (never executed either)"),
        fix=RESTART,
    )


@rule(
    "PN103",
    "execution-count-gap",
    Severity.INFO,
    "Execution counts are missing (cells that ran were deleted or re-run: hidden state); "
    "reported once, at the first gap",
    "Restart the kernel and run all cells",
)
def gaps(ctx: LintContext) -> Iterator[Finding]:
    # a notebook run with gaps is one fact to fix (restart and run all), not one per gap
    found: list[tuple] = []  # (cell, its missing counts as text)
    previous = 0
    for cell in sorted(_executed(ctx), key=lambda c: (c.execution_count, c.index)):
        count = cell.execution_count
        if count > previous + 1:
            missing = (
                f"[{previous + 1}]" if count == previous + 2 else f"[{previous + 1}]-[{count - 1}]"
            )
            found.append((cell, missing))
        previous = max(previous, count)
    if not found:
        return
    (first, missing), others = found[0], found[1:]
    also = _also([f"{m} before cell {c.index} [{c.execution_count}]" for c, m in others])
    yield ctx.finding(
        "PN103",
        first,
        f"run with gaps: execution counts {missing} are missing before this cell's "
        f"[{first.execution_count}]{also}: code that ran then is no longer in the notebook",
        fix=RESTART,
    )


def _normalized(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().split("\n"))


@rule(
    "PN104",
    "repeated-cell",
    Severity.WARNING,
    "A cell repeats an earlier one and changes a value from itself: top to bottom it runs twice",
    "Delete the copy (a cell re-run during the session was pasted again)",
)
def repeated_cell(ctx: LintContext) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for p in ctx.parsed:
        key = _normalized(p.cell.source)
        if p.tree is None or not key:
            continue
        if key not in seen:
            seen[key] = p.cell.index
            continue
        # `df["text"] = df["title"] + df["text"]`: a second run is not the same as one
        changed = sorted(p.names.used & (p.names.defined | p.names.modified))
        if not changed:
            continue
        names = ", ".join(f"`{n}`" for n in changed)
        yield ctx.finding(
            "PN104",
            p.cell,
            f"cell {p.cell.index} repeats cell {seen[key]} line for line and changes {names} "
            "from its own value: run top to bottom, the change happens twice",
            fix=Fix(f"Delete cell {p.cell.index} (or cell {seen[key]}) if it was pasted again"),
        )
