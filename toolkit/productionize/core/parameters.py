"""Pipeline parameters: literal values of ``parameters`` cells and file paths lifted from code.

Data files the notebook reads become parameters with a project-relative default; files of up to
20 MB are copied into ``data/`` (the adapter copies them), larger or missing ones keep their path.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..model import CellGraph, DataFile, Parameter
from . import tags as tag_grammar
from .codegen import (
    READ_FUNCTIONS,
    Replacement,
    find_definition_path_literals,
    find_path_literals,
    is_absolute_path,
    python_string,
    statement_text,
    stored_names,
)
from .defuse import BUILTIN_NAMES
from .file_writes import composed_writes, read_paths, written_paths
from .function_parameters import (
    FUNCTIONS,
    Needs,
    call_edits,
    default_argument,
    propagate,
    signature_edit,
)
from .path_expressions import PathLiteral, Resolved, path_constants, reader_functions
from .statements import CODE
from .tree_walk import walk_nodes

STAGES = tag_grammar.STAGES
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
MAX_COPIED_BYTES = 20 * 1024 * 1024
OUTPUT_FOLDER = "products"  # where the pipeline writes; an absolute output path moves there
SizeOf = Callable[[str], "int | None"]


def parameters_from_cells(
    graph: CellGraph, parsed_of: dict
) -> tuple[list[Parameter], dict[str, str]]:
    """Literal assignments of ``parameters`` cells; other statements become module constants."""
    parameters: list[Parameter] = []
    constants: dict[str, str] = {}
    for cell in graph.cells:
        if cell.stage != tag_grammar.PARAMETERS:
            continue
        parsed, statements = parsed_of[cell.index]
        for statement in statements:
            node = statement.node
            if statement.kind != CODE:
                continue
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                name = node.targets[0].id
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    constants[name] = statement_text(parsed, statement)
                    continue
                parameters = [p for p in parameters if p.name != name]
                parameters.append(
                    Parameter(name, value, cell.index, isinstance(value, str) and _is_path(value))
                )
            else:
                for name in stored_names(node):
                    constants[name] = statement_text(parsed, statement)
    return parameters, constants


def _is_path(value: str) -> bool:
    """A string that names a file: ``data/x.csv``, ``x.parquet`` or an absolute path."""
    if is_absolute_path(value):
        return True
    has_extension = re.search(r"\.[A-Za-z][A-Za-z0-9]{0,7}$", value) is not None
    return has_extension and re.fullmatch(r"[\w./\\-]+", value) is not None


def lift_paths(notebook, pieces, parameters, context: PathContext, outputs: frozenset[str]):
    """Hard-coded file paths read by production code become parameters named after the file.

    ``context``: ``path_context(pieces)``; ``outputs``: ``output_paths(pieces)``.
    """
    taken = {p.name for p in parameters}
    by_value = {p.default: p.name for p in parameters if p.is_path}
    lifted: list[Parameter] = []
    replacements: dict[tuple[int, int, int], Replacement] = {}
    for stage in STAGES:
        for piece in pieces[stage]:
            node = piece.statement.node
            if piece.statement.kind != CODE or isinstance(node, DEFINITIONS):
                continue  # a function's paths: see lift_definition_paths
            if _binds(node) & context.consumed:
                continue  # DATA_DIR = "data", read only where a lifted path composes it
            for literal in _production_paths(node, context):
                value = literal.value
                written = value in outputs
                if written and value not in context.moved:
                    continue  # a file the notebook writes: an output, not data to copy
                name = by_value.get(value)
                if name is None:
                    name = _param_name(value, taken)
                    taken.add(name)
                    by_value[value] = name
                    if written:  # /kaggle/working/submission.csv: into the project's products/
                        lifted.append(Parameter(name, output_default(value), None, False))
                    elif value in context.output_folders:  # os.makedirs("/kaggle/working")
                        folder = OUTPUT_FOLDER + ("/" if value[-1] in "/\\" else "")
                        lifted.append(Parameter(name, folder, None, False))
                    else:
                        lifted.append(Parameter(name, value, None, True))
                key = (piece.cell.cell.index, literal.lineno, literal.col_offset)
                replacements[key] = Replacement(
                    literal.lineno,
                    literal.col_offset,
                    literal.end_lineno,
                    literal.end_col_offset,
                    _as_written(literal, name),
                )
    return lifted, replacements


@dataclass(frozen=True)
class PathContext:
    """What finding the production code's paths needs to know of the whole notebook."""

    constants: dict[str, Resolved]  # names bound once to a path (DATA_DIR = "data")
    readers: dict[str, tuple[int, str]]  # own functions reading the file an argument names
    consumed: frozenset[str]  # constants read only where a lifted path composes them
    outputs: frozenset[str]  # paths written before they are read: output_paths(pieces)
    moved: frozenset[str]  # outputs the project writes in products/ (see output_default)
    output_folders: frozenset[str]  # absolute folders of moved outputs, of no file read


