"""Open up a notebook whose work sits inside one function: ``def main(): ...`` then ``main()``.

A top-level function defined once and called exactly once as a top-level statement (``main()``,
``run("data.csv")``, ``main(path=P)``, also inside ``if __name__ == "__main__":``) is inlined: its
body replaces the definition, dedented, and the call disappears. Arguments become one assignment
on the ``def`` line (``file_path = "data.csv"``), so the function's locals become the notebook
variables the stages exchange. Every body line keeps its cell and line number, so messages about
the restructured notebook point at the code the user wrote. The transform is pure: it returns a
new ``Notebook`` whose cells have new sources, and ``verify`` executes that same restructured
notebook (the original one keeps the values inside ``main()``, where nothing can compare them).

Functions that cannot be inlined faithfully are left alone, with a note saying why.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from dataclasses import dataclass

from ..model import Cell, Notebook
from .defuse import ParsedCell, parse_cell
from .statements import is_main_guard
from .tree_walk import walk_nodes

WORK_CALLS = frozenset({"fit", "partial_fit", "train", "fit_transform"})
READ_CALL = re.compile(r"^(read_\w+|load_\w+|fetch_\w+|loadtxt|genfromtxt)$")
# Statements that may sit between the definition and the call: they run no code of the notebook.
INERT = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Pass)


@dataclass(frozen=True)
class Inlined:
    """The restructured notebook, the functions inlined and notes on those left alone."""

    notebook: Notebook
    functions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    refused: tuple[tuple[str, str], ...] = ()  # (function, why it stayed a function)
    opened_cells: tuple[int, ...] = ()  # cells that now hold an opened-up body


@dataclass(frozen=True)
class _Site:
    position: int  # order of the top-level statement in the whole notebook
    cell: int  # index into the parsed code cells
    node: ast.stmt  # the top-level statement (the guard when the call sits inside one)
    call_statement: ast.Expr | None = None


class _Refused(Exception):
    pass


def inline_single_calls(notebook: Notebook) -> Inlined:
    """Inline each top-level function called exactly once, as a statement, at top level."""
    parsed = [parse_cell(cell) for cell in notebook.code_cells]
    if any(p.tree is None for p in parsed):
        return Inlined(notebook)  # the splitter reports the syntax error itself
    statements = _top_level_statements(parsed)
    sources = {p.cell.index: p.cell.source.split("\n") for p in parsed}
    inlined: list[str] = []
    opened: list[int] = []
    notes: list[str] = []
    refused: list[tuple[str, str]] = []
    own = {s.node.name for s in statements if isinstance(s.node, (ast.FunctionDef, ast.ClassDef))}
    for site in statements:
        node = site.node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if not _holds_work(node, own):
            continue  # `plot_results(y, p)` called once is a helper, not the notebook's work
        calls = [s for s in statements if _called_name(s) == node.name]
        if len(calls) != 1 or calls[0].position < site.position:
            continue
        where = f"function `{node.name}()` (cell {parsed[site.cell].cell.index})"
        try:
            edits = _inline(parsed, statements, site, calls[0])
        except _Refused as reason:
            refused.append((node.name, str(reason)))
            notes.append(
                f"{where} holds the notebook's work but was not opened up into top-level "
                f"cells: {reason}; its stage sees only the call"
            )
            continue
        for cell_index, line, text in edits:
            sources[cell_index][line - 1] = text
        inlined.append(node.name)
        opened.append(parsed[site.cell].cell.index)
    if not inlined:
        return Inlined(notebook, (), tuple(notes), tuple(refused))
    cells = tuple(
        (
            dataclasses.replace(cell, source="\n".join(sources[cell.index]))
            if cell.index in sources and "\n".join(sources[cell.index]) != cell.source
            else cell
        )
        for cell in notebook.cells
    )
    restructured = dataclasses.replace(notebook, cells=cells)
    return Inlined(restructured, tuple(inlined), tuple(notes), tuple(refused), tuple(opened))


def _holds_work(node: ast.FunctionDef | ast.AsyncFunctionDef, own: set[str]) -> bool:
    """Whether a function does the notebook's work: reads data, fits, or runs its steps."""
    called = set()
    for inner in walk_nodes(node):
        if isinstance(inner, ast.Call):
            func = inner.func
            called.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None))
    if called & WORK_CALLS or any(name and READ_CALL.match(name) for name in called):
        return True
    return len(called & own) >= 2


