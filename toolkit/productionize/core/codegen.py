"""Source-level helpers for generated code: statement text, path literals, renames, indentation.

They work on the notebook's own text (not ``ast.unparse``) so that comments and layout survive.
"""

from __future__ import annotations

import ast
import functools
import io
import re
import tokenize
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..model import StageSpec
from .defuse import ParsedCell, analyze_tree
from .path_expressions import PathLiteral, Resolved, resolve
from .statements import Statement
from .tree_walk import walk_nodes

READ_FUNCTIONS = frozenset(
    {
        "read_csv",
        "read_parquet",
        "read_excel",
        "read_json",
        "read_table",
        "read_feather",
        "read_pickle",
        "read_fwf",
        "read_orc",
        "read_stata",
        "read_sas",
        "read_hdf",
        "read_spss",
        "read_xml",
        "loadtxt",
        "genfromtxt",
        "load",
        "open",
        "imread",
        "read_text",
        "read_bytes",
    }
)
PATH_KEYWORDS = frozenset({"filepath_or_buffer", "path", "fname", "file", "io", "path_or_buf"})
_ABSOLUTE = re.compile(r"^(/[^/\s]|~[/\\]|[A-Za-z]:[\\/])")
# A data file named in a plain assignment (``file_path = "data/train.csv"``) and read later.
_DATA_FILE = re.compile(
    r"^[\w./\\~:-]+\.(csv|tsv|txt|parquet|pq|json|jsonl|xlsx?|feather|arrow|pkl|pickle"
    r"|h5|hdf5?|npy|npz|sav|dta|xml|orc|zip|gz|bz2|xz)$",
    re.I,
)


@dataclass(frozen=True)
class Replacement:
    """Replace the source span of a node (1-based lines, UTF-8 byte columns) by ``text``."""

    lineno: int
    col_offset: int
    end_lineno: int
    end_col_offset: int
    text: str


def is_absolute_path(value: str) -> bool:
    """True for ``/data/x.csv``, ``~/x.csv`` or ``C:\\x.csv``."""
    return bool(_ABSOLUTE.match(value))


def find_path_literals(
    node: ast.AST,
    constants: Mapping[str, Resolved] | None = None,
    readers: Mapping[str, tuple[int, str]] | None = None,
) -> Iterator[PathLiteral]:
    """File paths code reads, and absolute paths anywhere: string literals, and expressions
    composing one from ``constants`` (``os.path.join(DATA_DIR, "x.csv")``: the whole call);
    ``readers`` are the notebook's functions reading the file an argument names."""
    constants = constants or {}
    readers = readers or {}
    seen: set[int] = set()  # nodes of the paths found (their pieces are no paths of their own)

    def found(expr: ast.AST, path: PathLiteral) -> PathLiteral:
        seen.update(id(n) for n in walk_nodes(expr))
        return path

    if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
        value = node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            if _DATA_FILE.match(value.value):
                yield found(value, PathLiteral(value, value.value))
        elif not isinstance(value, ast.Name):
            resolved = resolve(value, constants)
            if resolved is not None and _DATA_FILE.match(resolved.value):
                yield found(value, _composed(value, resolved, resolved.constructor))
    for call in walk_nodes(node):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        own = isinstance(func, ast.Name) and func.id in readers
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if own:
            position, keyword = readers[func.id]
            candidates = list(call.args[position : position + 1]) + [
                k.value for k in call.keywords if k.arg == keyword
            ]
        elif name in READ_FUNCTIONS:
            candidates = list(call.args[:1]) + [
                k.value for k in call.keywords if k.arg in PATH_KEYWORDS
            ]
        else:
            continue
        for arg in candidates:
            if id(arg) in seen or isinstance(arg, ast.Name):
                continue
            if isinstance(arg, ast.Constant):
                resolved = Resolved(arg.value) if isinstance(arg.value, str) else None
            else:
                resolved = resolve(arg, constants)
            if resolved is None or not resolved.value.strip():
                continue
            if resolved.value.startswith(("http://", "https://", "s3://", "gs://")):
                continue
            if own and not (_DATA_FILE.match(resolved.value) or is_absolute_path(resolved.value)):
                continue  # load_data("sales"): a name the function makes a path of, maybe
            if isinstance(arg, ast.Constant):
                yield found(arg, PathLiteral(arg, resolved.value))
            else:  # a library reader takes the str; the notebook's own keeps the Path
                yield found(arg, _composed(arg, resolved, resolved.constructor if own else None))
    pieces: set[int] | None = None
    for const in walk_nodes(node):
        if (
            isinstance(const, ast.Constant)
            and isinstance(const.value, str)
            and id(const) not in seen
            and is_absolute_path(const.value)
            and "\n" not in const.value
        ):
            if pieces is None:
                pieces = _path_pieces(node)
            if id(const) not in pieces:
                yield PathLiteral(const, const.value)


