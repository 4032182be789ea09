"""What a failed ``ploomber build`` says: the task, the exception, and the notebook cell it came from.

ploomber ends its output with a summary of the DAG ("PythonCallable: train -> MetaProduct(...)",
"DAG build failed"), which names neither the error nor where it happened; the traceback above it
does. The generated stage modules keep the notebook's statements (black-formatted), so the
failing line of ``src/<package>/<stage>.py`` is found again in the stage's cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import strip_ansi

_TASK = re.compile(r'Error building task "([^"]+)"')
_FRAME = re.compile(r'File "([^"]*[/\\]src[/\\][^"/\\]+[/\\](\w+)\.py)", line (\d+)')
_EXCEPTION = re.compile(
    r"^((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Warning|Exit))(?::\s*(.*))?$"
)


@dataclass(frozen=True)
class PipelineFailure:
    """Where and why the generated pipeline failed (each part None when the output lacks it)."""

    task: str | None
    error: str | None  # "ValueError: empty vocabulary; ..."
    module_line: tuple[str, int] | None  # ("train", 12): src/<package>/train.py line 12
    source_line: str | None  # the text of that line in the module
    cell: int | None = None
    line: int | None = None

    def describe(self, package: str) -> str:
        """One line: task, error, and the module and notebook positions."""
        where = []
        if self.module_line:
            where.append(f"src/{package}/{self.module_line[0]}.py line {self.module_line[1]}")
        if self.cell is not None:
            where.append(f"notebook cell {self.cell}" + (f" line {self.line}" if self.line else ""))
        text = "ploomber build failed"
        if self.task:
            text += f" in task {self.task}"
        if where:
            text += f" ({', '.join(where)})"
        return text + (f": {self.error}" if self.error else "")


def read_pipeline_failure(output: str, module_lines: dict[str, list[str]]) -> PipelineFailure:
    """Find the failing task, the user's exception and its line in ``ploomber build`` output.

    ``module_lines`` maps a stage module's name (``train``) to its source lines, to quote the
    failing line.
    """
    lines = [line.rstrip() for line in strip_ansi(output).splitlines()]
    task = None
    for line in lines:
        found = _TASK.search(line)
        if found:
            task = found.group(1)
            break
    error = None
    for line in lines:
        found = _EXCEPTION.match(line.strip())
        if found and not found.group(1).startswith("ploomber."):
            error = line.strip()
            break  # the first one is the user's: later ones are ploomber re-raising it
    module_line = None
    for line in lines:
        found = _FRAME.search(line)
        if found and found.group(2) in module_lines:
            module_line = (found.group(2), int(found.group(3)))  # the innermost frame wins
    source = None
    if module_line:
        text = module_lines[module_line[0]]
        if 0 < module_line[1] <= len(text):
            source = text[module_line[1] - 1].strip()
    return PipelineFailure(task, error, module_line, source)


def locate_in_cells(
    failure: PipelineFailure, cells: dict[int, str], stage_cells: dict[str, tuple[int, ...]]
) -> PipelineFailure:
    """Add the notebook cell (and line) of the failing statement, searched in its stage's cells."""
    stage = failure.module_line[0] if failure.module_line else failure.task
    candidates = stage_cells.get(stage or "", ())
    if not candidates:
        return failure
    if failure.source_line:
        wanted = _normalized(failure.source_line)
        for index in candidates:
            for number, text in enumerate(cells.get(index, "").splitlines(), start=1):
                if wanted and _normalized(text) == wanted:
                    return _with(failure, index, number)
    if len(candidates) == 1:
        return _with(failure, candidates[0], None)
    return failure


def _with(failure: PipelineFailure, cell: int, line: int | None) -> PipelineFailure:
    return PipelineFailure(
        failure.task, failure.error, failure.module_line, failure.source_line, cell, line
    )


def _normalized(text: str) -> str:
    """The line without spaces, comments and quote style (black reformats the notebook's)."""
    text = text.split("  #")[0].split(" #")[0]
    return re.sub(r"\s+", "", text).replace("'", '"').rstrip(",;")
