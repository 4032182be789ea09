"""The lint and split-preview requests as plain functions: raw request body in, JSON dict out.

They run in the worker processes (see worker_pool), so they take and return only plain data.
"""

from __future__ import annotations

from ..model import to_dict
from .preview import has_stage_tags, preview_project
from .requests import build_options, load_notebook, parse_body, require


def lint_response(root: str, raw_body: bytes) -> dict:
    """Lint the notebook a request names (live JSON or saved file); the response body."""
    body = parse_body(raw_body)
    request = load_notebook(root, body)
    options = build_options(root, body, request.file)
    lint_notebook = require("adapters.linting", "lint_notebook")
    findings = lint_notebook(request.notebook, options)
    return {"path": request.api_path, "findings": to_dict(list(findings))}


def preview_response(root: str, raw_body: bytes) -> dict:
    """Preview the project of the notebook a request names; the response body."""
    body = parse_body(raw_body)
    request = load_notebook(root, body)
    options = build_options(root, body, request.file)
    preview = preview_project(request, options)
    files = [{"path": f.path, "content": f.content} for f in preview.files]
    return {
        "path": request.api_path,
        "files": sorted(files, key=lambda f: f["path"]),
        "suggestions": to_dict(list(preview.split.suggestions)),
        "inferred_tags": not has_stage_tags(request.notebook),
        "notes": list(preview.notes),
    }
