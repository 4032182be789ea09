"""Whether a frame's text columns were all converted to numbers before a call (PN205).

``for c in cat_cols: df[c] = le.fit_transform(df[c])``, ``df[c] = df[c].map({...})``,
``astype(int)``, ``pd.get_dummies(df)`` and dropping a column leave no text in those columns.
The notebook shows which columns hold text through a ``df.info()`` / ``df.dtypes`` output, or
its code picks them by dtype (``df.select_dtypes(include="object").columns``): when every such
column was converted before ``df.corr()``, the call no longer raises. Pure: reads parsed cells.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from .defuse import ParsedCell
from .tree_walk import walk_nodes

Position = tuple[int, int]  # (cell index, line in the cell)
EVERY_TEXT_COLUMN = None  # a conversion that covers every text column of the frame

_TEXT_DTYPES = frozenset({"object", "str", "string", "category"})
_DTYPE = (
    r"(object|str|string|category|bool|boolean|u?int\d*|Int\d+|float\d*|Float\d+|datetime64\S*)"
)
_INFO_ROW = re.compile(r"^\s*\d+\s+(.+?)\s+\d+\s+non-null\s+" + _DTYPE + r"\s*$")
_DTYPES_ROW = re.compile(r"^(.+?)\s+" + _DTYPE + r"\s*$")
_ENCODERS = frozenset({"fit_transform", "transform", "factorize"})
_NUMERIC_TYPES = re.compile(r"\b(u?int\d*|float\d*|bool)\b")
_OBJECT_NAMES = frozenset({"O", "object", "|O", "str"})


def shown_text_columns(parsed: Iterable[ParsedCell], frame: str, before: Position) -> set | None:
    """Text columns of ``frame`` in the last ``frame.info()`` / ``frame.dtypes`` output shown in
    a cell above ``before`` (None: the notebook shows none)."""
    shown = None
    for p in parsed:
        if p.cell.index >= before[0]:
            break
        source = p.cell.source
        if f"{frame}.info(" not in source and f"{frame}.dtypes" not in source:
            continue
        for output in p.cell.outputs:
            rows = _dtype_rows(output.text)
            if rows:
                shown = {column for column, dtype in rows if dtype in _TEXT_DTYPES}
    return shown


def _dtype_rows(text: str) -> list[tuple[str, str]]:
    rows = []
    for line in text.splitlines():
        match = _INFO_ROW.match(line)
        if match is None and "non-null" not in line:
            match = _DTYPES_ROW.match(line)
        if match is None or match.group(1).strip() in ("dtype:", "dtypes:"):
            continue
        rows.append((match.group(1).strip(), match.group(2)))
    return rows


def conversions(parsed: Iterable[ParsedCell], frame: str, before: Position) -> list:
    """Columns of ``frame`` converted to numbers (or dropped) above ``before``: sets of names,
    or EVERY_TEXT_COLUMN for a conversion of every text (or every) column."""
    literals: dict[str, set] = {}  # cat_cols = ["a", "b"]
    selectors: set[str] = set()  # cat_cols = df.select_dtypes("object").columns
    found: list = []
    for p in parsed:
        if p.tree is None or p.cell.index > before[0]:
            break
        for node in walk_nodes(p.tree):
            if (p.cell.index, getattr(node, "lineno", 0)) >= before:
                continue
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
                if isinstance(target, ast.Name):
                    names = _literal_names(value, literals)
                    if names is not None:
                        literals[target.id] = names
                    elif _selects_text(value, frame):
                        selectors.add(target.id)
                    if target.id == frame:
                        found += _frame_rebinding(value, frame, literals, selectors)
                elif _column_of(target, frame) is not None and _converts(value, target):
                    key = _column_of(target, frame)
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        found.append({key.value})
            elif isinstance(node, ast.For) and isinstance(node.target, ast.Name):
                covered = _loop_conversion(node, frame, literals, selectors)
                if covered is not False:
                    found.append(covered)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                dropped = _dropped(node.value, frame, literals)
                if dropped is not None and _keyword_true(node.value, "inplace"):
                    found.append(dropped)
    return found


def all_converted(parsed: list[ParsedCell], frames: Iterable[str], at: Position) -> bool:
    """Whether every text column of the frame (named ``frames``: it and what it copies) was
    converted before ``at``, as the code or the shown dtypes tell."""
    done: set = set()
    shown = None
    for frame in frames:
        for covered in conversions(parsed, frame, at):
            if covered is EVERY_TEXT_COLUMN:
                return True
            done |= covered
        if shown is None:
            shown = shown_text_columns(parsed, frame, at)
    return shown is not None and shown <= done


def _column_of(node: ast.AST, frame: str) -> ast.AST | None:
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == frame
    ):
        return node.slice
    return None


def _literal_names(node: ast.AST, literals: dict[str, set]) -> set | None:
    if isinstance(node, ast.Name) and node.id in literals:
        return literals[node.id]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and node.elts:
        if all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
            return {e.value for e in node.elts}
    return None


def _mentions(node: ast.AST, frame: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == frame for n in ast.walk(node))


def _is_object_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in _OBJECT_NAMES
    if isinstance(node, ast.Name):
        return node.id in ("object", "str")
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_is_object_literal(e) for e in node.elts)
    return isinstance(node, ast.Attribute) and node.attr in ("object_", "object")


def _names_pandas3_text(node: ast.AST) -> bool:
    """``"str"``, ``str``, ``("O", "str")``: a dtype name pandas 3's text columns match."""
    if isinstance(node, ast.Constant):
        return node.value in ("str", "string")
    if isinstance(node, ast.Name):
        return node.id == "str"
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return any(_names_pandas3_text(e) for e in node.elts)
    return False


