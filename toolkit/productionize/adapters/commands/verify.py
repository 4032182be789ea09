"""``productionize verify NOTEBOOK OUTDIR``: check that the pipeline reproduces the notebook."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ...options import Options
from ..cli import handle_errors
from ..splitting import REPORT


def print_verify(verify: dict) -> None:
    """Print the per-stage table of a verify result."""
    click.echo(f"{'stage':<10} {'value':<22} {'result':<17} detail")
    for check in verify["checks"]:
        detail = check["detail"]
        if check.get("rule"):
            detail = f"{detail} [{check['rule']}]".strip()
        click.echo(f"{check['stage']:<10} {check['name']:<22} {check['status']:<17} {detail}")
    statuses = [c["status"] for c in verify["checks"]]
    if not verify["ok"]:
        click.echo(f"DIVERGENT: {statuses.count('divergent') + statuses.count('missing')} value(s)")
    elif "nondeterministic" in statuses:
        click.echo(
            f"faithful, but {statuses.count('nondeterministic')} value(s) nondeterministic in the "
            "notebook itself: seed them"
        )
    else:
        click.echo("faithful: every stage equal")


def _options_of(outdir: str) -> Options:
    """Split again the way OUTDIR was split (inferred tags, package name), from its report."""
    report_file = Path(outdir) / REPORT
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Options()
    inferred = any(c.get("origin") == "inferred" for c in report.get("cells", []))
    return Options(infer_tags=inferred, project_name=report.get("package"))


@click.command("verify")
@click.argument("notebook", type=click.Path(dir_okay=False))
@click.argument("outdir", type=click.Path(file_okay=False))
@handle_errors
def command(notebook, outdir):
    """Run NOTEBOOK and the pipeline in OUTDIR on the same data and compare stage values."""
    from ..splitting import split_notebook, verify_report_dict
    from ..verifying import verify_project

    result = split_notebook(notebook, _options_of(outdir))
    click.echo("running the notebook and the pipeline under fixed seeds...", err=True)
    report = verify_project(notebook, outdir, result)
    verify = verify_report_dict(report)
    print_verify(verify)
    if not verify["ok"]:
        sys.exit(1)
