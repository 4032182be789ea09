"""PN8xx: tagging — the stage tags the split stage relies on (only once a notebook uses them)."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import CellEdit, Finding, Fix, Severity
from ..tags import KNOWN, ORDER, SKIP, STAGES, stage_tags, suggest_tag, unknown_tags
from .base import LintContext, rule


def _stages(tags: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t for t in tags if t in STAGES)


@rule(
    "PN801",
    "untagged-definition",
    Severity.WARNING,
    "An untagged (or `skip`) cell defines names that tagged cells below use",
    "Tag the cell with the stage that needs it (suggested), or move the code into that stage",
)
def untagged_definition(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.stage_tagged:
        return
    last_definer: dict[str, int] = {}  # name -> position in ctx.parsed
    needed: dict[int, dict[str, str]] = {}  # untagged position -> {name: first stage using it}
    for position, p in enumerate(ctx.parsed):
        tags = stage_tags(p.cell.tags)
        if tags and SKIP not in tags:
            stage = (_stages(tags) or tags)[0]
            for name in sorted(p.names.used):
                definer = last_definer.get(name)
                if definer is None:
                    continue
                definer_tags = stage_tags(ctx.parsed[definer].cell.tags)
                if not definer_tags or SKIP in definer_tags:
                    needed.setdefault(definer, {}).setdefault(name, stage)
        for name in p.names.defined | p.names.modified:
            last_definer[name] = position
    for position in sorted(needed):
        p = ctx.parsed[position]
        names = needed[position]
        users = sorted(set(names.values()), key=lambda s: ORDER.get(s, -1))
        listed = ", ".join(f"`{n}`" for n in sorted(names))
        is_skip = SKIP in p.cell.tags
        what = "a `skip` cell" if is_skip else "an untagged cell"
        suggestion = users[0]
        fix = Fix(
            f"Tag this cell `{suggestion}`",
            edits=(
                CellEdit(
                    p.cell.index,
                    p.cell.cell_id,
                    add_tags=(suggestion,),
                    remove_tags=(SKIP,) if is_skip else (),
                ),
            ),
        )
        yield ctx.finding(
            "PN801",
            p.cell,
            f"{what} defines {listed} used by the {', '.join(users)} stage; "
            "the generated pipeline would miss it",
            fix=fix,
        )


@rule(
    "PN802",
    "stage-out-of-order",
    Severity.ERROR,
    "Stage tags go backwards (e.g. a `train` cell after a `predict` cell)",
    "Reorder the cells (or retag them) so stages run load → clean → train → predict",
)
def stage_out_of_order(ctx: LintContext) -> Iterator[Finding]:
    highest: tuple[int, str, int] | None = None  # (order, stage, cell index)
    for cell in ctx.notebook.code_cells:
        for stage in _stages(cell.tags)[:1]:
            order = ORDER[stage]
            if highest is not None and order < highest[0]:
                yield ctx.finding(
                    "PN802",
                    cell,
                    f"`{stage}` cell comes after the `{highest[1]}` cell {highest[2]}; stages "
                    f"must run in the order {' → '.join(STAGES)}",
                    fix=Fix(f"Move this cell above cell {highest[2]} or retag it"),
                )
            elif highest is None or order > highest[0]:
                highest = (order, stage, cell.index)


@rule(
    "PN803",
    "unknown-tag",
    Severity.WARNING,
    "A cell tag that is neither a Productionize tag nor a well-known tool's (likely a typo)",
    "Rename it to the suggested tag",
)
def unknown_tag(ctx: LintContext) -> Iterator[Finding]:
    for cell in ctx.notebook.cells:
        for tag in unknown_tags(cell.tags):
            suggestion = suggest_tag(tag)
            if suggestion:
                message = f"unknown tag `{tag}`; did you mean `{suggestion}`?"
                fix = Fix(
                    f"Rename tag `{tag}` to `{suggestion}`",
                    edits=(
                        CellEdit(
                            cell.index, cell.cell_id, add_tags=(suggestion,), remove_tags=(tag,)
                        ),
                    ),
                )
            else:
                message = f"unknown tag `{tag}` (known: {', '.join(KNOWN)})"
                fix = Fix(f"Remove tag `{tag}` or use one of {', '.join(KNOWN)}")
            yield ctx.finding("PN803", cell, message, fix=fix)


@rule(
    "PN804",
    "several-stage-tags",
    Severity.WARNING,
    "A cell carries more than one stage tag (or a stage tag together with `skip`)",
    "Keep one tag; split the cell if it really does two things",
)
def several_stage_tags(ctx: LintContext) -> Iterator[Finding]:
    for cell in ctx.notebook.code_cells:
        stages = _stages(cell.tags)
        if len(stages) > 1 or (stages and SKIP in cell.tags):
            listed = ", ".join(f"`{t}`" for t in stage_tags(cell.tags))
            yield ctx.finding(
                "PN804",
                cell,
                f"cell has several stage tags ({listed}); the first one, `{stages[0]}`, wins",
                fix=Fix("Keep one tag; split the cell if it does two things"),
            )
