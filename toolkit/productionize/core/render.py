"""Render the PipelineSpec into the files of the generated project (Jinja2, StrictUndefined).

The adapter builds the Jinja ``Environment`` over ``templates/`` and passes it in, so this module
never touches the file system itself. Generated Python is formatted with black (as a library),
except for the templates in ``BLACK_CLEAN_TEMPLATES``: they are written black-clean, so rendering
them skips black (~0.3 ms per line; the registry alone is 600 lines) and only their few variable
statements are formatted, each on its own (see ``format_statement``).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import PipelineSpec, RenderedFile, StageSpec
from .black_compat import ruff_module_trusted
from .codegen import indent_body
from .imports import sort_imports

STAGE_TITLES = {
    "load": "Load",
    "clean": "Clean",
    "train": "Train",
    "predict": "Predict",
    "evaluate": "Evaluate",
}
# Distributions every generated project needs besides what the notebook imports.
BASE_DISTRIBUTIONS = ("joblib", "pandas", "ploomber")
# import name -> PyPI distribution, for modules the toolkit's environment does not have installed
# (there the installed metadata answers): the names differ, and `pip install sklearn` fails
IMPORT_DISTRIBUTIONS = {
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "cv2": "opencv-python",
    "PIL": "Pillow",
    "yaml": "PyYAML",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "dotenv": "python-dotenv",
    "imblearn": "imbalanced-learn",
    "lightgbm": "lightgbm",
    "xgboost": "xgboost",
    "catboost": "catboost",
    "statsmodels": "statsmodels",
    "seaborn": "seaborn",
    "plotly": "plotly",
    "tensorflow": "tensorflow",
    "torch": "torch",
    "Levenshtein": "python-Levenshtein",
    "google.protobuf": "protobuf",
}
# pandas reads and writes these formats through a library the code never imports: a project that
# calls read_excel needs openpyxl installed as much as one that imports it
FORMAT_ENGINES = {
    ".xlsx": "openpyxl",
    ".xlsm": "openpyxl",
    ".xls": "xlrd",
    ".ods": "odfpy",
    ".parquet": "pyarrow",
    ".pq": "pyarrow",
    ".feather": "pyarrow",
}
CALL_ENGINES = {
    "read_excel(": "openpyxl",
    "to_excel(": "openpyxl",
    "read_parquet(": "pyarrow",
    "to_parquet(": "pyarrow",
    "read_feather(": "pyarrow",
    "to_feather(": "pyarrow",
}
LINE_LENGTH = 88
# Templates whose text black leaves unchanged and whose variable parts are either inside docstring
# lines (an identifier) or whole statements rendered by ``format_statement``.
# tests/split/test_black_clean_templates.py checks both for many inputs; keep it in step.
BLACK_CLEAN_TEMPLATES = frozenset({"stages/registry.py.j2", "stages/kfp_task.py.j2"})
# Templates written black-clean whose variable parts are identifiers, cell numbers and canonical
# literals (``python_literal``) laid out in black's style: black leaves the rendered file as it
# is whenever every line fits (``fits_black``), so black runs only on a file with a longer line.
# tests/split/test_black_clean_templates.py checks this for many specs; keep it in step.
LINE_CHECKED_TEMPLATES = frozenset({"stages/tasks.py.j2", "stages/kubeflow_pipeline.py.j2"})


@dataclass(frozen=True)
class RenderInputs:
    """Facts about the environment that the adapter gathers for rendering (no I/O here)."""

    templates: Any  # a jinja2.Environment with StrictUndefined over templates/
    notebook_text: str  # the source notebook, copied into notebooks/ for nbmake
    notebook_sha256: str
    tool_version: str
    # distribution name -> installed version (the environment that ran the notebook)
    versions: Mapping[str, str] = field(default_factory=dict)
    # top-level import name -> distribution name
    distributions: Mapping[str, str] = field(default_factory=dict)
    # ruff's formatting of modules, all in one go (an adapter's process; None per module when it
    # could not): kept only where black agrees (``black_compat``), black formats the rest
    preformat: Callable[[Sequence[str]], Sequence[str | None]] | None = None


def render(spec: PipelineSpec, inputs: RenderInputs) -> list[RenderedFile]:
    """Render every file of the generated project (data files are copied by the adapter)."""
    env = inputs.templates
    pkg = f"src/{spec.package}"
    context = _context(spec, inputs)
    files: list[RenderedFile] = []
    unformatted: dict[int, str] = {}  # position in files -> text black's layout is wanted for

    def add(path: str, template: str, python: bool = False, **extra) -> None:
        text = env.get_template(template).render(**context, **extra)
        if template in LINE_CHECKED_TEMPLATES:
            if not fits_black(text):
                unformatted[len(files)] = text
        elif python and template not in BLACK_CLEAN_TEMPLATES:
            unformatted[len(files)] = text
        files.append(RenderedFile(path, _ensure_newline(text)))

    for stage in spec.stages:
        add(f"{pkg}/{stage.name}.py", "stages/stage.py.j2", python=True, stage=_stage(stage, spec))
    add(f"{pkg}/__init__.py", "stages/package_init.py.j2", python=True)
    add(f"{pkg}/tasks.py", "stages/tasks.py.j2", python=True)
    add(f"{pkg}/registry.py", "stages/registry.py.j2", python=True)
    add(f"{pkg}/run_task.py", "stages/kfp_task.py.j2", python=True)
    add("deploy/kubeflow_pipeline.py", "stages/kubeflow_pipeline.py.j2", python=True)
    add("pipeline.yaml", "stages/pipeline.yaml.j2")
    add("env.yaml", "stages/env.yaml.j2")
    add("requirements.txt", "stages/requirements.txt.j2")
    add("pyproject.toml", "stages/pyproject.toml.j2")
    add("README.md", "stages/README.md.j2")
    add(".gitignore", "stages/gitignore.j2")
    add("products/.gitkeep", "stages/gitkeep.j2")
    add("models/.gitkeep", "stages/gitkeep.j2")
    formatted = format_modules(list(unformatted.values()), inputs)
    for position, text in zip(unformatted, formatted, strict=True):
        files[position] = RenderedFile(files[position].path, _ensure_newline(text))
    files.append(
        RenderedFile(
            f"notebooks/{spec.notebook_stem}.ipynb", notebook_copy(inputs.notebook_text, spec)
        )
    )
    return sorted(files, key=lambda f: f.path)


def format_modules(texts: list[str], inputs: RenderInputs) -> list[str]:
    """Black's formatting of each generated module: ruff's where black agrees, else black's.

    Black needs ~0.3 ms per line and formats twice when the first pass changes anything;
    ruff's formatter does all the modules of a split in one process in a few milliseconds.
    """
    ruff = inputs.preformat(texts) if inputs.preformat is not None and texts else ()
    formatted = []
    for text, candidate in itertools.zip_longest(texts, ruff):
        if candidate is not None and ruff_module_trusted(text, candidate, LINE_LENGTH):
            formatted.append(candidate)
        else:
            formatted.append(format_python(text))
    return formatted


@functools.lru_cache(maxsize=128)
def format_python(text: str) -> str:
    """Format generated Python with black; leave it as is if black cannot parse it.

    Cached on the text: most rendered modules (registry, tasks, deploy) are the same on every
    split, and black needs ~0.3 ms per line (170 ms for the registry alone).
    """
    import black

    try:
        return black.format_str(text, mode=black.Mode(line_length=LINE_LENGTH))
    except Exception:  # black.InvalidInput and friends: keep the (valid) unformatted text
        return text


def format_statement(statement: str, depth: int = 0) -> str:
    """Format one generated simple statement as black would inside a module, ``depth`` blocks deep.

    Black lays out a simple statement (assignment, call) from its own tokens and the indentation
    only; the blank lines around it come from the (black-clean) template, so the result can be
    pasted into a black-clean template unchanged. Returned indented, without a final newline.
    """
    wrappers = "".join("    " * level + "def _():\n" for level in range(depth))
    text = wrappers + "    " * depth + statement + "\n"
    formatted = format_python(text)
    return "\n".join(formatted.rstrip("\n").split("\n")[depth:])


def fits_black(text: str) -> bool:
    """Tell whether every line of ``text`` fits black's line length (docstring text may not).

    Black never wraps docstring text or comments, so a one-line docstring, a comment line and the
    lines of the module docstring before its last one may be longer; a non-ASCII or unprintable character may be
    wider than one column for black (or be rewritten), so such a line does not count as fitting.
    """
    lines = text.split("\n")
    start = 0
    if text.startswith('"""') and not (len(lines[0]) >= 6 and lines[0].endswith('"""')):
        end = next((i for i, line in enumerate(lines[1:], 1) if '"""' in line), None)
        if end is None:
            return False
        if not all(line.isascii() and line.isprintable() for line in lines[:end]):
            return False
        start = end  # the closing line still has to fit: black moves long closing quotes
    for line in lines[start:]:
        if not (line.isascii() and line.isprintable()):
            return False
        if len(line) <= LINE_LENGTH:
            continue
        stripped = line.strip()
        if len(stripped) >= 6 and stripped[:3] == stripped[-3:] == '"""':
            continue
        if stripped.startswith("# "):  # black never wraps a comment line either
            continue
        return False
    return True


