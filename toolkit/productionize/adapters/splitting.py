"""Split a notebook file into a project folder: read, run the pure flow, write atomically.

The CLI (``split``, ``build``) and the server handler all call ``split_to_dir``.
"""

from __future__ import annotations

import csv
import functools
import importlib.metadata
import json
import os
import re
import shutil
import sys
from pathlib import Path, PurePosixPath

import jinja2

from .. import __version__
from ..core import flow
from ..core.render import RenderInputs
from ..errors import OutputError, VerifyError
from ..model import RenderedFile, SplitResult
from ..options import Options
from ..resources import templates_dir
from .atomic import (
    recover_interrupted,
    replace_file_in_stage,
    stage_copy,
    swap_into_place,
    write_text_atomic,
    write_tree_atomic,
)
from .data_files import locate_data_file
from .manifest import (
    MANIFEST,
    edited_files,
    manifest_text,
    merge_hashes,
    read_manifest,
    sha256_bytes,
    sha256_file,
)
from .module_format import format_modules
from .notebook_io import read_notebook

REPORT = "productionize-report.json"
# pins for distributions the toolkit's own environment does not have: ploomber (generated projects
# only), and the libraries notebooks import most that this environment may lack (their releases
# current with the pandas 3 / numpy 2 / scikit-learn 1.9 pins of generated projects)
KNOWN_PINS = {
    "ploomber": "0.23.3",
    "seaborn": "0.13.2",
    "xgboost": "3.2.0",
    "lightgbm": "4.7.0",
    "catboost": "1.2.10",
    "statsmodels": "0.15.0",
}
# files split owns and may delete when a re-split no longer generates them
OWNED_STAGE_MODULES = ("load.py", "clean.py", "train.py", "predict.py", "evaluate.py")


@functools.lru_cache(maxsize=1)
def template_environment() -> jinja2.Environment:
    """The Jinja environment over ``templates/`` (StrictUndefined: a typo fails loudly).

    One per process: compiled templates are reused by every split the server runs (Jinja still
    reloads a template whose file changed).
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render_inputs(notebook_path: str | os.PathLike) -> RenderInputs:
    """Gather what rendering needs from the file system and the installed distributions."""
    raw = Path(notebook_path).read_bytes()
    return RenderInputs(
        templates=template_environment(),
        notebook_text=raw.decode("utf-8"),
        notebook_sha256=sha256_bytes(raw),
        tool_version=__version__,
        versions=_InstalledVersions(),
        distributions=_ImportDistributions(),
        preformat=format_modules,
    )


class _InstalledVersions(dict):
    """distribution -> installed version, looked up lazily in this environment (once per name)."""

    def get(self, name, default=None):
        if name not in self:
            self[name] = _installed_version(name, _site_dirs_state())
        return self[name] if self[name] is not None else default


class _ImportDistributions(dict):
    """import name -> distribution name (``sklearn`` -> ``scikit-learn``)."""

    def get(self, name, default=None):
        found = _distribution_providing(name, _site_dirs_state())
        return default if found is _NOT_INSTALLED else found


def _site_dirs_state() -> tuple:
    """The import path's folders with their mtimes: installing a distribution changes them."""
    state = []
    for entry in sys.path:
        try:
            state.append((entry, os.stat(entry or ".").st_mtime_ns))
        except OSError:
            continue
    return tuple(state)


@functools.lru_cache(maxsize=512)
def _installed_version(name: str, _state: tuple) -> str | None:
    # once per process and environment: each lookup parses the distribution's METADATA
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return KNOWN_PINS.get(name.lower())


_NOT_INSTALLED = object()


