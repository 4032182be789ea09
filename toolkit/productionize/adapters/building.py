"""Write the service (and the whole build) of a project: read inputs, call the core, write safely.

``add_service`` turns a split project folder into a project with a prediction service;
``build_project`` runs lint -> split -> service for a notebook (the CLI and the JupyterLab
handler both call it). Nothing is written when planning or rendering fails, and files a user
edited since productionize wrote them are never overwritten without ``force``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..core.service import plan_service, render_service
from ..errors import LintFailed, OutputError, ProductionizeError, VerifyError
from ..model import Location, RenderedFile, ServiceSpec, Severity
from ..options import Options
from .atomic import StagedFolder, link_or_copy, swap_into_place, write_text_atomic
from .project_files import read_project
from .splitting import template_environment

MANIFEST = ".productionize/manifest.json"
REGISTRY = "models"  # the model registry: versions trained in a project are never dropped silently
CACHES = ("__pycache__", ".pytest_cache")
TRAIN_TIMEOUT = 1800  # seconds for the first `ploomber build` of a generated project
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
    return spec, render_service(spec, template_environment(), project)


def add_service(
    source: str | os.PathLike,
    outdir: str | os.PathLike,
    options: Options,
    force: bool = False,
    discard_models: bool = False,
) -> ServiceResult:
    """Add the prediction service to the split project ``source``, written to ``outdir``.

    When ``outdir`` is ``source``, a private copy of it is changed and swapped in; otherwise
    ``source`` is copied and the complete result swapped into ``outdir``. Either way at once.
    What only ``outdir`` holds (its model registry, an environment, the user's own files) is
    carried into the new tree, ``--force`` or not; ``discard_models`` drops its registry.
    """
    source, target = Path(source).resolve(), Path(outdir).resolve()
    if not source.is_dir():
        raise OutputError(f"not a folder: {source}", str(source))
    if source == target:
        # changed in a private copy swapped in at once: a kill leaves no half-added service
        stage = StagedFolder(target)
        try:
            with _named_as(stage.path, target):
                if discard_models:
                    discard_registry(stage.path)
                staged = _add_service_in_place(stage.path, options, force)
            stage.commit()
        finally:
            stage.discard()
        return ServiceResult(target, staged.spec, staged.files)
    spec, files = render_project_service(source, options)
    kept = _files_to_keep(source, target, files, force)
    _copy_and_swap(source, target, files, kept, keep_registry=not discard_models)
    return ServiceResult(target, spec, tuple(f.path for f in files))


def discard_registry(root: Path) -> None:
    """Remove the model registry of ``root`` (only when the user asked: --discard-models)."""
    _remove(root / REGISTRY)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _add_service_in_place(root: Path, options: Options, force: bool) -> ServiceResult:
    spec, files = render_project_service(root, options)
    _check_user_edits(root, files, force)
    for item in files:
        path = root / item.path
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, item.content)
    _update_manifest(root, files)
    return ServiceResult(root, spec, tuple(f.path for f in files))


def _files_to_keep(source: Path, target: Path, files: list[RenderedFile], force: bool) -> list[str]:
    """Files only ``target`` has, which the new tree keeps; refuse to overwrite edits.

    A file of ``target`` the new tree also writes is overwritten only when it is what
    productionize wrote there (its manifest hash), already the new content, or with ``force``.
    Files the new tree does not write are kept, except generated ones left unchanged (stale
    output of an earlier run). ``models/`` and ``.venv/`` are kept whole by ``_copy_and_swap``.
    """
    if not target.exists() or not any(target.iterdir()):
        return []
    if not target.is_dir():
        raise OutputError("exists and is not a folder", str(target))
    if not (target / MANIFEST).is_file() and not force:
        raise OutputError(
            f"output folder {target} exists and is not empty, and productionize did not write it "
            "(use --force to write into it: files there that the project does not have are kept)",
            str(target),
        )
    known = _read_manifest(target)
    new = {item.path: item.content.encode("utf-8") for item in files}
    kept, edited = [], []
    for path in sorted(target.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        rel = path.relative_to(target)
        if rel.parts[0] in (".productionize", REGISTRY, ".venv") or set(CACHES) & set(rel.parts):
            continue
        posix = rel.as_posix()
        data = path.read_bytes() if path.exists() else b""
        generated = known.get(posix) == _sha256(data)
        if posix in new:
            incoming = new[posix]
        elif (source / rel).is_file():
            incoming = (source / rel).read_bytes()
        else:
            if not generated:
                kept.append(posix)  # the user's own file (or an edit we no longer write)
            continue
        if data != incoming and not generated:
            edited.append(posix)
    if edited and not force:
        listed = ", ".join(edited[:5]) + (" ..." if len(edited) > 5 else "")
        raise OutputError(
            f"{len(edited)} file(s) in {target} changed since productionize wrote them: {listed} "
            "(move your changes away, or use --force to overwrite those files; files only the "
            "output folder has and its model registry are kept either way)",
            str(target),
        )
    return kept


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


def _copy_and_swap(
    source: Path,
    target: Path,
    files: list[RenderedFile],
    kept: list[str] = (),
    keep_registry: bool = True,
) -> None:
    """Copy ``source``, write ``files``, carry ``target``'s own files over, swap in at once."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        shutil.copytree(
            source,
            staging,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(".venv", *CACHES),
        )
        for item in files:
            path = staging / item.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(item.content, encoding="utf-8", newline="")
        _update_manifest(staging, files)
        # nothing below is written in place: hard links of target's files are safe to share
        for name in (REGISTRY, ".venv"):
            if name == REGISTRY and not keep_registry:
                continue
            own = target / name
            if own.is_dir() and not own.is_symlink():
                # the output's registry (models trained there) wins over the source's whole:
                # merging two registries would mix two version histories
                _remove(staging / name)
                shutil.copytree(own, staging / name, symlinks=True, copy_function=link_or_copy)
        for rel in kept:
            path, dest = target / rel, staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink():
                os.symlink(os.readlink(path), dest)
            else:
                link_or_copy(str(path), str(dest))
        swap_into_place(staging, target)
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
    train: bool = True,
    progress: Callable[[str, str], None] | None = None,
    discard_models: bool = False,
) -> BuildResult:
    """Run lint -> split -> service on a notebook, write the project, train its first model.

    Nothing is written when lint finds errors or when the split or the service cannot be
    planned and rendered (both are rendered before the first file is written). The split's
    faithfulness check runs unless ``verify`` is False; a divergent pipeline gets no service.
    Training (``ploomber build`` in the project's environment) registers models/v0001 so the
    service can start; it is skipped, with a note, when that environment has no ploomber.
    ``progress(step, detail)`` is told about each step (the JupyterLab job shows it).
    An existing model registry (``models/``) and the user's own files in ``outdir`` are kept,
    ``force`` or not; ``discard_models`` starts the registry afresh.
    All of it happens in a private copy of ``outdir``, swapped in once at the end: a crash or a
    kill at any moment, training included, leaves the previous project or the complete new one
    (a kill between the swap's two renames is undone by the next run: ``recover_interrupted``).
    """
    report = progress or (lambda step, detail="": None)
    from ..core import flow
    from .notebook_io import read_notebook
    from .splitting import REPORT, render_inputs, size_of_relative_to, split_to_dir

    if framework:
        options = options.replace(framework=framework)
    findings: tuple = ()
    if lint:
        from .linting import lint_file, load_options

        report("lint", f"linting {Path(notebook_path).name}")
        lint_options = load_options(notebook_path, base=options)
        findings = tuple(lint_file(notebook_path, lint_options))
        errors = [f for f in findings if f.severity == Severity.ERROR]
        if errors:
            raise LintFailed(
                f"{len(errors)} lint error(s), first: {errors[0]} "
                "(run `productionize lint` for all of them; --no-lint skips the gate)",
                str(notebook_path),
            )
    report("split", "planning the pipeline and the service")
    # plan and render split + service in memory first: a problem fails before anything is written
    notebook, _node = read_notebook(notebook_path)
    folder = Path(notebook_path).resolve().parent
    flow.build(notebook, options, render_inputs(notebook_path), size_of_relative_to(folder))
    report("write", "writing the pipeline project" + (" and verifying it" if verify else ""))
    target = Path(outdir)
    # the whole build (split, service, training) changes a private copy of the output folder,
    # swapped in at the end: a crash or a kill leaves the previous project or the new one
    stage = StagedFolder(target)
    try:
        with _named_as(stage.path, target.resolve()):
            if discard_models:
                discard_registry(stage.path)
            split = split_to_dir(notebook_path, stage.path, options, verify=verify, force=force)
            verdict = split.report.get("verify")
            if verdict is not None and verdict.get("ok") is None:
                # the check could not run at all (the notebook fails here, no ploomber): not a
                # divergence; the split project stands
                stage.commit()
                reason = verdict.get("reason") or verdict.get("error") or "unknown reason"
                raise VerifyError(
                    f"could not check faithfulness: {reason}; fix that or pass --no-verify (the "
                    "pipeline project was written, no service was added)"
                    + _lint_hint(findings, verdict.get("cell")),
                    verdict.get("where") or str(notebook_path),
                )
            if verdict is not None and not verdict.get("ok", False):
                stage.commit()  # the split project stands, with the verify results to read
                raise _not_reproduced(verdict, findings, notebook_path, target / REPORT)
            report("service", f"adding the {options.framework} service")
            service = _add_service_in_place(stage.path, options, force)
            notes = []
            if train:
                report("train", "training the first model version (ploomber build)")
                try:
                    notes.append(train_project(stage.path))
                except OutputError:
                    stage.commit()  # as before: the project is written, its training failed
                    raise
                report("train", notes[-1])
        stage.commit()
    finally:
        stage.discard()
    service = ServiceResult(target.resolve(), service.spec, service.files)
    return BuildResult(service.outdir, findings, split, service, tuple(notes))


