"""Plan the generated pipeline: one StageSpec per stage, with inputs, outputs and parameters.

Errors are raised here, before anything is rendered or written: a name read from a later stage
(a cycle), a name used before any cell defines it, production code reading a value only exploration
(``skip``) cells define, a ``predict`` step needing training-only values other than the model, an
empty stage, and two stages exporting the same name.
"""

from __future__ import annotations

import ast
import dataclasses
import keyword
import re
from dataclasses import dataclass

from ..errors import ConfigError, SplitError
from ..model import CellGraph, Notebook, PipelineSpec, StageSpec
from ..options import Options
from . import tags as tag_grammar
from .codegen import (
    constants_for,
    dropped_entry,
    imported_names,
    imports_for,
    ordered_defs,
    ordered_uses,
    statement_text,
    stored_names,
)
from .defuse import BUILTIN_NAMES, ParsedCell
from .exercise_checkers import checker_advice
from .function_globals import hoisted_globals
from .history_features import history_notes
from .model_choice import (
    choice_note,
    choice_statements,
    compared_models,
    picked_from_loop,
    predicted_among,
    replaced_note,
)
from .mutations import containers_at_stage_starts
from .parameters import (
    SizeOf,
    data_files,
    lift_definition_paths,
    lift_paths,
    output_paths,
    parameters_from_cells,
    path_context,
)
from .predict_helpers import carry_helpers
from .predict_plan import named_score, plan_predict, plan_served_records, predict_call
from .records_plan import RecordsPlan
from .servable import check_servable
from .shown_metrics import assigned_metric, shown_metric
from .statements import CODE, DISPLAY, Statement
from .statsmodels_serving import CONSTANT, constant_statements, statsmodels_serving
from .tree_walk import walk_nodes

STAGES = tag_grammar.STAGES
# `fit_predict` fits too (IsolationForest, KMeans with no separate fit), returning labels
FIT_METHODS = ("fit", "fit_transform", "partial_fit", "fit_predict")


@dataclass(frozen=True)
class _Piece:
    """A kept statement of a stage with the cell it came from."""

    cell: ParsedCell
    statement: Statement
    stage: str


def plan(graph: CellGraph, options: Options, size_of: SizeOf | None = None) -> PipelineSpec:
    """Turn the cell graph into a PipelineSpec, or raise SplitError naming cells and names."""
    try:
        return _plan(graph, options, size_of)
    except SplitError as exc:
        inferred = inferred_tags(graph)
        if inferred:
            # the user never chose these stages: say so, or the error reads like their mistake
            listed = ", ".join(f"cell {index} -> {stage}" for index, stage in inferred)
            exc.message += (
                f" (the stage tags were inferred: {listed}; tag the notebook's cells "
                "load/clean/train/predict to correct them)"
            )
            exc.args = (str(exc),)
        raise


