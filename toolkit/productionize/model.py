"""Frozen values that cross stage boundaries.

notebook (Notebook) -> findings (Finding) -> cell graph (CellGraph) -> pipeline spec (PipelineSpec)
-> rendered files (RenderedFile). Adapters serialize them with ``to_dict``; the core never does I/O.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Any


class Severity(enum.StrEnum):
    """How bad a finding is; ordered info < warning < error."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


@dataclass(frozen=True)
class Location:
    """Where something is: a file, optionally a cell (0-based index), line and column (1-based)."""

    path: str
    cell_index: int | None = None
    cell_id: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self.path
        if self.cell_index is not None:
            text += f":cell {self.cell_index}"
            if self.line is not None:
                text += f":{self.line}"
                if self.column is not None:
                    text += f":{self.column}"
        return text

    def with_position(self, line: int | None, column: int | None = None) -> Location:
        return dataclasses.replace(self, line=line, column=column)


@dataclass(frozen=True)
class Output:
    """One cell output, reduced to what the analysis needs."""

    output_type: str  # stream | execute_result | display_data | error
    text: str = ""  # stream text, text/plain and text/html joined; error: traceback
    mime_types: tuple[str, ...] = ()
    ename: str | None = None
    evalue: str | None = None


@dataclass(frozen=True)
class Cell:
    """One notebook cell as the pipeline sees it."""

    index: int
    cell_id: str | None
    cell_type: str  # code | markdown | raw
    source: str
    tags: tuple[str, ...] = ()
    execution_count: int | None = None
    outputs: tuple[Output, ...] = ()

    @property
    def is_code(self) -> bool:
        return self.cell_type == "code"


@dataclass(frozen=True)
class Notebook:
    """A validated nbformat v4 notebook, read-only."""

    path: str
    cells: tuple[Cell, ...]
    kernel_name: str | None = None
    language: str | None = None
    nbformat_minor: int = 5

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.is_code)

    def location(
        self, cell: Cell | None = None, line: int | None = None, column: int | None = None
    ) -> Location:
        if cell is None:
            return Location(self.path)
        return Location(self.path, cell.index, cell.cell_id, line, column)


@dataclass(frozen=True)
class CellEdit:
    """One change to one cell; applied through nbformat (CLI) or the notebook model (front-end)."""

    cell_index: int
    cell_id: str | None = None
    new_source: str | None = None  # replace the whole source
    clear_outputs: bool = False
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fix:
    """How to resolve a finding; ``safe`` fixes are applied by ``lint --fix``."""

    description: str
    safe: bool = False
    edits: tuple[CellEdit, ...] = ()
    requirements: tuple[str, ...] = ()  # requirement lines the fix moves out of the notebook


@dataclass(frozen=True)
class Finding:
    """One lint problem: rule id, severity, where, what, and how to fix it."""

    rule: str
    severity: Severity
    location: Location
    message: str
    fix: Fix | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.rule} [{self.severity.value}] {self.message}"


@dataclass(frozen=True)
class RenderedFile:
    """A file of the generated project: a path relative to the output root and its text."""

    path: str
    content: str
    executable: bool = False


def to_dict(value: Any) -> Any:
    """Turn a tree of model values into JSON-ready data (adapters only)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_dict(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [to_dict(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(to_dict(v) for v in value)
    if isinstance(value, dict):
        return {str(k): to_dict(v) for k, v in value.items()}
    return value


__all__ = [
    "Cell",
    "CellEdit",
    "Finding",
    "Fix",
    "Location",
    "Notebook",
    "Output",
    "RenderedFile",
    "Severity",
    "to_dict",
]
