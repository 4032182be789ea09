"""Where a cell's source lines sit in the notebook file's JSON text (for SARIF regions).

Findings say "cell 3, line 2, column 5"; a code-scanning UI shows the ``.ipynb`` file as text, so
SARIF needs the line and column of that character in the JSON. nbformat writes a cell's source as
a list of strings, one JSON string per source line, so each source line usually sits on its own
line of the file. The file is walked once: only the ``cells[*].source`` strings are located
(everything else is skipped with the C decoder), then positions are read off the raw text.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..core.report_formats import FileRegion
from ..model import Finding, Location

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_SCANSTRING = json.decoder.scanstring


@dataclass(frozen=True)
class _Token:
    """One JSON string of a cell's source: where its opening quote is, and its decoded text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Cell:
    start: int  # offset of the cell's "{"
    source: tuple[_Token, ...]


class NotebookPositions:
    """Line/column of cell-relative positions in one notebook file's text."""

    def __init__(self, text: str):
        self._text = text
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self._cells = _locate_cells(text)

    def region(self, location: Location) -> FileRegion | None:
        """The file position of a finding's location; None when it names no cell of this file."""
        index = location.cell_index
        if index is None or not 0 <= index < len(self._cells):
            return None
        cell = self._cells[index]
        if location.line is None or not cell.source:
            return FileRegion(*self._line_column(cell.start))
        starts = _line_starts(cell.source)
        token_index, offset = starts[min(max(location.line, 1), len(starts)) - 1]
        token = cell.source[token_index]
        line, column = self._line_column(token.start)
        if location.column is None or location.line > len(starts):
            return FileRegion(line, None)
        target = offset + location.column - 1
        if target > len(token.text):  # the source line goes on in the next JSON string
            return FileRegion(line, None)
        raw = _raw_offset(self._text, token, target)
        return FileRegion(line, column + (raw - token.start))

    def _line_column(self, offset: int) -> tuple[int, int]:
        """1-based line and code-point column of a character offset."""
        line = bisect_right(self._newlines, offset - 1)
        line_start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - line_start + 1


def read_regions(
    findings: Iterable[Finding], read_text: Callable[[str], str] | None = None
) -> dict[Location, FileRegion]:
    """File regions of the findings' locations, reading each notebook once.

    A notebook that cannot be read again, or whose JSON cannot be walked, gets no regions (its
    results then name the file and the cell only).
    """
    read = read_text or (lambda path: Path(path).read_text(encoding="utf-8"))
    files: dict[str, NotebookPositions | None] = {}
    regions: dict[Location, FileRegion] = {}
    for finding in findings:
        location = finding.location
        path = location.path
        try:
            if path not in files:
                files[path] = None  # stays so when the file cannot be read or walked
                files[path] = NotebookPositions(read(path))
            positions = files[path]
            region = positions.region(location) if positions else None
        except (OSError, UnicodeDecodeError, ValueError, IndexError, RecursionError):
            region = None
        if region is not None:
            regions[location] = region
    return regions


def _line_starts(tokens: tuple[_Token, ...]) -> list[tuple[int, int]]:
    """(token index, offset in its text) where each source line starts."""
    starts = [(0, 0)]
    for i, token in enumerate(tokens):
        for match in re.finditer("\n", token.text):
            if match.end() < len(token.text):
                starts.append((i, match.end()))
            elif i + 1 < len(tokens):
                starts.append((i + 1, 0))
    return starts


def _raw_offset(text: str, token: _Token, decoded: int) -> int:
    """Offset in the file of the ``decoded``-th character of a JSON string token."""
    i, n = token.start + 1, 0
    while n < decoded and i < token.end:
        if text[i] != "\\":
            i += 1
        elif text[i + 1] != "u":
            i += 2
        elif _is_surrogate_pair(text, i):
            i += 12  # one code point written as two \\u escapes
        else:
            i += 6
        n += 1
    return i


def _is_surrogate_pair(text: str, i: int) -> bool:
    return (
        0xD800 <= int(text[i + 2 : i + 6], 16) < 0xDC00
        and text[i + 6 : i + 8] == "\\u"
        and 0xDC00 <= int(text[i + 8 : i + 12], 16) < 0xE000
    )


def _space(text: str, i: int) -> int:
    return _SPACE.match(text, i).end()


def _skip(text: str, i: int) -> int:
    return _DECODER.raw_decode(text, i)[1]


def _members(text: str, i: int, value: Callable[[str, int], int]) -> int:
    """Walk the object at ``i``; ``value(key, offset)`` reads each value, returns its end."""
    if text[i] != "{":
        return _skip(text, i)
    i = _space(text, i + 1)
    if text[i] == "}":
        return i + 1
    while True:
        key, i = _SCANSTRING(text, i + 1)
        i = _space(text, i)
        if text[i] != ":":
            raise ValueError("expected ':'")
        i = _space(text, value(key, _space(text, i + 1)))
        if text[i] == "}":
            return i + 1
        if text[i] != ",":
            raise ValueError("expected ',' or '}'")
        i = _space(text, i + 1)


def _items(text: str, i: int, item: Callable[[int], int]) -> int:
    """Walk the array at ``i``; ``item(offset)`` reads each element, returns its end."""
    if text[i] != "[":
        return _skip(text, i)
    i = _space(text, i + 1)
    if text[i] == "]":
        return i + 1
    while True:
        i = _space(text, item(i))
        if text[i] == "]":
            return i + 1
        if text[i] != ",":
            raise ValueError("expected ',' or ']'")
        i = _space(text, i + 1)


def _locate_cells(text: str) -> list[_Cell]:
    cells: list[_Cell] = []

    def string(found: list[_Token]) -> Callable[[int], int]:
        def read(i: int) -> int:
            if text[i] != '"':
                return _skip(text, i)
            decoded, end = _SCANSTRING(text, i + 1)
            found.append(_Token(i, end, decoded))
            return end

        return read

    def cell(i: int) -> int:
        source: list[_Token] = []

        def value(key: str, j: int) -> int:
            if key != "source":
                return _skip(text, j)
            source.clear()
            return string(source)(j) if text[j] == '"' else _items(text, j, string(source))

        end = _members(text, i, value)
        cells.append(_Cell(i, tuple(source)))
        return end

    def top(key: str, i: int) -> int:
        if key != "cells":
            return _skip(text, i)
        cells.clear()
        return _items(text, i, cell)

    _members(text, _space(text, 0), top)
    return cells
