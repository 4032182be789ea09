"""Locate files shipped with the package (templates), in a wheel or a source checkout."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def templates_dir() -> Path:
    """Folder of the Jinja templates of the generated project."""
    packaged = Path(__file__).parent / "templates"  # installed wheel (force-included)
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parents[2] / "templates"  # editable install / checkout
    if source.is_dir():
        return source
    raise FileNotFoundError("productionize templates not found; reinstall the package")