def _plan(graph: CellGraph, options: Options, size_of: SizeOf | None) -> PipelineSpec:
    notebook = graph.notebook
    size_of = size_of or (lambda _path: None)
    _check_tagged(graph)
    stage_of = {c.index: c.stage for c in graph.cells}
    parsed_of = {c.index: a for c, a in zip(graph.cells, graph.analysis, strict=True)}
    imports = _import_table(graph)
    _check_dependencies(graph, stage_of, imports)

    parameters, constants = parameters_from_cells(graph, parsed_of)
    pieces = {stage: _stage_pieces(graph, parsed_of, stage) for stage in STAGES}
    present = [s for s in STAGES if any(c.stage == s for c in graph.cells)]
    for stage in present:
        if not any(p.statement.kind in (CODE,) for p in pieces[stage]):
            cells = ", ".join(str(c.index) for c in graph.stage_cells(stage))
            raise SplitError(
                f"stage '{stage}' (cell {cells}) has no production code (only imports, plots or "
                f"displayed values); remove the '{stage}' tag or move code into it",
                notebook.location(notebook.cells[graph.stage_cells(stage)[0].index]),
            )
    if "train" not in present:
        loaded = _loaded_model(graph)
        if loaded is not None:
            cell, line, text = loaded
            raise SplitError(
                f"no cell trains a model: cell {cell} loads one already trained (`{text}`); "
                "productionize builds the pipeline from the notebook that fits the model "
                "(`.fit(`): run it on that notebook",
                notebook.location(notebook.cells[cell], line),
            )
        scored = _cross_validated_only(graph)
        if scored is not None:
            cell, line, call, model, args = scored
            raise SplitError(
                f"no cell trains a model: cell {cell} line {line} only cross-validates `{model}` "
                f"(`{call}` fits copies of it and keeps none); fit the model to serve after it "
                f"(`{model}.fit({args})`) and the split makes that cell the train stage",
                notebook.location(notebook.cells[cell], line),
            )
        by_hand = _model_by_hand(notebook)
        if by_hand is not None:
            raise _by_hand_error(notebook, "no cell is tagged 'train'", by_hand)
        raise SplitError(
            "no cell is tagged 'train': tag the cell that fits the model (`.fit(`) with 'train'",
            notebook.location(),
        )

    # path literals in production code become parameters
    context = path_context(pieces)
    written = context.outputs  # output_paths(pieces)
    path_params, replacements = lift_paths(notebook, pieces, parameters, context, written)
    parameters = parameters + path_params
    # ... and those inside the notebook's functions too, passed to them as keywords
    function_params, function_files, function_replacements = lift_definition_paths(
        pieces, parameters, size_of, context, written
    )
    parameters = parameters + function_params
    replacements = {**replacements, **function_replacements}
    param_names = {p.name for p in parameters}

    flows = _flows(graph, stage_of, imports, param_names)
    for names in flows["outputs"].values():  # OUT of OUT + "x.csv", now a parameter
        names[:] = [n for n in names if n not in context.consumed]
    _check_duplicate_outputs(graph, flows, notebook)
    model_name, features_name, target_name = _find_model(
        pieces["train"],
        flows,
        notebook,
        [p for p in pieces["predict"] if p.statement.kind == CODE],
        _fitting_functions(pieces),
        _fitted_parameters(pieces),
    )
    # `for name, m in models.items(): m.fit(...)`, then `best = models[...]`: serve the pick
    picked, loop_note, revived = picked_from_loop(pieces["train"], model_name)
    model_name = picked or model_name
    for position in revived:  # `model = models[best]` looked like exploration: nothing read it
        piece = pieces["train"][position]
        statement = dataclasses.replace(piece.statement, kind=CODE)
        pieces["train"][position] = dataclasses.replace(piece, statement=statement)
    check_servable(notebook, pieces, model_name)  # DBSCAN & co. have no predict
    # a score a train cell shows (`model.score(X_test, y_test)` last): bound there, a metric
    train_scores = _train_scores(pieces, imports, replacements, {p.name for p in parameters})
    # lr, rf and svc fitted in turn, each scored, no predict cell naming one: serve the best
    choice = None
    if model_name not in flows["inputs"]["predict"]:
        taken = {n for c in graph.cells for n in c.defined | c.modified} | set(imports)
        choice = compared_models(pieces["train"], train_scores, imports, model_name, taken)
    model_note = choice_note(choice) if choice else loop_note or ""
    if not model_note and model_name not in flows["inputs"]["predict"]:
        # `model` refit under the same name: only the last one is left
        model_note = replaced_note(pieces["train"], train_scores, imports, model_name) or ""
    if not model_note and model_name in flows["inputs"]["predict"]:
        model_note = predicted_among(pieces["train"], model_name) or ""
    if choice is not None:
        model_name = choice.name
        flows["outputs"]["train"].append(model_name)
        flows["inputs"]["predict"][model_name] = "train"
    helpers = _helper_definitions(pieces)
    # globals the notebook's functions read (stop words, a stemmer) move next to them
    hoisted = hoisted_globals(notebook, pieces, imports, constants)
    # before the stage modules: a value the served predict() needs becomes its stage's output
    served = plan_served_records(
        pieces, flows, imports, helpers, parameters, model_name, features_name
    )
    records_plan = served if isinstance(served, RecordsPlan) else None
    captures: dict[tuple[int, int], list[str]] = {}
    for cell, line, name, expression in records_plan.captures if records_plan else ():
        captures.setdefault((cell, line), []).extend(
            ["# kept for the served predict() (fitted_values)", f"{name} = {expression}"]
        )

    for name, _text, expression, cell in train_scores.values():
        if name not in flows["outputs"]["train"]:
            flows["outputs"]["train"].append(name)
        flows["inputs"]["predict"][name] = "train"
        for read in {n.id for n in walk_nodes(expression) if isinstance(n, ast.Name)}:
            writer = None  # the stage of the last cell writing it, up to the score's cell
            imported = False  # an import (r2_score) is imported by train itself, not passed
            for graph_cell, (parsed, _statements) in zip(graph.cells, graph.analysis, strict=True):
                if graph_cell.index <= cell and read in graph_cell.defined | graph_cell.modified:
                    writer = graph_cell.stage
                    imported = any(b.name == read for b in parsed.names.imports)
            if writer in ("load", "clean") and not imported:
                flows["inputs"]["train"].setdefault(read, writer)
                if read not in flows["outputs"][writer]:
                    flows["outputs"][writer].append(read)

    stages: list[StageSpec] = []
    containers = containers_at_stage_starts(
        (c.stage, [s.node for s in statements if s.kind == CODE])
        for c, (_parsed, statements) in zip(graph.cells, graph.analysis, strict=True)
    )
    for stage in ("load", "clean", "train"):
        if stage not in present:
            continue
        # `combine = [train, test]` read from upstream: rebuilt from the frames it holds
        rebuilt = tuple(
            container.text
            for name, container in sorted(containers.get(stage, {}).items())
            if flows["inputs"][stage].get(name) in STAGES
        )
        extra = ()
        train_writes = {n for c in graph.stage_cells("train") for n in c.modified | c.defined}
        if stage == "train":
            extra = tuple(
                n
                for n in (model_name, features_name, target_name)
                if n and (_defines(pieces, stage, n) or n in train_writes)
            ) + tuple(entry[0] for entry in train_scores.values())
            extra += (choice.name,) if choice else ()
        stages.append(
            _stage_spec(
                stage,
                pieces[stage],
                flows,
                parameters,
                constants,
                imports,
                replacements,
                helpers,
                extra_outputs=extra,
                captures=captures,
                hoisted=hoisted.get(stage, ()),
                rebuilt=rebuilt,
                scored={k: v[1] for k, v in train_scores.items()} if stage == "train" else {},
                closing=choice_statements(choice) if choice and stage == "train" else (),
            )
        )
    predict_spec, evaluate_spec, records_name, prediction_name, metrics, notes, shown = (
        plan_predict(
            notebook,
            pieces["predict"],
            flows,
            parameters,
            constants,
            imports,
            replacements,
            helpers,
            model_name,
            features_name,
            served,
            train_pieces=pieces["train"],
            carried=tuple(entry[0] for entry in train_scores.values()),
        )
    )
    # a score the notebook names is its variable after its cell; one it only shows, computed
    named = {id(p.statement) for p in pieces["train"] if isinstance(p.statement.node, ast.Assign)}
    shown = tuple(
        (name, None if key in named else ast.unparse(expression), cell)
        for key, (name, _t, expression, cell) in train_scores.items()
    ) + tuple(shown)
    # predict.py imports nothing from training: it gets its own copy of the functions it calls
    predict_spec = carry_helpers(
        predict_spec, pieces, imports, constants, hoisted, replacements, helpers
    )
    statsmodels = statsmodels_serving(pieces, imports, model_name, features_name)
    if statsmodels.constant is not None and records_plan is None:
        predict_spec = dataclasses.replace(
            predict_spec,
            body=constant_statements(
                predict_spec.inputs[1], predict_spec.inputs[0], *statsmodels.constant
            )
            + predict_spec.body,
        )
    stages.append(predict_spec)
    if evaluate_spec is not None:
        stages.append(evaluate_spec)

    files = data_files(parameters, size_of, output_paths(pieces, parameters)) + function_files
    modules = sorted(
        {
            imports[name][1]
            for stage in stages
            for name in imported_names(stage)
            if name in imports and not imports[name][1].startswith(".")
        }
    )
    title, description = _title(notebook)
    package = options.project_name or _package_name(notebook.path)
    if not package.isidentifier() or keyword.iskeyword(package) or package in STAGES:
        raise ConfigError(
            f"project name {package!r} is not usable as a Python package name "
            "(letters, digits and underscores, not a keyword or a stage name); "
            "pass another with --project-name"
        )
    return PipelineSpec(
        notebook_path=notebook.path,
        notebook_stem=_stem(notebook.path),
        package=package,
        title=title,
        description=description,
        stages=tuple(stages),
        parameters=tuple(parameters),
        data_files=tuple(files),
        model_name=model_name,
        features_name=features_name,
        target_name=target_name,
        records_name=records_name,
        predictions_name=prediction_name,
        metrics=tuple(metrics),
        modules=tuple(modules),
        notes=tuple(
            _inferred_tags_notes(graph)
            + ([model_note] if model_note else [])
            + list(notes)
            + history_notes(pieces)
        ),
        records_stage=records_plan.producer if records_plan else None,
        fitted_inputs=records_plan.fit_inputs if records_plan and records_plan.uses_fitted else (),
        prediction_expression=records_plan.expression if records_plan else None,
        prediction_cell=records_plan.capture_cell if records_plan else None,
        captured=(tuple(c[2] for c in records_plan.captures) if records_plan else ())
        + tuple(entry[0] for entry in train_scores.values())
        + ((choice.name,) if choice else ()),
        model_choice=choice,
        model_note=model_note,
        records_source=_records_source(records_plan, records_name),
        unserved_columns=records_plan.unserved if records_plan else (),
        records_note=(
            served if isinstance(served, str) else predict_spec.note if records_plan else ""
        ),
        shown_metrics=shown,
        formula_columns=statsmodels.columns,
        added_constant=CONSTANT if statsmodels.constant and records_plan is None else None,
    )