def restructured_sources(original: Notebook, restructured: Notebook) -> dict[int, str]:
    """The cells whose source the restructuring changed: {cell index: new source}."""
    return {
        new.index: new.source
        for old, new in zip(original.cells, restructured.cells, strict=True)
        if old.source != new.source
    }


def _top_level_statements(parsed: list[ParsedCell]) -> list[_Site]:
    sites: list[_Site] = []
    for number, item in enumerate(parsed):
        for node in item.tree.body:
            call = _guarded_call(node)
            sites.append(_Site(len(sites), number, node, call))
    return sites


def _guarded_call(node: ast.stmt) -> ast.Expr | ast.Assign | None:
    """The call statement ``f(...)`` or ``x = f(...)`` itself, or the one inside
    ``if __name__ == "__main__":``."""
    if _is_call_statement(node):
        return node
    if is_main_guard(node):
        calls = [s for s in node.body if _is_call_statement(s)]
        if len(calls) == 1:
            return calls[0]
    return None


def _is_call_statement(node: ast.stmt) -> bool:
    if isinstance(node, ast.Expr):
        return isinstance(node.value, ast.Call)
    # `model = main()`, `X, y = load()`: the result bound to plain names
    return (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.value, ast.Call)
        and all(
            isinstance(n, ast.Name)
            for n in (
                node.targets[0].elts if isinstance(node.targets[0], ast.Tuple) else node.targets
            )
        )
    )


def _called_name(site: _Site) -> str | None:
    if site.call_statement is None:
        return None
    func = site.call_statement.value.func
    return func.id if isinstance(func, ast.Name) else None


def _inline(parsed, statements, definition: _Site, call: _Site) -> list[tuple[int, int, str]]:
    node = definition.node
    _check_function(node)
    _check_single_use(parsed, statements, definition, call)
    _check_between(parsed, statements, definition, call)
    lines = parsed[definition.cell].cell.source.split("\n")
    call_lines = parsed[call.cell].cell.source.split("\n")
    binding = _binding(node, call.call_statement.value, lines, call_lines)
    cell = parsed[definition.cell].cell.index
    body_first = node.body[0].lineno
    indent = node.body[0].col_offset
    edits: list[tuple[int, int, str]] = []
    header_end = _header_end(node, lines)
    for line in range(node.lineno, header_end + 1):
        edits.append((cell, line, ""))
    if binding:
        edits[0] = (cell, node.lineno, binding)
    for line in range(header_end + 1, node.end_lineno + 1):
        text = lines[line - 1]
        if not text.strip():
            edits.append((cell, line, ""))
        elif text[:indent].isspace() and len(text) > indent:
            edits.append((cell, line, text[indent:]))
        elif line < body_first and text.lstrip().startswith("#"):
            edits.append((cell, line, text.lstrip()))
        else:
            raise _Refused(f"line {line} is indented less than the body (a multi-line string?)")
    last = node.body[-1]
    if isinstance(call.call_statement, ast.Assign):
        if not (isinstance(last, ast.Return) and last.value is not None):
            raise _Refused("its result is assigned but it does not end with `return <value>`")
        target = _segment(call_lines, call.call_statement.targets[0])
        if target.replace(" ", "") == ast.unparse(last.value).replace(" ", "").strip("()"):
            edits = _drop_return(
                edits, cell, last, lines, indent
            )  # `model = main()`, `return model`
        else:
            edits = _bind_return(edits, last, lines, indent, target)
    elif isinstance(last, ast.Return):
        edits = _drop_return(edits, cell, last, lines, indent)
    edits.extend(_remove_call(parsed, call))
    _check_result(parsed, definition, call, edits)
    return edits


def _check_function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    if isinstance(node, ast.AsyncFunctionDef):
        raise _Refused("it is a coroutine (async def)")
    if node.decorator_list:
        raise _Refused("it is decorated")
    if node.args.vararg or node.args.kwarg:
        raise _Refused("it takes *args/**kwargs")
    for inner in _own_nodes(node):
        if isinstance(inner, (ast.Global, ast.Nonlocal)):
            raise _Refused("it declares `global`/`nonlocal` names")
        if isinstance(inner, (ast.Yield, ast.YieldFrom)):
            raise _Refused("it is a generator (yield)")
        if isinstance(inner, ast.Return) and inner is not node.body[-1]:
            raise _Refused(f"it returns early (line {inner.lineno})")
        if isinstance(inner, ast.Name) and inner.id == node.name:
            raise _Refused("it calls itself")