def bracketed_statement(head: str, items: Sequence[str], closing: str, depth: int = 0) -> str:
    """``head`` + comma-separated ``items`` + ``closing`` (``x = f(`` ... ``)``) laid out black-clean.

    On one line when it fits; else one item per line ending in a comma, which black keeps as it
    is (the magic trailing comma), so no black call is needed: black itself (~1.5 ms a statement)
    runs only when a line of that layout would not fit either (a long head or item).
    """
    statement = f"{head}{', '.join(items)}{closing}"
    line = fitting_line(statement, depth)
    if line is not None:
        return line
    indent = "    " * depth
    lines = [indent + head, *(f"{indent}    {item}," for item in items), indent + closing]
    if items and all(fitting_line(text) is not None for text in lines):
        return "\n".join(lines)
    return format_statement(statement, depth)


def fitting_line(statement: str, depth: int = 0) -> str | None:
    """``statement`` indented, if black leaves that line as it is (it fits, no escapes)."""
    line = "    " * depth + statement
    # an escape in a string may be rewritten by black (it prefers fewer escaped quotes)
    if len(line) <= LINE_LENGTH and line.isascii() and line.isprintable() and "\\" not in line:
        return line
    return None


def python_literal(value: Any) -> str:
    """The Python literal of ``value`` the way black writes it (double-quoted strings...)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float) and math.isfinite(value) and "e" not in repr(value):
        return repr(value)  # digits, a point, digits: black leaves such a literal as it is
    if isinstance(value, str) and value.isascii() and value.isprintable():
        if '"' not in value and "\\" not in value:
            return f'"{value}"'
    formatted = format_statement(f"_ = {value!r}").removeprefix("_ = ")
    # a literal black spreads over lines is left long: the file then goes through black whole
    return repr(value) if "\n" in formatted else formatted


def mermaid(spec: PipelineSpec) -> str:
    """The stage graph as Mermaid text (edges labelled with the values that cross them)."""
    lines = ["graph LR"]
    for stage in spec.stages:
        cells = ", ".join(str(c) for c in stage.cells) or "synthesized"
        lines.append(f'    {stage.name}["{stage.name}<br/>cells {cells}"]')
    for stage in spec.stages:
        edges: dict[str, list[str]] = {}
        for name, producer in stage.upstream:
            if producer in ("parameters", stage.name):
                continue
            edges.setdefault(producer, []).append(name)
        for producer, names in sorted(edges.items()):
            lines.append(f"    {producer} -->|{', '.join(names)}| {stage.name}")
    return "\n".join(lines)


def requirements(spec: PipelineSpec, inputs: RenderInputs) -> list[str]:
    """Pinned requirement lines: imported distributions plus what the project itself needs."""
    names = set(BASE_DISTRIBUTIONS)
    for module in spec.modules:
        known = IMPORT_DISTRIBUTIONS.get(module, module)
        names.add(inputs.distributions.get(module, known))
    if "scikit-learn" in names:
        names.add("skops")
    names |= format_engines(spec)
    lines = []
    for name in sorted(names, key=str.lower):
        version = inputs.versions.get(name)
        lines.append(f"{name}=={version}" if version else name)
    return lines


def format_engines(spec: PipelineSpec) -> set[str]:
    """Libraries pandas needs for the files the pipeline reads or writes (openpyxl for .xlsx)."""
    engines = set()
    for data_file in spec.data_files:
        suffix = "." + data_file.project_path.rsplit(".", 1)[-1].lower()
        if suffix in FORMAT_ENGINES:
            engines.add(FORMAT_ENGINES[suffix])
    for stage in spec.stages:
        for call, engine in CALL_ENGINES.items():
            if call in stage.body:
                # an .xls file (xlrd) read with read_excel needs no openpyxl
                if not (engine == "openpyxl" and engines & {"xlrd", "odfpy"}):
                    engines.add(engine)
    return engines


def notebook_copy(text: str, spec: PipelineSpec) -> str:
    """The notebook for ``notebooks/``: copied data paths rewritten relative to that folder."""
    moved = {f.notebook_path: f.project_path for f in spec.data_files if f.copied}
    if not moved:
        return text if text.endswith("\n") else text + "\n"
    data = json.loads(text)
    for cell in data.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        joined = "".join(source) if isinstance(source, list) else source
        for old, new in moved.items():
            for quote in ('"', "'"):
                joined = joined.replace(f"{quote}{old}{quote}", f"{quote}../{new}{quote}")
        cell["source"] = joined
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def _ensure_newline(text: str) -> str:
    return text.rstrip("\n") + "\n"


def _stage(stage: StageSpec, spec: PipelineSpec) -> dict:
    defaults = {p.name: p.default for p in spec.parameters}
    project_paths = {f.parameter: f.project_path for f in spec.data_files}
    signature = list(stage.inputs)
    for name in stage.parameters:
        default = project_paths.get(name, defaults.get(name))
        signature.append(f"{name}={default!r}")
    cells = ", ".join(str(c) for c in stage.cells)
    if stage.synthesized:
        summary = "Predict with the trained model; return one prediction per record."
    elif stage.name == "evaluate":
        summary = "Evaluate the model as the notebook does; return the values it computes."
    elif stage.outputs:
        summary = f"Run the {stage.name} step of the notebook; return {', '.join(stage.outputs)}."
    else:
        summary = f"Run the {stage.name} step of the notebook."
    return {
        "name": stage.name,
        "title": STAGE_TITLES.get(stage.name, stage.name.capitalize()),
        "cells": cells,
        "note": stage.note,
        "imports": sort_imports(stage.imports),
        "constants": "\n\n".join(stage.constants),
        "signature": ", ".join(signature),
        "summary": summary,
        "body": indent_body(stage.body),
        "dropped": stage.dropped,
        "outputs": stage.outputs,
        "synthesized": stage.synthesized,
    }


def _context(spec: PipelineSpec, inputs: RenderInputs) -> dict:
    stages = {s.name: s for s in spec.stages}
    project_paths = {f.parameter: f.project_path for f in spec.data_files}
    parameters = [
        {
            "name": p.name,
            "default": project_paths.get(p.name, p.default),
            "yaml": _yaml_scalar(project_paths.get(p.name, p.default)),
            "is_path": p.is_path,
            "python": python_literal(project_paths.get(p.name, p.default)),
        }
        for p in spec.parameters
    ]
    tasks = _tasks(spec)
    task_imports = [
        "import hashlib",
        "import json",
        "import os",
        "import random",
        "from pathlib import Path",
        "import joblib",
        "from . import NOTEBOOK_SHA256",
        "from .predict import predict as run_predict",
        "from .registry import save_version",
    ]
    task_imports += [
        f"from .{t['stage']} import {t['stage']} as run_{t['stage']}"
        for t in tasks
        if t["name"] not in ("predict", "register")
    ]
    if "evaluate" in stages:
        task_imports.append("from .evaluate import evaluate as run_evaluate")
    if "fitted" in stages["predict"].inputs:
        task_imports.append("from .predict import fitted_values as run_fitted_values")
    pinned = requirements(spec, inputs)
    libraries = [line.split("==")[0] for line in pinned]
    return {
        "tasks_imports": sort_imports(task_imports),
        "kfp_types": {p.name: _kfp_type(p.default) for p in spec.parameters},
        "spec": spec,
        "package": spec.package,
        "notebook_name": spec.notebook_stem + ".ipynb",
        "notebook_sha256": inputs.notebook_sha256,
        "tool_version": inputs.tool_version,
        "stages": stages,
        "tasks": tasks,
        "parameters": parameters,
        "data_params": [f.parameter for f in spec.data_files if f.parameter],
        "data_files": spec.data_files,
        "mermaid": mermaid(spec),
        "requirements": pinned,
        "libraries": libraries,
        "libraries_statement": bracketed_statement(
            "LIBRARIES = [", [json.dumps(name) for name in libraries], "]"
        ),
        "task_parser_statements": "\n".join(
            (
                bracketed_statement(
                    "parser = argparse.ArgumentParser(",
                    [f'prog="python -m {spec.package}.run_task"'],
                    ")",
                    depth=1,
                ),
                bracketed_statement(
                    "parser.add_argument(",
                    ['"task"', f"choices={json.dumps([t['name'] for t in tasks])}"],
                    ")",
                    depth=1,
                ),
            )
        ),
        "import_block": lambda statements: sort_imports(statements),
    }


def _tasks(spec: PipelineSpec) -> list[dict]:
    """Ploomber tasks: one per stage (evaluation runs inside predict), then registration."""
    stages = {s.name: s for s in spec.stages}
    tasks: list[dict] = []
    products: dict[str, str] = {}  # value name -> producing task
    for stage in spec.stages:
        if stage.name in ("predict", "evaluate"):
            continue
        upstream = [(n, p) for n, p in stage.upstream if p != "parameters"]
        tasks.append(
            {
                "name": stage.name,
                "stage": stage.name,
                "inputs": [{"name": n, "task": p} for n, p in upstream],
                "parameters": list(stage.parameters),
                # ploomber needs a product per task: a stage that returns nothing stores that
                "outputs": list(stage.outputs) or ["done"],
                "upstream": sorted({p for _, p in upstream}),
                "cells": ", ".join(str(c) for c in stage.cells),
                "call_args": _kwargs([n for n, _ in upstream] + list(stage.parameters)),
            }
        )
        arguments = [n for n, _ in upstream] + list(stage.parameters)
        tasks[-1]["statement"] = bracketed_statement(
            f"{', '.join(tasks[-1]['outputs'])} = run_{stage.name}(",
            [f"{n}={n}" for n in arguments],
            ")",
            depth=1,
        )
        for name in stage.outputs:
            products[name] = stage.name
    predict = stages["predict"]
    evaluate = stages.get("evaluate")
    records = spec.records_name or "records"
    # raw rows of a loaded frame (cleaned inside predict()): read as `records`, since the
    # evaluation may read the cleaned frame of the same name
    raw = spec.records_stage is not None
    records_input = {
        "name": records,
        "task": spec.records_stage if raw else products.get(records, "train"),
        "variable": "records" if raw else records,
    }
    predict_inputs = [
        {"name": spec.model_name, "task": products.get(spec.model_name, "train")},
        records_input,
    ]
    param_names = {p.name for p in spec.parameters}
    fitted_args = []
    for name in spec.fitted_inputs:
        if name in param_names:
            fitted_args.append(name)
            continue
        fitted_args.append(name)
        if all(i.get("variable", i["name"]) != name for i in predict_inputs):
            predict_inputs.append({"name": name, "task": products.get(name, "train")})
    evaluate_args: list[dict] = []
    evaluate_params: list[str] = []
    if evaluate is not None:
        for name, producer in evaluate.upstream:
            if all(i.get("variable", i["name"]) != name for i in predict_inputs):
                predict_inputs.append({"name": name, "task": products.get(name, producer)})
        evaluate_args = [{"name": n} for n in evaluate.inputs]
        evaluate_params = list(evaluate.parameters)
    tasks.append(
        {
            "name": "predict",
            "stage": "predict",
            "inputs": predict_inputs,
            "parameters": evaluate_params
            + [n for n in spec.fitted_inputs if n in param_names and n not in evaluate_params],
            "outputs": ["predictions"]
            + (["fitted"] if spec.fitted_inputs or _uses_fitted(predict) else [])
            + (["evaluation", "metrics"] if evaluate else []),
            "upstream": sorted({i["task"] for i in predict_inputs}),
            "cells": ", ".join(
                str(c) for c in sorted(set(predict.cells) | set(evaluate.cells if evaluate else ()))
            ),
            "evaluate": evaluate is not None,
            "evaluate_args": evaluate_args,
            "model": spec.model_name,
            "records": records_input["variable"],
            "fitted": _uses_fitted(predict),
            "fit_args": ", ".join(
                [f"{records}=records"] + [f"{n}={n}" for n in spec.fitted_inputs]
            ),
            "call_args": _kwargs([a["name"] for a in evaluate_args] + evaluate_params),
        }
    )
    register_inputs = [{"name": spec.model_name, "task": products.get(spec.model_name, "train")}]
    if raw:  # the request schema and golden examples describe the raw rows predict() receives
        register_inputs.append(records_input)
    for name in (spec.features_name, spec.target_name):
        if name and name in products and all(i["name"] != name for i in register_inputs):
            register_inputs.append({"name": name, "task": products[name]})
    tasks.append(
        {
            "name": "register",
            "stage": "register",
            "inputs": register_inputs,
            "parameters": [p.name for p in spec.parameters],
            "outputs": ["registration"],
            "upstream": sorted({i["task"] for i in register_inputs} | {"predict"}),
            "cells": "",
            "features": (
                "records"
                if raw
                else (_served_features(spec) if spec.features_name in products else None)
            ),
            "fitted": _uses_fitted(predict),
            "target": spec.target_name if spec.target_name in products else None,
            "has_metrics": evaluate is not None,
            # one statement black lays out alone if too long: the file then skips black
            "params_statement": bracketed_statement(
                "params = {", [f'"{p.name}": {p.name}' for p in spec.parameters], "}", depth=1
            ),
        }
    )
    for task in tasks:
        # one artifact per upstream product: the records frame (``records``) and an evaluation
        # input of the same name (``X_test``) bind two variables in tasks.py from one product
        artifacts = {(i["task"], i["name"]): i for i in task["inputs"]}
        task["artifacts"] = list(artifacts.values())
    return tasks


def _served_features(spec: PipelineSpec) -> str:
    """The expression register describes the request schema with: the training features, less
    the constant predict() adds (``sm.add_constant``), or only the columns a formula reads."""
    name = spec.features_name
    if spec.formula_columns:
        names = ", ".join(json.dumps(c) for c in spec.formula_columns)
        return f"{name}[[c for c in {name}.columns if c in [{names}]]]"
    if spec.added_constant:
        column = json.dumps(spec.added_constant)
        return f'{name}.drop(columns={column}) if {column} in getattr({name}, "columns", ()) else {name}'
    return name


def _uses_fitted(predict: StageSpec) -> bool:
    return "fitted" in predict.inputs


def _kfp_type(value: Any) -> str:
    """The kfp parameter type of a default value (kfp accepts str, int, float, bool, list, dict)."""
    for kind in (bool, int, float, list, dict):
        if isinstance(value, kind):
            return kind.__name__
    return "str"


def _kwargs(names: list[str]) -> str:
    return ", ".join(f"{n}={n}" for n in names)


def _yaml_scalar(value: Any) -> str:
    return json.dumps(value)