@functools.lru_cache(maxsize=512)
def _distribution_providing(name: str, state: tuple):
    """``packages_distributions()[name][0]`` without reading every distribution's files.

    The standard function parses the METADATA and RECORD of all ~150 installed distributions
    (0.1-0.4 s, most of a fresh ``split``); rendering asks about a handful of import names. Same
    order and same rules (``top_level.txt``, else the ``.py`` files listed), but a RECORD that
    does not even contain the name is skipped unparsed, and only the provider's METADATA is read.
    """
    declared = getattr(importlib.metadata, "_top_level_declared", None)
    inferred = getattr(importlib.metadata, "_top_level_inferred", None)
    if declared is None or inferred is None:  # another Python: fall back to the full table
        dists = _packages_distributions(state).get(name)
        return dists[0] if dists else _NOT_INSTALLED
    for dist, top_level in _installed_distributions(state):
        if top_level:
            provides = name in top_level
        else:
            record = dist.read_text("RECORD")
            provides = _record_lists(record, name) if record else name in inferred(dist)
        if provides:
            return dist.metadata["Name"]
    return _NOT_INSTALLED


def _record_lists(record: str, name: str) -> bool:
    """``name in importlib.metadata._top_level_inferred(dist)`` for a dist-info with this RECORD.

    The same rule (a ``.py`` file whose first path part, or stem at the top, is ``name``) applied
    only to the lines that can match: a path's first part follows optional quoting, ``./`` and
    slashes at the start of its line. Building a PurePath for each of pandas' 7,000 files is
    what made the standard function slow.
    """
    if re.search(rf"{re.escape(name)}[/.]", record) is None:  # a literal search: fast
        return False
    matcher = re.compile(rf'"?(?:\.?/)*{re.escape(name)}[/.]')
    for row in csv.reader(line for line in record.splitlines() if matcher.match(line)):
        if not row:
            continue
        path = PurePosixPath(row[0])
        if path.suffix != ".py":
            continue
        top = path.parts[0] if len(path.parts) > 1 else path.with_suffix("").name
        if top == name:
            return True
    return False


@functools.lru_cache(maxsize=1)
def _installed_distributions(_state: tuple) -> tuple:
    """Installed distributions in import-path order, with their declared top-level names."""
    declared = importlib.metadata._top_level_declared  # type: ignore[attr-defined]
    return tuple((dist, tuple(declared(dist))) for dist in importlib.metadata.distributions())


@functools.lru_cache(maxsize=1)
def _packages_distributions(_state: tuple) -> dict:
    # reads every installed distribution's RECORD (~0.1-0.4 s): once per process and environment
    return importlib.metadata.packages_distributions()


def size_of_relative_to(folder: Path):
    """A ``size_of(path)`` for the planner: file size, resolved against the notebook's folder."""

    def size_of(path: str) -> int | None:
        found = locate_data_file(folder, path)
        try:
            return None if found is None else found.stat().st_size
        except OSError:
            return None

    return size_of


def split_notebook(notebook_path: str | os.PathLike, options: Options) -> SplitResult:
    """Split without writing anything (preview)."""
    notebook, _node = read_notebook(notebook_path)
    folder = Path(notebook_path).resolve().parent
    return flow.split(notebook, options, render_inputs(notebook_path), size_of_relative_to(folder))


def split_to_dir(
    notebook_path: str | os.PathLike,
    outdir: str | os.PathLike,
    options: Options,
    verify: bool = True,
    force: bool = False,
    progress=None,
) -> SplitResult:
    """Split a notebook and write the project into ``outdir`` (atomically, never over edits).

    ``progress`` (optional) receives one-line messages about slow steps.
    """
    result = split_notebook(notebook_path, options)
    folder = Path(notebook_path).resolve().parent
    copies = _data_copies(result, folder)
    root = Path(outdir)
    recover_interrupted(root)  # a previous run killed between its two renames
    _check_outdir(root, force)
    report = dict(result.report)
    write_project(root, list(result.files), copies, report)
    if verify:
        from .verifying import can_verify, generated_python, verify_project

        if can_verify():
            if progress is not None:
                progress("verifying: running the notebook and the pipeline under fixed seeds...")
            try:
                verify_report = verify_project(notebook_path, root, result)
                report["verify"] = verify_report_dict(verify_report)
            except VerifyError as exc:  # the notebook cannot run here: split stands, say why
                report["verify"] = {
                    "ok": None,
                    "error": str(exc),
                    "reason": exc.message,
                    "where": str(exc.location) if exc.location else None,
                    "cell": exc.location.cell_index if exc.location else None,
                    "checks": [],
                }
        else:
            report["verify"] = {
                "ok": None,
                "error": f"no ploomber next to {generated_python()}: set "
                "PRODUCTIONIZE_GENERATED_PYTHON to the python of an environment with the "
                "project's requirements to check faithfulness",
                "checks": [],
            }
        write_text_atomic(root / REPORT, json.dumps(report, indent=2) + "\n")
    return SplitResult(result.graph, result.spec, result.files, result.suggestions, report)


