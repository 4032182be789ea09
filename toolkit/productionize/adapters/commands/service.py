"""``productionize service NOTEBOOK-or-SPLIT-DIR -o OUTDIR``: add the prediction service."""

from __future__ import annotations

from pathlib import Path

import click

from ...errors import InputError
from ...options import Options
from ..cli import discard_models_option, framework_option, handle_errors


@click.command("service")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "outdir",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder (default: SOURCE itself when it is a split project).",
)
@framework_option
@click.option(
    "--force", is_flag=True, help="Overwrite files changed since productionize wrote them."
)
@discard_models_option
@click.option("--no-verify", is_flag=True, help="Notebook input: skip the faithfulness check.")
@handle_errors
def command(
    source: Path,
    outdir: Path | None,
    framework: str,
    force: bool,
    discard_models: bool,
    no_verify: bool,
):
    """Generate the prediction service for a notebook or a split project folder."""
    from ..atomic import recover_interrupted
    from ..building import add_service, build_project

    # a notebook without any stage tag gets the inferred ones, as with build and split
    options = Options(framework=framework, infer_tags=True)
    recover_interrupted(source)  # a run killed between its swap's two renames left it aside
    if not source.exists():
        raise InputError("no such notebook or folder", str(source))
    if source.is_file():  # a notebook (whatever its suffix: the reader says if it is not one)
        if outdir is None:
            raise click.UsageError("-o/--output is required for a notebook")
        result = build_project(
            source,
            outdir,
            options,
            verify=not no_verify,
            force=force,
            lint=False,
            train=False,
            discard_models=discard_models,
        )
        service = result.service
    else:
        service = add_service(
            source, outdir or source, options, force=force, discard_models=discard_models
        )
    click.echo(
        f"wrote {framework} service for {service.spec.package} to {service.outdir} "
        f"({len(service.files)} files); try it: productionize serve {service.outdir}"
    )
    if not (service.outdir / "models" / "CURRENT").exists():
        click.echo(f"next: train the first model: cd {service.outdir} && make train")
