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
    "An IPython magic (`%matplotlib`, `%time`, `%load_ext`, `?`) that production code drops "
    "(`%time model.fit(X, y)` keeps the statement it times, `x = %time f()` keeps `x = f()`)",
    "Nothing to do for display magics; remove the others before splitting",
)
def ipython_magic(ctx: LintContext) -> Iterator[Finding]:
    for p, magic in _magics(ctx):
        other = DIRECTORY_MAGICS | INSTALLERS | SHELL_MAGICS | {"run"}
        if magic.kind == "shell" or magic.name in other:
            continue
        if _pip_command(magic):
            continue
        message = f"IPython-only syntax `{magic.text}` is dropped from generated modules"
        if magic.keeps_statement:
            statement = magic.text.partition("time")[2].strip()
            message = (
                f"`%time` is dropped from generated modules; the statement `{statement}` is kept"
            )
        yield ctx.finding(
            "PN405",
            p.cell,
            message,
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


_ARGV_SETTERS = frozenset(("append", "extend", "insert", "clear", "remove"))


def _argv_names(ctx: LintContext) -> frozenset[str]:
    """Names ``from sys import argv`` binds anywhere in the notebook (``argv``, an alias)."""
    import ast

    return frozenset(
        alias.asname or alias.name
        for p in ctx.parsed
        if p.tree is not None and "argv" in p.cell.source
        for node in ast.walk(p.tree)
        if isinstance(node, ast.ImportFrom) and node.module == "sys"
        for alias in node.names
        if alias.name == "argv"
    )


def _is_argv(node, names: frozenset[str]) -> bool:
    import ast

    if isinstance(node, ast.Name):
        return node.id in names
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "argv"
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    )


def _argv_set_at(ctx: LintContext, names: frozenset[str]) -> tuple[int, int] | None:
    """Where the notebook first sets ``sys.argv`` itself (``sys.argv = ['train.py', ...]``)."""
    import ast

    for p in ctx.parsed:
        if p.tree is None or "argv" not in p.cell.source:
            continue
        for node in ast.walk(p.tree):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
            )
            for target in targets:
                if isinstance(target, ast.Subscript):
                    target = target.value  # sys.argv[1:] = [...]
                if _is_argv(target, names):
                    return (p.cell.index, node.lineno)
    return None


def _command_line_reads(tree, names: frozenset[str]) -> list[tuple[object, str]]:
    """What in ``tree`` reads the command line, with how the message names it."""
    import ast

    found: list[tuple[object, str]] = []
    seen: set[int] = set()  # argv nodes already reported through the expression around them
    for node in ast.walk(tree):  # breadth first: an expression comes before the argv in it
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "parse_args"
                and not node.args
                and not any(k.arg in ("args", None) for k in node.keywords)
            ):
                owner = ast.unparse(func.value) if isinstance(func.value, ast.Name) else "parser"
                found.append((node, f"`{owner}.parse_args()`"))
            elif (
                isinstance(func, ast.Name)
                and func.id == "len"
                and len(node.args) == 1
                and _is_argv(node.args[0], names)
            ):
                seen.add(id(node.args[0]))
                found.append((node, f"`{ast.unparse(node)}`"))
        elif isinstance(node, ast.Subscript) and _is_argv(node.value, names):
            seen.add(id(node.value))
            index = node.slice
            # sys.argv[0] is a program name either way; [1], [1:], [-1] are the arguments
            if isinstance(index, ast.Constant) and index.value == 0:
                continue
            if isinstance(node.ctx, ast.Load):
                found.append((node, f"`{ast.unparse(node)}`"))
        elif isinstance(node, ast.Attribute) and _is_argv(node.value, names):
            if node.attr in _ARGV_SETTERS:
                seen.add(id(node.value))  # sys.argv.append(...) sets it, like sys.argv = [...]
        elif (
            _is_argv(node, names)
            and isinstance(node.ctx, ast.Load)  # type: ignore[attr-defined]
            and id(node) not in seen
        ):
            found.append((node, f"`{ast.unparse(node)}`"))
    return found


@rule(
    "PN407",
    "command-line-arguments",
    Severity.WARNING,
    "`parser.parse_args()` or `sys.argv` (`sys.argv[1]`, `len(sys.argv)`): under Jupyter the "
    "command line is the kernel's",
    "Pass the values (`parse_args([])` keeps the defaults) or move them to a parameters cell",
)
def command_line_arguments(ctx: LintContext) -> Iterator[Finding]:
    names = _argv_names(ctx)
    # a notebook that sets sys.argv itself reads its own arguments from there on
    set_at = _argv_set_at(ctx, names)
    for p in ctx.parsed:
        source = p.cell.source
        if p.tree is None or ("argv" not in source and "parse_args" not in source):
            continue
        # the kernel runs as `ipykernel_launcher.py -f kernel-….json`: parse_args() exits with
        # "unrecognized arguments: -f", sys.argv[1] is "-f", len(sys.argv) is 3
        reads = _command_line_reads(p.tree, names)
        for node, what in sorted(reads, key=lambda r: (r[0].lineno, r[0].col_offset)):
            if set_at is not None and (p.cell.index, node.lineno) > set_at:
                continue
            if what.endswith(".parse_args()`"):
                message = (
                    f"{what} parses the kernel's command line under Jupyter (`-f kernel.json`) "
                    "and stops the notebook with 'unrecognized arguments'"
                )
            elif what.startswith("`len("):
                message = (
                    f"{what} counts the kernel's command line under Jupyter "
                    "(`ipykernel_launcher -f kernel.json`, 3 items): a test for arguments is true"
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
