"""Sort a cell's top-level statements into imports, production code, and display-only code.

Production modules keep what changes results and drop what only shows them (plots, ``display``,
``print``, bare expressions like ``df.head()``). A statement that reads a name only display code
defines (``fig, ax = plt.subplots()`` then ``ax.plot(...)``) is display code too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .defuse import INPLACE_ONLY, MUTATING_METHODS, CellNames, ParsedCell, analyze_tree
from .tree_walk import walk_nodes

IMPORT = "import"
CODE = "code"
DISPLAY = "display"
MAGIC = "magic"

# Modules whose only job in a notebook is to show things.
DISPLAY_MODULES = frozenset({"matplotlib", "seaborn", "plotly", "IPython", "altair", "bokeh"})
DISPLAY_FUNCTIONS = frozenset({"print", "display", "pprint", "repr", "help", "dir", "type"})
# Methods whose result is only looked at when used as a bare expression.
DISPLAY_METHODS = frozenset(
    {
        "head",
        "tail",
        "describe",
        "info",
        "plot",
        "show",
        "hist",
        "boxplot",
        "scatter",
        "bar",
        "barh",
        "pie",
        "value_counts",
        "sample",
        "corr",
        "nunique",
        "unique",
        "isna",
        "isnull",
        "notna",
        "notnull",
        "memory_usage",
        "style",
        "to_string",
        "display",
        "summary",
        "score",
        "get_params",
        "count",
        "mean",
        "median",
        "sum",
        "std",
        "min",
        "max",
        "round",
        "groupby",
        "agg",
        "transpose",
        "copy",
    }
)


@dataclass(frozen=True)
class Statement:
    """One top-level statement of a cell and what the splitter does with it."""

    kind: str  # import | code | display | magic
    node: ast.stmt
    first_line: int  # 1-based, including comment lines just above the statement
    last_line: int


def classify(parsed: ParsedCell, display_names: frozenset[str] = frozenset()) -> list[Statement]:
    """Classify a parsed cell's statements; ``display_names`` are names display code defined."""
    if parsed.tree is None:
        return []
    magic_lines = {m.line for m in parsed.magics if not m.keeps_statement}
    tainted = set(display_names) | _display_aliases(parsed)
    colab = _colab_aliases(parsed)
    result: list[Statement] = []
    previous_end = 0
    lines = parsed.source.split("\n")
    for node in _top_level(parsed.tree.body):
        first = _leading_comment_start(lines, previous_end, node.lineno)
        last = node.end_lineno or node.lineno
        previous_end = last
        if node.lineno in magic_lines:
            kind = MAGIC
        elif isinstance(node, ast.Global):
            # a no-op at a notebook's top level; inside the generated stage function it would
            # make names global, or not compile at all ("assigned to before global declaration")
            kind = MAGIC
        elif _is_ipython_call(node):
            # `get_ipython().run_line_magic('matplotlib', 'inline')`, a magic as nbconvert
            # writes it (code pasted from an exported script): NameError outside IPython
            kind = MAGIC
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            kind = IMPORT
        elif _is_colab_setup(node, colab):
            kind = DISPLAY  # stays in the notebook, listed with what the modules leave out
        elif _is_display(node, tainted):
            kind = DISPLAY
            tainted |= _stored_names(node)
        else:
            kind = CODE
        result.append(Statement(kind, node, first, last))
    return result


