"""What a statsmodels model is served: the columns its formula's right-hand side reads
(``smf.ols("price ~ rooms + C(city)", data=homes).fit()`` asks for ``rooms`` and ``city``, not
every column of ``homes`` and not the target), and the constant the notebook added to its exog
(``X = sm.add_constant(X)``), which the served predict() adds itself instead of asking for it."""

from __future__ import annotations

import ast
from dataclasses import dataclass

CONSTANT = "const"  # the column sm.add_constant adds (its default name)
# patsy's operators Python does not have, read as one that parses the same way for our purpose
_PATSY_ONLY = {":": "*", "|": "+"}


@dataclass(frozen=True)
class StatsmodelsServing:
    """``columns``: the formula's right-hand-side names (the served fields are those of them
    the frame has); ``constant``: (cell, line) of the ``sm.add_constant`` the served predict()
    replays, or None."""

    columns: tuple[str, ...] = ()
    constant: tuple[int, int] | None = None


def statsmodels_serving(pieces: dict, imports: dict, model: str, features: str | None):
    """How the statsmodels model ``model`` fitted on ``features`` is served, from the kept
    statements of the load, clean and train stages (``pieces``: stage -> pieces)."""
    columns: tuple[str, ...] = ()
    constant = None
    built_with_data = False
    for stage in ("load", "clean", "train"):
        for piece in pieces.get(stage, ()):
            node = piece.statement.node
            if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                continue
            target = node.targets[0]
            if not isinstance(target, ast.Name) or not isinstance(node.value, ast.Call):
                continue
            if target.id == model and stage == "train":
                built_with_data = _built_then_fitted(node.value)
                formula = _fit_formula(node.value)
                if formula is not None:
                    columns = formula_columns(formula)
            elif target.id == features and features:
                is_constant = _adds_constant(node.value, imports)
                constant = (piece.cell.cell.index, node.lineno) if is_constant else None
    if not built_with_data:
        return StatsmodelsServing()
    return StatsmodelsServing(columns, constant)


def formula_columns(formula: str) -> tuple[str, ...]:
    """The names the right-hand side of a patsy formula reads, in order (``"y ~ a + C(b) +
    np.log(c) + a:b"`` -> a, b, c); function names and modules are not columns."""
    if "~" not in formula:
        return ()
    text = formula.split("~", 1)[1]
    for patsy, python in _PATSY_ONLY.items():
        text = text.replace(patsy, python)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return ()
    not_columns = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            not_columns.add(id(node.func))
        elif isinstance(node, ast.Attribute):
            not_columns.add(id(node.value))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in not_columns:
            found.append((node.col_offset, node.id))
        elif (  # Q("weird name") quotes a column
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "Q"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.col_offset, node.args[0].value))
    names: list[str] = []
    for _offset, name in sorted(found):
        if name not in names:
            names.append(name)
    return tuple(names)


def constant_statements(records: str, model: str, cell: int, line: int) -> str:
    """Statements opening the served predict(): add the notebook's constant to records that
    come without it (a request; the pipeline's own rows have it), in the model's column order."""
    return (
        f"# the notebook added the constant itself (sm.add_constant, cell {cell} line {line}):\n"
        "# records without it get it, in the order the model was fitted on\n"
        f"exog_names = list({model}.model.exog_names)\n"
        f'if set(exog_names) - set({records}.columns) == {{"{CONSTANT}"}}:\n'
        f"    {records} = {records}.assign({CONSTANT}=1.0)[exog_names]\n"
    )


def _built_then_fitted(call: ast.Call) -> bool:
    """``sm.OLS(y, X).fit()``: a model built with its data, fitted without arguments."""
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "fit"
        and not call.args
        and isinstance(call.func.value, ast.Call)
    )


def _fit_formula(call: ast.Call) -> str | None:
    """The formula of ``smf.ols("y ~ x", data=df).fit()``, or None."""
    if not isinstance(call.func, ast.Attribute) or call.func.attr != "fit":
        return None
    built = call.func.value
    if not isinstance(built, ast.Call):
        return None
    keywords = {k.arg: k.value for k in built.keywords}
    formula = built.args[0] if built.args else keywords.get("formula")
    if isinstance(formula, ast.Constant) and isinstance(formula.value, str):
        return formula.value if "~" in formula.value else None
    return None


def _adds_constant(call: ast.Call, imports: dict) -> bool:
    """``sm.add_constant(X)`` (statsmodels imported under any name), ``add_constant(X)``
    imported from statsmodels, with the default column name."""
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        name, module = func.attr, imports.get(func.value.id, ("", ""))[1]
    elif isinstance(func, ast.Name):
        name, module = func.id, imports.get(func.id, ("", ""))[1]
    else:
        return False
    return name == "add_constant" and module == "statsmodels"
