"""The ``productionize`` command: a click group that loads each verb lazily (fast start-up)."""

from __future__ import annotations

import functools
import importlib
import sys
import traceback

import click

from .. import __version__
from ..errors import ProductionizeError

# verb -> module under productionize.adapters.commands exposing a click command named ``command``
COMMANDS = {
    "lint": "lint",
    "split": "split",
    "verify": "verify",
    "service": "service",
    "build": "build",
    "serve": "serve",
    "rollback": "rollback",
    "publish": "publish",
}


def _command_module(name: str):
    try:
        return importlib.import_module(f"productionize.adapters.commands.{COMMANDS[name]}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.endswith(f"commands.{COMMANDS[name]}"):
            return None
        raise


class LazyGroup(click.Group):
    """Imports a verb's module only when that verb runs (or help lists it)."""

    def list_commands(self, ctx):
        return [name for name in COMMANDS if _command_module(name) is not None]

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module = _command_module(name)
        return getattr(module, "command", None) if module else None


# shared by every verb that generates the service (build, service)
framework_option = click.option(
    "--framework",
    type=click.Choice(["fastapi", "flask"]),
    default="fastapi",
    show_default=True,
    help="Web framework of the generated service.",
)

discard_models_option = click.option(
    "--discard-models",
    is_flag=True,
    help="Drop the model registry (models/) already in the output folder; it is kept otherwise, "
    "--force included.",
)


def project_argument(must_exist: bool = True):
    """OUTDIR of a verb that uses a generated project (serve, rollback, verify, publish).

    A build killed between its swap's two renames leaves the folder aside as ``.OUTDIR.old-*``:
    it is put back before the verb looks at it.
    """

    def recovered(ctx: click.Context, param: click.Parameter, value):
        from pathlib import Path

        from .atomic import recover_interrupted

        recover_interrupted(value)
        if must_exist and not Path(value).is_dir():
            raise click.BadParameter(f"{value}: not a folder (it does not exist)", ctx, param)
        return Path(value)

    return click.argument("outdir", type=click.Path(file_okay=False), callback=recovered)


def handle_errors(func):
    """Turn typed failures into one-line messages and exit codes; tracebacks only with --debug."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        debug = bool((ctx.find_root().obj or {}).get("debug"))
        try:
            return func(*args, **kwargs)
        except ProductionizeError as exc:
            if debug:
                traceback.print_exc()
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug of ours: say so in one line, never a silent success
            if debug:
                traceback.print_exc()
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                err=True,
            )
            sys.exit(2)

    return wrapper


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="productionize")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Turn a notebook into reviewed, tested, deployable code: lint, split, service, publish."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


if __name__ == "__main__":  # pragma: no cover
    main()