def _is_dtype_test(node: ast.AST) -> bool:
    """``df[c].dtype in ("O", "str")``, ``df[c].dtype == "str"``: a test true for every text
    column. ``df[c].dtype == "O"`` alone is not one: pandas 3's text columns are ``str`` and
    the test skips them (PN206), so the columns it was meant to convert keep their text."""
    for n in ast.walk(node):
        if isinstance(n, ast.Compare) and len(n.ops) == 1:
            if isinstance(n.ops[0], (ast.Eq, ast.In)) and (
                _names_pandas3_text(n.comparators[0]) or _names_pandas3_text(n.left)
            ):
                return True
    return False


def _selects_text(node: ast.AST, frame: str) -> bool:
    """An expression picking ``frame``'s text columns by dtype."""
    if not _mentions(node, frame):
        return False
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and getattr(n.func, "attr", None) == "select_dtypes":
            include = next((k.value for k in n.keywords if k.arg == "include"), None)
            if include is None and n.args:
                include = n.args[0]
            if include is not None and _is_object_literal(include):
                return True
    return _is_dtype_test(node)


def _converts(value: ast.AST, target: ast.AST) -> bool:
    """``le.fit_transform(df[c])``, ``df[c].map({"a": 0})``, ``df[c].astype(int)``,
    ``df[c].astype("category").cat.codes``, ``pd.factorize(df[c])[0]``: numbers from the column."""
    if ast.unparse(target) not in ast.unparse(value):
        return False
    if isinstance(value, ast.Attribute) and value.attr == "codes":
        return True
    if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Call):
        value = value.value  # pd.factorize(df[c])[0]
    if not isinstance(value, ast.Call) or not isinstance(value.func, (ast.Attribute, ast.Name)):
        return False
    name = value.func.attr if isinstance(value.func, ast.Attribute) else value.func.id
    if name in _ENCODERS:
        return True
    if name in ("map", "replace") and value.args and isinstance(value.args[0], ast.Dict):
        mapping = value.args[0]
        return bool(mapping.values) and all(
            isinstance(v, ast.Constant) and isinstance(v.value, (int, float))
            for v in mapping.values
        )
    if name == "astype" and value.args:
        return bool(_NUMERIC_TYPES.search(ast.unparse(value.args[0])))
    return False


def _keyword_true(call: ast.Call, name: str) -> bool:
    return any(
        k.arg == name and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in call.keywords
    )


def _dropped(call: ast.Call, frame: str, literals: dict[str, set]) -> set | None:
    """The columns ``frame.drop(columns=[...])`` / ``frame.drop([...], axis=1)`` removes."""
    func = call.func
    if not (
        isinstance(func, ast.Attribute)
        and func.attr == "drop"
        and isinstance(func.value, ast.Name)
        and func.value.id == frame
    ):
        return None
    keywords = {k.arg: k.value for k in call.keywords}
    if "columns" in keywords:
        return _literal_names(keywords["columns"], literals)
    axis = keywords.get("axis", call.args[1] if len(call.args) > 1 else None)
    if call.args and isinstance(axis, ast.Constant) and axis.value in (1, "columns"):
        return _literal_names(call.args[0], literals)
    return None


def _frame_rebinding(value: ast.AST, frame: str, literals, selectors) -> list:
    """``df = pd.get_dummies(df)`` (every text column), ``..., columns=[...])``, ``df.drop(...)``."""
    if not isinstance(value, ast.Call):
        return []
    func = value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name == "get_dummies" and value.args and ast.unparse(value.args[0]) == frame:
        columns = next((k.value for k in value.keywords if k.arg == "columns"), None)
        if columns is None or (isinstance(columns, ast.Name) and columns.id in selectors):
            return [EVERY_TEXT_COLUMN]
        if _selects_text(columns, frame):
            return [EVERY_TEXT_COLUMN]
        names = _literal_names(columns, literals)
        return [names] if names is not None else []
    dropped = _dropped(value, frame, literals)
    return [dropped] if dropped is not None else []


def _loop_conversion(loop: ast.For, frame: str, literals, selectors):
    """What ``for c in cols: df[c] = le.fit_transform(df[c])`` converts (False: nothing)."""
    variable = loop.target.id  # type: ignore[union-attr]
    iterable = loop.iter
    over_columns = ast.unparse(iterable) in (f"{frame}.columns", frame)
    by_dtype = (isinstance(iterable, ast.Name) and iterable.id in selectors) or _selects_text(
        iterable, frame
    )
    names = None if over_columns or by_dtype else _literal_names(iterable, literals)
    if not (over_columns or by_dtype or names is not None):
        return False
    for statement in loop.body:
        assigns = [statement]
        if isinstance(statement, ast.If) and not statement.orelse:
            if not (over_columns and _is_dtype_test(statement.test)):
                continue  # only some columns: the others may keep their text
            assigns = statement.body
        for node in assigns:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
                continue
            target = node.targets[0]
            key = _column_of(target, frame)
            if not (isinstance(key, ast.Name) and key.id == variable):
                continue
            if _converts(node.value, target):  # every column, or every text one, or the names
                return EVERY_TEXT_COLUMN if names is None else names
    return False
