"""PN4xx: IPython magics and shell escapes, which plain Python (and production) cannot run."""

from __future__ import annotations

import shlex
from collections.abc import Iterator

from ...model import CellEdit, Finding, Fix, Severity
from ..defuse import ParsedCell
from ..magics import Magic
from .base import LintContext, rule

DIRECTORY_MAGICS = frozenset({"cd", "pushd", "popd"})
INSTALLERS = frozenset({"conda", "mamba"})
SHELL_MAGICS = frozenset({"bash", "sh", "script", "system", "sx"})
# pip options that do not change what gets installed; anything else makes the move unsafe
HARMLESS_PIP_OPTIONS = frozenset(
    {"-q", "--quiet", "-qq", "-U", "--upgrade", "--user", "--no-cache-dir", "--progress-bar=off"}
)


def _pip_command(magic: Magic) -> list[str] | None:
    """The words after ``install`` for ``!pip install``, ``%pip install``, ``!python -m pip``."""
    try:
        words = shlex.split(magic.text.lstrip("%!"))
    except ValueError:
        return None
    if words[:3] in (["python", "-m", "pip"], ["python3", "-m", "pip"]):
        words = ["pip"] + words[3:]
    if len(words) >= 2 and words[0] in ("pip", "pip3") and words[1] == "install":
        return words[2:]
    return None


def _without_line(source: str, line: int) -> str:
    lines = source.split("\n")
    del lines[line - 1]
    return "\n".join(lines)


def _pip_fix(p: ParsedCell, magic: Magic, args: list[str]) -> Fix:
    packages = [a for a in args if not a.startswith("-")]
    options = [a for a in args if a.startswith("-")]
    continued = magic.text.rstrip().endswith("\\")
    if (
        not packages
        or continued
        or any(o not in HARMLESS_PIP_OPTIONS for o in options)
        or any(
            pkg.startswith((".", "/", "git+")) or pkg.endswith((".txt", ".whl")) for pkg in packages
        )
    ):
        return Fix("Move the packages to requirements.txt and delete this line")
    return Fix(
        f"Move {', '.join(packages)} to requirements.txt and delete this line",
        safe=True,
        edits=(
            CellEdit(
                p.cell.index, p.cell.cell_id, new_source=_without_line(p.cell.source, magic.line)
            ),
        ),
        requirements=tuple(packages),
    )


def _magics(ctx: LintContext):
    for p in ctx.parsed:
        for magic in p.magics:
            yield p, magic


@rule(
    "PN401",
    "pip-install-in-notebook",
    Severity.WARNING,
    "`!pip install` / `%pip install` / `pip install` (IPython's automagic) in a cell: "
    "dependencies belong in requirements.txt",
    "Safe: the package moves to requirements.txt next to the notebook and the line is deleted",
)
def pip_install(ctx: LintContext) -> Iterator[Finding]:
    for p, magic in _magics(ctx):
        args = _pip_command(magic)
        if args is not None:
            yield ctx.finding(
                "PN401",
                p.cell,
                f"`{magic.text}` installs packages at run time; declare them in requirements.txt",
                magic.line,
                magic.column,
                _pip_fix(p, magic, args),
            )
        elif magic.name in INSTALLERS and " install" in magic.text:
            yield ctx.finding(
                "PN401",
                p.cell,
                f"`{magic.text}` installs packages at run time; declare them in an environment file",
                magic.line,
                magic.column,
                Fix(
                    "Declare the packages in environment.yml / requirements.txt and delete this line"
                ),
            )


@rule(
    "PN402",
    "working-directory-change",
    Severity.WARNING,
    "`%cd`, `!cd` or `os.chdir` makes relative paths depend on cell order",
    "Build paths from one base directory (a parameter) instead of changing directory",
)
def change_directory(ctx: LintContext) -> Iterator[Finding]:
    for p, magic in _magics(ctx):
        if magic.name in DIRECTORY_MAGICS:
            yield ctx.finding(
                "PN402",
                p.cell,
                f"`{magic.text}` changes the working directory; later relative paths depend on it",
                magic.line,
                magic.column,
                Fix("Build paths from a base directory parameter (pathlib) instead"),
            )
    for p in ctx.parsed:
        if p.tree is None:
            continue
        for call in _calls_named(ctx, p, "chdir"):
            yield ctx.finding(
                "PN402",
                p.cell,
                "`os.chdir` changes the working directory; later relative paths depend on it",
                call.lineno,
                call.col_offset + 1,
                Fix("Build paths from a base directory parameter (pathlib) instead"),
            )


def _calls_named(ctx: LintContext, p: ParsedCell, name: str):
    import ast

    for node in ctx.nodes(p).calls:
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if called == name:
            yield node


@rule(
    "PN403",
    "run-magic",
    Severity.WARNING,
    "`%run` executes another file or notebook into this namespace (invisible dependencies)",
    "Import the code as a module instead",
)
def run_magic(ctx: LintContext) -> Iterator[Finding]:
    for p, magic in _magics(ctx):
        if magic.kind == "line_magic" and magic.name == "run":
            yield ctx.finding(
                "PN403",
                p.cell,
                f"`{magic.text}` pulls names from another file that no analysis can see",
                magic.line,
                magic.column,
                Fix("Turn the file into a module and import what this notebook needs"),
            )