def _records_source(records_plan: RecordsPlan | None, records_name: str | None):
    """(expression, cell, line) the served records come from, when their name is one the plan
    added (``transformer_input = reviews["review"]``) rather than the notebook's own."""
    for cell, line, name, expression in records_plan.captures if records_plan else ():
        if name == records_name:
            return expression, cell, line
    return None


def inferred_tags(graph: CellGraph) -> list[tuple[int, str]]:
    """(cell index, stage) of the cells whose stage tag was inferred, not written by the user."""
    return [(c.index, c.stage) for c in graph.cells if c.origin == "inferred"]


def _inferred_tags_notes(graph: CellGraph) -> list[str]:
    inferred = inferred_tags(graph)
    if not inferred:
        return []
    listed = ", ".join(f"cell {index} -> {stage}" for index, stage in inferred)
    return [
        f"inferred tags: {listed}. The notebook has no stage tags, so productionize guessed them "
        "from headings and code; check them, then tag the cells "
        "(load/clean/train/predict/parameters/skip) to make the split explicit."
    ]


# -- checks ----------------------------------------------------------------------------------


def _check_tagged(graph: CellGraph) -> None:
    if any(c.stage in STAGES for c in graph.cells):
        return
    notebook = graph.notebook
    if graph.suggestions:
        listed = ", ".join(f"cell {s.cell_index} -> {s.tag}" for s in graph.suggestions)
        raise SplitError(
            "the notebook has no stage tags (load/clean/train/predict); tag its cells, or run "
            f"without --no-infer-tags to apply the suggested ones: {listed}",
            notebook.location(),
        )
    raise SplitError(
        "the notebook has no stage tags (load/clean/train/predict) and none could be inferred; "
        "tag the cells that load, clean, train and predict",
        notebook.location(),
    )