@contextlib.contextmanager
def _named_as(staging: Path, target: Path):
    """Name ``target``, never the private staging copy, in the errors raised inside."""
    try:
        yield
    except ProductionizeError as exc:
        if exc.location is not None and exc.location.path:
            exc.location = dataclasses.replace(
                exc.location, path=exc.location.path.replace(str(staging), str(target))
            )
        exc.message = exc.message.replace(str(staging), str(target))
        exc.args = (str(exc),)
        raise


UNRELATED = ("PN6", "PN7", "PN8")
# rules whose finding in a cell makes a later cell fail: text columns left unencoded (PN206),
# missing values left unfilled by an in-place fill or a chained assignment that changed a copy
# (PN203, PN207: the model then meets NaN)
UPSTREAM_CAUSES = frozenset({"PN203", "PN206", "PN207"})


def _not_reproduced(verdict: dict, findings: tuple, notebook_path, report_path) -> VerifyError:
    """The error of a pipeline that crashed (its task, error and cell) or diverged (its first value)."""
    checks = verdict.get("checks") or []
    crashed = next((c for c in checks if c.get("name") == "ploomber build"), None)
    tail = f"; no service was added (see the verify results in {report_path})"
    if crashed is not None:
        cell = crashed.get("cell")
        where = Location(str(notebook_path), cell_index=cell, line=crashed.get("line"))
        detail = crashed.get("detail") or "ploomber build failed"
        return VerifyError(
            f"the generated pipeline failed: {detail}" + tail + _lint_hint(findings, cell), where
        )
    first = next((c for c in checks if c.get("status") in ("divergent", "missing")), None)
    which = ""
    if first is not None:
        which = f": {first.get('stage')} value {first.get('name')} is {first.get('status')}"
        if first.get("detail"):
            which += f" ({first['detail']})"
    return VerifyError(
        "the generated pipeline does not reproduce the notebook" + which + tail, str(notebook_path)
    )


