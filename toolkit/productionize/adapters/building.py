"""Write the service (and the whole build) of a project: read inputs, call the core, write safely.

``add_service`` turns a split project folder into a project with a prediction service;
``build_project`` runs lint -> split -> service for a notebook (the CLI and the JupyterLab
handler both call it). Nothing is written when planning or rendering fails, and files a user
edited since productionize wrote them are never overwritten without ``force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..core.service import plan_service, render_service
from ..errors import OutputError
from ..model import RenderedFile, ServiceSpec
from ..options import Options
from .atomic import write_text_atomic
from .template_files import read_project, read_templates

MANIFEST = ".productionize/manifest.json"
# files the service stage rewrites from their current content (appends a section or pins), so
# writing them keeps whatever the user put there
MERGED = {"README.md", "requirements.txt", "productionize-report.json"}


@dataclass(frozen=True)
class ServiceResult:
    """What the service stage wrote."""

    outdir: Path
    spec: ServiceSpec
    files: tuple[str, ...]


@dataclass(frozen=True)
class BuildResult:
    """What ``build`` did: lint findings, the split and service results, where it wrote."""

    outdir: Path
    findings: tuple = ()
    split: object | None = None
    service: ServiceResult | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def render_project_service(project_dir: Path, options: Options) -> tuple[ServiceSpec, list]:
    """Plan and render the service files for the split project in ``project_dir``."""
    project = read_project(project_dir)
    spec = plan_service(project, options, productionize_version=__version__, where=str(project_dir))
    return spec, render_service(spec, read_templates("service", "tests", "ci"), project)


def add_service(
    source: str | os.PathLike, outdir: str | os.PathLike, options: Options, force: bool = False
) -> ServiceResult:
    """Add the prediction service to the split project ``source``, written to ``outdir``.

    In place when ``outdir`` is ``source``; otherwise ``source`` is copied and the complete
    result swapped into ``outdir`` at once.
    """
    source, target = Path(source).resolve(), Path(outdir).resolve()
    if not source.is_dir():
        raise OutputError(f"not a folder: {source}", str(source))
    spec, files = render_project_service(source, options)
    if source == target:
        _check_user_edits(target, files, force)
        for item in files:
            path = target / item.path
            path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(path, item.content)
        _update_manifest(target, files)
    else:
        if target.exists() and any(target.iterdir()) and not force:
            raise OutputError(
                f"output folder {target} exists and is not empty (use --force to replace it)",
                str(target),
            )
        _copy_and_swap(source, target, files)
    return ServiceResult(target, spec, tuple(f.path for f in files))


def _check_user_edits(root: Path, files: list[RenderedFile], force: bool) -> None:
    """Refuse to overwrite files whose content differs from what productionize last wrote."""
    if force:
        return
    known = _read_manifest(root)
    edited = []
    for item in files:
        path = root / item.path
        if item.path in MERGED or not path.is_file():
            continue
        current = _sha256(path.read_bytes())
        if current == _sha256(item.content.encode()):
            continue
        if known.get(item.path) != current:
            edited.append(item.path)
    if edited:
        listed = ", ".join(sorted(edited)[:5]) + (" ..." if len(edited) > 5 else "")
        raise OutputError(
            f"{len(edited)} file(s) changed since productionize wrote them: {listed} "
            "(use --force to overwrite)",
            str(root),
        )


def _read_manifest(root: Path) -> dict[str, str]:
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files", {}) if isinstance(data, dict) else {}
    return {k: (v.get("sha256") if isinstance(v, dict) else v) for k, v in files.items()}


def _update_manifest(root: Path, files: list[RenderedFile]) -> None:
    path = root / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    entries = data.setdefault("files", {})
    for item in files:
        digest = _sha256(item.content.encode())
        if isinstance(entries.get(item.path), dict):
            entries[item.path] = {**entries[item.path], "sha256": digest}
        else:
            entries[item.path] = digest
    data["files"] = dict(sorted(entries.items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def _copy_and_swap(source: Path, target: Path, files: list[RenderedFile]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        shutil.copytree(
            source,
            staging,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(".venv", "__pycache__", ".pytest_cache"),
        )
        for item in files:
            path = staging / item.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(item.content, encoding="utf-8", newline="")
        _update_manifest(staging, files)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            old.rmdir()
            os.replace(target, old)
            try:
                os.replace(staging, target)
            except BaseException:
                os.replace(old, target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_project(
    notebook_path: str | os.PathLike,
    outdir: str | os.PathLike,
    options: Options,
    verify: bool = True,
    force: bool = False,
    framework: str | None = None,
    lint: bool = True,
) -> BuildResult:
    """Run lint -> split -> service on a notebook and write the project to ``outdir``."""
    from ..errors import InputError

    raise InputError(
        "building from a notebook needs the split stage, which is not installed yet: "
        "run `productionize split` and then `productionize service SPLIT-DIR`",
        str(notebook_path),
    )
