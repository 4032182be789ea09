"""Write the pull-request description a reviewer needs, from ``productionize-report.json``.

The report is produced by other stages and grows over time, so every key is optional here:
a missing section is left out (or says it was not run), never an error.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Iterable

from .publication import notebook_identity, tool_version_of

MAX_FINDINGS = 25
MAX_DESCRIPTION = 1200  # characters of the notebook's introduction quoted in the PR


def notebook_introduction(markdown_cells: list[str]) -> str | None:
    """Return the notebook's opening markdown (before its first code cell), trimmed."""
    text = "\n\n".join(cell.strip() for cell in markdown_cells if cell.strip())
    # the notebook's own headings would outrank the PR's sections: make them bold lines
    text = re.sub(r"(?m)^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", r"**\1**", text)
    if not text:
        return None
    if len(text) > MAX_DESCRIPTION:
        text = text[:MAX_DESCRIPTION].rsplit(" ", 1)[0] + " …"
    return text


def describe_pull_request(
    report: dict,
    previous_report: dict | None = None,
    *,
    subdir: str = "",
    files: Iterable[str] = (),
) -> tuple[str, str]:
    """Return (title, Markdown body) describing a generated project for its reviewer."""
    report = report if isinstance(report, dict) else {}
    previous = previous_report if isinstance(previous_report, dict) else None
    path, digest = notebook_identity(report)
    name = posixpath.basename(path.replace("\\", "/"))
    stem = name[: -len(".ipynb")] if name.endswith(".ipynb") else name
    title = f"Productionize {stem}" + (f" (notebook {digest[:12]})" if digest else "")
    sections = [
        _summary(report, path, digest, previous),
        _pipeline(report),
        _findings(report),
        _faithfulness(report),
        _metrics(report, previous),
        _how_to_test(subdir, set(files)),
        _footer(report, path, digest),
    ]
    body = "\n\n".join(section for section in sections if section).rstrip() + "\n"
    return title, body


def _summary(report: dict, path: str, digest: str | None, previous: dict | None) -> str:
    lines = ["## What this notebook does", ""]
    description = _first_text(report, "description", "summary", "purpose")
    notebook = report.get("notebook")
    if not description and isinstance(notebook, dict):
        description = _first_text(notebook, "description", "title", "summary")
    if description:
        lines += [description.strip(), ""]
    stages = _stages(report)
    chain = " → ".join(f"`{s['name']}`" for s in stages)
    text = f"Generated from `{path}`"
    if chain:
        text += f": {len(stages)} stages, {chain}"
    lines.append(text + ".")
    notes = [n for n in report.get("notes") or [] if isinstance(n, str) and n.strip()]
    if notes:
        lines += ["", "Notes from the split:", *[f"- {note.strip()}" for note in notes]]
    if previous is not None:
        _, before = notebook_identity(previous)
        if before and digest and before != digest:
            lines.append(
                f"The notebook changed since the previous version (sha256 `{before[:12]}` → "
                f"`{digest[:12]}`)."
            )
        elif before and before == digest:
            lines.append("The notebook is unchanged since the previous version.")
    return "\n".join(lines)


def _stages(report: dict) -> list[dict]:
    stages = report.get("stages")
    if isinstance(stages, dict):  # {"load": {...}} shape
        stages = [{"name": k, **(v if isinstance(v, dict) else {})} for k, v in stages.items()]
    if not isinstance(stages, list):
        return []
    return [s for s in stages if isinstance(s, dict) and s.get("name")]


def _names(value) -> list[str]:
    if isinstance(value, dict):
        return sorted(str(k) for k in value)
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)] if value else []


def _cells(value) -> str:
    cells = _names(value)
    return ", ".join(cells) if cells else "–"


def _pipeline(report: dict) -> str:
    stages = _stages(report)
    mermaid = report.get("mermaid") or report.get("graph")
    if isinstance(mermaid, dict):
        mermaid = mermaid.get("mermaid")
    if not isinstance(mermaid, str) or not mermaid.strip():
        mermaid = mermaid_from_stages(stages) if stages else None
    if not mermaid and not stages:
        return ""
    lines = ["## Pipeline", ""]
    if mermaid:
        lines += ["```mermaid", mermaid.strip(), "```", ""]
    if stages:
        lines += ["| Stage | Notebook cells | Inputs | Outputs |", "| --- | --- | --- | --- |"]
        for stage in stages:
            lines.append(
                "| {} | {} | {} | {} |".format(
                    _cell(stage["name"]),
                    _cell(_cells(stage.get("cells"))),
                    _cell(", ".join(f"`{n}`" for n in _names(stage.get("inputs"))) or "–"),
                    _cell(", ".join(f"`{n}`" for n in _names(stage.get("outputs"))) or "–"),
                )
            )
    return "\n".join(lines).rstrip()