def _where(notebook: Notebook, index: int):
    return notebook.location(notebook.cells[index])


def _check_dependencies(graph: CellGraph, stage_of: dict[int, str], imports: dict) -> None:
    notebook = graph.notebook
    for dep in graph.dependencies:
        consumer = stage_of[dep.consumer]
        producer = stage_of[dep.producer]
        if consumer not in STAGES or dep.name in imports and _is_import_in(graph, dep):
            continue
        if producer == tag_grammar.SKIP:
            raise SplitError(
                f"{consumer} cell {dep.consumer} reads `{dep.name}`, which only exploration cell "
                f"{dep.producer} (tagged 'skip') defines; tag cell {dep.producer} '{consumer}' "
                f"(or an earlier stage) or compute `{dep.name}` in a production cell",
                _where(notebook, dep.consumer),
            )
        if producer in STAGES and STAGES.index(producer) > STAGES.index(consumer):
            raise SplitError(
                f"{consumer} cell {dep.consumer} reads `{dep.name}` from {producer} cell "
                f"{dep.producer}, a later stage (cycle: stages run load -> clean -> train -> "
                f"predict); retag cell {dep.consumer} '{producer}' or move the code that defines "
                f"`{dep.name}` into an earlier stage",
                _where(notebook, dep.consumer),
            )
    for dep in graph.unresolved:
        if stage_of[dep.consumer] not in STAGES or dep.name in imports:
            continue
        if dep.producer >= 0:
            raise SplitError(
                f"cell {dep.consumer} uses `{dep.name}` before it is defined (cell "
                f"{dep.producer} defines it later); move that code above cell {dep.consumer} or "
                "retag the cells so the definition comes first",
                _where(notebook, dep.consumer),
            )
        star = _star_import_above(graph, dep.consumer)
        if star is not None:
            advice = checker_advice(star[1], dep.name) or f"import `{dep.name}` by name"
            raise SplitError(
                f"cell {dep.consumer} uses `{dep.name}`, which no cell defines by name; only "
                f"`from {star[1]} import *` (cell {star[0]}) could provide it, and generated "
                f"modules need to know where each name comes from: {advice}",
                _where(notebook, dep.consumer),
            )
        raise SplitError(
            f"cell {dep.consumer} uses `{dep.name}`, which no cell defines (hidden state from a "
            "deleted cell?); define it in the notebook before splitting",
            _where(notebook, dep.consumer),
        )


def _star_import_above(graph: CellGraph, index: int) -> tuple[int, str] | None:
    """The first ``from module import *`` at or above cell ``index``: (cell, module)."""
    for parsed, _statements in graph.analysis:
        if parsed.cell.index > index:
            break
        if parsed.names.star_imports:
            return parsed.cell.index, parsed.names.star_imports[0]
    return None


def _is_import_in(graph: CellGraph, dep) -> bool:
    for cell, (parsed, _statements) in zip(graph.cells, graph.analysis, strict=True):
        if cell.index == dep.producer:
            return any(b.name == dep.name for b in parsed.names.imports)
    return False


def _check_duplicate_outputs(graph: CellGraph, flows: dict, notebook: Notebook) -> None:
    exporters: dict[str, list[str]] = {}
    for stage in STAGES:
        for name in flows["outputs"].get(stage, ()):
            exporters.setdefault(name, []).append(stage)
    for name, stages in sorted(exporters.items()):
        if len(stages) < 2:
            continue
        later = stages[-1]
        if name in flows["inputs"].get(later, ()):  # the later stage transforms it: fine
            continue
        first_cell = _first_definer(graph, stages[0], name)
        second_cell = _first_definer(graph, later, name)
        raise SplitError(
            f"`{name}` is defined by {stages[0]} (cell {first_cell}) and again by {later} "
            f"(cell {second_cell}), and both values are used downstream; rename one of them",
            _where(notebook, second_cell),
        )


def _first_definer(graph: CellGraph, stage: str, name: str) -> int:
    for cell in graph.cells:
        if cell.stage == stage and name in cell.defined:
            return cell.index
    return graph.stage_cells(stage)[0].index


# -- tables ----------------------------------------------------------------------------------


def _import_table(graph: CellGraph) -> dict[str, tuple[str, str]]:
    """Bound name -> (import statement, top-level module), from every cell (exploration too)."""
    table: dict[str, tuple[str, str]] = {}
    for parsed, _statements in graph.analysis:
        for binding in parsed.names.imports:
            table.setdefault(binding.name, (binding.statement, binding.module))
    return table


def _stage_pieces(graph: CellGraph, parsed_of: dict, stage: str) -> list[_Piece]:
    pieces = []
    for cell in graph.cells:
        if cell.stage != stage:
            continue
        parsed, statements = parsed_of[cell.index]
        pieces.extend(_Piece(parsed, s, stage) for s in statements)
    return pieces


