"""The pull-request description (pure): what a reviewer reads."""

from __future__ import annotations

from productionize.core.review import (
    describe_pull_request,
    mermaid_from_stages,
    notebook_introduction,
)

REPORT = {
    "tool_version": "0.1.0",
    "notebook": {"path": "examples/churn_classifier.ipynb", "sha256": "ab" * 32},
    "description": "Predicts which customers will churn next month.",
    "stages": [
        {"name": "load", "cells": [1], "inputs": [], "outputs": ["raw"]},
        {"name": "clean", "cells": [2, 3], "inputs": ["raw"], "outputs": ["X", "y"]},
        {"name": "train", "cells": [4], "inputs": ["X", "y"], "outputs": ["model"]},
        {"name": "predict", "cells": [5], "inputs": ["model"], "outputs": []},
    ],
    "findings": [
        {"rule": "PZ101", "severity": "error", "message": "a|b", "location": {"cell_index": 2}},
        {"rule": "PZ301", "severity": "warning", "message": "unseeded", "location": "nb:cell 4"},
    ],
    "verify": {"stages": [{"name": "clean", "equal": True}, {"name": "train", "equal": False}]},
    "metrics": {"accuracy": 0.9, "f1": 0.5},
}


def test_title_and_sections_for_a_full_report():
    title, body = describe_pull_request(REPORT, subdir="svc", files=["requirements.txt"])
    assert title == "Productionize churn_classifier (notebook abababababab)"
    assert body.index("## What this notebook does") < body.index("## Pipeline")
    assert "Predicts which customers will churn next month." in body
    assert "4 stages, `load` → `clean` → `train` → `predict`" in body
    assert "| clean | 2, 3 | `raw` | `X`, `y` |" in body
    assert "2 open (1 error, 1 warning)." in body
    assert "| error | `PZ101` | cell 2 | a\\|b |" in body  # pipes escaped inside tables
    assert "| train | – | divergent |" in body and "Result: **divergent**" in body
    assert "No previous version to compare with." in body and "| accuracy | 0.9 |" in body
    assert "cd svc\n" in body and "pip install -r requirements.txt" in body
    assert "pytest" not in body.split("## How to run the tests")[1].split("---")[0]


def test_metrics_are_compared_with_the_previous_version():
    previous = dict(REPORT, metrics={"accuracy": 0.8, "recall": 0.7}, notebook={"sha256": "cd"})
    _, body = describe_pull_request(REPORT, previous)
    assert "| accuracy | 0.8 | 0.9 | +0.1 (+12.5%) |" in body
    assert "| f1 | – | 0.5 | new |" in body
    assert "| recall | 0.7 | – | removed |" in body
    assert "The notebook changed since the previous version" in body


def test_missing_sections_are_tolerated():
    title, body = describe_pull_request({})
    assert title == "Productionize notebook"
    assert "Generated from `notebook.ipynb`." in body
    assert "## Faithfulness check" in body and "Not run for this version" in body
    assert "## Pipeline" not in body and "## Model metrics" not in body
    _, clean = describe_pull_request({"findings": []})
    assert "None: the notebook passes every enabled lint rule." in clean


def test_report_mermaid_is_used_verbatim_and_stages_draw_one_otherwise():
    _, body = describe_pull_request(dict(REPORT, mermaid="flowchart TD\n  a --> b"))
    assert "```mermaid\nflowchart TD\n  a --> b\n```" in body
    drawn = mermaid_from_stages(REPORT["stages"])
    assert drawn.splitlines()[0] == "flowchart LR"
    assert '    s1 -->|"X, y"| s2' in drawn
    assert '    s0 -->|"raw"| s1' in drawn


def test_description_is_deterministic():
    assert describe_pull_request(REPORT) == describe_pull_request(REPORT)


def test_split_verify_report_shape():
    verify = {
        "ok": False,
        "checks": [
            {
                "stage": "train",
                "name": "model",
                "status": "nondeterministic",
                "detail": "seeds",
                "rule": "PN301",
            },
            {
                "stage": "predict",
                "name": "predictions",
                "status": "divergent",
                "detail": "3 of 100 differ",
                "rule": None,
            },
        ],
    }
    _, body = describe_pull_request(dict(REPORT, verify=verify))
    assert "Result: **divergent**" in body
    assert "| train | `model` | nondeterministic | seeds (`PN301`) |" in body
    assert "| predict | `predictions` | divergent | 3 of 100 differ |" in body
    _, ok = describe_pull_request(dict(REPORT, verify={"ok": True, "checks": []}))
    assert "reproduces the notebook" in ok


def test_notebook_introduction_demotes_headings_and_is_bounded():
    text = notebook_introduction(["# Customer churn\n\nPredict who leaves.", "", "## Data"])
    assert text == "**Customer churn**\n\nPredict who leaves.\n\n**Data**"
    assert notebook_introduction([]) is None
    assert len(notebook_introduction(["word " * 1000])) <= 1202


def test_ci_workflows_in_a_subdirectory_are_flagged():
    files = ["requirements.txt", ".github/workflows/ci.yml"]
    _, nested = describe_pull_request(REPORT, subdir="svc", files=files)
    assert "GitHub only runs workflows from the repository root" in nested
    _, root = describe_pull_request(REPORT, subdir="", files=files)
    assert "GitHub only runs" not in root
