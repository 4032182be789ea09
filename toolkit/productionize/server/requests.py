"""Turn a handler's JSON body into the values the toolkit takes: notebook, options, paths."""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.notebook import notebook_from_dict
from ..errors import (
    ConfigError,
    InputError,
    OutputError,
    ProductionizeError,
    PublishError,
    SplitError,
    VerifyError,
)
from ..model import Notebook
from ..options import Options
from .paths import PathRefused, resolve_under_root, scrub_root, to_api_path

FRAMEWORKS = ("fastapi", "flask")
# HTTP status per failure type; anything a user can fix is a 4xx with the location in the body
STATUS = (
    (InputError, 400),
    (ConfigError, 400),
    (SplitError, 422),
    (VerifyError, 422),
    (OutputError, 409),
    (PublishError, 502),
    (ProductionizeError, 400),
)


class RequestFailed(Exception):
    """An HTTP error to send as JSON: status and body."""

    def __init__(self, status: int, body: dict):
        self.status = status
        self.body = body
        super().__init__(body.get("message", ""))


class NotAvailable(Exception):
    """A toolkit stage this server needs is not installed in this version."""

    def __init__(self, feature: str):
        self.feature = feature
        super().__init__(f"{feature} is not available in this version of productionize")


@dataclass(frozen=True)
class NotebookRequest:
    """A notebook named by a request: the model, its contents-API path, its file (if saved)."""

    notebook: Notebook
    api_path: str
    file: Path | None
    node: Any = None  # the live nbformat node when the UI sent the notebook JSON


# what the toolkit's messages tell a command-line user to type, as the JupyterLab user does it
UI_WORDING = (
    (
        re.compile(r"(?:pass|use) --no-verify"),
        'turn off "Verify the build" (Settings → Productionize)',
    ),
    (re.compile(r"(?:pass|use) --force"), "choose Overwrite"),
    (
        re.compile(r"re-run with --overwrite-edited"),
        'publish again with "Overwrite files a reviewer edited by hand" ticked',
    ),
    (re.compile(r"with --subdir PATH"), 'with a "Sub-directory in the repository"'),
    # the build's lint gate: the panel lists the findings, and the UI has no bypass
    (re.compile(r" \(run `productionize lint` for all of them; --no-lint skips the gate\)"), ""),
)


def in_ui_words(message: str) -> str:
    """A toolkit message with its command-line advice said the JupyterLab way."""
    for pattern, replacement in UI_WORDING:
        message = pattern.sub(replacement, message)
    return message


def error_body(exc: ProductionizeError, root: str) -> tuple[int, dict]:
    """Status and JSON body of a toolkit failure, with paths as the browser knows them."""
    status = next(code for kind, code in STATUS if isinstance(exc, kind))
    data = exc.to_dict()
    data["path"] = _relative(data.get("path"), root)
    data["message"] = in_ui_words(scrub_root(data.get("message") or "", root))
    data["text"] = in_ui_words(scrub_root(str(exc), root))
    return status, data


def _relative(path: str | None, root: str) -> str | None:
    if not path or not os.path.isabs(path):
        return path
    try:
        return to_api_path(root, path)
    except ValueError:
        return os.path.basename(path)


def require(module: str, name: str) -> Any:
    """Import ``productionize.<module>.<name>``; NotAvailable if that stage is not installed."""
    try:
        found = importlib.import_module(f"productionize.{module}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("productionize"):
            raise NotAvailable(f"productionize.{module}.{name}") from None
        raise
    if not hasattr(found, name):
        raise NotAvailable(f"productionize.{module}.{name}")
    return getattr(found, name)


def parse_body(raw: bytes) -> dict:
    """Decode a request body that must be a JSON object."""
    try:
        data = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RequestFailed(
            400, {"error": "BadRequest", "message": f"request body is not valid JSON: {exc}"}
        ) from None
    except RecursionError:
        raise RequestFailed(
            400, {"error": "BadRequest", "message": "request body is JSON nested too deeply"}
        ) from None
    if not isinstance(data, dict):
        raise RequestFailed(400, {"error": "BadRequest", "message": "expected a JSON object"})
    return data


def resolve(root: str, api_path: Any, *, must_exist: bool = True) -> Path:
    """Resolve a contents-API path under the root or fail with 403/404 JSON."""
    try:
        return resolve_under_root(root, api_path, must_exist=must_exist)
    except PathRefused as exc:
        status = 404 if exc.reason == "no such file" else 403
        raise RequestFailed(
            status, {"error": "PathRefused", "message": exc.reason, "path": str(api_path)}
        ) from None


def load_notebook(root: str, body: dict, *, saved_only: bool = False) -> NotebookRequest:
    """The notebook a request names: live JSON in ``notebook`` or a saved file at ``path``."""
    api_path = body.get("path")
    file = resolve(root, api_path, must_exist=False) if api_path is not None else None
    live = body.get("notebook")
    if live is not None and not saved_only:
        name = api_path if isinstance(api_path, str) else "notebook.ipynb"
        notebook, node = notebook_from_dict(live, name)
        return NotebookRequest(notebook, name, file, node)
    if file is None:
        raise RequestFailed(
            400,
            {
                "error": "BadRequest",
                "message": "send 'path' (saved notebook)"
                + ("" if saved_only else " or 'notebook' (live notebook JSON)"),
            },
        )
    if not file.is_file():
        raise RequestFailed(
            404, {"error": "PathRefused", "message": "no such file", "path": api_path}
        )
    from ..adapters.notebook_io import read_notebook

    try:
        notebook, _node = read_notebook(file)
    except ProductionizeError as exc:
        # name the file as the user knows it, never the server's absolute path
        exc.location = exc.location and dataclasses.replace(exc.location, path=api_path)
        raise
    return NotebookRequest(dataclasses.replace(notebook, path=api_path), api_path, file)


def build_options(root: str, body: dict, start: Path | None) -> Options:
    """Options from the project's pyproject (found from ``start``) plus the UI's overrides."""
    load_options = require("adapters.linting", "load_options")
    options = load_options(str(start or root))
    overrides = body.get("options") or {}
    if not isinstance(overrides, dict):
        raise InputError("'options' must be an object")
    # like the CLI: a notebook without any stage tag gets the inferred ones (reported as such)
    infer_tags = overrides.get("infer_tags", True)
    if not isinstance(infer_tags, bool):
        raise InputError("options.infer_tags must be true or false")
    changes: dict = {"infer_tags": infer_tags}
    for key in ("select", "ignore"):
        value = overrides.get(key)
        if value:
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise InputError(f"options.{key} must be a list of rule ids")
            changes[key] = tuple(value)
    framework = overrides.get("framework") or body.get("framework")
    if framework:
        if framework not in FRAMEWORKS:
            raise InputError(f"framework must be one of {', '.join(FRAMEWORKS)}")
        changes["framework"] = framework
    return options.replace(**changes)
