"""The whole flow, in the order a reader expects: notebook -> graph -> spec -> files."""

from __future__ import annotations

from ..model import Notebook, SplitResult
from ..options import Options
from .graph import build_graph
from .plan import SizeOf, plan
from .render import RenderInputs, render
from .report import build_report


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
