"""The manifest of generated files (``.productionize/manifest.json``): detects hand edits.

Every run that writes into a generated project records the sha256 of each file it wrote. A file
whose content no longer matches was edited by hand and is never overwritten silently.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

MANIFEST = ".productionize/manifest.json"


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's content."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(root: str | os.PathLike) -> dict[str, str] | None:
    """Relative path -> sha256 of the files the last run generated; None if there is none."""
    path = Path(root) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.get("files", {}).items()}
    except (ValueError, AttributeError):
        return None


def manifest_text(hashes: dict[str, str]) -> str:
    """The manifest file content for ``hashes`` (sorted, stable)."""
    return json.dumps({"files": dict(sorted(hashes.items()))}, indent=2) + "\n"


def edited_files(root: str | os.PathLike, manifest: dict[str, str]) -> list[str]:
    """Generated files whose content changed (or that were deleted) since they were written."""
    edited = []
    for rel, digest in sorted(manifest.items()):
        path = Path(root) / rel
        if not path.is_file():
            continue  # deleted by the user: regenerating it overwrites nothing
        if sha256_file(path) != digest:
            edited.append(rel)
    return edited


def merge_hashes(old: dict[str, str] | None, new: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Old manifest entries updated with newly written files."""
    merged = dict(old or {})
    merged.update(dict(new))
    return merged