def _own_nodes(node: ast.AST):
    """The nodes of a function's body, not those of the functions and classes it defines."""
    stack = list(node.body)
    while stack:
        inner = stack.pop()
        yield inner
        if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            if isinstance(inner, ast.Lambda):
                continue
            # a nested function's own returns are its business; its name is still ours
            yield from (n for n in walk_nodes(inner) if isinstance(n, ast.Name))
            continue
        stack.extend(ast.iter_child_nodes(inner))


def _check_single_use(parsed, statements, definition: _Site, call: _Site) -> None:
    name = definition.node.name
    for site in statements:
        if site is definition:
            continue
        if isinstance(site.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if site.node.name == name:
                raise _Refused("it is defined more than once")
        for inner in walk_nodes(site.node):
            if inner is call.call_statement.value.func:
                continue
            if isinstance(inner, ast.Name) and inner.id == name:
                raise _Refused(f"cell {parsed[site.cell].cell.index} also refers to `{name}`")
    call_node = call.call_statement.value
    if any(isinstance(a, ast.Starred) for a in call_node.args) or any(
        k.arg is None for k in call_node.keywords
    ):
        raise _Refused("the call unpacks *args/**kwargs")


def _check_between(parsed, statements, definition: _Site, call: _Site) -> None:
    """The body moves up to the definition: nothing between may run code, or see its names."""
    body_names = _stored_names(definition.node)
    if isinstance(call.call_statement, ast.Assign):
        # `model = main()`: the returned value is bound to them last, as the call did
        body_names -= {
            n.id for n in ast.walk(call.call_statement.targets[0]) if isinstance(n, ast.Name)
        }
    reads = _free_reads(definition.node)
    later: list[tuple[str, _Site]] = []  # a script's layout: main() first, its helpers below
    for site in statements[definition.position + 1 : call.position]:
        if not isinstance(site.node, INERT):
            raise _Refused(
                f"code runs between the definition and the call (line {site.node.lineno})"
            )
        later += [(name, site) for name in sorted(_defined_names(site.node) & reads)]
    if later:
        names = ", ".join(f"`{name}`" for name, _site in later)
        first = later[0][1]
        raise _Refused(
            f"it calls {names}, defined after it (cell {parsed[first.cell].cell.index} line "
            f"{first.node.lineno}); move `def {definition.node.name}()` below the functions it "
            "calls, just above its call, and it will be opened up"
        )
    for site in statements:
        if site is definition:
            continue
        free = _free_reads(site.node) if site.position != call.position else set()
        clash = sorted(body_names & free)
        if clash:
            raise _Refused(f"its local `{clash[0]}` would overwrite the notebook's own")


def _defined_names(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    return set()


def _stored_names(node: ast.FunctionDef) -> set[str]:
    names = {a.arg for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]}
    for inner in _own_nodes(node):
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, (ast.Store, ast.Del)):
            names.add(inner.id)
        elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(inner.name)
        elif isinstance(inner, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in inner.names)
    return names


def _free_reads(node: ast.stmt) -> set[str]:
    """Names a top-level statement reads or writes as notebook variables (approximate)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        local = _stored_names(node)
        return {
            n.id
            for n in walk_nodes(node)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in local
        }
    return {n.id for n in walk_nodes(node) if isinstance(n, ast.Name)}


def _binding(node, call: ast.Call, lines: list[str], call_lines: list[str]) -> str:
    """``a, b = x, y``: the parameters bound to the call's arguments or their defaults."""
    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    if len(call.args) > len(positional):
        raise _Refused("the call passes more arguments than it takes")
    values: dict[str, str] = {}
    for parameter, value in zip(positional, call.args, strict=False):
        values[parameter.arg] = _segment(call_lines, value)
    for keyword in call.keywords:
        if keyword.arg in values:
            raise _Refused(f"the call passes `{keyword.arg}` twice")
        if keyword.arg not in {a.arg for a in [*positional, *arguments.kwonlyargs]}:
            raise _Refused(f"the call passes `{keyword.arg}`, which it does not take")
        values[keyword.arg] = _segment(call_lines, keyword.value)
    defaults = dict(zip([a.arg for a in positional][::-1], arguments.defaults[::-1], strict=False))
    defaults.update(
        {a.arg: d for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d}
    )
    names = [a.arg for a in [*positional, *arguments.kwonlyargs]]
    for name in names:
        if name not in values:
            if name not in defaults:
                raise _Refused(f"the call does not pass `{name}`")
            values[name] = _segment(lines, defaults[name])
    if not names:
        return ""
    return f"{', '.join(names)} = {', '.join(values[n] for n in names)}"


