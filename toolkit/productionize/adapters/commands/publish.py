"""``productionize publish OUTDIR --remote URL``: push a generated project to a review branch."""

from __future__ import annotations

import tomllib
from pathlib import Path

import click

from ...errors import ConfigError
from ..cli import handle_errors, project_argument
from ..pull_requests import PROVIDERS


def echo_progress(step: str, detail: str) -> None:
    """Print one publishing step to stderr (stdout carries only the result)."""
    click.echo(f"[{step}] {detail}", err=True)


def add_publish_options(func):
    """Attach the publishing flags shared by ``publish`` and ``build --publish``."""
    options = [
        click.option(
            "--remote",
            "remote",
            metavar="URL",
            help="Deployment repository (https, ssh or path). Credentials in the URL are "
            "never written to disk.",
        ),
        click.option(
            "--branch",
            metavar="NAME",
            default=None,
            help="Review branch (default: productionize/<notebook-stem>). Never the base.",
        ),
        click.option("--base", default="main", show_default=True, help="Branch the PR targets."),
        click.option(
            "--provider",
            type=click.Choice(PROVIDERS),
            default="none",
            show_default=True,
            help="Open/update a GitHub PR or GitLab MR; none prints a compare URL.",
        ),
        click.option(
            "--subdir",
            metavar="PATH",
            default=None,
            help="Sub-directory of the repository holding the project (default: root).",
        ),
        click.option(
            "--overwrite-edited",
            is_flag=True,
            help="Replace files a reviewer edited since the last publish.",
        ),
        click.option(
            "--api-url",
            metavar="URL",
            default=None,
            help="REST API root (default: GITHUB_API_URL / GITLAB_API_URL or from the remote).",
        ),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False),
            default=None,
            help="Where cached clones live (default: ~/.cache/productionize/repos).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


CONFIG_KEYS = ("remote", "branch", "base", "provider", "subdir", "api_url")


def apply_publish_config(ctx: click.Context, options: dict, start: Path) -> dict:
    """Fill flags left at their defaults from ``[tool.productionize.publish]`` (nearest pyproject).

    Flags given on the command line win. Tokens are refused here: they belong in the
    environment or a credential helper, never in a committed file.
    """
    from ..linting import find_pyproject

    path = find_pyproject(start)
    if path is None:
        return options
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read configuration: {exc}", str(path)) from None
    table = ((data.get("tool") or {}).get("productionize") or {}).get("publish")
    if table is None:
        return options
    if not isinstance(table, dict):
        raise ConfigError("[tool.productionize.publish] must be a table", str(path))
    merged = dict(options)
    for key, value in table.items():
        name = key.replace("-", "_")
        if "token" in name or "password" in name:
            raise ConfigError(
                f"[tool.productionize.publish] {key}: never store credentials in pyproject.toml; "
                "use GITHUB_TOKEN / GITLAB_TOKEN or a git credential helper",
                str(path),
            )
        if name not in CONFIG_KEYS:
            raise ConfigError(
                f"[tool.productionize.publish] unknown key {key!r} (known: "
                f"{', '.join(k.replace('_', '-') for k in CONFIG_KEYS)})",
                str(path),
            )
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"[tool.productionize.publish] {key} must be a string", str(path))
        if name == "provider" and value not in PROVIDERS:
            raise ConfigError(
                f"[tool.productionize.publish] provider must be one of {', '.join(PROVIDERS)}",
                str(path),
            )
        if ctx.get_parameter_source(name) in (None, click.core.ParameterSource.DEFAULT):
            merged[name] = value
    return merged


def run_publish(outdir, *, remote, quiet=False, **kwargs) -> None:
    """Publish OUTDIR and print the outcome: the shared body of ``publish``/``build --publish``."""
    from ..publishing import publish

    if not remote:
        raise click.UsageError("--remote URL is required to publish")
    result = publish(outdir, remote, progress=None if quiet else echo_progress, **kwargs)
    click.echo(f"branch: {result.branch}")
    if result.commit:
        click.echo(f"commit: {result.commit}" + ("" if result.created_commit else " (unchanged)"))
    click.echo(f"pushed: {'yes' if result.pushed else 'no (already up to date)'}")
    if result.pr_url:
        click.echo(f"pull request: {result.pr_url}")
    if result.compare_url:
        click.echo(f"compare: {result.compare_url}")


@click.command("publish")
@project_argument()
@add_publish_options
@click.option("-q", "--quiet", is_flag=True, help="Do not print each step.")
@handle_errors
def command(
    outdir, remote, branch, base, provider, subdir, overwrite_edited, api_url, cache_dir, quiet
):
    """Commit OUTDIR to a review branch of a deployment repository and open a pull request.

    Tokens: GITHUB_TOKEN / GITLAB_TOKEN, or the git credential helper. Defaults for --remote,
    --branch, --base, --provider, --subdir and --api-url come from [tool.productionize.publish]
    in the nearest pyproject.toml of the current folder.
    """
    options = dict(
        remote=remote,
        branch=branch,
        base=base,
        provider=provider,
        subdir=subdir,
        overwrite_edited=overwrite_edited,
        api_url=api_url,
        cache_dir=cache_dir,
    )
    options = apply_publish_config(click.get_current_context(), options, Path.cwd())
    run_publish(outdir, quiet=quiet, **options)
