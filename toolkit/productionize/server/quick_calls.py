"""The lint and split-preview requests as plain functions: raw request body in, JSON dict out.

They run in the worker processes (see worker_pool), so they take and return only plain data.
"""

from __future__ import annotations

import posixpath

from ..errors import SplitError
from ..model import to_dict
from .preview import has_stage_tags, preview_project, suggested_tags
from .requests import (
    RequestFailed,
    build_options,
    error_body,
    load_notebook,
    parse_body,
    require,
    resolve,
)


def lint_response(root: str, raw_body: bytes) -> dict:
    """Lint the notebook a request names (live JSON or saved file); the response body."""
    body = parse_body(raw_body)
    request = load_notebook(root, body)
    options = build_options(root, body, request.file)
    lint_notebook = require("adapters.linting", "lint_notebook")
    findings = lint_notebook(request.notebook, options)
    answer = {"path": request.api_path, "findings": to_dict(list(findings))}
    if not has_stage_tags(request.notebook):
        # the Productionize button shows the stages split would infer, before any preview
        answer["suggestions"] = to_dict(list(suggested_tags(request.notebook, options)))
    return answer


def preview_response(root: str, raw_body: bytes) -> dict:
    """Preview the project of the notebook a request names; the response body."""
    body = parse_body(raw_body)
    request = load_notebook(root, body)
    options = build_options(root, body, request.file)
    try:
        preview = preview_project(request, options)
    except SplitError as exc:
        if has_stage_tags(request.notebook):
            raise
        # the split with the inferred stages failed: the UI shows those stages on the cells
        # so the user can correct them, instead of only naming them in the message
        status, failure = error_body(exc, root)
        failure["inferred_tags"] = True
        failure["suggestions"] = to_dict(list(suggested_tags(request.notebook, options)))
        raise RequestFailed(status, failure) from None
    files = [{"path": f.path, "content": f.content} for f in preview.files]
    return {
        "path": request.api_path,
        "files": sorted(files, key=lambda f: f["path"]),
        "suggestions": to_dict(list(preview.split.suggestions)),
        "inferred_tags": not has_stage_tags(request.notebook),
        # what the split did that the code alone does not say (inferred tags, main() opened up,
        # no predict step of its own), then why part of the project is missing
        "notes": [*preview.split.report.get("notes", []), *preview.notes],
    }


def requirements_response(root: str, raw_body: bytes) -> dict:
    """Add requirement lines (from applied PN401 fixes) to requirements.txt beside the notebook.

    With ``remove``, take back lines an applied fix added (the fix was undone); ``created``
    says the fix created the file, which then goes when nothing is left in it.
    """
    body = parse_body(raw_body)
    requirements = body.get("requirements")
    if not isinstance(requirements, list) or not all(isinstance(r, str) for r in requirements):
        raise RequestFailed(
            400, {"error": "BadRequest", "message": "'requirements' must be a list of strings"}
        )
    notebook = body.get("path")
    if not isinstance(notebook, str) or not notebook.endswith(".ipynb"):
        raise RequestFailed(
            400, {"error": "BadRequest", "message": "'path' must name the notebook (.ipynb)"}
        )
    api_path = posixpath.join(posixpath.dirname(notebook), "requirements.txt")
    target = resolve(root, api_path, must_exist=False)
    lines = [r.strip() for r in requirements if r.strip() and "\n" not in r]
    try:
        if body.get("remove") is True:
            remove_requirements = require("adapters.linting", "remove_requirements")
            created = body.get("created") is True
            removed = remove_requirements(target, lines, delete_if_empty=created)
            return {"path": api_path, "removed": list(removed)}
        add_requirements = require("adapters.linting", "add_requirements")
        existed = target.exists()
        added = add_requirements(target, lines)
    except OSError as exc:
        raise RequestFailed(
            409,
            {"error": "OutputError", "message": f"cannot write {api_path}: {exc.strerror or exc}"},
        ) from None
    return {"path": api_path, "added": list(added), "created": bool(added) and not existed}
