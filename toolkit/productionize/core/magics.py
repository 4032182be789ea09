"""Mask IPython magics and shell escapes so that a cell's source can go through ``ast.parse``.

Every masked line keeps its number and indentation, so positions that ``ast`` reports stay true.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace

# Cell magics whose body is still Python; any other cell magic (%%bash, %%writefile...) is masked whole.
PYTHON_CELL_MAGICS = frozenset(
    {"time", "timeit", "capture", "prun", "debug", "memit", "python", "python3", "pypy"}
)

_LINE_MAGIC = re.compile(r"^(?P<indent>[ \t]*)(?P<magic>(?:%|!)(?P<body>.*))$")
_ASSIGNED_MAGIC = re.compile(
    r"^(?P<indent>[ \t]*)(?P<target>[A-Za-z_][\w.,\s\[\]'\"]*?)\s*=\s*(?P<magic>(?:%|!)(?P<body>.*))$"
)
_HELP = re.compile(r"^(?P<indent>[ \t]*)(?P<magic>\?{1,2}[\w.]+|[\w.]+\?{1,2})\s*$")

# IPython's automagic (on by default, in Jupyter and Colab alike) runs ``pip install x`` or
# ``cd data`` without the ``%``; its POSIX aliases run ``ls -l`` or ``mkdir out`` in the shell.
AUTOMAGICS = frozenset(
    {
        "autoreload", "bookmark", "cd", "conda", "config", "dhist", "env", "history", "load_ext",
        "mamba", "matplotlib", "pip", "popd", "precision", "prun", "pushd", "pwd", "pylab",
        "reload_ext", "reset", "run", "set_env", "store", "time", "timeit", "who", "whos", "xmode",
    }
)  # fmt: skip
SHELL_ALIASES = frozenset({"cat", "cp", "ldir", "less", "lf", "lk", "ll", "ls", "lx", "man",
                           "mkdir", "mv", "rm", "rmdir"})  # fmt: skip
_AUTOMAGIC = re.compile(
    r"^(?P<indent>[ \t]*)(?P<magic>(?P<name>"
    + "|".join(sorted(AUTOMAGICS | SHELL_ALIASES))
    + r")[ \t]+(?P<rest>\S.*))$"
)
# what follows a name when the line is Python using it: ``time.sleep(1)``, ``env = ...``, ``cd += 1``
_PYTHON_AFTER_NAME = re.compile(r"^(?:[.(\[,:;=]|[-+*/%&|^@<>]=|\*\*=|//=|>>=|<<=|if\b|for\b|in\b)")


@dataclass(frozen=True)
class Magic:
    """One IPython-only construct found in a cell."""

    line: int  # 1-based
    column: int  # 1-based
    kind: str  # line_magic | cell_magic | shell | help
    name: str  # magic name (``pip``, ``cd``, ``matplotlib``) or the shell command word
    text: str  # the construct as written
    assigned_to: str | None = None  # ``files = !ls`` -> "files"
    # ``%time model.fit(X, y)`` runs the statement: the masked source keeps it (only the timing
    # goes), so the fit reaches the generated modules
    keeps_statement: bool = False


@dataclass(frozen=True)
class MaskedSource:
    """A cell's source with IPython syntax replaced by Python that parses the same way."""

    source: str
    magics: tuple[Magic, ...]
    python_body: bool = True  # False when a cell magic makes the whole cell non-Python


def _name_of(body: str) -> str:
    word = body.strip().split()[0] if body.strip() else ""
    return word.lstrip("%!")