def _lint_hint(findings: tuple, cell: int | None) -> str:
    """What lint already said about the cell that failed (pandas 3 changes, hidden state...)."""
    here = [f for f in findings if cell is not None and f.location.cell_index == cell]
    # rules that can explain a failing cell: order/hidden state, dataflow and pandas API changes,
    # errors, installs, paths; not randomness, style or tagging
    here = [
        f
        for f in here
        if f.severity in (Severity.ERROR, Severity.WARNING) and not f.rule.startswith(UNRELATED)
    ]
    # a cell above that silently did nothing explains a failure further down: the
    # label-encoding loop skipped the text (PN206), then `df.corr()` meets it
    above = [
        f
        for f in findings
        if cell is not None
        and f.rule in UPSTREAM_CAUSES
        and f.location.cell_index is not None
        and f.location.cell_index < cell
    ]
    if not here and not above:
        return ""
    parts = []
    if here:
        parts.append("Lint at that cell: " + "; ".join(f"{f.rule}: {f.message}" for f in here[:3]))
    if above:
        first = above[0]
        parts.append(
            f"Lint above it, cell {first.location.cell_index}: {first.rule}: {first.message}"
            + (f" ({len(above) - 1} more)" if len(above) > 1 else "")
        )
    fixable = any(f.fix is not None and f.fix.safe for f in here + above)
    return (
        ". "
        + ". ".join(parts)
        + (" (`productionize lint --fix` applies the safe fixes)" if fixable else "")
    )


def train_project(root: Path) -> str:
    """Run the project's pipeline (``ploomber build``) so models/ has a promoted version."""
    from .serving import project_env, project_python

    python = project_python(root)
    ploomber = Path(python).parent / "ploomber"
    if not ploomber.is_file():
        return (
            f"not trained: no ploomber next to {python}; run `make train` in {root} "
            "(or set PRODUCTIONIZE_GENERATED_PYTHON to an environment with its requirements)"
        )
    result = subprocess.run(
        # --force: ploomber hashes only the task functions in tasks.py, not the stage modules
        # they call, so products of a previous build would pass for fresh after a re-split
        [str(ploomber), "build", "--force"],
        cwd=root,
        env=project_env(root),
        capture_output=True,
        text=True,
        timeout=TRAIN_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise OutputError("training the generated pipeline failed: " + " | ".join(tail), str(root))
    current = (root / "models" / "CURRENT").read_text(encoding="utf-8").strip()
    return f"trained and registered model {current} (models/)"
