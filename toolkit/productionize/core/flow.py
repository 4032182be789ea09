"""The whole flow, in the order a reader expects: notebook -> graph -> spec -> files."""

from __future__ import annotations

import dataclasses
import re

from ..errors import SplitError
from ..model import Notebook, RenderedFile, ServiceSpec, SplitResult
from ..options import Options
from .defuse import parse_cell
from .fit_arguments import name_fit_arguments
from .graph import build_graph, suggest_tags
from .inline import Inlined, inline_single_calls
from .plan import SizeOf, plan
from .reloads import reuse_saved_models
from .render import RenderInputs, render
from .report import build_report
from .service import plan_service, render_service
from .stage_names import rename_stage_named_functions
from .statement_stages import StageSplit, last_cell_predicting_new_rows, split_by_statement


def split(
    notebook: Notebook,
    options: Options,
    env: RenderInputs,
    size_of: SizeOf | None = None,
) -> SplitResult:
    """Split a tagged notebook into the files of a pipeline project (nothing is written)."""
    persisted = reuse_saved_models(notebook)  # `clf = joblib.load("m.pkl")` it saved -> `clf`
    inlined = inline_single_calls(persisted.notebook)  # `def main(): ...; main()` -> top level
    renamed = rename_stage_named_functions(inlined.notebook)  # `def load()` -> notebook_load
    named = name_fit_arguments(renamed.notebook)  # `m.fit(df[[...]], df.y)` -> `m.fit(X, y)`
    inlined = dataclasses.replace(inlined, notebook=named.notebook)
    whole = StageSplit(inlined.notebook)
    candidates = [whole]
    if options.infer_tags and len(inlined.opened_cells) == 1:  # ... and its stages found
        cut = split_by_statement(inlined.notebook, inlined.opened_cells[0])
        if cut.notebook is not inlined.notebook:
            candidates.insert(0, cut)
    elif options.infer_tags and not inlined.opened_cells:
        lone = _lone_pipeline_cell(inlined.notebook)
        if lone is None:  # ... or the Kaggle cell: encode, fit, predict test.csv, submit
            lone = last_cell_predicting_new_rows(inlined.notebook)
        cut = split_by_statement(inlined.notebook, lone) if lone is not None else whole
        if cut.notebook is not inlined.notebook:
            candidates.insert(0, cut)
    for staged in candidates:
        try:
            graph = build_graph(staged.notebook, options, tags_inferred=bool(staged.origin))
            spec = plan(graph, options, size_of)
            break
        except SplitError as error:
            if staged is not whole:
                continue  # the cut does not plan: keep the cell whole (one stage)
            raise _with_refusals(error, inlined) from None
    notes = [
        *persisted.notes,
        *_inline_notes(inlined),
        *renamed.notes,
        *named.notes,
        *staged.notes,
    ]
    if notes:
        spec = dataclasses.replace(spec, notes=(*notes, *spec.notes))
    files = render(spec, env)
    report = build_report(graph, spec, env)
    suggestions = graph.suggestions or staged.suggestions  # a cut cell: the cells above it
    return SplitResult(graph, spec, tuple(files), suggestions, report)


def build(
    notebook: Notebook,
    options: Options,
    env: RenderInputs,
    size_of: SizeOf | None = None,
) -> tuple[SplitResult, ServiceSpec, tuple[RenderedFile, ...]]:
    """Split a notebook and add the prediction service: the files of the deployable project."""
    result = split(notebook, options, env, size_of)
    project = {f.path: f.content for f in result.files}
    spec = plan_service(
        project, options, productionize_version=env.tool_version, where=notebook.path
    )
    service_files = render_service(spec, env.templates, project)
    replaced = {f.path for f in service_files}
    files = [f for f in result.files if f.path not in replaced] + list(service_files)
    return result, spec, tuple(sorted(files, key=lambda f: f.path))


def _lone_pipeline_cell(notebook: Notebook) -> int | None:
    """The one cell of an untagged notebook that does all its work (Colab style: imports and
    ``drive.mount`` above it at most), which is cut at statement level like an opened ``main()``."""
    parsed = [parse_cell(c) for c in notebook.code_cells if c.source.strip()]
    if not parsed or any(p.tree is None for p in parsed):
        return None
    suggested = {s.cell_index for s in suggest_tags(notebook, parsed)}
    last = parsed[-1].cell.index
    return last if suggested <= {last} else None


def _inline_notes(inlined: Inlined) -> list[str]:
    opened = [
        f"function `{name}()` was opened up: its body runs as top-level notebook code (verify "
        "executes the notebook restructured the same way, where its locals are visible)"
        for name in inlined.functions
    ]
    return opened + list(inlined.notes)


def _with_refusals(error: SplitError, inlined: Inlined) -> SplitError:
    """Say why a function the error is about was not opened up into top-level code."""
    reasons = [
        f"`{name}()` was not opened up: {why}"
        for name, why in inlined.refused
        if f"function `{name}()`" in error.message
        # the model fit inside a helper that the function left alone calls, or a name the
        # reason is about (`load_data`, defined after `def main()`)
        or "is fit inside function" in error.message
        or any(f"`{n}`" in error.message for n in re.findall(r"`(\w+)`", why))
    ]
    if not reasons:
        return error
    return type(error)(f"{error.message} ({'; '.join(reasons)})", error.location)
