"""Atomic writes: a reader sees the old file/tree or the complete new one, never a mix."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import OutputError
from ..model import RenderedFile


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write text to ``path`` through a temp file in the same folder and ``os.replace``."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes 0600 files: keep the old file's mode, or give a new one the usual mode
        os.chmod(tmp, target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tree_atomic(
    root: str | os.PathLike,
    files: Iterable[RenderedFile],
    copies: Iterable[tuple[str, str | os.PathLike]] = (),
) -> Path:
    """Render ``files`` into a temp folder beside ``root``, then swap it into place.

    ``copies`` are (relative path, source file) pairs copied byte for byte (data files).
    The previous tree (if any) is kept until the new one is complete, so a crash at any point
    leaves either the old tree or the new one at ``root``.
    """
    target = Path(root).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes 0700 folders; this one becomes root
        for item in files:
            rel = Path(item.path)
            if rel.is_absolute() or ".." in rel.parts:
                raise OutputError(f"refusing to write outside the output folder: {item.path}")
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(item.content, encoding="utf-8", newline="")
            if item.executable:
                dest.chmod(0o755)
        for rel_path, source in copies:
            rel = Path(rel_path)
            if rel.is_absolute() or ".." in rel.parts:
                raise OutputError(f"refusing to write outside the output folder: {rel_path}")
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def stage_copy(root: str | os.PathLike) -> Path:
    """Return a staging folder beside ``root`` holding a copy of it (hard links where possible).

    Change the copy (``replace_file_in_stage``, unlink), then ``swap_into_place``: a crash at any
    point leaves ``root`` as it was or, after the swap, completely new. Files must be replaced,
    never written in place, because a hard-linked file is shared with ``root``.
    """
    target = Path(root).resolve()
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        shutil.copytree(
            target, staging, symlinks=True, dirs_exist_ok=True, copy_function=link_or_copy
        )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def link_or_copy(source: str, dest: str) -> None:
    """Hard-link ``source`` at ``dest`` (a copy on file systems without hard links)."""
    try:
        os.link(source, dest)
    except OSError:  # file system without hard links
        shutil.copy2(source, dest)


def replace_file_in_stage(dest: Path, text: str | None = None, source: Path | None = None) -> None:
    """Write ``text`` (or copy ``source``) to ``dest`` as a new file, never through a shared link."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    if source is not None:
        shutil.copyfile(source, dest)
    else:
        dest.write_text(text or "", encoding="utf-8", newline="")


def swap_into_place(staging: Path, target: str | os.PathLike) -> None:
    """Replace ``target`` with the complete ``staging`` folder (two renames, recoverable)."""
    _swap(Path(staging), Path(target).resolve())


def _swap(staging: Path, target: Path) -> None:
    if not target.exists():
        os.replace(staging, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    old.rmdir()
    os.replace(target, old)  # two renames; between them a crash leaves .old-*, restored below
    try:
        os.replace(staging, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def recover_interrupted(root: str | os.PathLike) -> None:
    """Restore ``root`` from a ``.old-*`` sibling left by a run killed between the two renames."""
    target = Path(root).resolve()
    if target.exists() or not target.parent.exists():
        return
    olds = sorted(target.parent.glob(f".{target.name}.old-*"))
    if olds:
        os.replace(olds[-1], target)


# folders a staged build links instead of copying: nothing writes into their files in place
# (a virtual environment; the model registry adds version folders and os.replace's its pointers)
LINKED_IN_STAGE = (".venv", "models")
OWNER = "owner.pid"


class StagedFolder:
    """A private copy of ``root`` to change at length (a whole build), then swapped in at once.

    The copy is ``.<name>.build-*/<name>`` beside ``root``: whatever the work stages inside it
    (its own temp folders included) stays in that one folder, which a later run clears when the
    process that made it is gone (``OWNER`` holds its pid). Files are copied, not hard-linked,
    because the work may rewrite them in place (``ploomber build`` does, for its products),
    except under ``LINKED_IN_STAGE``. Until ``commit`` swaps the copy in (two renames,
    ``recover_interrupted``), ``root`` is untouched.
    """

    def __init__(self, root: str | os.PathLike):
        self.target = Path(root).resolve()
        if self.target.exists() and not self.target.is_dir():
            raise OutputError("exists and is not a folder", str(self.target))
        self.target.parent.mkdir(parents=True, exist_ok=True)
        recover_interrupted(self.target)
        clear_stale_stages(self.target)
        self.folder = Path(
            tempfile.mkdtemp(prefix=f".{self.target.name}.build-", dir=self.target.parent)
        )
        (self.folder / OWNER).write_text(f"{os.getpid()}\n", encoding="utf-8")
        self.path = self.folder / self.target.name
        try:
            if self.target.exists():
                shutil.copytree(self.target, self.path, symlinks=True, copy_function=self._copy)
        except BaseException:
            self.discard()
            raise

    def _copy(self, source: str, dest: str) -> None:
        rel = Path(source).relative_to(self.target)
        if rel.parts and rel.parts[0] in LINKED_IN_STAGE:
            link_or_copy(source, dest)
        else:
            shutil.copy2(source, dest)

    def commit(self) -> None:
        """Swap the changed copy into place (the previous tree is removed)."""
        _swap(self.path, self.target)

    def discard(self) -> None:
        """Remove the staging folder (after a commit, only its owner marker is left)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def clear_stale_stages(root: str | os.PathLike) -> None:
    """Remove ``.<name>.build-*`` folders beside ``root`` left by runs that were killed."""
    target = Path(root).resolve()
    if not target.parent.is_dir():
        return
    for folder in target.parent.glob(f".{target.name}.build-*"):
        if folder.is_dir() and not _owner_alive(folder / OWNER):
            shutil.rmtree(folder, ignore_errors=True)


def _owner_alive(marker: Path) -> bool:
    try:
        pid = int(marker.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return False  # killed before it wrote its marker
    if pid == os.getpid():
        return False  # ours from an earlier call that failed to clean up
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True
