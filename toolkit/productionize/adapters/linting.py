"""Lint notebooks from disk: core rules plus one ruff process per notebook; ``--fix`` writes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.lint import lint, parse_cells
from ..core.rules import LintContext
from ..core.rules.style import (
    RUFF_IGNORE,
    RUFF_SELECT,
    findings_from_ruff,
    format_candidates,
    ruff_source,
)
from ..errors import ConfigError, OutputError
from ..model import Finding, Notebook
from ..options import Options, options_from_config
from .atomic import write_text_atomic
from .notebook_io import read_notebook

RUFF_TIMEOUT = 60  # seconds; ruff takes milliseconds, this only guards against a hung binary
MAX_FIX_ROUNDS = 10  # each round applies at most one source edit per cell
UNPARSEABLE = "PN302"  # a cell that does not parse makes the notebook bad input (exit 2)


def lint_notebook(notebook: Notebook, options: Options) -> list[Finding]:
    """Lint an in-memory notebook: core rules + ruff, sorted by cell/line/rule.

    The two ruff processes (``check`` for PN702-PN704, ``format`` for PN701's pre-filter) run
    while the core rules do: each is waited for only when its answer is read (the formatting by
    PN701, the diagnostics after the last rule), so their few milliseconds overlap our Python.
    """
    parsed = parse_cells(notebook)
    jobs: list[_Background] = []
    external: Iterable[Finding] = ()
    if any(options.rule_enabled(r) for r in ("PN702", "PN703", "PN704")):
        ctx = LintContext(notebook, options, parsed)
        source = ruff_source(parsed)
        if source.text.strip():
            if _ruff_binary() is None:  # before any work, as when ruff ran first
                raise ConfigError("ruff is not installed; install it or --ignore PN702,PN703,PN704")
            check = _Background(run_ruff, source.text, options)
            jobs.append(check)
            external = _ruff_findings(ctx, source, check)
    preformatted = None
    if options.rule_enabled("PN701"):
        candidates = format_candidates(parsed)
        if all((c, options.line_length) in _RUFF_FORMATTED for c in candidates):
            preformatted = ruff_formatted(candidates, options.line_length)  # nothing to run
        elif _ruff_binary() is not None:  # else None: black checks every cell
            formatting = _Background(ruff_formatted, candidates, options.line_length)
            jobs.append(formatting)
            preformatted = _Pending(formatting)
    try:
        return lint(notebook, options, parsed, external, preformatted)
    finally:
        for job in jobs:
            job.join()  # a rule that raised leaves no ruff process behind


class _Background:
    """``function(*args)`` in a thread (it waits on a child process); ``result()`` joins it."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(function, args), daemon=True)
        self._thread.start()

    def _run(self, function: Callable[..., Any], args: tuple) -> None:
        try:
            self._value = function(*args)
        except BaseException as exc:  # re-raised in the caller's thread by result()
            self._error = exc

    def join(self) -> None:
        self._thread.join()

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _ruff_findings(ctx: LintContext, source, check: _Background) -> Iterator[Finding]:
    yield from findings_from_ruff(ctx, source, check.result())


class _Pending(Mapping):
    """ruff's formatting of the cells (``ruff_formatted``), waited for at the first lookup."""

    def __init__(self, job: _Background) -> None:
        self._job = job
        self._formatted: Mapping[str, str | None] | None = None

    def _answer(self) -> Mapping[str, str | None]:
        if self._formatted is None:
            self._formatted = self._job.result() or {}
        return self._formatted

    def __getitem__(self, source: str) -> str | None:
        return self._answer()[source]

    def __contains__(self, source: object) -> bool:
        return source in self._answer()

    def __iter__(self) -> Iterator[str]:
        return iter(self._answer())

    def __len__(self) -> int:
        return len(self._answer())


def lint_file(path: str | os.PathLike, options: Options) -> list[Finding]:
    """Read a notebook file (InputError if it is not one) and lint it."""
    notebook, _ = read_notebook(path)
    return lint_notebook(notebook, options)


_FOUND_RUFF: list[str] = []  # the binary once found (finding it reads sysconfig: ~0.4 ms a time)


def _ruff_binary() -> str | None:
    if _FOUND_RUFF and os.path.exists(_FOUND_RUFF[0]):
        return _FOUND_RUFF[0]
    try:
        from ruff.__main__ import find_ruff_bin

        found = os.fsdecode(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("ruff")
    _FOUND_RUFF[:] = [found] if found else []  # not found: looked for again next time
    return found


def run_ruff(text: str, options: Options) -> list[dict[str, Any]]:
    """Check one Python text with ruff (stdin, isolated from any config); return its diagnostics."""
    binary = _ruff_binary()
    if binary is None:
        raise ConfigError("ruff is not installed; install it or --ignore PN702,PN703,PN704")
    command = [
        binary,
        "check",
        "--isolated",
        "--no-cache",
        "--quiet",
        "--exit-zero",
        "--output-format",
        "json",
        "--target-version",
        "py311",
        "--line-length",
        str(options.line_length),
        "--select",
        ",".join(RUFF_SELECT),
        "--ignore",
        ",".join(RUFF_IGNORE),
        "--stdin-filename",
        "notebook.py",
        "-",
    ]
    try:
        result = subprocess.run(
            command, input=text, capture_output=True, text=True, timeout=RUFF_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"could not run ruff: {exc}") from None
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise ConfigError(f"ruff failed: {detail}")
    try:
        return json.loads(result.stdout or "[]")
    except json.JSONDecodeError:
        raise ConfigError("ruff printed output that is not JSON") from None


# (cell source, line length) -> ruff's formatting of the cell: a re-lint after an edit formats only
# the edited cells (one process for them, none if nothing changed)
_RUFF_FORMATTED: dict[tuple[str, int], str] = {}
_RUFF_FORMATTED_MAX = 4096
MAX_FORMAT_ATTEMPTS = 3  # a cell ruff cannot parse is left to black and the rest formatted again


def ruff_formatted(sources: list[str], line_length: int) -> dict[str, str | None] | None:
    """Ruff's formatting of each cell source, in one ``ruff format`` process for the notebook.

    Only a pre-filter for PN701: black formats every cell this leaves out (None: ruff could not
    parse it) or changes. None when ruff is not installed (black then checks every cell).
    """
    result: dict[str, str | None] = {}
    todo = []
    for source in sources:
        known = _RUFF_FORMATTED.get((source, line_length))
        if known is None:
            todo.append(source)
        else:
            result[source] = known
    if not todo:
        return result
    binary = _ruff_binary()
    if binary is None:
        return None
    for _ in range(MAX_FORMAT_ATTEMPTS):
        formatted, refused = _run_ruff_format(binary, todo, line_length)
        if formatted is not None:
            if len(_RUFF_FORMATTED) > _RUFF_FORMATTED_MAX:
                _RUFF_FORMATTED.clear()
            for source, text in zip(todo, formatted, strict=True):
                _RUFF_FORMATTED[(source, line_length)] = text
                result[source] = text
            return result
        if refused is None:
            break
        result[todo.pop(refused)] = None
        if not todo:
            return result
    for source in todo:
        result[source] = None
    return result


def _run_ruff_format(
    binary: str, sources: list[str], line_length: int
) -> tuple[list[str] | None, int | None]:
    """Format ``sources`` as the cells of one notebook: (formatted cells, None) or (None, the
    position of the cell ruff could not parse, if it said which)."""
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"c{position}",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
            for position, source in enumerate(sources)
        ],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    command = [
        binary,
        "format",
        "--isolated",
        "--no-cache",
        "--line-length",
        str(line_length),
        # black infers the target from the code; the oldest target keeps ruff as conservative
        "--target-version",
        "py37",
        "--stdin-filename",
        "notebook.ipynb",
        "-",
    ]
    try:
        result = subprocess.run(
            command,
            input=json.dumps(notebook),
            capture_output=True,
            text=True,
            timeout=RUFF_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None, None
    if result.returncode != 0:
        match = re.search(r"notebook\.ipynb:(\d+):", result.stderr)
        cell = int(match.group(1)) - 1 if match else -1
        return None, cell if 0 <= cell < len(sources) else None
    try:
        cells = json.loads(result.stdout)["cells"]
        formatted = ["".join(c["source"]) for c in cells]
    except (ValueError, KeyError, TypeError):
        return None, None
    return (formatted, None) if len(formatted) == len(sources) else (None, None)


def find_pyproject(start_path: str | os.PathLike) -> Path | None:
    """The nearest ``pyproject.toml`` in ``start_path``'s folder or any parent."""
    start = Path(start_path).resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


def load_options(
    start_path: str | os.PathLike, base: Options | None = None, config: str | None = None
) -> Options:
    """Options from ``[tool.productionize]`` of the nearest pyproject.toml (or ``config``)."""
    path = Path(config) if config else find_pyproject(start_path)
    if path is None:
        return base or Options()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("configuration file not found", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read configuration: {exc}", str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", str(path)) from None
    tool = data.get("tool", {})
    table = tool.get("productionize", {})
    if not isinstance(table, dict):
        raise ConfigError("[tool.productionize] must be a table", str(path))
    black_length = (tool.get("black") or {}).get("line-length")
    if isinstance(black_length, int) and not {"line_length", "line-length"} & set(table):
        table = {**table, "line_length": black_length}  # the project's black settings win
    try:
        return options_from_config(table, base)
    except ConfigError as exc:
        raise ConfigError(exc.message, str(path)) from None


@dataclass(frozen=True)
class FixResult:
    """What ``fix_file`` did: the fixes applied, requirements added, findings that remain."""

    path: str
    applied: tuple[Finding, ...]
    requirements_added: tuple[str, ...]
    remaining: tuple[Finding, ...]


def fix_file(path: str | os.PathLike, options: Options) -> FixResult:
    """Apply safe fixes until none is left, then write the notebook (and requirements) atomically.

    Nothing is written when a cell does not parse (the findings say which).
    """
    import nbformat

    from ..core.fixes import apply_fixes
    from ..core.notebook import notebook_from_dict

    notebook, node = read_notebook(path)
    findings = lint_notebook(notebook, options)
    applied: list[Finding] = []
    if any(f.rule == UNPARSEABLE for f in findings):
        # a cell that does not parse is bad input: report it, write nothing
        return FixResult(str(path), (), (), tuple(findings))
    for _ in range(MAX_FIX_ROUNDS):
        node, round_applied = apply_fixes(node, findings)
        if not round_applied:
            break
        applied.extend(round_applied)
        notebook, node = notebook_from_dict(node, str(path))
        findings = lint_notebook(notebook, options)
    if any(f.rule == UNPARSEABLE for f in findings):
        raise OutputError(
            "a fix produced a cell that does not parse (please report this); nothing written",
            str(path),
        )
    added: tuple[str, ...] = ()
    if applied:
        requirements = [r for f in applied if f.fix for r in f.fix.requirements]
        if requirements:
            added = add_requirements(Path(path).parent / "requirements.txt", requirements)
        write_text_atomic(path, nbformat.writes(nbformat.from_dict(node)) + "\n")
    return FixResult(str(path), tuple(applied), added, tuple(findings))


def _requirement_name(line: str) -> str:
    name = line.split(";")[0].strip()
    for sep in ("[", "=", "<", ">", "!", "~", " ", "@"):
        name = name.split(sep)[0]
    return name.lower().replace("_", "-")


def add_requirements(path: Path, requirements: list[str]) -> tuple[str, ...]:
    """Append requirement lines to ``path`` (atomically), skipping packages already listed."""
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    present = {_requirement_name(line) for line in existing.splitlines() if line.strip()}
    added: list[str] = []
    for requirement in requirements:
        name = _requirement_name(requirement)
        if name and name not in present:
            present.add(name)
            added.append(requirement)
    if added:
        prefix = existing if not existing or existing.endswith("\n") else existing + "\n"
        write_text_atomic(path, prefix + "".join(f"{r}\n" for r in added))
    return tuple(added)


def remove_requirements(
    path: Path, requirements: list[str], *, delete_if_empty: bool = False
) -> tuple[str, ...]:
    """Take back lines ``add_requirements`` appended (an undone fix): the last line equal to each.

    A line edited since (``seaborn`` -> ``seaborn==0.13``) is the user's and stays. With
    ``delete_if_empty`` (the fix created the file), a file left without requirements goes too.
    """
    if not path.is_file():
        return ()
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    removed: list[str] = []
    for requirement in requirements:
        wanted = requirement.strip()
        at = next((i for i in reversed(range(len(lines))) if lines[i].strip() == wanted), None)
        if wanted and at is not None:
            del lines[at]
            removed.append(wanted)
    if not removed:
        return ()
    text = "".join(lines)
    if delete_if_empty and not text.strip():
        path.unlink()
    else:
        write_text_atomic(path, text)
    return tuple(removed)