def verify_report_dict(report) -> dict:
    """JSON-ready verify results for productionize-report.json."""
    from ..model import to_dict

    return {"ok": report.ok, "checks": [to_dict(c) for c in report.checks]}


def _data_copies(result: SplitResult, folder: Path) -> list[tuple[str, Path]]:
    copies = []
    for data in result.spec.data_files:
        if not data.copied:
            continue
        source = locate_data_file(folder, data.notebook_path)
        if source is not None:
            copies.append((data.project_path, source))
    return copies


def _check_outdir(root: Path, force: bool) -> None:
    if root.exists() and not root.is_dir():
        raise OutputError("exists and is not a folder", str(root))
    if not root.exists() or not any(root.iterdir()):
        return
    manifest = read_manifest(root)
    if manifest is None:
        if force:
            return
        raise OutputError(
            "folder is not empty and was not generated by productionize (no "
            f"{MANIFEST}); choose another folder or pass --force",
            str(root),
        )
    # the report is output rewritten on every run (verify and the service add to it after the
    # manifest is written): a hash recorded for it says nothing about hand edits
    edited = [rel for rel in edited_files(root, manifest) if rel != REPORT]
    if edited and not force:
        raise OutputError(
            "files edited by hand since they were generated: "
            + ", ".join(edited)
            + "; keep your changes elsewhere or pass --force to overwrite them",
            str(root),
        )


def write_project(
    root: Path,
    files: list[RenderedFile],
    copies: list[tuple[str, Path]],
    report: dict,
) -> None:
    """Write generated files, data copies, the report and the manifest into ``root``."""
    hashes = [(f.path, sha256_bytes(f.content.encode("utf-8"))) for f in files]
    hashes += [(rel, sha256_file(src)) for rel, src in copies]
    report_file = RenderedFile(REPORT, json.dumps(report, indent=2) + "\n")
    if not root.exists() or not any(root.iterdir()):
        manifest = RenderedFile(MANIFEST, manifest_text(dict(hashes)))
        write_tree_atomic(root, [*files, report_file, manifest], copies)
        return
    old = read_manifest(root) or {}
    new_paths = {path for path, _ in hashes}
    kept, dropped = {}, []
    for rel, digest in old.items():
        if rel in new_paths or rel == REPORT:
            continue
        if Path(rel).name in OWNED_STAGE_MODULES and rel.startswith("src/"):
            dropped.append(rel)  # a stage the notebook no longer has
            continue
        kept[rel] = digest
    manifest = RenderedFile(MANIFEST, manifest_text(merge_hashes(kept, hashes)))
    # change a copy of the folder (the user's own files included), then swap it in whole:
    # a crash or a kill leaves the previous project or the new one, never a mix
    staging = stage_copy(root)
    try:
        for rel in dropped:
            (staging / rel).unlink(missing_ok=True)
        for item in [*files, report_file, manifest]:
            replace_file_in_stage(staging / item.path, text=item.content)
        for rel, source in copies:
            replace_file_in_stage(staging / rel, source=source)
        swap_into_place(staging, root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
