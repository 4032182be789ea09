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
    """The file ``path`` names, resolved against ``folder``; else one of the same name nearby."""
    written = Path(os.path.expanduser(path))
    if not written.is_absolute():
        written = folder / written
    if _is_file(written):
        return written
    name = re.split(r"[\\/]", path.rstrip("/\\"))[-1]
    if not name or name in (".", ".."):
        return None
    for place in NEARBY:
        candidate = folder / place / name
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
    """The cell's source reading each moved file where it was found (string literals only)."""
    for written, found in moves.items():
        for text in {written, written.replace("\\", "\\\\")}:
            for quote in ("'", '"'):
                source = source.replace(f"{quote}{text}{quote}", repr(found))
    return source


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False