def _composed(expr: ast.expr, resolved: Resolved, constructor: str | None) -> PathLiteral:
    return PathLiteral(expr, resolved.value, constructor, resolved.reads)


def _path_pieces(node: ast.AST) -> set[int]:
    """String literals that are a later piece of a path (``"/x.csv"`` in ``DATA_DIR + "/x.csv"``,
    ``os.path.join(d, "/x")``) or a part of an f-string: none is a path of its own."""
    pieces: set[int] = set()
    for sub in walk_nodes(node):
        if isinstance(sub, ast.JoinedStr):
            pieces.update(id(v) for v in sub.values)
        elif isinstance(sub, ast.BinOp) and isinstance(sub.op, (ast.Add, ast.Div)):
            pieces.add(id(sub.right))
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute):
            if sub.func.attr in ("join", "joinpath"):
                pieces.update(id(a) for a in sub.args[1:])
    return pieces


def find_definition_path_literals(
    node: ast.AST,
    constants: Mapping[str, Resolved] | None = None,
    readers: Mapping[str, tuple[int, str]] | None = None,
) -> Iterator[PathLiteral]:
    """Path literals inside a function or class: those ``find_path_literals`` finds, data files
    a name is bound to in its body (``url = "data.csv"``) and data-file argument defaults
    (``def load(path="data.csv")``). ``constants`` the function binds itself are its own."""
    local = {
        n.id
        for n in walk_nodes(node)
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
    }
    local |= {a.arg for a in walk_nodes(node) if isinstance(a, ast.arg)}
    constants = {k: v for k, v in (constants or {}).items() if k not in local}
    found = {id(c.node): c for c in find_path_literals(node, constants, readers)}
    for sub in walk_nodes(node):
        if isinstance(sub, ast.Assign) and sub is not node:
            found.update(
                {
                    id(c.node): c
                    for c in find_path_literals(sub, constants, readers)
                    if c.node is sub.value
                }
            )
        elif isinstance(sub, ast.arguments):
            for default in [*sub.defaults, *sub.kw_defaults]:
                if (
                    isinstance(default, ast.Constant)
                    and isinstance(default.value, str)
                    and _DATA_FILE.match(default.value)
                ):
                    found[id(default)] = PathLiteral(default, default.value)
    inner = {id(n) for c in found.values() if c.composed for n in walk_nodes(c.node)[1:]}
    kept = [c for key, c in found.items() if key not in inner]
    yield from sorted(kept, key=lambda c: (c.lineno, c.col_offset))


def python_string(value: str) -> str:
    """``value`` as a string literal, double-quoted when it needs no escapes (as black writes)."""
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return repr(value)


