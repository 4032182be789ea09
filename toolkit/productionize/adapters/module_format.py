"""Format generated Python modules with ruff's formatter, all of a split in one process.

Passed to rendering as ``RenderInputs.preformat``: the core keeps ruff's result for a module only
where black is known to agree (``core.black_compat.ruff_module_trusted``) and runs black on the
others, so the generated files stay what black makes of them.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .linting import RUFF_TIMEOUT, _ruff_binary

LINE_LENGTH = 88  # render.LINE_LENGTH: black's default, as generated projects configure it
# module text -> ruff's formatting: a re-split of unchanged content starts no process
_FORMATTED_MODULES: dict[str, str] = {}
_FORMATTED_MODULES_MAX = 256


def format_modules(texts: Sequence[str]) -> list[str | None]:
    """Ruff's formatting of each module text (None for all when ruff is missing or fails)."""
    todo = [t for t in dict.fromkeys(texts) if t not in _FORMATTED_MODULES]
    if todo:
        formatted = _run_ruff_format(todo)
        if formatted is None:
            return [_FORMATTED_MODULES.get(t) for t in texts]
        if len(_FORMATTED_MODULES) > _FORMATTED_MODULES_MAX:
            _FORMATTED_MODULES.clear()
        _FORMATTED_MODULES.update(zip(todo, formatted, strict=True))
    return [_FORMATTED_MODULES.get(t) for t in texts]


def _run_ruff_format(texts: list[str]) -> list[str] | None:
    binary = _ruff_binary()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="productionize-format-") as folder:
        paths = [Path(folder, f"module_{number}.py") for number in range(len(texts))]
        for path, text in zip(paths, texts, strict=True):
            path.write_text(text, encoding="utf-8")
        command = [
            binary,
            "format",
            "--isolated",
            "--no-cache",
            "--quiet",
            "--line-length",
            str(LINE_LENGTH),
            # black infers the target from the code; the oldest target keeps ruff conservative
            "--target-version",
            "py37",
            folder,
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=RUFF_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        if result.returncode != 0:  # a module ruff could not parse is left as it was: unusable
            return None
        return [path.read_text(encoding="utf-8") for path in paths]
