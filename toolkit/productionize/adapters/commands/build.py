"""``productionize build NOTEBOOK -o OUTDIR``: lint -> split -> service in one go (the main job),
and with ``--publish`` a review branch + pull request."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from ...options import Options
from ..cli import discard_models_option, framework_option, handle_errors
from .publish import add_publish_options, apply_publish_config, run_publish
from .split import echo_data_found_nearby, echo_inferred_tags


@click.command("build")
@click.argument("notebook", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "outdir",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder of the generated project.",
)
@framework_option
@click.option("--no-verify", is_flag=True, help="Skip running notebook and pipeline to compare.")
@click.option("--no-train", is_flag=True, help="Do not train the first model version.")
@click.option("--no-lint", is_flag=True, help="Do not stop on lint errors.")
@click.option("--force", is_flag=True, help="Overwrite files edited by hand since generation.")
@discard_models_option
@click.option("--project-name", default=None, help="Python package name (default: notebook stem).")
@click.option(
    "--infer-tags/--no-infer-tags",
    default=True,
    show_default=True,
    help="When the notebook has no stage tags at all, infer them from headings and code "
    "(--no-infer-tags refuses untagged notebooks instead).",
)
@click.option(
    "--publish",
    "publish",
    is_flag=True,
    help="Then push the project to a review branch of --remote and open a PR (see publish).",
)
@add_publish_options
@handle_errors
def command(
    notebook,
    outdir,
    framework,
    no_verify,
    no_train,
    no_lint,
    force,
    discard_models,
    project_name,
    infer_tags,
    publish,
    **publish_options,
):
    """Lint NOTEBOOK, split it into a pipeline and add a tested prediction service."""
    from ..building import build_project

    ctx = click.get_current_context()
    if publish_options["remote"] and not publish:
        raise click.UsageError("--remote URL needs --publish")
    if publish:  # settle the publish options before the long build, not after it
        start = notebook.resolve().parent
        publish_options = apply_publish_config(ctx, publish_options, start)
        if not publish_options["remote"]:
            raise click.UsageError(
                "--publish needs --remote URL (or remote in [tool.productionize.publish])"
            )

    options = Options(framework=framework, project_name=project_name, infer_tags=infer_tags)
    result = build_project(
        notebook,
        outdir,
        options,
        verify=not no_verify,
        force=force,
        lint=not no_lint,
        train=not no_train,
        progress=lambda step, detail="": click.echo(f"... {step}: {detail}", err=True),
        discard_models=discard_models,
    )
    counts = Counter(f.severity.value for f in result.findings)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no findings"
    click.echo(f"lint: {summary}" + ("" if no_lint else " (no errors)"))
    echo_inferred_tags(result.split)
    echo_data_found_nearby(result.split, notebook)
    spec = result.split.spec
    stages = " -> ".join(s.name for s in spec.stages)
    click.echo(f"split: package {spec.package}, stages {stages}")
    verify = result.split.report.get("verify")
    if verify is not None:
        click.echo(
            f"verify: {'every stage reproduces the notebook' if verify['ok'] else 'DIVERGENT'}"
        )
    else:
        click.echo("verify: skipped")
    service = result.service
    click.echo(f"service: {service.spec.framework}, {len(service.files)} files (SERVICE.md)")
    if spec.model_note:
        click.echo(f"model: {spec.model_note}")
    if spec.records_note:
        click.echo(f"service: {spec.records_note}")
    for note in result.notes:
        click.echo(f"train: {note}")
    click.echo(f"wrote {result.outdir}; try it: productionize serve {outdir}")
    if publish:
        run_publish(result.outdir, **publish_options)
