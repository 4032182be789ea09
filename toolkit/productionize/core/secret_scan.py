"""Find secrets in text with detect-secrets' plugins and filters, in process (no files, no entropy
code of our own). Shared by the linter and the publish stage's pre-push scan."""

from __future__ import annotations

import threading
from dataclasses import dataclass

# detect-secrets keeps its settings in a process-wide cache; scans must not interleave
_LOCK = threading.Lock()
# generic detectors rank below specific ones when one line matches several
_GENERIC = ("Secret Keyword", "Base64 High Entropy String", "Hex High Entropy String")
MAX_LINE_CHARS = 2000  # minified blobs are not where people paste keys; bound the work


@dataclass(frozen=True)
class SecretHit:
    """A likely secret: where it is and what kind; never the secret itself."""

    line: int  # 1-based
    column: int  # 1-based
    kind: str  # detect-secrets' type, e.g. "AWS Access Key"


def find_secrets(text: str, *, entropy: bool = True) -> list[SecretHit]:
    """Scan text line by line; at most one hit per line (the most specific detector wins)."""
    lines = [
        (number, line[:MAX_LINE_CHARS])
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]
    if not lines:
        return []
    from detect_secrets.core.scan import _process_line_based_plugins
    from detect_secrets.settings import default_settings

    best: dict[int, tuple[int, str, str]] = {}
    with _LOCK, default_settings() as settings:
        if not entropy:
            settings.disable_plugins("Base64HighEntropyString", "HexHighEntropyString")
        for secret in _process_line_based_plugins(lines, "notebook.py"):
            rank = _GENERIC.index(secret.type) + 1 if secret.type in _GENERIC else 0
            current = best.get(secret.line_number)
            if current is None or rank < current[0]:
                best[secret.line_number] = (rank, secret.type, secret.secret_value or "")
    source_lines = text.split("\n")
    hits = []
    for number in sorted(best):
        _, kind, value = best[number]
        column = source_lines[number - 1].find(value) + 1 if value else 1
        hits.append(SecretHit(number, max(column, 1), kind))
    return hits
