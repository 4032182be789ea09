"""Read Jinja template sources from the templates folder, for the pure renderers in the core."""

from __future__ import annotations

from pathlib import Path

from ..resources import templates_dir


def read_templates(*folders: str) -> dict[str, str]:
    """Return ``{"<folder>/<name>": source}`` for every template under the given sub-folders."""
    root = templates_dir()
    sources = {}
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                sources[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return sources


def read_project(root: str | Path) -> dict[str, str]:
    """Return the text files of a generated project as ``{relative path: text}`` (skips data)."""
    base = Path(root)
    skipped = {".git", ".venv", "__pycache__", "models", "products", "data", ".pytest_cache"}
    files = {}
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base)
        if not path.is_file() or skipped & set(rel.parts):
            continue
        try:
            files[rel.as_posix()] = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
    return files
