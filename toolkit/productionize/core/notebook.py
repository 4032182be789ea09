"""Parse notebook text into the read-only ``Notebook`` model (nbformat v4; validated)."""

from __future__ import annotations

import json
import sys
from typing import Any

from ..errors import InputError, strip_ansi
from ..model import Cell, Location, Notebook, Output

MAX_OUTPUT_BYTES = 10 * 1024 * 1024  # one output larger than this is refused, not scanned


def parse_notebook(text: str, path: str) -> tuple[Notebook, Any]:
    """Parse and validate notebook JSON text; return the model and the nbformat node."""

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = Location(path, line=exc.lineno, column=exc.colno)
        raise InputError(
            f"not valid notebook JSON ({exc.msg}); is the file truncated?", where
        ) from None
    except RecursionError:
        raise InputError("not a usable notebook: JSON nested too deeply to read", path) from None
    return notebook_from_dict(data, path)


def notebook_from_dict(data: Any, path: str) -> tuple[Notebook, Any]:
    """Validate an already-decoded notebook dict; return the model and the nbformat node."""
    nbformat = import_nbformat()

    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise InputError("not a Jupyter notebook (no 'cells' list at the top level)", path)
    major = data.get("nbformat")
    if not isinstance(major, int):
        raise InputError("not a Jupyter notebook (missing integer 'nbformat' version)", path)
    if major < 4:
        raise InputError(
            f"nbformat v{major} notebooks are not supported; upgrade it with "
            "`jupyter nbconvert --to notebook --nbformat 4 --inplace`",
            path,
        )
    if major > 4:
        raise InputError(f"nbformat v{major} is newer than this tool understands (v4)", path)
    try:
        node = nbformat.from_dict(data)
        _check_cells_shape(node, path)
        nbformat.validate(node)
    except InputError:
        raise
    except nbformat.ValidationError as exc:
        raise InputError(
            f"invalid notebook: {_first_line(exc.message)}", _error_location(exc, path)
        ) from None
    except Exception as exc:  # nbformat raises assorted errors on malformed trees
        raise InputError(f"invalid notebook: {_first_line(str(exc))}", path) from None
    return _to_model(node, path), node


# Optional format checkers jsonschema imports when they are installed (jupyter-events pulls them
# in). The notebook schema uses no "format" keyword, so validation never calls them.
_FORMAT_CHECKER_MODULES = (
    "rfc3987_syntax",  # compiles a grammar for about a second
    "isoduration",  # imports arrow
    "fqdn",
    "idna",
    "jsonpointer",
    "rfc3339_validator",
    "rfc3986_validator",
    "uri_template",
    "webcolors",
)


def import_nbformat():
    """Import nbformat without jsonschema's optional format checkers.

    They cost ~0.3 s of import (``rfc3987_syntax`` alone about a second on a slow machine), which
    would dominate every ``productionize lint``/``split`` run; notebook validation never checks a
    ``format``. A process that imported jsonschema earlier (the Jupyter server) keeps its checkers.
    """
    if "nbformat" in sys.modules:
        return sys.modules["nbformat"]
    blocked = []
    if "jsonschema" not in sys.modules:
        blocked = [name for name in _FORMAT_CHECKER_MODULES if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # ImportError on import
    try:
        import nbformat
    finally:
        for name in blocked:
            del sys.modules[name]
    return nbformat


def _check_cells_shape(node: Any, path: str) -> None:
    cells = node.get("cells")
    if not isinstance(cells, list):
        raise InputError("invalid notebook: 'cells' is not a list", path)
    for index, cell in enumerate(cells):
        where = Location(path, index)
        if not isinstance(cell, dict):
            raise InputError("invalid notebook: cell is not an object", where)
        source = cell.get("source", "")
        if isinstance(source, list):
            if not all(isinstance(s, str) for s in source):
                raise InputError("invalid notebook: cell source is not text", where)
            cell["source"] = "".join(source)
        elif not isinstance(source, str):
            raise InputError("invalid notebook: cell source is not text", where)
        for output in cell.get("outputs", []) or []:
            size = _output_size(output)
            if size > MAX_OUTPUT_BYTES:
                raise InputError(
                    f"an output of {size / 1e6:.1f} MB is larger than the "
                    f"{MAX_OUTPUT_BYTES // (1024 * 1024)} MB limit; clear outputs first "
                    "(`jupyter nbconvert --clear-output --inplace NOTEBOOK`)",
                    where,
                )


def _output_size(output: Any) -> int:
    if not isinstance(output, dict):
        return 0
    total = 0
    for value in list(output.get("data", {}).values()) + [output.get("text", "")]:
        if isinstance(value, str):
            total += len(value)
        elif isinstance(value, list):
            total += sum(len(v) for v in value if isinstance(v, str))
    return total


def _error_location(exc: Any, path: str) -> Location:
    parts = list(getattr(exc, "absolute_path", ()) or ())
    if len(parts) >= 2 and parts[0] == "cells" and isinstance(parts[1], int):
        return Location(path, parts[1])
    return Location(path)


def _first_line(text: str, limit: int = 240) -> str:
    """The first line of a message, cut short: jsonschema messages can repr a whole cell."""
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else "unknown problem"
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _join(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return value if isinstance(value, str) else ""


def _to_output(raw: Any) -> Output:
    kind = raw.get("output_type", "")
    if kind == "stream":
        return Output(kind, _join(raw.get("text", "")))
    if kind == "error":
        return Output(
            kind,
            strip_ansi("\n".join(_join(t) for t in raw.get("traceback", []))),
            ename=raw.get("ename"),
            evalue=raw.get("evalue"),
        )
    data = raw.get("data", {}) or {}
    texts = [_join(data[m]) for m in ("text/plain", "text/html", "text/markdown") if m in data]
    html = _join(data["text/html"]) if "text/html" in data else ""
    return Output(kind, "\n".join(texts), tuple(sorted(data)), html=html)


def _to_model(node: Any, path: str) -> Notebook:
    cells = []
    for index, raw in enumerate(node.cells):
        metadata = raw.get("metadata", {}) or {}
        tags = metadata.get("tags", []) or []
        cells.append(
            Cell(
                index=index,
                cell_id=raw.get("id"),
                cell_type=raw.get("cell_type", "raw"),
                source=_join(raw.get("source", "")),
                tags=tuple(t for t in tags if isinstance(t, str)),
                execution_count=raw.get("execution_count"),
                outputs=tuple(_to_output(o) for o in raw.get("outputs", []) or []),
            )
        )
    metadata = node.get("metadata", {}) or {}
    kernelspec = metadata.get("kernelspec", {}) or {}
    language = (metadata.get("language_info", {}) or {}).get("name") or kernelspec.get("language")
    return Notebook(
        path=path,
        cells=tuple(cells),
        kernel_name=kernelspec.get("name"),
        language=language,
        nbformat_minor=node.get("nbformat_minor", 0),
    )