def _segment(lines: list[str], node: ast.expr) -> str:
    if node.lineno == node.end_lineno:
        return lines[node.lineno - 1].encode()[node.col_offset : node.end_col_offset].decode()
    return ast.unparse(node)


def _header_end(node: ast.FunctionDef, lines: list[str]) -> int:
    """The last line of ``def f(...):`` (a signature may span lines)."""
    parts = [*node.args.defaults, *[d for d in node.args.kw_defaults if d]]
    parts += [a.annotation for a in [*node.args.args, *node.args.kwonlyargs] if a.annotation]
    if node.returns is not None:
        parts.append(node.returns)
    last = max([node.lineno, *[p.end_lineno for p in parts]])
    for line in range(last, node.body[0].lineno):
        code = lines[line - 1].split("#", 1)[0].rstrip()
        if code.endswith(":"):
            return line
    return node.body[0].lineno - 1


def _drop_return(edits, cell: int, last: ast.Return, lines: list[str], indent: int):
    """A trailing ``return x`` of a result nobody keeps: drop it, or keep the call it makes."""
    keep_expression = last.value is not None and not isinstance(
        last.value, (ast.Name, ast.Constant, ast.Tuple, ast.Attribute)
    )
    changed = {}
    for line in range(last.lineno, last.end_lineno + 1):
        changed[line] = ""
    if keep_expression:
        for line in range(last.value.lineno, last.value.end_lineno + 1):
            text = lines[line - 1]
            changed[line] = text[indent:] if text[:indent].isspace() else text.lstrip()
        first = lines[last.value.lineno - 1]
        changed[last.value.lineno] = first[last.value.col_offset :]
    return [(c, line, changed.get(line, text)) for c, line, text in edits]


def _bind_return(edits, last: ast.Return, lines: list[str], indent: int, target: str):
    """``model = main()``: the trailing ``return clf`` becomes ``model = clf`` on its line."""
    changed = {line: "" for line in range(last.lineno, last.end_lineno + 1)}
    for line in range(last.value.lineno, last.value.end_lineno + 1):
        text = lines[line - 1]
        changed[line] = text[indent:] if text[:indent].isspace() else text.lstrip()
    first = lines[last.value.lineno - 1].encode()[last.value.col_offset :].decode()
    changed[last.value.lineno] = (
        f"{target} = {first}" if last.value.lineno == last.lineno else first
    )
    if last.value.lineno != last.lineno:  # `return (\n    a,\n)`: the value starts below
        changed[last.lineno] = f"{target} = ("
        changed[last.end_lineno] = changed[last.end_lineno] + ")"
    return [(c, line, changed.get(line, text)) for c, line, text in edits]


def _remove_call(parsed, call: _Site) -> list[tuple[int, int, str]]:
    cell = parsed[call.cell].cell.index
    node = call.node
    if node is call.call_statement or len(node.body) == 1:
        span = range(node.lineno, node.end_lineno + 1)
        return [(cell, line, "") for line in span]
    statement = call.call_statement
    indent = " " * statement.col_offset
    edits = [(cell, statement.lineno, indent + "pass")]
    edits += [(cell, line, "") for line in range(statement.lineno + 1, statement.end_lineno + 1)]
    return edits


def _check_result(parsed, definition: _Site, call: _Site, edits) -> None:
    """The new sources parse, and the definition's cell now runs exactly the body's statements."""
    changed: dict[int, list[str]] = {}
    for cell, line, text in edits:
        changed.setdefault(cell, _lines_of(parsed, cell))[line - 1] = text
    trees = {}
    for cell, lines in changed.items():
        try:
            trees[cell] = ast.parse("\n".join(lines))
        except SyntaxError as error:
            raise _Refused(f"the opened-up code does not parse ({error.msg})") from None
    node = definition.node
    body = node.body[:-1] if isinstance(node.body[-1], ast.Return) else node.body
    expected = [ast.dump(s) for s in body]
    cell = parsed[definition.cell].cell.index
    found = [
        ast.dump(s)
        for s in trees[cell].body
        if node.lineno <= s.lineno <= node.end_lineno and not _is_binding(s, node)
    ]
    if found[: len(expected)] != expected:
        raise _Refused("its body does not survive being moved to the top level")


def _is_binding(statement: ast.stmt, node: ast.FunctionDef) -> bool:
    return statement.lineno == node.lineno and isinstance(statement, ast.Assign)


def _lines_of(parsed, cell_index: int) -> list[str]:
    cell: Cell = next(p.cell for p in parsed if p.cell.index == cell_index)
    return cell.source.split("\n")
