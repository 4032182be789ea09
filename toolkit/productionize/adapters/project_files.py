"""Read a generated project's text files, for the pure service planner in the core."""

from __future__ import annotations

from pathlib import Path

# generated or bulky folders the planner never needs to read
SKIPPED = {".git", ".venv", "__pycache__", "models", "products", "data", ".pytest_cache"}


def read_project(root: str | Path) -> dict[str, str]:
    """Return the text files of a generated project as ``{relative path: text}``."""
    base = Path(root)
    files = {}
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base)
        if not path.is_file() or SKIPPED & set(rel.parts):
            continue
        try:
            files[rel.as_posix()] = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
    return files