def _flows(graph: CellGraph, stage_of: dict, imports: dict, params: set[str]) -> dict:
    """Per stage: inputs (name -> producing stage or 'parameters') and outputs (ordered)."""
    inputs: dict[str, dict[str, str]] = {s: {} for s in STAGES}
    outputs: dict[str, list[str]] = {s: [] for s in STAGES}
    for dep in graph.dependencies:
        consumer, producer = stage_of[dep.consumer], stage_of[dep.producer]
        if consumer not in STAGES or consumer == producer:
            continue
        if dep.name in imports and _is_import_in(graph, dep):
            continue
        if producer == tag_grammar.PARAMETERS:
            if dep.name in params:
                inputs[consumer].setdefault(dep.name, "parameters")
            continue
        if producer not in STAGES:
            continue
        inputs[consumer].setdefault(dep.name, producer)
        if dep.name not in outputs[producer]:
            outputs[producer].append(dep.name)
    return {"inputs": inputs, "outputs": outputs}


def _train_scores(
    pieces: dict, imports: dict, replacements: dict, parameters: set[str]
) -> dict[int, tuple[str, str, ast.expr, int]]:
    """Scores a train cell shows (its last expression, or printed): ``model.score(X_test,
    y_test)``, ``accuracy_score(y_test, pred)``. Jupyter displays them and the split used to drop
    them; bound where the notebook computes them (the names then hold the values the score
    read, whatever later cells rebind), the train stage returns them and the evaluation reports
    them as metrics. id(statement) -> (name, bound text, expression, cell)."""
    train = pieces["train"]
    known = set(imports) | parameters | BUILTIN_NAMES
    for stage in ("load", "clean", "train"):
        for piece in pieces[stage]:
            if piece.statement.kind == CODE:
                known |= stored_names(piece.statement.node)
    taken = {
        n.id
        for stage in STAGES
        for p in pieces[stage]
        for n in walk_nodes(p.statement.node)
        if isinstance(n, ast.Name)
    } | set(imports)
    bindings: dict[str, int] = {}  # name -> how many production statements bind it
    for stage in STAGES:
        for piece in pieces[stage]:
            if piece.statement.kind == CODE:
                for name in stored_names(piece.statement.node):
                    bindings[name] = bindings.get(name, 0) + 1
    found: dict[int, tuple[str, str, ast.expr, int]] = {}
    for position, piece in enumerate(train):
        node = piece.statement.node
        if piece.statement.kind not in (CODE, DISPLAY):
            continue
        cell = piece.cell.cell.index
        later = [p.statement.node for p in train[position + 1 :] if p.cell.cell.index == cell]
        printed = (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "print"
        )
        assigned = assigned_metric(node, imports) if piece.statement.kind == CODE else None
        if assigned is not None:
            # `acc = accuracy_score(y_test, pred) * 100`: a score the notebook names, bound once
            # in production code and kept to the end of its cell: returned as it is
            name = node.targets[0].id  # type: ignore[attr-defined]
            if bindings.get(name) == 1 and not any(name in stored_names(n) for n in later):
                found[id(piece.statement)] = (
                    name,
                    statement_text(piece.cell, piece.statement, replacements),
                    assigned,
                    cell,
                )
            continue
        if later and not printed:
            continue  # a bare expression inside the cell is not shown
        score = shown_metric(node, later, imports, taken)
        if score is None:
            continue
        name, expression = score
        reads = {n.id for n in walk_nodes(expression) if isinstance(n, ast.Name)}
        if reads - known:
            continue  # reads a value only exploration code has
        taken.add(name)
        text = named_score(piece, expression, name, replacements)
        found[id(piece.statement)] = (name, text, expression, cell)
    return found


def _defines(pieces: dict, stage: str, name: str) -> bool:
    return any(
        name in stored_names(p.statement.node) for p in pieces[stage] if p.statement.kind == CODE
    )


def _helper_definitions(pieces: dict) -> dict[str, str]:
    """Functions and classes defined at the top of stage cells: name -> defining stage."""
    helpers = {}
    for stage in STAGES:
        for piece in pieces[stage]:
            node = piece.statement.node
            if piece.statement.kind == CODE and isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            ):
                helpers.setdefault(node.name, stage)
    return helpers


# -- model -----------------------------------------------------------------------------------


def _statsmodels_data(call: ast.Call) -> tuple[str | None, str | None] | None:
    """(features, target) names of ``sm.OLS(y, X).fit()`` (endog first, then exog) or
    ``smf.ols("y ~ x", data=df).fit()`` (the frame; its formula names the target), or None when
    the call is not a model built with its data and then fitted without arguments."""
    built = call.func.value  # type: ignore[union-attr]
    if call.args or call.keywords and call.func.attr != "fit" or not isinstance(built, ast.Call):
        return None
    keywords = {k.arg: k.value for k in built.keywords}

    def name(node):
        return node.id if isinstance(node, ast.Name) else None

    formula = built.args[0] if built.args else keywords.get("formula")
    if (
        isinstance(formula, ast.Constant)
        and isinstance(formula.value, str)
        and "~" in formula.value
    ):
        frame = keywords.get("data", built.args[1] if len(built.args) > 1 else None)
        return (name(frame), None) if frame is not None else None
    endog = built.args[0] if built.args else keywords.get("endog")
    exog = built.args[1] if len(built.args) > 1 else keywords.get("exog")
    if endog is None or exog is None:
        return None
    return name(exog), name(endog)


