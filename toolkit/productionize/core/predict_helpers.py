"""Give predict.py its own copy of the notebook functions it calls, instead of importing them.

The served ``predict()`` replays the notebook's cleaning (``transformer_input.apply(clean_text)``)
with functions the notebook defined in a training stage. Importing them (``from .clean import
clean_text``) runs ``clean.py`` and its imports (the whole training stack) wherever the service
loads the model, against the rule that prediction imports nothing from training. predict.py
carries the functions instead, with the functions they call, the module-level values they read
(a stop-word set, a compiled regex: ``core/function_globals``) and the imports those need.
Classes stay imported: a pickled model refers to them in the module that defined them.
"""

from __future__ import annotations

import ast
import dataclasses
import re

from ..model import StageSpec
from .codegen import constants_for, imports_for, statement_text, stored_names
from .statements import CODE
from .tree_walk import walk_nodes

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_STAGE_IMPORT = re.compile(r"^from \.(load|clean|train) import (\w+)$")


def carry_helpers(
    spec: StageSpec,
    pieces: dict,
    imports: dict,
    constants: dict,
    hoisted: dict,
    replacements,
    helpers: dict,
) -> StageSpec:
    """``spec`` (the predict stage) with the notebook functions it imports from stage modules
    defined in it instead."""
    defined = {
        node.name
        for text in spec.constants
        for node in _parsed(text)
        if isinstance(node, (*FUNCTIONS, ast.ClassDef))
    }  # copies predict_plan made already (those recording statistics in `fitted`)
    definitions = {
        p.statement.node.name: p
        for stage in ("load", "clean", "train")
        for p in pieces.get(stage, ())
        if p.statement.kind == CODE
        and isinstance(p.statement.node, FUNCTIONS)
        and p.statement.node.name not in defined
    }
    wanted = [
        m.group(2)
        for line in spec.imports
        if (m := _STAGE_IMPORT.match(line)) and m.group(2) in definitions
    ]
    if not wanted:
        return spec
    carried: list[str] = []  # the functions, callees first found last
    todo = list(wanted)
    while todo:
        name = todo.pop(0)
        if name in carried:
            continue
        carried.append(name)
        node = definitions[name].statement.node
        used = {n.id for n in walk_nodes(node) if isinstance(n, ast.Name)}
        todo += sorted(n for n in used if n in definitions and n not in carried)
    texts = [
        statement_text(definitions[n].cell, definitions[n].statement, replacements) for n in carried
    ]
    values = _values_read("\n\n".join(texts), hoisted, replacements)
    code = "\n\n".join([*values, *texts])
    new_imports = set(imports_for(code, imports, set()))
    # a class the functions use stays where it is defined (pickles refer to it there)
    new_imports |= {
        f"from .{helpers[n]} import {n}"
        for n in sorted(_names(code))
        if n in helpers and n not in definitions and n not in defined
    }
    kept = [line for line in spec.imports if not _carried_import(line, carried)]
    already = set(spec.constants)
    module = [
        *(c for c in constants_for(code, constants) if c not in already),
        *values,
        *texts,
    ]
    return dataclasses.replace(
        spec,
        imports=tuple(sorted(set(kept) | new_imports)),
        constants=tuple(module) + spec.constants,
    )


def _carried_import(line: str, carried: list[str]) -> bool:
    match = _STAGE_IMPORT.match(line)
    return bool(match) and match.group(2) in carried


def _values_read(code: str, hoisted: dict, replacements) -> list[str]:
    """The hoisted module-level statements (``stop_words = {...}``) ``code`` reads, with those
    they read in turn, in the notebook's order."""
    statements = [p for stage in ("load", "clean", "train") for p in hoisted.get(stage, ())]
    texts = [statement_text(p.cell, p.statement, replacements) for p in statements]
    needed: set[int] = set()
    reads = _names(code)
    changed = True
    while changed:
        changed = False
        for index, piece in enumerate(statements):
            if index not in needed and stored_names(piece.statement.node) & reads:
                needed.add(index)
                reads |= _names(texts[index])
                changed = True
    return [texts[i] for i in sorted(needed)]


def _names(code: str) -> set[str]:
    return {n.id for node in _parsed(code) for n in walk_nodes(node) if isinstance(n, ast.Name)}


def _parsed(code: str) -> list[ast.stmt]:
    try:
        return ast.parse(code).body
    except SyntaxError:
        return []