def _is_ipython_call(node: ast.stmt) -> bool:
    """``get_ipython().run_line_magic(...)``/``.system(...)`` as a statement of its own."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    func = node.value.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "get_ipython"
    )


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """The cell's statements, with ``if __name__ == "__main__":`` blocks opened up.

    In a notebook that guard is always true; inside a generated module it is false, so keeping
    it would silently skip the code.
    """
    result: list[ast.stmt] = []
    for node in body:
        if is_main_guard(node):
            result.extend(_top_level(node.body))
        else:
            result.append(node)
    return result


def is_main_guard(node: ast.stmt) -> bool:
    """Whether a statement is ``if __name__ == "__main__":`` (always true in a notebook)."""
    if not isinstance(node, ast.If) or node.orelse:
        return False
    test = node.test
    if not (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and len(test.comparators) == 1
    ):
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(x, ast.Name) and x.id == "__name__" for x in sides)
    has_main = any(isinstance(x, ast.Constant) and x.value == "__main__" for x in sides)
    return has_name and has_main


def display_aliases(parsed: ParsedCell) -> frozenset[str]:
    """Names a cell binds to display-only modules (``plt``, ``sns``)."""
    return frozenset(_display_aliases(parsed))


def _display_aliases(parsed: ParsedCell) -> set[str]:
    return {b.name for b in parsed.names.imports if b.module in DISPLAY_MODULES}


def production_names(statements: list[Statement], parsed: ParsedCell | None = None) -> CellNames:
    """Def/use of the statements that go into production code (imports included).

    When every statement of ``parsed`` (a cell without magics) is kept, that is the cell's own
    analysis, made when it was parsed.
    """
    kept = [s.node for s in statements if s.kind in (IMPORT, CODE)]
    if (
        parsed is not None
        and parsed.tree is not None
        and not parsed.magics
        and len(kept) == len(parsed.tree.body)
        and all(a is b for a, b in zip(kept, parsed.tree.body, strict=True))
    ):
        return parsed.names
    return analyze_tree(ast.Module(body=kept, type_ignores=[]))


def _colab_aliases(parsed: ParsedCell) -> set[str]:
    return {
        b.name
        for b in parsed.names.imports
        if b.statement.startswith(("from google.colab", "import google.colab"))
    }


def _is_colab_setup(node: ast.stmt, colab: set[str]) -> bool:
    """``drive.mount("/content/drive")``, ``files.download(...)``: Colab's own helpers, called
    for their effect on the Colab session; production code runs where there is no Colab."""
    if not colab or not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    func = node.value.func
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name) and func.id in colab


def _leading_comment_start(lines: list[str], previous_end: int, lineno: int) -> int:
    first = lineno
    while first - 1 > previous_end:
        text = lines[first - 2].strip()
        if text.startswith("#"):
            first -= 1
        else:
            break
    return first


def _stored_names(node: ast.AST) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}  # calling a display-only function is display code too
    return {
        n.id for n in walk_nodes(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def _loaded_names(node: ast.AST) -> set[str]:
    return {
        n.id for n in walk_nodes(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }


def _is_display(node: ast.stmt, tainted: set[str]) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        # a function is display code when everything it does is (``def plot_results(...)``);
        # one that also trains or transforms stays, plots and all
        return _is_display_function(node, tainted)
    if _loaded_names(node) & tainted:
        return True
    if isinstance(node, (ast.For, ast.AsyncFor)) and not node.orelse:
        # `for dirname, _, files in os.walk(...): print(...)`: a loop that only shows things
        return bool(node.body) and all(
            not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and _is_display(stmt, tainted)
            for stmt in node.body
        )
    if not isinstance(node, ast.Expr):
        return False
    value = node.value
    if isinstance(value, (ast.Await, ast.Yield, ast.YieldFrom)):
        return False
    if not isinstance(value, ast.Call):
        return True  # a bare name, attribute, subscript or literal: its value is only shown
    return _is_display_call(value)


def _is_display_function(node: ast.FunctionDef | ast.AsyncFunctionDef, tainted: set[str]) -> bool:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    return bool(body) and all(
        not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and _is_display(stmt, tainted)
        for stmt in body
    )


def _is_display_call(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in DISPLAY_FUNCTIONS
    if not isinstance(func, ast.Attribute):
        return False
    method = func.attr
    if method in MUTATING_METHODS:
        inplace = any(
            kw.arg == "inplace" and isinstance(kw.value, ast.Constant) and kw.value.value is True
            for kw in call.keywords
        )
        if method not in INPLACE_ONLY or inplace:
            return False
    if "seed" in method:
        return False
    return method in DISPLAY_METHODS
