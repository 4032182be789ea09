"""Typed failures: raised only when a stage cannot go on; each carries where it happened."""

from __future__ import annotations

import re

from .model import Location

# colour and cursor escapes (IPython tracebacks are coloured); they garble logs and JSON reports
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")


def strip_ansi(text: str) -> str:
    """Remove terminal colour escapes from ``text`` (a traceback, an error value)."""
    return ANSI_ESCAPE.sub("", text)


class ProductionizeError(Exception):
    """A failure with a location; prints as ``nb.ipynb:cell 7:3: message``."""

    exit_code = 2

    def __init__(self, message: str, location: Location | str | None = None):
        if isinstance(location, str):
            location = Location(location)
        self.message = strip_ansi(message)
        self.location = location
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"

    def to_dict(self) -> dict:
        loc = self.location
        return {
            "error": type(self).__name__,
            "message": self.message,
            "path": loc.path if loc else None,
            "cell_index": loc.cell_index if loc else None,
            "cell_id": loc.cell_id if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
        }


class InputError(ProductionizeError):
    """The input is not a usable notebook (missing, unreadable, invalid JSON, wrong version)."""


class ConfigError(ProductionizeError):
    """Options or ``[tool.productionize]`` configuration are invalid."""


class SplitError(ProductionizeError):
    """The notebook cannot be split into stages (cycle, missing definition, bad tags...)."""


class OutputError(ProductionizeError):
    """The output directory cannot be written safely (user edits, not empty...)."""


class LintFailed(ProductionizeError):
    """``build`` stopped because the notebook has lint errors."""

    exit_code = 1


class VerifyError(ProductionizeError):
    """The generated pipeline does not reproduce the notebook."""

    exit_code = 1


class PublishError(ProductionizeError):
    """Publishing to the deployment repository or opening the pull request failed."""