def mask_magics(source: str) -> MaskedSource:
    """Replace magics/shell escapes with ``pass``/``None`` placeholders, line numbers preserved.

    Callers parse the raw source first and mask only when that fails: in valid Python a line
    starting with ``%`` is a continuation, not a magic.
    """
    if (
        "%" not in source
        and "!" not in source
        and "?" not in source
        and not any(_automagic(line) for line in source.split("\n"))
    ):
        return MaskedSource(source, ())
    lines = source.split("\n")
    magics: list[Magic] = []
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        header = lines[first].strip()
        name = _name_of(header[2:])
        magics.append(Magic(first + 1, 1, "cell_magic", name, header))
        if name not in PYTHON_CELL_MAGICS:
            return MaskedSource("\n".join("" for _ in lines), tuple(magics), python_body=False)
        lines[first] = ""
    out: list[str] = []
    continuing = False
    for number, line in enumerate(lines, start=1):
        if continuing:
            continuing = line.rstrip().endswith("\\")
            out.append("")
            continue
        match = _ASSIGNED_MAGIC.match(line)
        if match and not _looks_like_python_modulo(match.group("magic")):
            magic = match.group("magic")
            kind = "shell" if magic.startswith("!") else "line_magic"
            magics.append(
                Magic(
                    number,
                    match.start("magic") + 1,
                    kind,
                    _name_of(match.group("body")),
                    magic.strip(),
                    match.group("target").strip(),
                )
            )
            timed = _timed_statement(match.group("body"))
            if timed is not None and not magic.startswith("!"):
                magics[-1] = replace(magics[-1], keeps_statement=True)
                out.append(f"{match.group('indent')}{match.group('target')} = {timed}")
                continue
            out.append(f"{match.group('indent')}{match.group('target')} = None")
            continuing = line.rstrip().endswith("\\")
            continue
        match = _LINE_MAGIC.match(line)
        if match:
            magic = match.group("magic")
            kind = "shell" if magic.startswith("!") else "line_magic"
            magics.append(
                Magic(
                    number,
                    len(match.group("indent")) + 1,
                    kind,
                    _name_of(match.group("body")),
                    magic.strip(),
                )
            )
            timed = _timed_statement(match.group("body"))
            if timed is not None and not magic.startswith("!"):
                magics[-1] = replace(magics[-1], keeps_statement=True)
                out.append(f"{match.group('indent')}{timed}")
                continue
            out.append(f"{match.group('indent')}pass")
            continuing = line.rstrip().endswith("\\")
            continue
        match = _automagic(line)
        if match:
            magics.append(_automagic_magic(match, number))
            out.append(f"{match.group('indent')}pass")
            continuing = line.rstrip().endswith("\\")
            continue
        match = _HELP.match(line)
        if match:
            magics.append(
                Magic(
                    number,
                    len(match.group("indent")) + 1,
                    "help",
                    match.group("magic").strip("?"),
                    line.strip(),
                )
            )
            out.append(f"{match.group('indent')}pass")
            continue
        out.append(line)
    return MaskedSource("\n".join(out), tuple(magics))


def _timed_statement(body: str) -> str | None:
    """``model.fit(X, y)`` for the body ``time model.fit(X, y)`` of ``%time model.fit(X, y)``:
    IPython runs the statement in the notebook's namespace (its names stay defined, ``x = %time
    f()`` binds the value), so it is code, not a magic to drop. None for any other magic, or a
    statement that does not parse on its own line (a continuation)."""
    name, _, rest = body.strip().partition(" ")
    rest = rest.strip()
    if name != "time" or not rest or rest.endswith("\\"):
        return None
    try:
        ast.parse(rest)
    except SyntaxError:
        return None
    return rest


def mask_commands(source: str, tree: ast.Module) -> MaskedSource | None:
    """Mask automagic commands in a cell that parses: ``cd /content/drive`` is a division and
    ``ls -la`` a subtraction to Python, but IPython runs them (the value of such an expression
    statement is thrown away, so no Python code means it). None when there is none."""
    lines = source.split("\n")
    magics: list[Magic] = []
    for node in tree.body:
        if not (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.BinOp)
            and isinstance(node.value.op, (ast.Div, ast.Sub))
            and node.lineno == node.end_lineno
        ):
            continue
        match = _AUTOMAGIC.match(lines[node.lineno - 1])
        if match and _COMMAND_WORDS.match(match.group("rest")):
            magics.append(_automagic_magic(match, node.lineno))
            lines[node.lineno - 1] = f"{match.group('indent')}pass"
    return MaskedSource("\n".join(lines), tuple(magics)) if magics else None


def _automagic_magic(match: re.Match[str], number: int) -> Magic:
    kind = "shell" if match.group("name") in SHELL_ALIASES else "line_magic"
    return Magic(
        number,
        len(match.group("indent")) + 1,
        kind,
        match.group("name"),
        match.group("magic").strip(),
    )


_COMMAND_WORDS = re.compile(r"-{1,2}[A-Za-z]|[/~]")


def _automagic(line: str) -> re.Match[str] | None:
    """``pip install x`` / ``ls -l``: a magic or alias name, then words Python cannot mean.

    Only reached for cells that do not parse, and a line is taken for automagic only when it is
    not Python on its own (``time.sleep(1)``, ``env = make()`` stay code) or its words are options
    or a path (``ls -la`` parses as a subtraction, ``cd /content`` as a division, but IPython runs
    the magic).
    """
    match = _AUTOMAGIC.match(line)
    if match is None or _PYTHON_AFTER_NAME.match(match.group("rest")):
        return None
    if _COMMAND_WORDS.match(match.group("rest")):
        return match  # options or a path: ``ls -la``, ``cd /content`` (Python would divide)
    try:
        ast.parse(line.strip())
    except SyntaxError:
        return match
    return None


def _looks_like_python_modulo(magic: str) -> bool:
    # ``x = a % b`` never matches (the magic must follow ``=`` directly), but ``x = %d`` style
    # string formatting never starts a right-hand side either, so any remaining match is a magic.
    return magic.startswith("%=") or magic.startswith("!=")