def path_context(pieces) -> PathContext:
    """The path constants and reader functions of the production code, and the constants that
    only compose paths lifted whole (their literals are no parameters of their own).

    The outputs written to an absolute path, or to one composed from a folder constant
    (``OUT + "submission.csv"``, ``DATA_DIR + "submission.csv"`` where the notebook reads
    ``DATA_DIR + "train.csv"``), move to products/: the project has no such folder (its data
    lies in data/)."""
    nodes = [
        p.statement.node for stage in STAGES for p in pieces[stage] if p.statement.kind == CODE
    ]
    constants = path_constants(nodes)
    readers = reader_functions(nodes, READ_FUNCTIONS)
    outputs = written_paths(nodes)
    moved = {value for value in outputs if is_absolute_path(value)}
    inside: set[int] = set()  # Name nodes read by a composed path that is lifted
    for node in nodes:
        if isinstance(node, DEFINITIONS):
            found = find_definition_path_literals(node, constants, readers)
        else:
            writes = composed_writes(node, constants)
            moved.update(w.value for w in writes if w.value in outputs)
            found = [*find_path_literals(node, constants, readers), *writes]
        for literal in found:
            inside.update(id(n) for n in literal.reads)
    loads: dict[str, list[int]] = {}
    for node in nodes:
        for sub in walk_nodes(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id in constants:
                loads.setdefault(sub.id, []).append(id(sub))
    consumed: set[str] = set()
    changed = True
    while changed:  # a constant composing only consumed constants is consumed too
        changed = False
        for name, resolved in constants.items():
            if name in consumed or not loads.get(name):
                continue
            if all(load in inside for load in loads[name]):
                consumed.add(name)
                inside.update(id(n) for n in resolved.reads)
                changed = True
    return PathContext(
        constants,
        readers,
        frozenset(consumed),
        outputs,
        frozenset(moved),
        _output_folders(nodes, moved),
    )


def _output_folders(nodes, moved: set[str]) -> frozenset[str]:
    """The absolute folders the production code names (``OUT = "/kaggle/working/"``) that hold
    an output moved to products/ and no file it reads: products/ is the project's for them."""
    folders = {
        literal.value
        for node in nodes
        if not isinstance(node, DEFINITIONS)
        for literal in find_path_literals(node)
        if is_absolute_path(literal.value) and literal.value not in moved
    }

    def holds(folder: str, paths) -> bool:
        head = folder.rstrip("/\\")
        return any(
            p.startswith(head) and p[len(head) : len(head) + 1] in ("/", "\\") for p in paths
        )

    read = read_paths(nodes)
    return frozenset(f for f in folders if holds(f, moved) and not holds(f, read))


def _production_paths(node: ast.AST, context: PathContext) -> list[PathLiteral]:
    """The paths a top-level statement reads, its absolute paths, and the paths it writes that
    it composes (``OUT + "submission.csv"``): pieces of a composed path are none of their own
    (``"/kaggle/working"`` in ``os.path.join("/kaggle/working", "x.csv")``)."""
    writes = composed_writes(node, context.constants)
    inner = {id(sub) for w in writes for sub in walk_nodes(w.node)}
    found = [
        literal
        for literal in find_path_literals(node, context.constants, context.readers)
        if id(literal.node) not in inner
    ]
    return sorted([*found, *writes], key=lambda c: (c.lineno, c.col_offset))


def _binds(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    return set()


def _as_written(literal: PathLiteral, text: str) -> str:
    """The parameter (or the project's copy) in place of ``literal``: a Path stays a Path."""
    return text if literal.constructor is None else f"{literal.constructor}({text})"


def lift_definition_paths(
    pieces, parameters, size_of: SizeOf, context: PathContext, outputs: frozenset[str]
):
    """Paths hard-coded inside the notebook's functions become pipeline parameters too.

    A function becomes module-level code of its stage module, out of reach of the stage
    function's parameters, so the path reaches it as a keyword: ``def load_data(): url =
    "x.csv"`` becomes ``def load_data(x_path="data/x.csv"): url = x_path`` (default: the
    project's copy), a default ``def load(path="x.csv")`` reads ``data/x.csv``, and every call in
    the load/clean/train stages passes the stage's parameter (``load_data(x_path=x_path)``); a
    function calling one of them without the argument gets the keyword too and passes it on
    (``core/function_parameters``). A path also read at top level shares that parameter.
    Classes keep the project's copy as a literal. Returns the new parameters, the data files
    no parameter carries (read only by classes, or by functions no stage calls) and the
    source replacements.
    """
    by_value = {p.default: p.name for p in parameters if p.is_path}
    taken = {p.name for p in parameters}
    files: dict[str, DataFile] = {}
    replacements: dict[tuple[int, int, int], Replacement] = {}
    definitions: dict[str, ast.AST] = {}  # function name -> its (first) definition
    needs: dict[str, Needs] = {}
    defaults: dict[str, str] = {}  # parameter -> the project's copy, as source text
    functions: list = []  # pieces defining functions
    for stage in STAGES:
        for piece in pieces[stage]:
            node = piece.statement.node
            if piece.statement.kind != CODE or not isinstance(node, DEFINITIONS):
                continue
            is_function = isinstance(node, FUNCTIONS)
            if is_function:
                definitions.setdefault(node.name, node)
                functions.append(piece)
            for literal in find_definition_path_literals(node, context.constants, context.readers):
                value = literal.value
                if value in outputs:
                    continue
                if value not in files:
                    files[value] = _data_file(value, by_value.get(value, ""), size_of)
                project = python_string(files[value].project_path)
                text = project
                argument = default_argument(node, literal.node)
                if is_function:
                    name = by_value.get(value) or _param_name(value, taken)
                    taken.add(name)
                    by_value[value] = name
                    defaults[name] = project
                    mine = needs.setdefault(node.name, Needs())
                    if argument is not None:  # `def f(path="x.csv")`: reads the copy by default
                        mine.keywords.setdefault(name, argument)
                    else:
                        text = name
                        if name not in mine.keywords:
                            mine.keywords[name] = name
                            mine.added.append(name)
                key = (piece.cell.cell.index, literal.lineno, literal.col_offset)
                replacements[key] = Replacement(
                    literal.lineno,
                    literal.col_offset,
                    literal.end_lineno,
                    literal.end_col_offset,
                    _as_written(literal, text),
                )
    propagate(definitions, needs)
    for piece in functions:
        node, cell = piece.statement.node, piece.cell.cell.index
        mine = needs.get(node.name, Needs())
        replacements.update(
            call_edits(cell, node, definitions, needs, lambda name, mine=mine: mine.keywords[name])
        )
        if mine.added and definitions[node.name] is node:
            added = [(name, defaults[name]) for name in mine.added]
            replacements.update(signature_edit(cell, piece.cell.source, node, added))
    passed: set[str] = set()  # parameters a stage function passes on
    for stage in ("load", "clean", "train"):  # predict(model, records) takes no parameters
        for piece in pieces[stage]:
            node = piece.statement.node
            if piece.statement.kind != CODE or isinstance(node, DEFINITIONS):
                continue
            edits = call_edits(
                piece.cell.cell.index,
                node,
                definitions,
                needs,
                lambda name: passed.add(name) or name,
            )
            replacements.update(edits)
    known = {p.name for p in parameters}
    lifted = [
        Parameter(name, value, None, True)
        for value, name in by_value.items()
        if name in passed and name not in known
    ]
    carried = {p.default for p in [*parameters, *lifted] if p.is_path}
    only_code = [
        DataFile(f.notebook_path, "", f.project_path, f.copied, f.note)
        for value, f in files.items()
        if value not in carried
    ]
    return lifted, only_code, replacements


def output_default(value: str) -> str:
    """Where the project writes a file the notebook wrote to an absolute path: its products/
    folder (ploomber's output folder, ignored by git), under the file's name."""
    name = re.split(r"[\\/]", value.rstrip("/\\"))[-1]
    return f"{OUTPUT_FOLDER}/{name}"


def output_paths(pieces, parameters=()) -> frozenset[str]:
    """Paths production code writes before reading them (``metrics.json``, a submission); a
    parameter of the ``parameters`` cell may name one (``OUTPUT = "preds.csv"``)."""
    given = {p.name: p.default for p in parameters if isinstance(p.default, str)}
    return written_paths((p.statement.node for stage in STAGES for p in pieces[stage]), given)


def _param_name(value: str, taken: set[str]) -> str:
    stem = re.split(r"[\\/]", value.rstrip("/\\"))[-1].split(".")[0]
    base = (
        re.sub(r"[\W_]+", "_", stem).strip("_").lower() or "data"
    )  # one "_": ploomber refuses "__"
    if base[0].isdigit():
        base = "f_" + base
    name = f"{base}_path"
    counter = 2
    while name in taken or name in BUILTIN_NAMES:
        name = f"{base}_path_{counter}"
        counter += 1
    return name


def data_files(
    parameters: list[Parameter], size_of: SizeOf, outputs: frozenset[str] = frozenset()
) -> list[DataFile]:
    """Decide, for every path parameter, whether its file is copied into ``data/``; a path in
    ``outputs`` (one the pipeline writes) is no data file."""
    return [
        _data_file(param.default, param.name, size_of)
        for param in parameters
        if param.is_path and isinstance(param.default, str) and param.default not in outputs
    ]


def _data_file(value: str, parameter: str, size_of: SizeOf) -> DataFile:
    """Where the project reads ``value`` from; ``parameter`` is "" for a path only a function
    of the notebook reads (it is not a pipeline parameter)."""
    size = size_of(value)
    base = re.split(r"[\\/]", value)[-1]
    if size is None:
        return DataFile(value, parameter, value, False, "not found next to the notebook")
    if size > MAX_COPIED_BYTES:
        way_out = f"pass {parameter} to point at it" if parameter else "edit the path in the code"
        return DataFile(
            value,
            parameter,
            value,
            False,
            f"{size / 1e6:.0f} MB, larger than 20 MB: not copied; {way_out}",
        )
    return DataFile(value, parameter, f"data/{base}", True)
