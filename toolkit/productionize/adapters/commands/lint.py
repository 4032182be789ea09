"""``productionize lint NOTEBOOK…``: report findings as text/JSON/SARIF; ``--fix`` applies safe ones."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from ...errors import ConfigError, OutputError, ProductionizeError
from ...model import Finding, Severity
from ..cli import handle_errors


def _rule_list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip().upper() for part in value.split(",") if part.strip())


def _check_rules(rules: tuple[str, ...], flag: str) -> None:
    from ...core.rules import RULES

    for rule in rules:
        if not any(rule_id.startswith(rule) for rule_id in RULES):
            raise click.BadParameter(f"no rule matches {rule!r}", param_hint=flag)


def _list_rules(ctx: click.Context, _param, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from ...core.rules import all_rules

    for rule in all_rules():
        click.echo(f"{rule.id}  {rule.severity.value:<7}  {rule.name}: {rule.summary}")
    ctx.exit(0)


@click.command("lint")
@click.option(
    "--list-rules",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_list_rules,
    help="Print every rule (id, default severity, what it finds) and exit.",
)
@click.argument("notebooks", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--fix", is_flag=True, help="Apply safe fixes and rewrite the notebooks atomically.")
@click.option("--select", help="Only these rules (ids or prefixes, comma-separated: PN2,PN501).")
@click.option("--ignore", help="Skip these rules (ids or prefixes, comma-separated).")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Exit 1 when a finding is at least this severe [default: warning, or config].",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="pyproject.toml to read [tool.productionize] from [default: nearest one upward].",
)
@handle_errors
def command(notebooks, output_format, output, fix, select, ignore, fail_on, config):
    """Lint notebooks: hidden state, dataflow, magics, paths, secrets, PII, seeds, black, ruff.

    Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or input error (including a
    cell that does not parse).
    """
    from ...core.report_formats import format_json, format_sarif, format_text
    from ..linting import UNPARSEABLE, fix_file, lint_file, load_options

    selected, ignored = _rule_list(select), _rule_list(ignore)
    _check_rules(selected, "--select")
    _check_rules(ignored, "--ignore")
    findings: list[Finding] = []
    input_errors: list[ProductionizeError] = []
    linted: list[str] = []
    failing = False  # some finding reaches its notebook's --fail-on / fail_on severity
    for name in notebooks:
        try:
            options = load_options(name, config=config)
            if selected:
                options = options.replace(select=selected)
            if ignored:
                options = options.replace(ignore=options.ignore + ignored)
            if fail_on:
                options = options.replace(fail_on=Severity(fail_on))
            if fix:
                result = fix_file(name, options)
                found = list(result.remaining)
                if result.applied:
                    added = (
                        f"; added {', '.join(result.requirements_added)} to requirements.txt"
                        if result.requirements_added
                        else ""
                    )
                    counts = Counter(f.rule for f in result.applied)
                    rules = ", ".join(f"{rule} x{n}" for rule, n in sorted(counts.items()))
                    click.echo(
                        f"{name}: applied {len(result.applied)} fixes ({rules}){added}", err=True
                    )
            else:
                found = lint_file(name, options)
            findings.extend(found)
            failing = failing or any(f.severity.at_least(options.fail_on) for f in found)
            linted.append(name)
        except ConfigError:
            raise  # a broken configuration applies to every notebook: stop at once
        except ProductionizeError as exc:
            input_errors.append(exc)
            click.echo(f"error: {exc}", err=True)
    if output_format == "json":
        report = format_json(findings)
    elif output_format == "sarif":
        from ..notebook_positions import read_regions

        # regions are lines of the .ipynb text as it is now (after --fix rewrote it)
        report = format_sarif(findings, read_regions(findings))
    else:
        report = format_text(findings, linted)
    if output:
        if linted:  # nothing is written when no notebook could be read
            _write_report(Path(output), report)
    elif linted or output_format != "text":
        click.echo(report, nl=False)
    # a cell that does not parse is bad input (exit 2), reported as a finding with cell:line:col
    unparseable = [f for f in findings if f.rule == UNPARSEABLE]
    for finding in unparseable:
        click.echo(f"error: {finding.location}: {finding.message}", err=True)
    if input_errors or unparseable:
        sys.exit(2)
    if failing:
        sys.exit(1)


def _write_report(path: Path, report: str) -> None:
    """Write the report atomically, creating its folder; a path that cannot be written is one line."""
    from ..atomic import write_text_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, report)
    except OSError as exc:
        raise OutputError(f"cannot write the report: {exc.strerror or exc}", str(path)) from None