def mermaid_from_stages(stages: list[dict]) -> str:
    """Draw stages as a Mermaid flowchart; edges carry the names one stage hands to another."""
    lines = ["flowchart LR"]
    ids = {}
    for index, stage in enumerate(stages):
        ids[stage["name"]] = f"s{index}"
        lines.append(f'    s{index}["{_mermaid_label(stage["name"])}"]')
    produced_by: dict[str, str] = {}
    edges: dict[tuple[str, str], list[str]] = {}
    for stage in stages:
        for name in _names(stage.get("inputs")):
            source = produced_by.get(name)
            if source is not None and source != stage["name"]:
                edges.setdefault((source, stage["name"]), []).append(name)
        for name in _names(stage.get("outputs")):
            produced_by[name] = stage["name"]
    if not edges:
        for before, after in zip(stages, stages[1:], strict=False):
            edges[(before["name"], after["name"])] = []
    for (source, target), names in edges.items():
        label = f'|"{_mermaid_label(", ".join(names))}"|' if names else ""
        lines.append(f"    {ids[source]} -->{label} {ids[target]}")
    return "\n".join(lines)


def _mermaid_label(text: str) -> str:
    return str(text).replace('"', "#quot;")


def _findings(report: dict) -> str:
    findings = report.get("findings")
    lint = report.get("lint")
    if findings is None and isinstance(lint, dict):
        findings = lint.get("findings")
    elif findings is None and isinstance(lint, list):
        findings = lint
    if findings is None:
        return ""
    findings = [f for f in findings if isinstance(f, dict)] if isinstance(findings, list) else []
    lines = ["## Lint findings still open", ""]
    if not findings:
        lines.append("None: the notebook passes every enabled lint rule.")
        return "\n".join(lines)
    counts: dict[str, int] = {}
    for finding in findings:
        severity = str(finding.get("severity", "warning"))
        counts[severity] = counts.get(severity, 0) + 1
    order = {"error": 0, "warning": 1, "info": 2}
    summary = ", ".join(
        f"{n} {s}" + ("s" if n != 1 and s != "info" else "")
        for s, n in sorted(counts.items(), key=lambda kv: order.get(kv[0], 3))
    )
    lines += [f"{len(findings)} open ({summary}).", ""]
    lines += ["| Severity | Rule | Where | Message |", "| --- | --- | --- | --- |"]
    ranked = sorted(findings, key=lambda f: order.get(str(f.get("severity")), 3))
    for finding in ranked[:MAX_FINDINGS]:
        lines.append(
            "| {} | {} | {} | {} |".format(
                _cell(finding.get("severity", "")),
                _cell(f"`{finding.get('rule', '?')}`"),
                _cell(_where(finding)),
                _cell(finding.get("message", "")),
            )
        )
    if len(findings) > MAX_FINDINGS:
        lines += ["", f"… and {len(findings) - MAX_FINDINGS} more (see `productionize lint`)."]
    return "\n".join(lines)


def _where(finding: dict) -> str:
    location = finding.get("location")
    if isinstance(location, str):
        return location
    location = location if isinstance(location, dict) else finding
    cell = location.get("cell_index", location.get("cell"))
    line = location.get("line")
    if cell is None:
        return str(location.get("path") or "notebook")
    return f"cell {cell}" + (f", line {line}" if line is not None else "")


def _faithfulness(report: dict) -> str:
    verify = report.get("verify", report.get("faithfulness"))
    lines = ["## Faithfulness check", ""]
    if verify is None:
        lines.append(
            "Not run for this version: run `productionize verify NOTEBOOK OUTDIR` to compare the "
            "pipeline with the notebook."
        )
        return "\n".join(lines)
    rows = verify
    status = None
    if isinstance(verify, dict):
        rows = verify.get("checks", verify.get("stages", verify.get("results")))
        status = verify.get("status")
        if status is None and isinstance(verify.get("ok"), bool):
            status = "equal" if verify["ok"] else "divergent"
    if isinstance(rows, dict):
        rows = [
            {"name": k, **(v if isinstance(v, dict) else {"status": v})} for k, v in rows.items()
        ]
    rows = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
    statuses = [_verify_status(r) for r in rows]
    if status is None and statuses:
        bad = {"divergent", "diverged", "missing"}
        status = "divergent" if bad & set(statuses) else "equal"
    if status:
        verdict = {
            "equal": "The generated pipeline reproduces the notebook: every compared value is "
            "equal (or explained as nondeterministic).",
            "passed": "The generated pipeline reproduces the notebook.",
        }.get(str(status), f"Result: **{status}**: the pipeline does not reproduce the notebook.")
        lines.append(verdict)
    if rows:
        lines += ["", "| Stage | Value | Result | Detail |", "| --- | --- | --- | --- |"]
        for row, row_status in zip(rows, statuses, strict=True):
            detail = row.get("detail") or row.get("message") or ""
            if row.get("rule"):
                detail = f"{detail} (`{row['rule']}`)".strip()
            compared = row.get("compared") or row.get("values")
            value = row.get("name") if "stage" in row else None
            if value is None and compared:
                value = ", ".join(f"`{n}`" for n in _names(compared))
            stage = row.get("stage") or row.get("name") or "?"
            lines.append(
                f"| {_cell(stage)} | {_cell(f'`{value}`' if value and '`' not in value else value or '–')}"
                f" | {_cell(row_status)} | {_cell(detail)} |"
            )
    return "\n".join(lines)


