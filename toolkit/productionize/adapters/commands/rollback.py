"""``productionize rollback OUTDIR [--to VERSION]``: serve the previous model version again."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli import handle_errors, project_argument


@click.command("rollback")
@project_argument()
@click.option("--to", "to", default=None, help="Version to return to (default: the previous one).")
@handle_errors
def command(outdir: Path, to: str | None):
    """Point OUTDIR's model registry back at an earlier version, atomically."""
    from ..serving import rollback_project

    version = rollback_project(outdir.resolve(), to)
    click.echo(f"current model: {version} (a running service picks it up within a second)")
