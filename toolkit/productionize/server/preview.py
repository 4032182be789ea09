"""Preview of the project a notebook (as it is on screen) would give: files and contents.

Nothing is written where the user can see it: the split runs in memory, and the service stage,
which reads a split project from disk, renders from a private temporary copy.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.graph import build_graph
from ..core.inline import inline_single_calls
from ..core.tags import stage_tags
from ..errors import ProductionizeError
from ..model import Notebook, RenderedFile, SplitResult, TagSuggestion
from ..options import Options
from .requests import NotAvailable, NotebookRequest, RequestFailed, require


@dataclass(frozen=True)
class Preview:
    """The files of the whole project (pipeline + service), suggestions, and notes for the UI."""

    files: tuple[RenderedFile, ...]
    split: SplitResult
    notes: tuple[str, ...] = ()


def preview_project(request: NotebookRequest, options: Options) -> Preview:
    """Split the live notebook and render its service, without writing the user's folders."""
    result = preview_split(request, options)
    files = {f.path: f for f in result.files}
    try:
        render_service = require("adapters.building", "render_project_service")
        write_project = require("adapters.splitting", "write_project")
        data_copies = require("adapters.splitting", "_data_copies")
    except NotAvailable:
        return Preview(tuple(files.values()), result, ("the service stage is not installed",))
    try:
        with tempfile.TemporaryDirectory(prefix="productionize-preview-") as tmp:
            project = Path(tmp) / "project"
            copies = data_copies(result, request.file.parent)
            write_project(project, list(result.files), copies, dict(result.report))
            _spec, service_files = render_service(project, options)
    except ProductionizeError as exc:
        # the pipeline part still previews; the UI shows why the service part is missing
        return Preview(tuple(files.values()), result, (f"service: {exc.message}",))
    files.update({f.path: f for f in service_files})
    return Preview(tuple(sorted(files.values(), key=lambda f: f.path)), result)


def preview_split(request: NotebookRequest, options: Options) -> SplitResult:
    """Run the split stage on the live notebook (unsaved edits included) without writing."""
    render_inputs = require("adapters.splitting", "render_inputs")
    size_of_relative_to = require("adapters.splitting", "size_of_relative_to")
    split = require("core.flow", "split")
    if request.file is None or not request.file.is_file():
        raise RequestFailed(
            400, {"error": "BadRequest", "message": "save the notebook once before previewing"}
        )
    inputs = render_inputs(request.file)
    if request.node is not None:
        # the generated project copies the notebook: use what the user sees, not the last save
        text = json.dumps(request.node, indent=1, ensure_ascii=False) + "\n"
        inputs = dataclasses.replace(
            inputs,
            notebook_text=text,
            notebook_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )
    if not has_stage_tags(request.notebook):
        # an untagged notebook previews with the suggested tags; the UI offers to accept them
        options = options.replace(infer_tags=True)
    return split(request.notebook, options, inputs, size_of_relative_to(request.file.parent))


def suggested_tags(notebook: Notebook, options: Options) -> tuple[TagSuggestion, ...]:
    """The stages the split infers for an untagged notebook (none when it cannot tell)."""
    try:
        opened = inline_single_calls(notebook).notebook  # as split reads it: main() opened up
        return build_graph(opened, options.replace(infer_tags=True)).suggestions
    except ProductionizeError:
        return ()


def has_stage_tags(notebook: Notebook) -> bool:
    """Whether any code cell carries a Productionize tag."""
    return any(stage_tags(cell.tags) for cell in notebook.code_cells)