def _find_model(
    train: list[_Piece],
    flows: dict,
    notebook: Notebook,
    predict_pieces: list[_Piece] = (),
    fitting_functions: frozenset[str] = frozenset(),
    fitted_parameters: dict[str, tuple[int, int | None, int | None]] | None = None,
) -> tuple[str, str | None, str | None]:
    """The fitted estimator that leaves the train stage, and the names it was fit on."""
    fitted: list[tuple[str, str | None, str | None]] = []
    with_target: set[int] = set()  # positions in ``fitted`` of fits given a target
    for piece in train:
        if piece.statement.kind != CODE:
            continue
        node = piece.statement.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue  # `model.fit(...)` inside `def train_model(...)`: a local, fit when called
        for call in walk_nodes(node):
            helper = call.func.id if _calls_fitting_function(call, fitting_functions) else None
            if helper in (fitted_parameters or {}) and not (
                isinstance(node, ast.Assign) and node.value is call
            ):
                # `for model in models: evaluate(model, X_train, y_train)`: the notebook's
                # function fits the estimator it is given (`model.fit(X, y)` on a parameter)
                positions = fitted_parameters[helper]  # type: ignore[index]
                names = [
                    (
                        call.args[i].id
                        if i is not None
                        and i < len(call.args)
                        and isinstance(call.args[i], ast.Name)
                        else None
                    )
                    for i in positions
                ]
                if names[0] is not None:
                    fitted.append((names[0], names[1], names[2]))
                continue
            if _calls_fitting_function(call, fitting_functions) and (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.value is call
            ):
                # `model = train_model(X_train, y_train)`: the notebook's function fits it
                args = [a.id if isinstance(a, ast.Name) else None for a in call.args[:2]]
                fitted.append((node.targets[0].id, *(args + [None, None])[:2]))
                continue
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                continue
            if call.func.attr == "train" and isinstance(node, ast.Assign) and node.value is call:
                # `booster = xgb.train(params, dtrain)`: a model, fit on data the call hides
                if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    fitted.append((node.targets[0].id, None, None))
                continue
            if call.func.attr not in FIT_METHODS:
                continue
            args = [a.id if isinstance(a, ast.Name) else None for a in call.args[:2]]
            args += [None] * (2 - len(args))
            receiver = call.func.value
            data = _statsmodels_data(call)
            if data is not None and isinstance(node, ast.Assign) and node.value is call:
                # `results = sm.OLS(y, X).fit()`: the model is the fitted results, which
                # predicts on rows shaped like X (`data=df` for a formula)
                if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    with_target.add(len(fitted))
                    fitted.append((node.targets[0].id, *data))
                continue
            # `model.fit(df[["area"]], df["price"])`: fit on a target, named or not
            has_target = len(call.args) > 1 or any(k.arg == "y" for k in call.keywords)
            if isinstance(receiver, ast.Name):
                with_target |= {len(fitted)} if has_target else set()
                fitted.append((receiver.id, args[0], args[1]))
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.value is call
                and call.func.attr != "fit_predict"  # labels = km.fit_predict(X): not a model
            ):
                with_target |= {len(fitted)} if has_target else set()
                fitted.append((node.targets[0].id, args[0], args[1]))
    exported = set(flows["outputs"].get("train", ()))
    predict_inputs = set(flows["inputs"].get("predict", {}))
    for name, features, target in reversed(fitted):
        if name in exported and name in predict_inputs:
            return name, features, target
    if fitted:
        # `X = scaler.fit_transform(X)` also "fits"; the model is what was fit on a target
        supervised = [f for i, f in enumerate(fitted) if f[2] is not None or i in with_target]
        chosen = (supervised or fitted)[-1]
        # ``best = grid.best_estimator_``: the model is what the predict cells predict with
        _fitted_name, features, target = chosen
        for name in sorted(exported & predict_inputs):
            if any(predict_call(p.statement.node, name) for p in predict_pieces):
                return name, features, target
        return chosen
    for piece in train:
        node = piece.statement.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            isinstance(c, ast.Call)
            and isinstance(c.func, ast.Attribute)
            and c.func.attr in FIT_METHODS
            for c in walk_nodes(node)
        ):
            cell = piece.cell.cell.index
            raise SplitError(
                f"the model is fit inside function `{node.name}()` (cell {cell}), where the "
                "pipeline cannot see it or the data it is fit on; move that code into top-level "
                "cells (one per stage: load, clean, train, predict), or make the function take "
                f"the training data and return the model (`model = {node.name}(X_train, y_train)`)",
                _where(notebook, cell),
            )
    for piece in train:
        node = piece.statement.node
        fits = [
            c
            for c in walk_nodes(node)
            if _calls_fitting_function(c, fitting_functions)
            or (
                isinstance(c, ast.Call)
                and isinstance(c.func, ast.Attribute)
                and c.func.attr in FIT_METHODS
            )
        ]
        if piece.statement.kind != CODE and fits:
            # `for model in models: print(score(model, ...))`: fit to compare, none kept
            cell = piece.cell.cell.index
            raise SplitError(
                f"cell {cell} fits models only to show their scores: nothing it fits is used "
                "afterwards, so there is no model to serve; keep the one to serve under a name "
                "(`best = models[2]` after the loop, or `model = RandomForestRegressor().fit("
                "X_train, y_train)`) and predict with it",
                notebook.location(notebook.cells[cell], node.lineno),
            )
    by_hand = _model_by_hand(notebook)
    if by_hand is not None:
        raise _by_hand_error(
            notebook,
            "cannot find the trained model: no `.fit(` call in the cells tagged 'train'",
            by_hand,
        )
    raise SplitError(
        "cannot find the trained model: no `.fit(` call in the cells tagged 'train'",
        notebook.location(notebook.cells[train[0].cell.cell.index]) if train else None,
    )


