"""Report formats: text summary, JSON shape, SARIF 2.1.0 golden file valid against the schema.

Refresh the golden file with ``PRODUCTIONIZE_UPDATE_GOLDEN=1 pytest tests/lint/test_reports.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from productionize.adapters.linting import lint_file
from productionize.adapters.notebook_positions import read_regions
from productionize.core.report_formats import format_json, format_sarif, format_text
from productionize.core.rules import all_rules
from productionize.model import Finding, Fix, Location, Severity
from productionize.options import Options

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "lint" / "corpus.sarif"
SCHEMA = Path(__file__).with_name("sarif-schema-2.1.0.json")  # OASIS errata01 schema
CORPUS = ("hidden_state.ipynb", "secrets_in_outputs.ipynb", "magics.ipynb", "style.ipynb")


@pytest.fixture(scope="module")
def corpus_findings():
    findings = []
    for name in CORPUS:
        # relative paths keep the golden file independent of where the checkout lives
        path = os.path.relpath(ROOT / "tests" / "notebooks" / name, ROOT)
        cwd = os.getcwd()
        os.chdir(ROOT)
        try:
            findings.extend(lint_file(path, Options()))
        finally:
            os.chdir(cwd)
    return findings


def corpus_regions(findings):
    return read_regions(findings, lambda path: (ROOT / path).read_text(encoding="utf-8"))


def test_sarif_matches_golden_and_schema(corpus_findings):
    sarif = format_sarif(corpus_findings, corpus_regions(corpus_findings))
    if os.environ.get("PRODUCTIONIZE_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(sarif)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(json.loads(sarif))
    assert sarif == GOLDEN.read_text(), "run with PRODUCTIONIZE_UPDATE_GOLDEN=1 to refresh"


def test_sarif_results_point_at_cells(corpus_findings):
    log = json.loads(format_sarif(corpus_findings, corpus_regions(corpus_findings)))
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == [r.id for r in all_rules()]
    first = run["results"][0]
    assert rules[first["ruleIndex"]] == first["ruleId"]
    assert first["locations"][0]["logicalLocations"][0]["index"] == first["properties"]["cellIndex"]
    # every result with a cell has a region in the file; without regions, none is made up
    assert all("region" in r["locations"][0]["physicalLocation"] for r in run["results"])
    bare = json.loads(format_sarif(corpus_findings))["runs"][0]["results"]
    assert not any("region" in r["locations"][0]["physicalLocation"] for r in bare)


def test_schema_rejects_a_broken_log():
    schema = json.loads(SCHEMA.read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate({"version": "2.1.0", "runs": [{"results": []}]})


def test_json_round_trip(corpus_findings):
    data = json.loads(format_json(corpus_findings))
    assert len(data) == len(corpus_findings)
    assert data[0]["path"] == corpus_findings[0].location.path


def test_text_report_groups_and_summarizes():
    findings = [
        Finding("PN201", Severity.ERROR, Location("a.ipynb", 2, "c2", 3, 5), "`x` not defined"),
        Finding(
            "PN701",
            Severity.INFO,
            Location("a.ipynb", 2, "c2", 4, 1),
            "not black",
            Fix("Reformat", safe=True),
        ),
        Finding("PN803", Severity.WARNING, Location("b.ipynb", 0, None), "unknown tag"),
    ]
    text = format_text(findings, 3)
    assert text.splitlines() == [
        "a.ipynb",
        "  cell 2 (id c2)",
        "        3:5  error   PN201  `x` not defined",
        "  PN701 info: 1 cell is not black-formatted: cell 2; fix: productionize lint --fix",
        "",
        "b.ipynb",
        "  cell 0",
        "          -  warning PN803  unknown tag",
        "",
        "1 error, 1 warning, 1 info in 3 notebooks (1 fixable with --fix)",
    ]
    assert format_text([], 1) == "no problems in 1 notebook\n"
    assert format_text(findings[2:], ["a.ipynb", "b.ipynb"]).splitlines()[:2] == [
        "a.ipynb: no problems",
        "",
    ]


def test_text_report_lists_unformatted_cells_once_after_the_warnings(tmp_path):
    cells = [{"cell_type": "code", "source": "import pandas as pd", "metadata": {}}]
    cells += [{"cell_type": "code", "source": f"x{i}=[1,2]", "metadata": {}} for i in range(1, 17)]
    cells.insert(5, {"cell_type": "code", "source": "y = undefined_name + 1", "metadata": {}})
    for i, cell in enumerate(cells):
        cell.update(id=f"c{i}", execution_count=i + 1, outputs=[])
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "big.ipynb"
    path.write_text(json.dumps(nb))
    findings = lint_file(str(path), Options())
    unformatted = [f.location.cell_index for f in findings if f.rule == "PN701"]
    assert len(unformatted) == 16  # one finding per cell, as JSON, SARIF and the panel show them
    data = json.loads(format_json(findings))
    assert [d["cell_index"] for d in data if d["rule"] == "PN701"] == unformatted
    assert all(d["fix"]["safe"] for d in data if d["rule"] == "PN701")
    lines = format_text(findings, [str(path)]).splitlines()
    assert not any("  PN701  " in line for line in lines)
    listed = ", ".join(f"cell {i}" for i in unformatted)
    entry = (
        f"  PN701 info: 16 cells are not black-formatted: {listed}; fix: productionize lint --fix"
    )
    assert lines.count(entry) == 1
    assert any("PN201" in line for line in lines[: lines.index(entry)])  # the error comes first
    assert lines[lines.index(entry) + 1 :] == ["", lines[-1]]
    assert "16 info" in lines[-1] and "16 fixable with --fix" in lines[-1]


def test_readme_rule_table_lists_every_rule():
    readme = (ROOT / "README.md").read_text()
    for rule in all_rules():
        row = f"| `{rule.id}` | {rule.severity.value} | {rule.summary} | {rule.fix} |"
        assert row in readme, f"README rule table is out of date for {rule.id}"


def test_json_output_matches_the_shipped_schema(corpus_findings):
    import productionize

    schema_path = Path(productionize.__file__).parent / "schemas" / "lint-findings.schema.json"
    schema = json.loads(schema_path.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    notebook_level = Finding("PN303", Severity.INFO, Location("r.ipynb"), "not Python")
    data = json.loads(format_json([*corpus_findings, notebook_level]))
    jsonschema.Draft7Validator(schema).validate(data)
    data[0]["severity"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(data)
