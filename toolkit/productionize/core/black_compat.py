"""Where ruff's formatter may stand in for black, and the shapes on which the two differ.

Ruff's formatter reproduces black's output on black-formatted code (>99.9 % of lines) and is two
orders of magnitude faster, so the adapters run it first (one process per notebook or per split)
and black only where ruff's result cannot be vouched for: PN701 (``rules.style.needs_black``) and
the generated stage modules (``render``). The shapes below were found by formatting ~15,000 cells
cut from installed libraries, as written and after ruff, with both formatters.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from .tree_walk import walk_nodes

if TYPE_CHECKING:  # rules.style imports this module: import rules.base only when needed
    from .rules.base import NodeIndex

# a string literal followed by another (implicit concatenation), a parenthesised tuple being
# assigned or looped over and a lone parenthesised list item (black drops those brackets), an
# ``assert`` split over lines, a type union split over lines (black parenthesises both
# differently), pragma comments (ruff does not count their width, black normalises ``#type:``), a
# comment right after an opening bracket and a one-line ``def f(): ...`` (black puts blank lines
# around those differently)
_SHAPES_ON_LINES = re.compile(
    r"^(?:\s*(?:(?:for\s+)?\(.*\)\s*(?:=[^=]|in\s)"
    r"|\)\s*=[^=]"
    r"|assert\b.*[(\[{,]\s*$"
    r"|\|\s)"
    r"|[ \t]*(?:async[ \t]+)?(?:def|class)[ \t].*:[ \t]*\.\.\.[ \t]*$)",
    re.M,
)
# the shapes found anywhere in a line, each opening with one of a few characters: a pattern
# starting with a character set lets the regex engine skip to those characters (one alternation
# tried at every position took ~1 ms for a 300-line module)
_SHAPES_IN_LINES = re.compile(
    r"""["'\[#({](?:(?<=["'])\s+[rRbBuUfF]{0,2}["']"""
    r"|(?<=\[)\s*\([^\[\]]*\)\s*\]"
    r"|(?<=#)\s*(?:type:|noqa|pyright:|pylint:|nosec|ruff:|isort:)"
    r"|(?<=[(\[{])[ \t]*#)"
)


def _has_shape(text: str) -> bool:
    """Whether ``text`` holds one of the shapes above (the two patterns together)."""
    return _SHAPES_IN_LINES.search(text) is not None or _SHAPES_ON_LINES.search(text) is not None


# IPython's line magics, which ruff (formatting a notebook) reads as magics without their ``%``
# when a line starts with one (``cd /content``) and black as Python (``cd / content``)
_AUTOMAGIC = re.compile(
    r"^[ \t]*(?:alias|alias_magic|autoawait|autocall|automagic|autosave|bookmark|cat|cd|clear"
    r"|colors|conda|config|cp|debug|dhist|dirs|doctest_mode|ed|edit|env|gui|hist|history"
    r"|killbgscripts|ldir|less|lf|lk|ll|load|load_ext|loadpy|logoff|logon|logstart|logstate"
    r"|logstop|ls|lsmagic|lx|macro|magic|man|matplotlib|mkdir|more|mv|notebook|page|pastebin"
    r"|pdb|pdef|pdoc|pfile|pinfo|pinfo2|pip|popd|pprint|precision|prun|psearch|psource|pushd"
    r"|pwd|pycat|pylab|quickref|recall|rehashx|reload_ext|rep|rerun|reset|reset_selective|rm"
    r"|rmdir|run|save|sc|set_env|store|sx|system|tb|time|timeit|unalias|unload_ext|who|who_ls"
    r"|whos|xdel|xmode)[ \t]+[^\s=]",
    re.M,
)
_BLOCK_CONTINUES = re.compile(r"^\s*(?:else|elif|except|finally)\b", re.M)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# in a module's original text: a comment after code on its line (ruff and black place such
# comments differently) and an empty line opening a block (black keeps some, ruff none)
# and a unary operator before a power (ruff adds brackets: ``-(x**2)``); plus ``_has_shape``, which
# ruff may have formatted away (it joins implicitly concatenated strings that fit)
_MODULE_SHAPES = re.compile(
    r"^[ \t]*[^#\s][^\n]*#|:[ \t]*\n[ \t]*\n|[-+~]\s*[\w.\[\]()]+\s*\*\*", re.M
)
# in ruff's result: a star argument split onto its own line gets a trailing comma from ruff,
# from black only when the code's features rule out Python < 3.6 (black infers the target);
# a bare ``*,`` line too: ruff ends the keyword-only parameters below it with a comma, black not
_STAR_LAST = re.compile(r"^[ \t]*\*{1,2}(?:[^\s,*][^\n]*)?,[ \t]*$", re.M)


def ruff_may_differ(
    text: str,
    tree: ast.Module,
    nodes: NodeIndex,
    line_length: int,
    docstrings: tuple = (),
    cell: bool = True,
) -> bool:
    """Whether black may lay out ``text``, which ruff's formatter leaves as it is, differently.

    True for a line too long (ruff does not count pragma comments, measures Unicode width and
    parenthesises ``with`` by target version), a non-ASCII line over half the length, ``fmt:``
    pragmas, a backslash continuation, a string (other than the ``docstrings``) or a conditional
    expression over several lines (black hugs a lone string in brackets and parenthesises a split
    ``a if c else b``), two blank lines after an import (black keeps one unless a definition
    follows), a nested definition before ``else:``/``except:`` (black adds a blank line), a line
    starting with an IPython magic's name (``_AUTOMAGIC``, in a ``cell`` only: ruff reads a
    module as Python, as black does) and the shapes of ``_has_shape``.
    """
    if "fmt:" in text or "\\\n" in text:
        return True
    lines = text.split("\n")
    # black never wraps docstring text: only a docstring's closing line has to fit (black moves
    # closing quotes that would not), unless it is a one-line docstring
    inside = {
        number
        for d in docstrings
        for number in range(d.lineno, d.end_lineno + (d.lineno == d.end_lineno))  # type: ignore
    }
    for number, line in enumerate(lines, start=1):
        if not line.isascii() and 2 * len(line) > line_length:
            return True
        if len(line) > line_length and number not in inside:
            return True
    if any(s.end_lineno != s.lineno and s not in docstrings for s in nodes.strings):
        return True
    if any(c.end_lineno != c.lineno for c in nodes.conditionals):
        return True
    body = tree.body
    for statement, following in zip(body, body[1:], strict=False):
        if isinstance(statement, (ast.Import, ast.ImportFrom)) and not isinstance(
            following, (ast.Import, ast.ImportFrom)
        ):
            gap = [line.strip() for line in lines[statement.end_lineno : following.lineno - 1]]
            if "\n\n" in "\n".join(gap) + "\n" and (
                not isinstance(following, _DEFINITIONS) or any(gap)
            ):
                return True
    if _BLOCK_CONTINUES.search(text) and any(
        f.col_offset for f in nodes.functions if not isinstance(f, ast.Lambda)
    ):
        return True
    return _has_shape(text) or (cell and _AUTOMAGIC.search(text) is not None)


def ruff_module_trusted(original: str, formatted: str, line_length: int) -> bool:
    """Whether ``formatted`` (ruff's formatting of the module ``original``) is black's too.

    Beyond ``ruff_may_differ`` on the result: none of ``_MODULE_SHAPES`` in the original and no
    star argument ending a split call or signature (``_STAR_LAST``).
    """
    from .rules.base import index_tree

    if _MODULE_SHAPES.search(original) or _has_shape(original):
        return False
    if _STAR_LAST.search(formatted):
        return False
    try:
        tree = ast.parse(formatted)
    except (SyntaxError, ValueError):
        return False
    nodes = index_tree(tree)
    docstrings = tuple(
        node.body[0].value
        for node in [tree, *(f for f in nodes.functions if not isinstance(f, ast.Lambda))]
        if node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    )
    return not ruff_may_differ(formatted, tree, nodes, line_length, docstrings, cell=False)


# a source encoding declaration, which black keeps in a module and not in a notebook cell
_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=]", re.M)
# a statement ended by a semicolon: black keeps a cell's last one (it hides the output), and ruff
# drops the empty line after one inside a cell
_SEMICOLON_END = re.compile(r";[ \t]*(?:#[^\n]*)?$", re.M)
# in ruff's result: a line opening with a star (``*,``, ``*args,``, ``**kwargs``) in a split call or
# signature, after which ruff adds a trailing comma that black adds only for Python 3.6+ code
_STAR_LINE = re.compile(r"^[ \t]*\*", re.M)
# in ruff's result: a lambda whose body is split (ruff parenthesises the body, black does not)
_SPLIT_LAMBDA = re.compile(r"\blambda\b[^\n]*[(\[{][ \t]*$", re.M)
# a comment line after an empty line (ruff and black keep different numbers of empty lines
# before a comment that precedes an import or follows a block)
_COMMENT_AFTER_GAP = re.compile(r"\n[ \t]*\n[ \t]*#")


def _dedented_comment(text: str) -> bool:
    """Whether a comment line is less indented than the code line before it (after a block)."""
    indent = 0
    for line in text.split("\n"):
        stripped = line.lstrip()
        if not stripped:
            continue
        width = len(line) - len(stripped)
        if stripped.startswith("#") and width < indent:
            return True
        indent = width
    return False


def _nodes_ruff_lays_out_otherwise(tree: ast.AST) -> bool:
    """Whether the tree has an f-string field other than a name or an attribute of one (ruff
    formats the expressions inside f-strings, black leaves them as written) or a nested class
    (black puts the empty lines after its body differently)."""
    for node in walk_nodes(tree):
        if isinstance(node, ast.FormattedValue):
            value = node.value
            while isinstance(value, ast.Attribute):
                value = value.value
            spec = node.format_spec
            if not isinstance(value, ast.Name) or (
                spec is not None and any(isinstance(v, ast.FormattedValue) for v in spec.values)
            ):
                return True
        elif isinstance(node, ast.ClassDef) and node.col_offset:
            return True
    return False


def ruff_cell_trusted(
    source: str, tree: ast.Module, has_magics: bool, formatted: str, line_length: int
) -> bool:
    """Whether ``formatted``, ruff's formatting of a notebook cell it changes, is black's too.

    Black formats a cell (``black.format_cell``) as a module, then strips the final newline; it
    differs from that only for IPython magics, a trailing semicolon and a leading string (black's
    docstring, not ruff's in a notebook), which go to black, as does a cell ending in a newline,
    an encoding declaration or ``get_ipython()`` (black leaves such cells alone). Otherwise ruff's
    result is black's where it is for a generated module (``ruff_module_trusted``), but for the
    shapes below, found by formatting ~25,000 library chunks and notebook cells with both.
    """
    if has_magics or source.startswith("%%") or source.endswith("\n") or "get_ipython()" in source:
        return False
    if "\\\n" in source or formatted.count("(") < source.count("("):
        return False  # ruff joins backslash continuations and drops redundant brackets, black not
    if _SEMICOLON_END.search(source) or _CODING.search("\n".join(source.split("\n", 2)[:2])):
        return False
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        return False  # a leading string (or number): a docstring to black
    if _STAR_LINE.search(formatted) or _SPLIT_LAMBDA.search(formatted):
        return False
    if any(_COMMENT_AFTER_GAP.search(t) or _dedented_comment(t) for t in (source, formatted)):
        return False
    if _nodes_ruff_lays_out_otherwise(tree):
        return False
    lines = source.split("\n")
    for statement in body:  # a comment right below an import: black may add an empty line
        if isinstance(statement, (ast.Import, ast.ImportFrom)) and statement.end_lineno:
            following = lines[statement.end_lineno : statement.end_lineno + 1]
            if following and following[0].lstrip().startswith("#"):
                return False
    return ruff_module_trusted(source, formatted + "\n", line_length)
