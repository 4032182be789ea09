"""Find the data files a notebook reads: where it says, or beside it when it names another machine.

A notebook downloaded from Kaggle reads ``/kaggle/input/titanic/train.csv``, one from Colab
``/content/drive/MyDrive/train.csv``, one from a laptop ``C:\\Users\\me\\train.csv``. Whoever runs it
here puts the data next to the notebook (or in its ``data/`` or ``input/`` folder). Split copies
that file into the project, and verify runs the notebook on it too: the path as written stays in
the notebook, and lint still reports it (PN501).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

NEARBY = ("", "data", "input")  # folders, relative to the notebook's, searched by file name


def locate_data_file(folder: Path, path: str) -> Path | None:
    """The file ``path`` names, resolved against ``folder``; else one of the same name nearby.

    Nearby is the notebook's folder, its ``data/`` and ``input/``, under the end of the path as
    written, longest first: ``/kaggle/input/titanic/train.csv`` is found as
    ``input/titanic/train.csv`` (Kaggle's layout downloaded whole), ``titanic/train.csv`` or
    ``train.csv``."""
    written = Path(os.path.expanduser(path))
    if not written.is_absolute():
        written = folder / written
    if _is_file(written):
        return written
    parts = [p for p in re.split(r"[\\/]", path.rstrip("/\\")) if p]
    parts = [p for p in parts if p not in (".", "..", "~") and not p.endswith(":")]
    if not parts:
        return None
    for start in range(len(parts)):
        for place in NEARBY:
            candidate = folder / place / Path(*parts[start:])
            if _is_file(candidate):
                return candidate
    return None


def found_elsewhere(folder: Path, path: str) -> str | None:
    """The notebook-relative path of the nearby file read instead of ``path``, if it is one."""
    written = Path(os.path.expanduser(path))
    written = written if written.is_absolute() else folder / written
    found = locate_data_file(folder, path)
    if found is None or found == written:
        return None
    return found.relative_to(folder).as_posix()


def nearby_moves(folder: Path, data_files) -> dict[str, str]:
    """Path as written -> notebook-relative file read instead, for the copied data files."""
    moves = {}
    for data in data_files:
        found = found_elsewhere(folder, data.notebook_path) if data.copied else None
        if found is not None:
            moves[data.notebook_path] = found
    return moves


def read_nearby(source: str, moves: dict[str, str]) -> str:
    """The cell's source reading each moved file where it was found (string literals only).

    A folder the moved files were named under is moved too, in string literals starting with
    it: ``DATA = "/kaggle/input/titanic/"`` then ``DATA + "train.csv"`` (or ``os.path.join``,
    ``Path(...) /``, an f-string) reads ``./train.csv`` when ``train.csv`` lies beside the
    notebook."""
    for written, found in moves.items():
        for text in {written, written.replace("\\", "\\\\")}:
            for quote in ("'", '"'):
                source = source.replace(f"{quote}{text}{quote}", repr(found))
    for written, found in folder_moves(moves).items():
        for text in {written, written.replace("\\", "\\\\")}:
            pattern = re.compile(
                r"(?<![\\w])(?P<head>[rRfFuUbB]{0,2}(?P<quote>['\"]))"
                + re.escape(text)
                + r"(?P<tail>[\\/]|(?P=quote))"
            )
            source = pattern.sub(
                lambda m, found=found: m["head"]
                + found
                + ("/" if m["tail"] in "/\\" else m["tail"]),
                source,
            )
    return source


def folder_moves(moves: dict[str, str]) -> dict[str, str]:
    """Folder as written -> notebook-relative folder the files under it were found in
    (``/kaggle/input/titanic`` -> ``.``), for folders whose files all moved the same way."""
    folders: dict[str, str | None] = {}
    for written, found in moves.items():
        head, _sep, name = written.rstrip("/\\").replace("\\", "/").rpartition("/")
        found_head, _sep, found_name = found.rpartition("/")
        named = [part for part in head.split("/") if part not in ("", ".", "..")]
        wide = head.startswith("/") and len(named) < 2
        if not named or name != found_name or wide:
            continue  # no folder, another name, or a folder as wide as "/kaggle"
        if "\\" in written:
            head = written[: len(head)]  # keep the Windows separators as written
        target = found_head or "."
        folders[head] = target if folders.get(head, target) == target else None
    return {head: target for head, target in folders.items() if target is not None}


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False