def statement_text(
    parsed: ParsedCell, statement: Statement, replacements: dict | None = None
) -> str:
    """The statement as written in the cell (with comments above it), replacements applied."""
    lines = parsed.source.split("\n")[statement.first_line - 1 : statement.last_line]
    encoded = [line.encode("utf-8") for line in lines]
    mine = [
        r
        for (cell, _line, _col), r in (replacements or {}).items()
        if cell == parsed.cell.index
        and statement.first_line <= r.lineno
        and r.end_lineno <= statement.last_line
    ]
    for r in sorted(mine, key=lambda r: (r.lineno, r.col_offset), reverse=True):
        start = r.lineno - statement.first_line
        end = r.end_lineno - statement.first_line
        head = encoded[start][: r.col_offset]
        tail = encoded[end][r.end_col_offset :]
        encoded[start : end + 1] = [head + r.text.encode("utf-8") + tail]
    text = [line.decode("utf-8") for line in encoded]
    indent = statement.node.col_offset  # > 0 for statements opened up from a block
    if indent:
        text = [line[indent:] if line[:indent].isspace() else line.lstrip() for line in text]
    return escape_invalid_escapes("\n".join(text).rstrip())


_ESCAPE = re.compile(r"\\(.)", re.S)
_VALID_ESCAPES = frozenset("\\'\"abfnrtv01234567xNuU\n")


def escape_invalid_escapes(text: str) -> str:
    """Double the backslash of invalid escapes (``'\\.'`` in a regex): same value, no W605.

    Python keeps an unknown escape as backslash + character, so doubling the backslash keeps the
    string's value; it only silences the warning (an error in future Pythons).
    """
    if "\\" not in text:  # no backslash, no escape: skip tokenizing (most statements)
        return text
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    lines = text.split("\n")
    edits = []
    for tok in tokens:
        if tok.type != tokenize.STRING or tok.start[0] != tok.end[0]:
            continue  # multi-line strings are left alone: docstrings, SQL, ASCII art
        prefix = re.match(r"[A-Za-z]*", tok.string).group(0)
        if "r" in prefix.lower():
            continue
        fixed = prefix + _ESCAPE.sub(_keep_or_double, tok.string[len(prefix) :])
        if fixed != tok.string:
            edits.append((tok.start[0], tok.start[1], tok.end[1], fixed))
    for row, start, end, new in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + new + line[end:]
    return "\n".join(lines)


def _keep_or_double(match: re.Match) -> str:
    return match.group(0) if match.group(1) in _VALID_ESCAPES else "\\\\" + match.group(1)


def rename_names(text: str, mapping: dict[str, str]) -> str:
    """Rename variables (not attributes or keyword names) in a piece of source."""
    mapping = {k: v for k, v in mapping.items() if k and v and k != v}
    if not mapping:
        return text
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    lines = text.split("\n")
    edits: list[tuple[int, int, int, str]] = []
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.NAME or tok.string not in mapping:
            continue
        before = _previous_significant(tokens, i)
        after = _next_significant(tokens, i)
        if before is not None and before.string == ".":
            continue
        if after is not None and after.string == "=" and _inside_call(tokens, i):
            continue
        edits.append((tok.start[0], tok.start[1], tok.end[1], mapping[tok.string]))
    for row, start, end, new in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + new + line[end:]
    return "\n".join(lines)


def _previous_significant(tokens, i):
    for tok in reversed(tokens[:i]):
        if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT):
            return tok
    return None


def _next_significant(tokens, i):
    for tok in tokens[i + 1 :]:
        if tok.type not in (tokenize.NL, tokenize.COMMENT):
            return tok
    return None


def _inside_call(tokens, i) -> bool:
    depth = 0
    for tok in reversed(tokens[:i]):
        if tok.string in (")", "]", "}"):
            depth += 1
        elif tok.string in ("(", "[", "{"):
            if depth == 0:
                return tok.string == "("
            depth -= 1
    return False


def indent_body(body: str, prefix: str = "    ") -> str:
    """Indent a function body, leaving continuation lines of multi-line strings untouched."""
    keep = _string_continuation_lines(body)
    out = []
    for number, line in enumerate(body.split("\n"), start=1):
        if number in keep or not line.strip():
            out.append(line if number in keep else "")
        else:
            out.append(prefix + line)
    return "\n".join(out)