def _by_hand_error(notebook: Notebook, problem: str, by_hand) -> SplitError:
    cell, line, text = by_hand
    return SplitError(
        f"{problem}; the notebook fits a model of its own (`{text}`, cell {cell.index} line "
        f"{line}), and the pipeline serves an estimator with fit and predict (scikit-learn's "
        "API): fit one (`model = LinearRegression().fit(X_train, y_train)`) or wrap the "
        "function in a class with fit(X, y) and predict(X)",
        notebook.location(cell, line),
    )


def _model_by_hand(notebook: Notebook):
    """The last ``w0, w = train_linear_regression(X, y)``: a result of the notebook's own
    function named like training (``train*``, ``fit*``), as a course notebook writes the normal
    equation in numpy. (cell, line, statement text) or None."""
    trees = []
    for cell in notebook.code_cells:
        try:
            trees.append((cell, ast.parse(cell.source)))
        except SyntaxError:
            continue  # magics: the names defined elsewhere are enough
    defined = {
        node.name
        for _cell, tree in trees
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    found = None
    for cell, tree in trees:
        for node in tree.body:
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
                continue
            func = node.value.func
            if not (isinstance(func, ast.Name) and func.id in defined):
                continue
            if func.id.lower().startswith(("train", "fit")):
                found = (cell, node.lineno, ast.unparse(node))
    return found


def _fitting_functions(pieces: dict) -> frozenset[str]:
    """The notebook's own functions (any stage) whose body fits something."""
    return frozenset(
        p.statement.node.name
        for stage_pieces in pieces.values()
        for p in stage_pieces
        if isinstance(p.statement.node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and any(
            isinstance(c, ast.Call)
            and isinstance(c.func, ast.Attribute)
            and c.func.attr in ("fit", "partial_fit")
            for c in walk_nodes(p.statement.node)
        )
    )


def _fitted_parameters(pieces: dict) -> dict[str, tuple[int, int | None, int | None]]:
    """The notebook's functions that fit an estimator they are given: name -> positions of that
    parameter and of the features and target it is fit on (``def run(model, X, y): model.fit(X,
    y)`` -> ``(0, 1, 2)``)."""
    found: dict[str, tuple[int, int | None, int | None]] = {}
    for stage_pieces in pieces.values():
        for p in stage_pieces:
            node = p.statement.node
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            params = [a.arg for a in node.args.posonlyargs + node.args.args]
            for call in walk_nodes(node):
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in ("fit", "partial_fit")
                    and isinstance(call.func.value, ast.Name)
                    and call.func.value.id in params
                ):
                    continue
                data = [
                    params.index(a.id) if isinstance(a, ast.Name) and a.id in params else None
                    for a in call.args[:2]
                ]
                data += [None] * (2 - len(data))
                found[node.name] = (params.index(call.func.value.id), data[0], data[1])
                break
    return found


def _calls_fitting_function(node: ast.AST, functions: frozenset[str]) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions
    )


# -- stage modules ----------------------------------------------------------------------------


