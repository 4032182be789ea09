"""``productionize lint`` through click's CliRunner: exit codes, formats, --fix, bad input."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.linting import lint_file
from productionize.core.rules.style import format_cell
from productionize.options import Options
from tests.conftest import EXAMPLES, make_notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def invoke(*args):
    return CliRunner().invoke(main, ["lint", *map(str, args)])


def copy(name, tmp_path) -> Path:
    target = tmp_path / name
    shutil.copy(NOTEBOOKS / name, target)
    return target


def test_clean_notebook_exits_0(tmp_path):
    result = invoke(copy("clean.ipynb", tmp_path))
    assert result.exit_code == 0, result.output
    assert "no problems in 1 notebook" in result.output


def test_findings_exit_1_with_grouped_report(tmp_path):
    result = invoke(copy("hidden_state.ipynb", tmp_path))
    assert result.exit_code == 1
    assert "  cell 1 (id cell-1)" in result.output
    assert "PN201" in result.output and "clean_columns" in result.output
    assert result.output.rstrip().splitlines()[-1] == "1 error, 2 warnings, 1 info in 1 notebook"


def test_fail_on_error_ignores_warnings(tmp_path):
    path = copy("unseeded.ipynb", tmp_path)
    assert invoke(path).exit_code == 1
    assert invoke(path, "--fail-on", "error").exit_code == 0


def test_select_and_ignore(tmp_path):
    path = copy("magics.ipynb", tmp_path)
    result = invoke(path, "--format", "json", "--select", "PN40", "--ignore", "pn401")
    rules = {f["rule"] for f in json.loads(result.output)}
    assert rules == {"PN402", "PN403", "PN404", "PN405"}


def test_list_rules():
    result = CliRunner().invoke(main, ["lint", "--list-rules"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("PN101  warning  out-of-order-execution:")


def test_unknown_rule_is_a_usage_error(tmp_path):
    result = invoke(copy("clean.ipynb", tmp_path), "--select", "XX9")
    assert result.exit_code == 2
    assert "no rule matches 'XX9'" in result.output


def test_json_format_is_documented_shape(tmp_path):
    result = invoke(copy("secrets_in_outputs.ipynb", tmp_path), "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.output)
    assert [f["rule"] for f in findings] == ["PN503", "PN504", "PN505"]
    first = findings[0]
    assert set(first) == {
        "rule",
        "severity",
        "path",
        "cell_index",
        "cell_id",
        "line",
        "column",
        "message",
        "fix",
    }
    assert first["severity"] == "error" and first["cell_id"] == "cell-0"
    assert findings[1]["fix"]["safe"] is True
    assert findings[1]["fix"]["edits"][0]["clear_outputs"] is True


def test_output_file_written_atomically(tmp_path):
    report = tmp_path / "report.sarif"
    result = invoke(copy("style.ipynb", tmp_path), "--format", "sarif", "--output", report)
    assert result.exit_code == 1
    assert json.loads(report.read_text())["version"] == "2.1.0"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_output_report_into_a_new_folder(tmp_path):
    report = tmp_path / "reports" / "lint" / "findings.json"
    result = invoke(copy("style.ipynb", tmp_path), "--format", "json", "--output", report)
    assert result.exit_code == 1, result.output
    assert json.loads(report.read_text())[0]["rule"].startswith("PN")
    (tmp_path / "blocker").write_text("a file, not a folder")
    blocked = tmp_path / "blocker" / "findings.json"
    result = invoke(tmp_path / "style.ipynb", "--output", blocked)
    assert result.exit_code == 2
    assert result.output.strip().startswith(f"error: {blocked}: cannot write the report")
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_config_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.productionize]\nignore = ["PN1"]\nallowed_paths = ["/data/"]\n'
        'fail_on = "error"\n[tool.productionize.severity]\nPN201 = "warning"\n'
    )
    path = copy("hidden_state.ipynb", tmp_path)
    result = invoke(path, "--format", "json")
    findings = json.loads(result.output)
    assert [(f["rule"], f["severity"]) for f in findings] == [("PN201", "warning")]
    assert result.exit_code == 0


def test_bad_config_is_exit_2(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.productionize]\nselect = 'PN1'\n")
    result = invoke(copy("clean.ipynb", tmp_path))
    assert result.exit_code == 2
    assert "pyproject.toml" in result.output and "list of strings" in result.output


def test_fix_applies_safe_fixes_and_is_black_clean(tmp_path):
    path = copy("magics.ipynb", tmp_path)
    (tmp_path / "requirements.txt").write_text("seaborn>=0.13\n")
    result = invoke(path, "--fix")
    assert (
        f"{path}: applied 2 fixes (PN401 x2); added xgboost==2.1.1 to requirements.txt"
        in result.stderr
    )
    nb = nbformat.read(path, as_version=4)
    assert "pip install" not in nb.cells[0].source
    assert (tmp_path / "requirements.txt").read_text() == "seaborn>=0.13\nxgboost==2.1.1\n"
    for cell in nb.cells:
        if cell.cell_type == "code" and not cell.source.startswith("%%"):
            assert format_cell(cell.source, 88) is None, cell.source
    remaining = lint_file(path, Options(select=("PN401", "PN701")))
    assert remaining == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_fix_clears_outputs_with_secrets_and_seeds(tmp_path):
    secrets = copy("secrets_in_outputs.ipynb", tmp_path)
    unseeded = copy("unseeded.ipynb", tmp_path)
    invoke(secrets, unseeded, "--fix")
    nb = nbformat.read(secrets, as_version=4)
    assert nb.cells[1].outputs == [] and nb.cells[2].outputs == []
    assert nb.cells[3].outputs != []  # untouched
    assert nb.cells[1].execution_count == 2  # clearing keeps the run order intact
    rules = {f.rule for f in lint_file(unseeded, Options(select=("PN6",)))}
    assert rules == {"PN602", "PN603"}  # random_state added; the others need a human
    source = nbformat.read(unseeded, as_version=4).cells[2].source
    assert "test_size=0.25, random_state=42" in source


def test_fix_is_idempotent(tmp_path):
    path = copy("style.ipynb", tmp_path)
    invoke(path, "--fix")
    first = path.read_bytes()
    invoke(path, "--fix")
    assert path.read_bytes() == first


def test_fix_rewrites_chained_inplace_calls(tmp_path, write_notebook):
    source = (
        "import pandas as pd\n"
        'df = pd.DataFrame({"Age": [1.0, None], "n": [0, 2]})\n'
        'df["Age"].fillna(df["Age"].median(), inplace=True)\n'
        "df.n.replace(0, 5, inplace=True)"
    )
    path = write_notebook(make_notebook(source))
    result = invoke(path, "--select", "PN203", "--fix")
    assert "applied 2 fixes (PN203 x2)" in result.stderr, result.output
    fixed = nbformat.read(path, as_version=4).cells[0].source
    assert fixed.splitlines()[2:] == [
        'df["Age"] = df["Age"].fillna(df["Age"].median())',
        "df.n = df.n.replace(0, 5)",
    ]
    assert lint_file(path, Options(select=("PN203",))) == []
    namespace: dict = {}
    exec(fixed, namespace)  # the rewritten cell really changes the frame, whatever pandas does
    assert namespace["df"].to_dict("list") == {"Age": [1.0, 1.0], "n": [5, 2]}


BAD_INPUTS = {
    "invalid_json.ipynb": ("{not json", "not valid notebook JSON"),
    "truncated.ipynb": (
        json.dumps(make_notebook("x = 1"))[:-40],
        "is the file truncated?",
    ),
    "v3.ipynb": (
        json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}),
        "nbformat v3 notebooks are not supported",
    ),
    "not_a_notebook.ipynb": (json.dumps({"hello": "world"}), "not a Jupyter notebook"),
    "empty.ipynb": ("", "empty file"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, name):
    text, expected = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_text(text)
    result = invoke(path, "--fix")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}") and expected in lines[0]
    assert "Traceback" not in result.output
    assert path.read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_missing_config_file_is_exit_2(tmp_path):
    result = invoke(copy("clean.ipynb", tmp_path), "--config", tmp_path / "nope.toml")
    assert result.exit_code == 2 and "configuration file not found" in result.output


def test_no_report_file_for_bad_input_only(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("[]")
    result = invoke(bad, "--format", "json", "--output", tmp_path / "report.json")
    assert result.exit_code == 2 and result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.ipynb"]


def test_directory_and_missing_file(tmp_path):
    result = invoke(tmp_path, tmp_path / "missing.ipynb")
    assert result.exit_code == 2
    assert "is a directory" in result.output and "no such file" in result.output


def test_huge_output_is_refused(tmp_path):
    nb = make_notebook("print('x')")
    nb.cells[0].outputs = [
        {"output_type": "stream", "name": "stdout", "text": "x" * (11 * 1024 * 1024)}
    ]
    path = tmp_path / "huge.ipynb"
    path.write_text(json.dumps(nb))
    result = invoke(path)
    assert result.exit_code == 2
    assert "larger than the 10 MB limit" in result.output


def test_unreadable_file_even_as_root(tmp_path, monkeypatch):
    path = copy("clean.ipynb", tmp_path)

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)  # root ignores chmod 000
    result = invoke(path)
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {path}: permission denied: cannot read the file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path):
    path = copy("clean.ipynb", tmp_path)
    path.chmod(0)
    result = invoke(path)
    assert result.exit_code == 2 and "permission denied" in result.output


def test_bad_input_among_good_still_reports_the_good_one(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{")
    result = invoke(copy("hidden_state.ipynb", tmp_path), bad)
    assert result.exit_code == 2
    assert "PN201" in result.output and f"error: {bad}" in result.output


def test_cell_that_does_not_parse_is_bad_input(tmp_path):
    path = copy("broken_cell.ipynb", tmp_path)
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["lint", str(path), "--format", "json", "--fix"])
    assert result.exit_code == 2
    assert path.read_bytes() == before  # nothing written
    assert f"error: {path}:cell 1:4:6: syntax error: '(' was never closed" in result.stderr
    syntax = [f for f in json.loads(result.stdout) if f["rule"] == "PN302"]
    assert [(f["cell_index"], f["line"], f["column"]) for f in syntax] == [(1, 4, 6)]
    assert "Traceback" not in result.output


def test_examples_lint_without_errors():
    paths = sorted(EXAMPLES.glob("*.ipynb"))
    result = invoke(*paths, "--fail-on", "error")
    assert result.exit_code == 0, result.output
    assert " error" not in result.output
    assert (
        result.output.rstrip()
        .splitlines()[-1]
        .split(" (")[0]
        .endswith(f"in {len(paths)} notebooks")
    )


def test_fix_that_would_break_a_cell_writes_nothing(tmp_path, monkeypatch):
    from productionize.core.rules import style

    path = copy("style.ipynb", tmp_path)
    before = path.read_bytes()
    monkeypatch.setattr(style, "format_cell", lambda source, length: source + "\n(")
    monkeypatch.setattr(style, "ruff_changes_as_black", lambda *args: False)  # black fixes all
    result = invoke(path, "--fix")
    assert result.exit_code == 2
    assert f"error: {path}: a fix produced a cell that does not parse" in result.stderr
    assert path.read_bytes() == before