def _string_continuation_lines(text: str) -> set[int]:
    # a string token spans lines only when triple-quoted or continued with a backslash-newline
    if '"""' not in text and "'''" not in text and "\\\n" not in text:
        return set()
    lines: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
                lines.update(range(tok.start[0] + 1, tok.end[0] + 1))
            elif (
                getattr(tokenize, "FSTRING_MIDDLE", None) == tok.type and tok.end[0] > tok.start[0]
            ):
                lines.update(range(tok.start[0] + 1, tok.end[0] + 1))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return lines


# -- snippets of generated function bodies ----------------------------------------------------


def imports_for(code: str, imports: dict, bound: set[str]) -> tuple[str, ...]:
    """The import statements a function body needs, minus names it receives."""
    used = _body_names(code).used
    return tuple(sorted({imports[n][0] for n in used if n in imports and n not in bound}))


def as_function(body: str) -> str:
    """Wrap a body in a function so that it parses (it may ``return``)."""
    return "def _f():\n" + "\n".join("    " + line for line in body.split("\n"))


def constants_for(code: str, constants: dict[str, str]) -> tuple[str, ...]:
    """Module-level constant statements the code refers to."""
    used = set(ordered_uses(code))
    return tuple(text for name, text in constants.items() if name in used)


def ordered_uses(code: str) -> list[str]:
    """Names the code reads, in order of first appearance."""
    return list(_body_names(code).loads)


_OWN_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def ordered_defs(code: str) -> list[str]:
    """Names the code assigns at the top level, in order (imports excluded). The variables of a
    comprehension (``[c for c in cols]``) and the locals of a function it defines are not
    among them: Python binds those in a scope of their own (a walrus in a comprehension is)."""
    tree = ast.parse(code)
    names: dict[str, None] = {}

    def visit(node: ast.AST, in_comprehension: bool) -> None:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and not in_comprehension:
            names.setdefault(node.id, None)
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            names.setdefault(node.target.id, None)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _OWN_SCOPES):
                continue
            visit(child, in_comprehension or isinstance(node, _COMPREHENSIONS))

    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) or isinstance(stmt, _OWN_SCOPES):
            continue
        visit(stmt, False)
    return list(names)


def imported_names(stage: StageSpec) -> set[str]:
    """Names a stage body reads (candidates for imports)."""
    return set(_body_names(stage.body).used)


@dataclass(frozen=True)
class _BodyNames:
    loads: tuple[str, ...]  # every name read, in order of first appearance
    used: frozenset[str]  # names read before being bound (defuse's analysis)


def body_names_cache_clear() -> None:
    """Forget memoized body analyses (benchmarks measure a first split with it)."""
    _analyse_body.cache_clear()


def _body_names(code: str) -> _BodyNames:
    # a body and the same body with trailing newlines parse to the same tree
    return _analyse_body(code.rstrip("\n"))


@functools.lru_cache(maxsize=64)
def _analyse_body(code: str) -> _BodyNames:
    """Parse a function body once for everything planning asks of it (it asks 2-4 times)."""
    try:
        tree = ast.parse(as_function(code))
    except SyntaxError:
        return _BodyNames((), frozenset())
    loads = sorted(
        (n.lineno, n.col_offset, n.id)
        for n in walk_nodes(tree)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    )
    return _BodyNames(
        tuple(dict.fromkeys(name for _line, _col, name in loads)),
        frozenset(analyze_tree(tree).used),
    )


def dropped_entry(parsed: ParsedCell, statement: Statement) -> str:
    """``cell 7: sns.heatmap(corr)`` for a statement left out of production (first code line)."""
    return f"cell {parsed.cell.index}: {first_line(statement_text(parsed, statement))}"


def first_line(text: str) -> str:
    """The first line of code (not a comment) of a piece of source."""
    lines = [
        line for line in text.split("\n") if line.strip() and not line.lstrip().startswith("#")
    ]
    return lines[0].strip() if lines else ""


def stored_names(node: ast.AST) -> set[str]:
    """Names a statement assigns."""
    return {
        n.id for n in walk_nodes(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
