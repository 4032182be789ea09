"""Read notebooks from disk (every failure becomes an InputError naming the file)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..core.notebook import parse_notebook
from ..errors import InputError
from ..model import Notebook

MAX_NOTEBOOK_BYTES = 200 * 1024 * 1024


def read_notebook(path: str | os.PathLike) -> tuple[Notebook, Any]:
    """Read and validate a notebook file; return the model and the nbformat node."""
    name = str(path)
    p = Path(path)
    if p.is_dir():
        raise InputError("is a directory, not a notebook", name)
    if not p.exists():
        raise InputError("no such file", name)
    try:
        size = p.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise InputError(f"file of {size / 1e6:.0f} MB is too large to be a notebook", name)
        raw = p.read_bytes()
    except PermissionError:
        raise InputError("permission denied: cannot read the file", name) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", name) from None
    if not raw.strip():
        raise InputError("empty file, not a notebook", name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start}); not a notebook", name) from None
    return parse_notebook(text, name)
