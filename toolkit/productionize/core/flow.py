"""The whole flow, in the order a reader expects: notebook -> graph -> spec -> files."""

from __future__ import annotations

from ..model import Notebook, RenderedFile, ServiceSpec, SplitResult
from ..options import Options
from .graph import build_graph
from .plan import SizeOf, plan
from .render import RenderInputs, render
from .report import build_report
from .service import plan_service, render_service


def split(
    notebook: Notebook,
    options: Options,
    env: RenderInputs,
    size_of: SizeOf | None = None,
) -> SplitResult:
    """Split a tagged notebook into the files of a pipeline project (nothing is written)."""
    graph = build_graph(notebook, options)
    spec = plan(graph, options, size_of)
    files = render(spec, env)
    report = build_report(graph, spec, env)
    return SplitResult(graph, spec, tuple(files), graph.suggestions, report)


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
