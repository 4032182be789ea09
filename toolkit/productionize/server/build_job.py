"""The build as a job runs it: in a child process (see child_process), returning a summary."""

from __future__ import annotations

import importlib.util
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..model import to_dict
from ..options import Options
from .paths import scrub_root
from .requests import NotAvailable, require


def build_summary(
    report: Callable[[str, str], None],
    notebook: str,
    outdir: str,
    options: Options,
    flags: dict[str, bool],
    root: str,
) -> dict:
    """Build the project and return what the UI shows (runs in the child process)."""

    def progress(step: str, detail: str = "") -> None:
        report(step, scrub_root(detail, root))

    result = run_build(Path(notebook), Path(outdir), options, flags, progress)
    return summarize(result, root)


def run_build(
    notebook: Path, outdir: Path, options: Options, flags: dict[str, bool], progress: Callable
) -> Any:
    """Build the whole project; without the service stage, write the pipeline project only."""
    try:
        build_project = require("adapters.building", "build_project")
    except NotAvailable:
        split_to_dir = require("adapters.splitting", "split_to_dir")
        can_verify = importlib.util.find_spec("productionize.adapters.verifying") is not None
        progress("note", "the service stage is not installed: writing the pipeline project only")
        verify = flags["verify"] and can_verify
        if flags["verify"] and not can_verify:
            progress("note", "the faithfulness check is not installed: not verified")
        return split_to_dir(notebook, outdir, options, verify=verify, force=flags["force"])
    accepted = inspect.signature(build_project).parameters
    kwargs = {k: v for k, v in flags.items() if k in accepted}
    kwargs["framework"] = options.framework
    if "progress" in accepted:
        kwargs["progress"] = progress
    return build_project(str(notebook), str(outdir), options, **kwargs)


def summarize(result: Any, root: str) -> dict:
    """What the UI needs from a build result (notes, findings, report), not every file again."""
    data = {}
    for name in ("notes", "findings", "report"):
        if hasattr(result, name):
            data[name] = to_dict(getattr(result, name))
    split = getattr(result, "split", None)
    if getattr(split, "report", None):
        data["report"] = to_dict(split.report)
    # paths in reports are the server's; the browser gets them relative to the root
    return json.loads(scrub_root(json.dumps(data, default=str), root))
