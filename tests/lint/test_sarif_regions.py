"""SARIF regions are lines and columns of the .ipynb file's JSON text, not of the cell.

A code-scanning UI shows the notebook file as text: a result must point at the line of the file
where the cell's source line sits, and at the column of the character inside that JSON string.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import nbformat
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.notebook_positions import NotebookPositions, read_regions
from productionize.model import Finding, Location, Severity
from tests.conftest import make_notebook

SCHEMA = json.loads(Path(__file__).with_name("sarif-schema-2.1.0.json").read_text())
SOURCES = [
    "import pandas as pd\ndf = pd.read_csv('data.csv')\n",
    "x = 1",
    "",
    "name = 'café ☕ \"quoted\"\\t'\nπ = 3.14  # ünïcode\n\tindented = '\U0001f600 emoji'",
    "# markdown-like text\n\n\nafter three breaks",
]


def notebook(sources=SOURCES):
    nb = make_notebook(*sources)
    nb.cells.insert(2, nbformat.v4.new_markdown_cell("# A heading\nwith two lines"))
    return nb


def written(nb, *, ensure_ascii: bool, as_lists: bool = True, newline: str = "\n") -> str:
    """The file text the way different writers produce it."""
    data = json.loads(nbformat.writes(nb))
    if not as_lists:  # some tools write each source as one string
        for cell in data["cells"]:
            cell["source"] = "".join(cell["source"])
    text = json.dumps(data, indent=1, ensure_ascii=ensure_ascii) + "\n"
    return text.replace("\n", newline)


def every_position(nb):
    """(cell index, line, column, the character there) for every character of every cell."""
    for index, cell in enumerate(nb.cells):
        for number, text in enumerate(cell.source.split("\n"), start=1):
            for column, char in enumerate(text, start=1):
                yield index, number, column, char


@pytest.mark.parametrize(
    "ensure_ascii, newline", [(True, "\n"), (False, "\n"), (False, "\r\n")], ids=str
)
def test_every_source_character_maps_to_its_place_in_the_json(ensure_ascii, newline):
    nb = notebook()
    text = written(nb, ensure_ascii=ensure_ascii, newline=newline)
    positions = NotebookPositions(text)
    file_lines = text.split("\n")
    checked = 0
    for index, number, column, char in every_position(nb):
        region = positions.region(Location("nb.ipynb", index, None, number, column))
        rest = file_lines[region.line - 1][region.column - 1 :]
        escaped = json.dumps(char, ensure_ascii=ensure_ascii)[1:-1]
        assert rest.startswith(escaped), (index, number, column, char, rest)
        checked += 1
    assert checked > 100


def test_each_source_line_is_on_its_own_line_of_the_file():
    nb = notebook()
    text = written(nb, ensure_ascii=True)
    positions = NotebookPositions(text)
    lines = text.split("\n")
    first = positions.region(Location("nb.ipynb", 0, None, 1, None))
    second = positions.region(Location("nb.ipynb", 0, None, 2, None))
    assert second.line == first.line + 1
    assert lines[second.line - 1].strip() == "\"df = pd.read_csv('data.csv')\\n\""
    # the markdown cell's second line (PN503 finds secrets in markdown too)
    heading = positions.region(Location("nb.ipynb", 2, None, 2, 1))
    assert lines[heading.line - 1][heading.column - 1 :] == 'with two lines"'
    # empty lines inside a cell keep their own line of the file
    after = positions.region(Location("nb.ipynb", 5, None, 4, 1))
    assert lines[after.line - 1].strip() == '"after three breaks"'


def test_single_string_sources_map_to_the_column_inside_the_string():
    nb = notebook()
    text = written(nb, ensure_ascii=True, as_lists=False)
    positions = NotebookPositions(text)
    region = positions.region(Location("nb.ipynb", 0, None, 2, 6))
    line = text.split("\n")[region.line - 1]
    assert line[region.column - 1 :].startswith("pd.read_csv(")


def test_whole_cell_and_unknown_locations():
    nb = notebook()
    text = written(nb, ensure_ascii=True)
    positions = NotebookPositions(text)
    lines = text.split("\n")
    whole = positions.region(Location("nb.ipynb", 1, "cell-1"))
    assert lines[whole.line - 1].strip() == "{" and whole.column is not None
    assert lines[whole.line]  # the cell object starts here: its keys follow
    empty = positions.region(Location("nb.ipynb", 3, None, 1, 1))  # the cell with no source
    assert lines[empty.line - 1].strip() == "{"
    # a line past the end of the cell points at its last line, without a column
    past = positions.region(Location("nb.ipynb", 1, None, 9, 1))
    assert past.column is None and lines[past.line - 1].strip() == '"x = 1"'
    assert positions.region(Location("nb.ipynb")) is None  # notebook-level finding
    assert positions.region(Location("nb.ipynb", 99, None, 1, 1)) is None


def test_unreadable_or_odd_files_give_no_regions(tmp_path):
    findings = [
        Finding(
            "PN201", Severity.ERROR, Location(str(tmp_path / "gone.ipynb"), 0, None, 1, 1), "m"
        ),
        Finding("PN201", Severity.ERROR, Location(str(tmp_path / "bad.ipynb"), 0, None, 1, 1), "m"),
    ]
    (tmp_path / "bad.ipynb").write_text('{"cells": [{"source": [1, ')
    assert read_regions(findings) == {}


def test_lint_sarif_points_at_the_ipynb_lines(tmp_path, monkeypatch):
    nb = make_notebook(
        "import pandas as pd",
        "df = pd.read_csv('data.csv')\nclean = clean_columns(df)",
        "def clean_columns(frame):\n    return frame",
        executed=True,
    )
    monkeypatch.chdir(tmp_path)
    Path("nb.ipynb").write_text(nbformat.writes(nb))
    result = CliRunner().invoke(main, ["lint", "nb.ipynb", "--format", "sarif"])
    assert result.exit_code == 1, result.output
    log = json.loads(result.output)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    used = next(r for r in results if r["ruleId"] == "PN201")
    region = used["locations"][0]["physicalLocation"]["region"]
    line = Path("nb.ipynb").read_text().split("\n")[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 :].startswith("clean_columns(df)")
    assert used["properties"]["cellIndex"] == 1
    assert (used["properties"]["cellLine"], used["properties"]["cellColumn"]) == (2, 9)
    assert used["locations"][0]["logicalLocations"][0]["index"] == 1


@pytest.mark.parametrize(
    "path, uri",
    [
        ("tests/notebooks/style.ipynb", "tests/notebooks/style.ipynb"),
        ("Copy of churn (1).ipynb", "Copy%20of%20churn%20(1).ipynb"),  # Colab's copies
        ("team work/100% café.ipynb", "team%20work/100%25%20caf%C3%A9.ipynb"),
        ("/home/ann/nb.ipynb", "file:///home/ann/nb.ipynb"),
        ("C:\\Users\\ann\\nb.ipynb", "file:///C:/Users/ann/nb.ipynb"),
        ("a:b.ipynb", "./a:b.ipynb"),
    ],
)
def test_artifact_uris_are_uri_references(path, uri):
    from productionize.core.report_formats import artifact_uri

    assert artifact_uri(path) == uri


def test_a_notebook_name_with_spaces_keeps_its_regions(tmp_path, monkeypatch):
    nb = make_notebook("import os\nx = undefined_name")
    monkeypatch.chdir(tmp_path)
    Path("Copy of nb.ipynb").write_text(nbformat.writes(nb))
    result = CliRunner().invoke(main, ["lint", "Copy of nb.ipynb", "--format", "sarif"])
    log = json.loads(result.output)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    found = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "PN201")
    physical = found["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "Copy%20of%20nb.ipynb"
    line = Path("Copy of nb.ipynb").read_text().split("\n")[physical["region"]["startLine"] - 1]
    assert line[physical["region"]["startColumn"] - 1 :].startswith("undefined_name")
