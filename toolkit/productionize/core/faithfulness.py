"""What ``verify`` compares: the values crossing stage boundaries, where each side keeps them.

Pure: it only plans. The adapter injects the capture code into a copy of the notebook, runs the
notebook and the pipeline, and compares the values in the generated project's environment.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

from ..model import CellGraph, PipelineSpec
from .model_choice import choice_expression
from .parameters import OUTPUT_FOLDER

PREDICTIONS = "predictions"


@dataclass(frozen=True)
class BoundaryValue:
    """One value to compare: its stage, its name in the notebook, and where the pipeline keeps it."""

    stage: str
    name: str
    capture_after_cell: int  # notebook cell index after which the value is captured
    product: str  # path relative to the project: products/<task>/<file>
    key: str | None = None  # an entry of a dict product (evaluation values)
    expression: str | None = None  # computed in the notebook instead of read (synthesized predict)


def boundary_values(graph: CellGraph, spec: PipelineSpec) -> list[BoundaryValue]:
    """Every stage output, the final predictions and the evaluation values, in stage order."""
    last_cell = {}
    last_write: dict[tuple[str, str], int] = {}  # (stage, name) -> its last cell writing name
    for cell in graph.cells:
        last_cell[cell.stage] = cell.index
        for name in cell.defined | cell.modified:
            last_write[cell.stage, name] = cell.index
    values: list[BoundaryValue] = []
    for stage in spec.stages:
        if stage.name in ("predict", "evaluate"):
            continue
        moved = _output_locations(stage.body, spec) if stage.outputs else set()
        for name in stage.outputs:
            if name in spec.captured or name in moved:  # the notebook has no such variable
                continue
            # right after the stage last writes it: a stage whose cells are apart (Kaggle's
            # test.csv read after training is a load) must not capture what the cleaning
            # between them did to the frame in place
            after = last_write.get((stage.name, name), last_cell[stage.name])
            values.append(
                BoundaryValue(stage.name, name, after, f"products/{stage.name}/{name}.pkl")
            )
    predict = spec.stage("predict")
    end = max(c.index for c in graph.cells)
    predict_cell = last_cell.get("predict", end)
    if spec.model_choice is not None:  # the notebook has no such variable: pick it there too
        spec = replace(
            spec,
            prediction_expression=_with_model(spec.prediction_expression, spec),
            model_name=f"({choice_expression(spec.model_choice)})",
        )
    if spec.prediction_expression is not None:
        # predict() replays the notebook's cleaning of raw records: its answers on the whole
        # frame must equal the notebook's own prediction expression, right after its cell
        values.append(
            BoundaryValue(
                "predict",
                PREDICTIONS,
                spec.prediction_cell if spec.prediction_cell is not None else predict_cell,
                "products/predict/predictions.pkl",
                expression=spec.prediction_expression,
            )
        )
    elif predict.synthesized:
        values.append(
            BoundaryValue(
                "predict",
                PREDICTIONS,
                end,
                "products/predict/predictions.pkl",
                expression=f"{spec.model_name}.predict({spec.records_name})",
            )
        )
    else:
        values.append(
            BoundaryValue(
                "predict", spec.predictions_name, predict_cell, "products/predict/predictions.pkl"
            )
        )
    shown = {name: (expression, cell) for name, expression, cell in spec.shown_metrics}
    for name in spec.metrics:
        # a score the notebook only showed has no variable there: its expression, after its cell
        expression, cell = shown.get(name, (None, predict_cell))
        values.append(
            BoundaryValue(
                "predict",
                name,
                cell,
                "products/predict/evaluation.pkl",
                key=name,
                expression=expression,
            )
        )
    return values


def _output_locations(body: str, spec: PipelineSpec) -> set[str]:
    """Names the stage binds to a place the project writes in (``OUT = working_path``, the
    notebook's ``/kaggle/working``, now ``products/``): the notebook writes in a scratch folder
    instead, so the two differ by construction (core/parameters)."""
    folders = {
        p.name
        for p in spec.parameters
        if not p.is_path and isinstance(p.default, str) and p.default.startswith(OUTPUT_FOLDER)
    }
    if not folders:
        return set()
    bound = set()
    for node in ast.parse(body).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            value = node.value
            if isinstance(value, ast.Call) and len(value.args) == 1:  # Path(working_path)
                value = value.args[0]
            if isinstance(value, ast.Name) and value.id in folders:
                bound.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return bound


def _with_model(expression: str | None, spec: PipelineSpec) -> str | None:
    """``expression`` reading the served model picked among the notebook's (core/model_choice)."""
    if expression is None:
        return None
    picked = ast.parse(choice_expression(spec.model_choice), mode="eval").body

    class Substitute(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            return picked if node.id == spec.model_name else node

    tree = Substitute().visit(ast.parse(expression, mode="eval"))
    return ast.unparse(tree)


def capture_source(values: list[BoundaryValue], after_cell: int, target: str, portable: str) -> str:
    """Code of a cell that pickles the values captured after ``after_cell`` into ``target``.

    ``portable`` is the path of the comparison script (``adapters/compare_values.py``, standard
    library only at import): its ``portable`` stores pandas text as Python strings before
    pickling, so the capture loads where the project runs even when only the notebook's kernel
    has pyarrow, and a fitted model as a marker (models are compared through predictions)."""
    entries = [v for v in values if v.capture_after_cell == after_cell]
    lines = [
        "import pickle as _pz_pickle",
        "import importlib.util as _pz_importlib_util",
        f"_pz_spec = _pz_importlib_util.spec_from_file_location('_pz_portable', {portable!r})",
        "_pz_portable = _pz_importlib_util.module_from_spec(_pz_spec)",
        "_pz_spec.loader.exec_module(_pz_portable)",
        "_pz_values = {}",
    ]
    for value in entries:
        key = f"{value.stage}:{value.name}"
        expression = value.expression or value.name
        lines += [
            "try:",
            f"    _pz_values[{key!r}] = _pz_pickle.dumps(_pz_portable.portable({expression}))",
            "except Exception as _pz_error:",
            f"    _pz_values[{key!r}] = None",
        ]
    lines += [
        f"with open({target!r}, 'wb') as _pz_file:",
        "    _pz_pickle.dump(_pz_values, _pz_file)",
    ]
    return "\n".join(lines)


# shell commands that fetch data (or code) from elsewhere: `!wget URL -O data.csv` truncates the
# file beside the notebook when the download fails, and replaces what the pipeline reads otherwise
DOWNLOADERS = frozenset({"wget", "curl", "gdown", "kaggle", "gsutil", "aws", "azcopy"})
DOWNLOADING_GIT = frozenset({"clone", "pull", "fetch"})


def _fetches(magic) -> bool:
    if magic.kind != "shell":
        return False
    words = magic.text.lstrip("!").split()
    return magic.name in DOWNLOADERS or (
        magic.name == "git" and len(words) > 1 and words[1] in DOWNLOADING_GIT
    )


def without_setup_commands(source: str) -> tuple[str, tuple[str, ...]]:
    """The cell with its ``!pip install`` / ``pip install`` / ``%conda install`` lines and its
    downloads (``!wget``, ``!curl``, ``!kaggle ... download``, ``!git clone``) turned into
    ``pass``, and the downloads it no longer runs. Verify runs the notebook as the pipeline runs,
    in the environment it has, on the files beside the notebook: an install would change the
    user's kernel environment (PN401 moves them to requirements.txt), a download would replace
    (or, failing, empty) the data file the pipeline copied."""
    from ..model import Cell
    from .defuse import parse_cell
    from .rules.shell import INSTALLERS, _pip_command

    magics = parse_cell(Cell(index=0, cell_id=None, cell_type="code", source=source)).magics
    downloads = [m for m in magics if _fetches(m) and m.assigned_to is None]
    skipped = [
        m
        for m in magics
        if _pip_command(replace(m, text=m.text.rstrip("\\ "))) is not None
        or (m.name in INSTALLERS and " install" in m.text)
    ] + downloads
    if not skipped:
        return source, ()
    lines = source.split("\n")
    for magic in skipped:
        index = magic.line - 1
        indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
        continued = lines[index].rstrip().endswith("\\")
        lines[index] = f"{indent}pass  # {magic.text.rstrip(chr(92)).strip()}: not run by verify"
        while continued and index + 1 < len(lines):
            index += 1
            continued = lines[index].rstrip().endswith("\\")
            lines[index] = ""
    return "\n".join(lines), tuple(m.text.rstrip(chr(92)).strip() for m in downloads)


def seed_source(seed: int) -> str:
    """Code of a first cell that seeds ``random`` and NumPy's global generator."""
    return "\n".join(
        [
            "import random as _pz_random",
            f"_pz_random.seed({seed})",
            "try:",
            "    import numpy as _pz_numpy",
            f"    _pz_numpy.random.seed({seed})",
            "except ImportError:",
            "    pass",
            COLAB_STAND_IN,
        ]
    )


# Off Colab, ``from google.colab import drive`` fails before any data is read. The notebook runs
# with stand-ins: mounting Drive and downloading to the browser do nothing (the generated
# modules leave those calls out), and an upload, which needs a person at a browser, says so.
COLAB_STAND_IN = """\
try:
    import google.colab
except ImportError:
    import sys as _pz_sys, types as _pz_types

    def _pz_upload(*args, **kwargs):
        raise RuntimeError(
            "google.colab.files.upload() needs a person at a browser in Colab: "
            "read the file from a path next to the notebook instead"
        )

    _pz_google = _pz_sys.modules.get("google") or _pz_types.ModuleType("google")
    _pz_google.__path__ = list(getattr(_pz_google, "__path__", []))
    _pz_colab = _pz_types.ModuleType("google.colab")
    _pz_colab.__path__ = []
    _pz_colab.drive = _pz_types.ModuleType("google.colab.drive")
    _pz_colab.drive.mount = _pz_colab.drive.flush_and_unmount = lambda *a, **k: None
    _pz_colab.files = _pz_types.ModuleType("google.colab.files")
    _pz_colab.files.download = lambda *a, **k: None
    _pz_colab.files.upload = _pz_upload
    _pz_google.colab = _pz_colab
    _pz_sys.modules.setdefault("google", _pz_google)
    for _pz_name in ("colab", "colab.drive", "colab.files"):
        _pz_module = _pz_colab
        for _pz_part in _pz_name.split(".")[1:]:
            _pz_module = getattr(_pz_module, _pz_part)
        _pz_sys.modules["google." + _pz_name] = _pz_module"""