def _stage_spec(
    stage,
    pieces,
    flows,
    parameters,
    constants,
    imports,
    replacements,
    helpers,
    extra_outputs=(),
    captures=None,
    hoisted=(),
    rebuilt=(),
    scored=None,
    closing=(),
) -> StageSpec:
    inputs_map = flows["inputs"][stage]
    outputs = [n for n in flows["outputs"][stage] if n not in helpers and n not in imports] + [
        n for n in extra_outputs if n not in flows["outputs"][stage]
    ]
    lines: list[str] = []
    for text in rebuilt:  # see core/mutations: the same frames, not copies of them
        lines += [
            "# the notebook's list holds these very frames (passed alone, it would hold copies)",
            text,
        ]
    # module level, before the functions reading them (see core/function_globals)
    module_level: list[str] = [statement_text(p.cell, p.statement, replacements) for p in hoisted]
    dropped: list[str] = []
    cells = sorted({p.cell.cell.index for p in pieces})
    for piece in pieces:
        kind = piece.statement.kind
        text = statement_text(piece.cell, piece.statement, replacements)
        if any(piece is h for h in hoisted):
            continue
        if id(piece.statement) in (scored or {}):  # a shown score, bound (see _train_scores)
            lines.append(scored[id(piece.statement)])
            continue
        if kind == CODE and isinstance(
            piece.statement.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        ):
            module_level.append(text)
        elif kind == CODE:
            # values the served predict() reuses, kept where the notebook computes them
            lines.extend(
                (captures or {}).get((piece.cell.cell.index, piece.statement.first_line), ())
            )
            lines.append(text)
        elif kind == DISPLAY:  # stays in the notebook; the report lists it
            dropped.append(dropped_entry(piece.cell, piece.statement))
    lines.extend(closing)  # statements the plan adds after the notebook's (core/model_choice)
    order = {name: i for i, name in enumerate(ordered_defs("\n".join(lines)))}
    outputs = sorted(outputs, key=lambda n: order.get(n, len(order)))
    if outputs:
        lines.append("return " + ", ".join(outputs))
    body = "\n".join(lines)
    param_names = {p.name for p in parameters}
    code_inputs = [n for n in ordered_uses(body + "\n" + "\n".join(module_level))]
    remade = {text.split(" = ", 1)[0] for text in rebuilt}
    upstream_inputs = [
        n
        for n in code_inputs
        if n in inputs_map
        and inputs_map[n] != "parameters"
        and n not in helpers
        and n not in remade
    ]
    # module-level code (the notebook's functions) is out of reach of the stage's parameters:
    # they get theirs passed as keywords (core/function_parameters)
    body_uses = ordered_uses(body)
    params = [n for n in body_uses if n in param_names and inputs_map.get(n) == "parameters"]
    params += [n for n in body_uses if n in param_names and n not in params and n not in inputs_map]
    bound = set(upstream_inputs) | set(params)
    module_imports = set(imports_for(body + "\n" + "\n".join(module_level), imports, bound))
    for name in code_inputs:
        if name in helpers and helpers[name] != stage:
            module_imports.add(f"from .{helpers[name]} import {name}")
    return StageSpec(
        name=stage,
        cells=tuple(cells),
        inputs=tuple(dict.fromkeys(upstream_inputs)),
        parameters=tuple(dict.fromkeys(params)),
        outputs=tuple(outputs),
        imports=tuple(sorted(module_imports)),
        body=body,
        constants=constants_for(body, constants) + tuple(module_level),
        upstream=tuple((n, inputs_map[n]) for n in dict.fromkeys(upstream_inputs)),
        dropped=tuple(dropped),
    )


# -- names ------------------------------------------------------------------------------------


def _stem(path: str) -> str:
    name = re.split(r"[\\/]", path)[-1]
    return name[:-6] if name.endswith(".ipynb") else name


MODEL_LOADERS = frozenset({"joblib", "pickle", "dill", "cloudpickle", "torch", "skops"})


CROSS_VALIDATION = frozenset({"cross_val_score", "cross_validate", "cross_val_predict"})


def _cross_validated_only(graph: CellGraph) -> tuple[int, int, str, str, str] | None:
    """(cell, line, function, estimator, its X and y) of the first ``cross_val_score(model, X,
    y)`` when no cell fits anything: the notebook measured a model but never trained one."""
    found = None
    for parsed, _statements in graph.analysis:
        if parsed.tree is None:
            continue
        for node in walk_nodes(parsed.tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ("fit", "fit_transform", "partial_fit", "fit_predict"):
                return None  # something is trained: the tags are what is missing
            if name not in CROSS_VALIDATION or not node.args or found is not None:
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            data = [*node.args[1:3]] + [keywords[k] for k in ("X", "y") if k in keywords]
            found = (
                parsed.cell.index,
                node.lineno,
                name,
                ast.unparse(node.args[0]),
                ", ".join(ast.unparse(a) for a in data[:2]) or "X, y",
            )
    return found


def _loaded_model(graph: CellGraph) -> tuple[int, int, str] | None:
    """(cell, line, call) of the first ``joblib.load(...)``/``load_model(...)`` when no cell
    fits anything: a notebook that evaluates a model trained elsewhere."""
    found = None
    for parsed, _statements in graph.analysis:
        if parsed.tree is None:
            continue
        for node in walk_nodes(parsed.tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ("fit", "fit_transform", "partial_fit", "train"):
                return None
            owner = (
                func.value.id
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                else None
            )
            is_load = name == "load_model" or (name == "load" and owner in MODEL_LOADERS)
            if found is None and is_load:
                found = (parsed.cell.index, node.lineno, ast.unparse(node))
    return found


def _package_name(path: str) -> str:
    name = re.sub(r"\W+", "_", _stem(path)).strip("_").lower() or "pipeline"
    if name[0].isdigit():
        name = "nb_" + name
    if keyword.iskeyword(name) or name in STAGES:
        name += "_pipeline"  # train.ipynb, predict.ipynb: a package may not be a stage module
    return name


def _title(notebook: Notebook) -> tuple[str, str]:
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.strip().split("\n")
        match = re.match(r"^#\s+(.+)$", lines[0]) if lines else None
        if match:
            description = " ".join(line.strip() for line in lines[1:] if line.strip())
            return match.group(1).strip(), description
    return _stem(notebook.path).replace("_", " ").capitalize(), ""


__all__ = ["plan"]
