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
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
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
        shutil.copytree(target, staging, symlinks=True, dirs_exist_ok=True, copy_function=_link)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _link(source: str, dest: str) -> None:
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


def recover_interrupted(root: str | os.PathLike) -> None:
    """Restore ``root`` from a ``.old-*`` sibling left by a run killed between the two renames."""
    target = Path(root).resolve()
    if target.exists() or not target.parent.exists():
        return
    olds = sorted(target.parent.glob(f".{target.name}.old-*"))
    if olds:
        os.replace(olds[-1], target)
