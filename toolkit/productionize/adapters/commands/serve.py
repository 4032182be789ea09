"""``productionize serve OUTDIR``: start the generated service locally to try it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..cli import handle_errors, project_argument


@click.command("serve")
@project_argument()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--python",
    "python",
    default=None,
    help="Interpreter with the project's requirements (default: OUTDIR/.venv, "
    "$PRODUCTIONIZE_GENERATED_PYTHON, then this one).",
)
@handle_errors
def command(outdir: Path, host: str, port: int, python: str | None):
    """Serve the generated prediction service of OUTDIR until interrupted."""
    from ..serving import project_env, project_python, serve_command

    outdir = outdir.resolve()
    interpreter = project_python(outdir, python)
    cmd = serve_command(outdir, host, port, interpreter)
    click.echo(f"serving {outdir.name} on http://{host}:{port} (Ctrl-C stops)", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # become the server (exec): signals sent to this process (Ctrl-C, a supervisor's SIGTERM)
    # reach it directly, and no orphaned server outlives a killed parent
    os.chdir(outdir)
    os.execve(cmd[0], cmd, project_env(outdir))
