"""``productionize split NOTEBOOK -o OUTDIR``: write the pipeline project of a tagged notebook."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ...options import Options
from ..cli import handle_errors
from ..data_files import nearby_moves


def echo_inferred_tags(result) -> bool:
    """Say prominently which stage tags were inferred (untagged notebook); whether any were."""
    reasons = {s.cell_index: s.reason for s in result.suggestions}
    inferred = [c for c in result.graph.cells if c.origin == "inferred"]
    if not inferred:
        return False
    # a cell without a suggestion is a virtual cell: one cell's statements cut into stages
    cut = "statements of one cell, cut by stage (see the notes)"
    click.echo(
        "inferred tags (the notebook has no stage tags): "
        + ", ".join(f"cell {c.index} -> {c.stage} ({reasons.get(c.index, cut)})" for c in inferred)
    )
    click.echo(
        "  check them, then tag the cells in the notebook to make the split explicit "
        "(--no-infer-tags refuses untagged notebooks)"
    )
    return True


def echo_data_found_nearby(result, notebook) -> None:
    """Say which data files are read from beside the notebook instead of the path it names."""
    moves = nearby_moves(Path(notebook).resolve().parent, result.spec.data_files)
    for data in result.spec.data_files:
        found = moves.get(data.notebook_path)
        if found is not None:
            click.echo(
                f"note: {data.notebook_path} is not on this machine: read {found} beside the "
                f"notebook instead (copied to {data.project_path}"
                + (f"; `{data.parameter}` in env.yaml)" if data.parameter else ")")
            )


@click.command("split")
@click.argument("notebook", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    "outdir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder of the generated project.",
)
@click.option(
    "--infer-tags/--no-infer-tags",
    default=True,
    show_default=True,
    help="When the notebook has no stage tags at all, infer them from headings and code "
    "(--no-infer-tags refuses untagged notebooks instead).",
)
@click.option(
    "--no-verify",
    is_flag=True,
    help="Do not run the notebook and the pipeline to compare their values.",
)
@click.option("--force", is_flag=True, help="Overwrite files edited by hand since generation.")
@click.option("--project-name", default=None, help="Python package name (default: notebook stem).")
@handle_errors
def command(notebook, outdir, infer_tags, no_verify, force, project_name):
    """Split a tagged NOTEBOOK into load/clean/train/predict modules and a ploomber pipeline."""
    from ..splitting import split_to_dir
    from .verify import print_verify

    options = Options(infer_tags=infer_tags, project_name=project_name)
    result = split_to_dir(
        notebook,
        outdir,
        options,
        verify=not no_verify,
        force=force,
        progress=lambda message: click.echo(message, err=True),
    )
    spec = result.spec
    inferred = echo_inferred_tags(result)
    echo_data_found_nearby(result, notebook)
    click.echo(f"wrote {outdir} (package {spec.package}):")
    for stage in spec.stages:
        cells = ", ".join(str(c) for c in stage.cells) or "synthesized"
        takes = ", ".join(stage.inputs + stage.parameters) or "-"
        gives = ", ".join(stage.outputs) or "-"
        click.echo(f"  {stage.name:<9} cells {cells:<10} ({takes}) -> {gives}")
    for note in spec.notes[1 if inferred else 0 :]:  # the inferred-tags note was shown above
        click.echo(f"note: {note}")
    for data in spec.data_files:
        if not data.copied:  # e.g. Kaggle's ../input/...: the pipeline would not find it
            if data.parameter:
                way_out = (
                    f"set `{data.parameter}` in env.yaml or run "
                    f"`ploomber build --env--{data.parameter} PATH`"
                )
            else:
                way_out = "a class of the notebook reads it: edit the path in the stage module"
            click.echo(
                f"note: data file {data.notebook_path} was not copied ({data.note}); {way_out}"
            )
    verify = result.report.get("verify")
    if verify is None:
        click.echo(f"next: cd {outdir} && pip install -r requirements.txt && ploomber build")
        return
    if verify.get("error"):
        click.echo(f"verify skipped: could not check faithfulness: {verify['error']}")
        click.echo(f"next: cd {outdir} && pip install -r requirements.txt && ploomber build")
        return
    print_verify(verify)
    if not verify["ok"]:
        sys.exit(1)