@rule(
    "PN404",
    "shell-escape",
    Severity.WARNING,
    "A shell escape (`!cmd`, `%%bash`, `%sx`) ties the notebook to one machine's shell",
    "Use Python (subprocess, pathlib, shutil) or move the command to a setup script",
)
def shell_escape(ctx: LintContext) -> Iterator[Finding]:
    for p, magic in _magics(ctx):
        if magic.name in DIRECTORY_MAGICS | INSTALLERS or _pip_command(magic):
            continue
        if magic.kind == "shell" or magic.name in SHELL_MAGICS:
            yield ctx.finding(
                "PN404",
                p.cell,
                f"shell escape `{magic.text}` will not run outside IPython",
                magic.line,
                magic.column,
                Fix("Use subprocess/pathlib/shutil, or move the command to a setup script"),
            )


@rule(
    "PN405",
    "ipython-magic",
    Severity.INFO,
    "An IPython magic (`%matplotlib`, `%time`, `%load_ext`, `?`) that production code drops",
    "Nothing to do for display magics; remove the others before splitting",
)
def ipython_magic(ctx: LintContext) -> Iterator[Finding]:
    for p, magic in _magics(ctx):
        other = DIRECTORY_MAGICS | INSTALLERS | SHELL_MAGICS | {"run"}
        if magic.kind == "shell" or magic.name in other:
            continue
        if _pip_command(magic):
            continue
        yield ctx.finding(
            "PN405",
            p.cell,
            f"IPython-only syntax `{magic.text}` is dropped from generated modules",
            magic.line,
            magic.column,
            Fix("Keep it in notebook-only cells (tag `skip`) or remove it"),
        )


def _colab_names(p: ParsedCell) -> set[str]:
    return {
        b.name
        for b in p.names.imports
        if b.statement.startswith(("from google.colab", "import google.colab"))
    }


def _waits_for_a_person(call, colab: set[str]) -> str | None:
    """What an interactive call is, as the message names it; None for any other call."""
    import ast

    func = call.func
    if isinstance(func, ast.Name) and func.id in ("input", "getpass"):
        return f"`{func.id}()`"
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id == "getpass" and func.attr == "getpass":
            return "`getpass.getpass()`"
        if func.value.id in colab and func.attr == "upload":
            return f"`{func.value.id}.upload()` (Colab's file picker)"
    return None


@rule(
    "PN406",
    "interactive-input",
    Severity.WARNING,
    "`input()`, `getpass()` or Colab's `files.upload()`: the notebook waits for a person",
    "Make the value a parameter (a secret: an environment variable); read files from a path",
)
def interactive_input(ctx: LintContext) -> Iterator[Finding]:
    for p in ctx.parsed:
        if p.tree is None:
            continue
        colab = _colab_names(p)
        for call in ctx.nodes(p).calls:
            what = _waits_for_a_person(call, colab)
            if what is None:
                continue
            yield ctx.finding(
                "PN406",
                p.cell,
                f"{what} waits for someone to answer; a pipeline or a service has no one to ask",
                call.lineno,
                call.col_offset + 1,
                Fix(
                    "Make the value a parameter (a secret: os.environ[...]); "
                    "read an uploaded file from a path next to the notebook"
                ),
            )


def _reads_the_command_line(node) -> str | None:
    """What reads ``sys.argv`` as the message names it: ``x.parse_args()``, ``sys.argv[1]``."""
    import ast

    if isinstance(node, ast.Call):
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "parse_args"
            and not node.args
            and not any(k.arg in ("args", None) for k in node.keywords)
        ):
            owner = ast.unparse(func.value) if isinstance(func.value, ast.Name) else "parser"
            return f"`{owner}.parse_args()`"
        return None
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "argv"
        and isinstance(node.value.value, ast.Name)
        and node.value.value.id == "sys"
    ):
        index = node.slice
        # sys.argv[0] is a program name either way; [1], [1:], [-1] are the arguments
        if isinstance(index, ast.Constant) and index.value == 0:
            return None
        return f"`{ast.unparse(node)}`"
    return None


@rule(
    "PN407",
    "command-line-arguments",
    Severity.WARNING,
    "`parser.parse_args()` or `sys.argv[1]`: under Jupyter the command line is the kernel's",
    "Pass the values (`parse_args([])` keeps the defaults) or move them to a parameters cell",
)
def command_line_arguments(ctx: LintContext) -> Iterator[Finding]:
    import ast

    for p in ctx.parsed:
        if p.tree is None:
            continue
        # the kernel runs as `ipykernel_launcher.py -f kernel-….json`: parse_args() exits with
        # "unrecognized arguments: -f", sys.argv[1] is "-f"
        nodes = [
            *ctx.nodes(p).calls,
            *(n for n in ast.walk(p.tree) if isinstance(n, ast.Subscript)),
        ]
        for node in sorted(nodes, key=lambda n: (n.lineno, n.col_offset)):
            what = _reads_the_command_line(node)
            if what is None:
                continue
            if what.endswith(".parse_args()`"):
                message = (
                    f"{what} parses the kernel's command line under Jupyter (`-f kernel.json`) "
                    "and stops the notebook with 'unrecognized arguments'"
                )
            else:
                message = f"{what} is the kernel's command line under Jupyter (`-f`, a file name)"
            yield ctx.finding(
                "PN407",
                p.cell,
                message,
                node.lineno,
                node.col_offset + 1,
                Fix(
                    "Pass the values: `parser.parse_args([])` keeps the defaults, "
                    "`parse_args(['--epochs', '3'])` sets some; or make them a parameters cell"
                ),
            )
