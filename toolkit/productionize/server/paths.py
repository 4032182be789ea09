"""Map contents-API paths to files under the server root; refuse anything outside it."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath


class PathRefused(Exception):
    """A request named a path outside the server's root directory (or a malformed one)."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def resolve_under_root(root: str | os.PathLike, api_path: str, *, must_exist: bool = True) -> Path:
    """Resolve a contents-API path (``dir/nb.ipynb``) to a real path inside ``root``."""
    if not isinstance(api_path, str) or not api_path.strip():
        raise PathRefused(str(api_path), "a path relative to the server root is required")
    if "\x00" in api_path or "\\" in api_path:
        raise PathRefused(api_path, "path contains forbidden characters")
    pure = PurePosixPath(api_path)
    if pure.is_absolute() or (len(api_path) > 1 and api_path[1] == ":"):
        raise PathRefused(api_path, "absolute paths are refused; use a path relative to the root")
    if ".." in pure.parts:
        raise PathRefused(api_path, "'..' is refused; the path must stay inside the server root")
    real_root = Path(os.path.realpath(root))
    # realpath follows symlinks, so a link pointing out of the root is caught by the check below
    candidate = Path(os.path.realpath(real_root / pure))
    if candidate != real_root and real_root not in candidate.parents:
        raise PathRefused(api_path, "resolves outside the server root (symlink?)")
    if must_exist and not candidate.exists():
        raise PathRefused(api_path, "no such file")
    return candidate


def to_api_path(root: str | os.PathLike, path: str | os.PathLike) -> str:
    """Express an absolute path under ``root`` as a contents-API path (``/``-separated)."""
    real_root = Path(os.path.realpath(root))
    return Path(os.path.realpath(path)).relative_to(real_root).as_posix()


def scrub_root(text: str, root: str | os.PathLike) -> str:
    """Keep the server's absolute root out of text shown in the browser."""
    real = os.path.realpath(root)
    for prefix in {real + os.sep, str(root).rstrip(os.sep) + os.sep}:
        text = text.replace(prefix, "")
    return text
