"""Tell the files a notebook writes from the files it reads.

``json.dump(metrics, open("metrics.json", "w"))``, ``with open("out/report.txt", "w") as f``,
``df.to_csv("submission.csv")``, ``out = "submission.csv"`` then ``sub.to_csv(out)``,
``plt.savefig("fig.png")`` and ``joblib.dump(model, "model.pkl")`` name outputs: the project
needs no copy of them, env.yaml no parameter for them, and a missing one is not missing data.
A path is an output when the notebook's first use of it writes it (a file it writes and then
reads back is its own product, too). Statements that only write a file for a person (a report, a
metrics JSON, an array saved with ``np.save``) stay in the notebook like plots, unless the
notebook reads the file back; DataFrame exports (``to_csv``) follow ``core/exports``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from .codegen import PATH_KEYWORDS, READ_FUNCTIONS
from .exports import EXPORT_METHODS
from .path_expressions import PathLiteral, Resolved, path_constants, resolve
from .tree_walk import walk_nodes

# call names whose first argument is the file written (`np.save(path, a)`, `fig.savefig(path)`)
WRITE_FIRST = frozenset({"save", "savez", "savez_compressed", "savetxt", "savefig", "imwrite"})
WRITE_FIRST |= frozenset({"imsave", "write_text", "write_bytes"})
# ... and those writing their second argument (`joblib.dump(model, path)`, `torch.save(m, p)`)
WRITE_SECOND = frozenset({"dump", "save_model"})
# statements only writing a file, by the call they make (DataFrame exports: core/exports)
ONLY_WRITE = frozenset({"save", "savez", "savez_compressed", "savetxt", "write_text"})
ONLY_WRITE |= frozenset({"write_bytes", "imwrite", "imsave"})


def written_paths(nodes: Iterable[ast.AST], given: dict[str, str] | None = None) -> frozenset[str]:
    """The path strings whose first use in ``nodes`` (in order) writes the file.

    A name bound to a string (``out = "submission.csv"``, or in ``given``: the parameters
    cell's values) stands for that string, and a path composed from such names
    (``OUT + "submission.csv"``, ``os.path.join(OUT, "x.csv")``) for the path it names."""
    nodes = list(nodes)
    bound = {**(given or {}), **_bound_strings(nodes)}
    constants = _constants(nodes, given)
    first: dict[str, str] = {}
    for node in nodes:
        for kind, expr in _file_uses(node):
            value = _value(expr, bound, constants)
            if value is not None:
                first.setdefault(value, kind)
    return frozenset(value for value, kind in first.items() if kind == "write")


def writing_statements(
    statements: Iterable[ast.stmt], read_back: frozenset[str] = frozenset()
) -> frozenset[ast.stmt]:
    """The statements that only write a file (``json.dump(x, open(p, "w"))``, ``with open(p,
    "w") as f: f.write(...)``, ``np.save(p, a)``), minus those writing a path in ``read_back``."""
    statements = list(statements)
    bound = _bound_strings(statements)
    constants = _constants(statements)
    found = set()
    for node in statements:
        targets = _only_writes(node)
        if not targets:
            continue
        values = {_value(t, bound, constants) for t in targets}
        if None in values or values & read_back:
            continue
        found.add(node)
    return frozenset(found)


def read_paths(nodes: Iterable[ast.AST]) -> frozenset[str]:
    """The path strings ``nodes`` read anywhere (``pd.read_csv(p)``, ``open(p)``)."""
    nodes = list(nodes)
    bound = _bound_strings(nodes)
    constants = _constants(nodes)
    return frozenset(
        value
        for node in nodes
        for kind, expr in _file_uses(node)
        if kind == "read" and (value := _value(expr, bound, constants)) is not None
    )


def composed_writes(node: ast.AST, constants: dict[str, Resolved]) -> list[PathLiteral]:
    """The file paths ``node`` writes that it composes from path constants (``OUT +
    "submission.csv"``, ``os.path.join(OUT, "x.csv")``, ``f"{OUT}/x.csv"``, ``Path(OUT) /
    "x.csv"``): each one path, as a read path composed so is (core/path_expressions)."""
    found = []
    for kind, expr in _file_uses(node):
        if kind != "write" or expr is None or isinstance(expr, (ast.Constant, ast.Name)):
            continue
        resolved = resolve(expr, constants)
        if resolved is not None and resolved.value.strip():
            found.append(PathLiteral(expr, resolved.value, resolved.constructor, resolved.reads))
    return found


def _only_writes(node: ast.stmt) -> list[ast.expr]:
    """The paths a statement writes when writing files is all it does, else []."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        call = node.value
        opened = [a for a in [*call.args, *(k.value for k in call.keywords)] if _write_open(a)]
        if opened:  # json.dump(metrics, open("metrics.json", "w"))
            return [_first_argument(a) for a in opened]
        name = _call_name(call)
        if name in ONLY_WRITE and _is_path_call(call, name):
            return [_destination(call, name)]
        return []
    if isinstance(node, ast.With) and all(_write_open(i.context_expr) for i in node.items):
        handles = {i.optional_vars.id for i in node.items if isinstance(i.optional_vars, ast.Name)}
        if all(_writes_to(stmt, handles) for stmt in node.body):
            return [_first_argument(i.context_expr) for i in node.items]
    return []


def _writes_to(node: ast.stmt, handles: set[str]) -> bool:
    """``f.write(...)``, ``json.dump(x, f)``, ``print(..., file=f)``: a call writing to a handle."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    call = node.value
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id in handles:
            return func.attr in ("write", "writelines")
    arguments = [*call.args, *(k.value for k in call.keywords)]
    return any(isinstance(a, ast.Name) and a.id in handles for a in arguments)


def _file_uses(node: ast.AST):
    """("read" | "write", path expression) for each file call in ``node``, in source order."""
    calls = sorted(
        (c for c in walk_nodes(node) if isinstance(c, ast.Call)),
        key=lambda c: (c.lineno, c.col_offset),
    )
    for call in calls:
        name = _call_name(call)
        if name == "open" and call.args:
            yield ("write" if _write_open(call) else "read"), call.args[0]
        elif name in EXPORT_METHODS or name in WRITE_FIRST or name in WRITE_SECOND:
            destination = _destination(call, name)
            if destination is not None:
                yield "write", destination
        elif name in READ_FUNCTIONS:
            for arg in [
                *call.args[:1],
                *(k.value for k in call.keywords if k.arg in PATH_KEYWORDS),
            ]:
                yield "read", arg


def _destination(call: ast.Call, name: str) -> ast.expr | None:
    if name in ("write_text", "write_bytes"):  # Path("x.txt").write_text(...)
        owner = call.func.value if isinstance(call.func, ast.Attribute) else None
        if isinstance(owner, ast.Call) and owner.args and _call_name(owner) in ("Path", "open"):
            return owner.args[0]
        return None
    position = 1 if name in WRITE_SECOND else 0
    if len(call.args) > position:
        return call.args[position]
    keywords = {"path_or_buf", "path", "excel_writer", "fname", "file", "filename", "filepath"}
    return next((k.value for k in call.keywords if k.arg in keywords), None)


def _is_path_call(call: ast.Call, name: str) -> bool:
    """``np.save("x.npy", a)``, not ``model.save()`` with nothing to tell the path by."""
    return _destination(call, name) is not None


def _write_open(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Call) and _call_name(node) == "open"):
        return False
    modes = [k.value for k in node.keywords if k.arg == "mode"] + node.args[1:2]
    return any(
        isinstance(m, ast.Constant) and isinstance(m.value, str) and set(m.value) & set("wax")
        for m in modes
    )


def _first_argument(call: ast.Call) -> ast.expr | None:
    return call.args[0] if call.args else None


def _call_name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _bound_strings(nodes: list[ast.AST]) -> dict[str, str]:
    """Names bound once to a string literal anywhere in ``nodes``."""
    bound: dict[str, str | None] = {}
    for node in nodes:
        for sub in walk_nodes(node):
            if isinstance(sub, ast.Assign) and len(sub.targets) == 1:
                target = sub.targets[0]
                if isinstance(target, ast.Name):
                    value = sub.value
                    text = (
                        value.value
                        if isinstance(value, ast.Constant) and isinstance(value.value, str)
                        else None
                    )
                    bound[target.id] = text if target.id not in bound else None
    return {name: text for name, text in bound.items() if text is not None}


def _constants(nodes: list[ast.AST], given: dict[str, str] | None = None) -> dict:
    """The path constants of ``nodes`` (core/path_expressions), the parameters' among them."""
    known = {name: Resolved(value) for name, value in (given or {}).items()}
    return {**known, **path_constants(nodes)}


def _value(
    expr: ast.AST | None, bound: dict[str, str], constants: dict[str, Resolved]
) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.Name):
        return bound.get(expr.id)
    if expr is None:
        return None
    resolved = resolve(expr, constants)  # OUT + "submission.csv"
    return None if resolved is None else resolved.value
