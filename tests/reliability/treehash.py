"""Hash a directory tree (names, modes, contents) to prove a failed run wrote nothing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def tree_hash(root: Path) -> str:
    """Return a digest of every file and folder under ``root`` (hidden ones included)."""
    digest = hashlib.sha256()
    if not root.exists():
        return "absent"
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        digest.update(f"d {rel}\n".encode())
        for name in sorted(filenames):
            path = Path(dirpath, name)
            digest.update(f"f {rel}/{name} {path.stat().st_mode:o}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