def _verify_status(row: dict) -> str:
    if "status" in row:
        return str(row["status"])
    if "equal" in row:
        return "equal" if row["equal"] else "divergent"
    return "unknown"


def _metric_values(report: dict | None) -> dict[str, float | str]:
    if not report:
        return {}
    metrics = report.get("metrics")
    if isinstance(metrics, dict) and isinstance(metrics.get("metrics"), dict):
        metrics = metrics["metrics"]
    if not isinstance(metrics, dict):
        return {}
    return {str(k): v for k, v in metrics.items() if isinstance(v, (int, float, str))}


def _metrics(report: dict, previous: dict | None) -> str:
    now = _metric_values(report)
    before = _metric_values(previous)
    if not now and not before:
        return ""
    lines = ["## Model metrics", ""]
    if previous is None or not before:
        lines += ["No previous version to compare with.", ""]
        lines += ["| Metric | This version |", "| --- | --- |"]
        lines += [f"| {_cell(k)} | {_number(v)} |" for k, v in sorted(now.items())]
        return "\n".join(lines)
    lines += ["| Metric | Previous | This version | Change |", "| --- | --- | --- | --- |"]
    for key in sorted(set(now) | set(before)):
        old, new = before.get(key), now.get(key)
        lines.append(f"| {_cell(key)} | {_number(old)} | {_number(new)} | {_change(old, new)} |")
    return "\n".join(lines)


def _number(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4g}"
    return _cell(value)


def _change(old, new) -> str:
    numeric = (int, float)
    if isinstance(old, bool) or isinstance(new, bool):
        return "–" if old == new else "changed"
    if isinstance(old, numeric) and isinstance(new, numeric):
        delta = new - old
        if delta == 0:
            return "unchanged"
        text = f"{delta:+.4g}"
        if old:
            text += f" ({delta / abs(old):+.1%})"
        return text
    if old is None:
        return "new"
    if new is None:
        return "removed"
    return "unchanged" if old == new else "changed"


def _how_to_test(subdir: str, files: set[str]) -> str:
    lines = ["## How to run the tests", "", "```bash"]
    if subdir:
        lines.append(f"cd {subdir}")
    lines += ["python -m venv .venv && . .venv/bin/activate"]
    if not files or "requirements.txt" in files:
        lines.append("pip install -r requirements.txt")
    if "requirements-dev.txt" in files:
        lines.append("pip install -r requirements-dev.txt")
    if "pipeline.yaml" in files:
        lines.append("ploomber build          # runs load → clean → train → predict")
    if not files or any(f.startswith("tests/") for f in files):
        lines.append("pytest                  # the generated tests")
    if "Dockerfile" in files:
        lines.append("docker build -t service . # the prediction service image")
    lines.append("```")
    workflows = sorted(f for f in files if f.startswith(".github/workflows/"))
    if subdir and workflows:
        lines += [
            "",
            f"Note: the CI workflows are in `{subdir}/.github/workflows/`, and GitHub only runs "
            "workflows from the repository root: move them there (adding "
            f"`working-directory: {subdir}`) or publish without `--subdir`.",
        ]
    return "\n".join(lines)


def _footer(report: dict, path: str, digest: str | None) -> str:
    version = tool_version_of(report) or "unknown"
    return (
        "---\n"
        f"Generated by productionize {version} from `{path}`"
        + (f" (sha256 `{digest}`)" if digest else "")
        + ". Files you edit on this branch are kept: the next publish leaves them alone, or "
        "stops and lists them when the notebook changed them too."
    )


def _first_text(data: dict, *keys: str) -> str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _cell(value) -> str:
    """Make any value safe inside one Markdown table cell."""
    return str(value).replace("\n", " ").replace("|", "\\|")
