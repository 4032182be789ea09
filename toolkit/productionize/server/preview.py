"""Split preview of the notebook as it is on screen: the files it would write, nothing written."""

from __future__ import annotations

import dataclasses
import hashlib
import json

from ..core.tags import stage_tags
from ..model import Notebook, SplitResult
from ..options import Options
from .requests import NotebookRequest, RequestFailed, require


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


def has_stage_tags(notebook: Notebook) -> bool:
    """Whether any code cell carries a Productionize tag."""
    return any(stage_tags(cell.tags) for cell in notebook.code_cells)
