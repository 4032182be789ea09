"""Build the cell graph: a stage for every code cell (tags) and the names flowing between cells.

Untagged cells inherit the stage of the nearest stage-tagged cell above; cells above the first one
join the first stage. Notebooks with no tags at all get suggestions from markdown headings and from
what the code does, applied only with ``Options.infer_tags``.
"""

from __future__ import annotations

import ast
import dataclasses
import re

from ..errors import SplitError
from ..model import CellGraph, Dependency, GraphCell, Notebook, TagSuggestion
from ..options import Options
from . import tags as tag_grammar
from .defuse import ParsedCell, parse_cell
from .exploration import exploration_statements
from .exports import export_statements
from .file_writes import read_paths, writing_statements
from .hand_scaling import rescales
from .mutations import (
    Container,
    changed_through,
    changing_functions,
    may_change_through,
    note_containers,
)
from .persistence import saving_statements
from .shown_metrics import shown_metric
from .statements import CODE, DISPLAY, Statement, classify, display_aliases, production_names
from .tree_walk import walk_nodes

UNTAGGED = "untagged"

# Markdown heading words -> stage, checked in order (first match wins).
HEADING_STAGES: tuple[tuple[str, re.Pattern], ...] = (
    ("parameters", re.compile(r"\b(parameters?|config(uration)?|settings)\b", re.I)),
    ("skip", re.compile(r"\b(explor\w*|eda|visuali[sz]\w*|plots?|inspect\w*)\b", re.I)),
    ("predict", re.compile(r"\b(predict\w*|inference|scor\w*|evaluat\w*)\b", re.I)),
    ("train", re.compile(r"\b(train\w*|fit\w*|model(l?ing)?)\b", re.I)),
    (
        "clean",
        re.compile(
            r"\b(clean\w*|prepar\w*|preprocess\w*|features?|transform\w*|missing|imput\w*"
            r"|encod\w*|wrangl\w*)\b",
            re.I,
        ),
    ),
    ("load", re.compile(r"\b(load\w*|read\w*|ingest\w*|data\s*set|data)\b", re.I)),
)
# Calls that tell what a cell does, matched on the parsed code (never on comments or strings).
READ_CALL = re.compile(
    r"^(read_(csv|parquet|excel|json|table|feather|pickle|sql|fwf|orc|stata|sas|hdf)"
    r"|load(txt)?|load_\w+|fetch_\w+|genfromtxt|open)$"
)
# Calls that make a data set in code: scikit-learn's generators and pandas constructors.
MAKE_DATA_CALL = re.compile(
    r"^make_(classification|regression|blobs|moons|circles|friedman[1-3]|s_curve|swiss_roll"
    r"|multilabel_classification|hastie_10_2|gaussian_quantiles|low_rank_matrix"
    r"|sparse_uncorrelated|checkerboard|biclusters)$"
)
FRAME_CONSTRUCTORS = frozenset({"DataFrame", "from_dict", "from_records"})
# Calls that change a data set: rebinding a frame through one of them (`df = df.dropna()`) or
# calling one with `inplace=True` cleans the loaded data.
CLEANING_METHODS = frozenset(
    "fillna dropna drop drop_duplicates replace map apply astype interpolate ffill bfill clip"
    " rename join merge assign where mask fit_transform transform set_index reset_index".split()
)
# pandas functions that make a cleaned frame or column out of raw data, whatever name they bind.
CLEANING_FUNCTIONS = frozenset({"get_dummies", "to_numeric", "to_datetime", "cut"})
PREDICT_METHODS = frozenset({"predict", "predict_proba", "decision_function"})
HEADING_LEVELS = re.compile(r"^\s{0,3}(#{1,6})\s*(\S.*)$", re.M)


def build_graph(notebook: Notebook, options: Options, tags_inferred: bool = False) -> CellGraph:
    """Give every code cell a stage and link each name read to the cell that last wrote it.

    ``tags_inferred``: the stage tags are productionize's own (a cell cut at statement level
    into tagged virtual cells, core/statement_stages), reported as inferred like suggestions.
    """
    parsed = [parse_cell(cell) for cell in notebook.code_cells]
    for item in parsed:
        if item.syntax_error is not None:
            message, line, column = item.syntax_error
            raise SplitError(
                f"cannot split a cell with a syntax error ({message}); fix it first",
                notebook.location(item.cell, line, column),
            )
    explicit = {p.cell.index: _stage_tag(p) for p in parsed}
    has_tags = any(explicit.values())
    suggestions = () if has_tags else tuple(suggest_tags(notebook, parsed))
    inferring = not has_tags and options.infer_tags
    if inferring:
        explicit = {p.cell.index: None for p in parsed}
        explicit.update({s.cell_index: s.tag for s in suggestions})
        origin_of_tag = "inferred"
    else:
        origin_of_tag = "inferred" if tags_inferred else "tagged"
    stages = _assign_stages(parsed, explicit, origin_of_tag)
    classified = _classify_cells(parsed, stages)
    while inferring:
        # a guessed stage left with nothing but plots and prints (`if 'y_pred' in locals():`
        # around the scores of an 'Evaluation' section) is no stage: its cells join the one above
        empty = _empty_inferred_stages(parsed, classified, stages)
        if not empty:
            break
        kept = tuple(s for s in suggestions if s.tag not in empty)
        if len(kept) == len(suggestions):
            break
        suggestions = kept
        explicit = {p.cell.index: None for p in parsed}
        explicit.update({s.cell_index: s.tag for s in suggestions})
        stages = _assign_stages(parsed, explicit, origin_of_tag)
        classified = _classify_cells(parsed, stages)

    cells: list[GraphCell] = []
    analysis: list[tuple[ParsedCell, tuple[Statement, ...]]] = []
    # changes made through the notebook's functions and loop variables (see core/mutations)
    changing = changing_functions(
        s.node for statements in classified for s in statements if s.kind == CODE
    )
    containers: dict[str, Container] = {}
    for item, statements in zip(parsed, classified, strict=True):
        stage, origin = stages[item.cell.index]
        names = production_names(statements, item)
        # reading `combine` (= [train, test], bound above) reads the frames it holds
        held = {
            element
            for name, container in containers.items()
            if name in names.used
            for element in container.elements
        }
        through: set[str] = set()
        changes = item.tree is not None and may_change_through(item.tree, changing)
        for statement in statements:
            if statement.kind == CODE:
                if changes:
                    through |= changed_through(statement.node, changing, containers)
                note_containers(statement.node, containers)
        used = names.used | held
        through &= names.defined | used
        cells.append(
            GraphCell(
                item.cell.index,
                item.cell.cell_id,
                stage,
                origin,
                names.defined,
                used,
                names.modified | through,
            )
        )
        analysis.append((item, tuple(statements)))
    dependencies, unresolved = _link(cells)
    return CellGraph(
        notebook, tuple(cells), dependencies, tuple(suggestions), unresolved, tuple(analysis)
    )


def _classify_cells(
    parsed: list[ParsedCell], stages: dict[int, tuple[str, str]]
) -> list[list[Statement]]:
    """Each cell's statements, production code or display (plots, prints, exploration)."""
    classified: list[list[Statement]] = []
    display_names: frozenset[str] = frozenset()
    for item in parsed:
        statements = classify(item, display_names)
        display_names = display_names | display_aliases(item)
        for statement in statements:
            if statement.kind == DISPLAY:
                display_names |= _stores(statement)
        classified.append(statements)
    _mark_exploration(parsed, classified, stages)
    _mark_model_saves(parsed, classified)
    _mark_exports(parsed, classified, stages)
    _mark_file_writes(classified)
    _keep_printed_scores(parsed, classified, stages)
    _keep_called_display_functions(classified)
    return classified


def _empty_inferred_stages(
    parsed: list[ParsedCell],
    classified: list[list[Statement]],
    stages: dict[int, tuple[str, str]],
) -> set[str]:
    """Inferred clean/predict stages none of whose cells keeps production code."""
    code: dict[str, bool] = {}
    for item, statements in zip(parsed, classified, strict=True):
        stage, origin = stages[item.cell.index]
        if origin in ("inferred", "inherited") and stage in ("clean", "predict"):
            code[stage] = code.get(stage, False) or any(s.kind == CODE for s in statements)
        elif stage in ("clean", "predict"):
            code[stage] = True  # a stage the user tagged is theirs to keep
    return {stage for stage, kept in code.items() if not kept}


def _mark_exploration(
    parsed: list[ParsedCell],
    classified: list[list[Statement]],
    stages: dict[int, tuple[str, str]],
) -> None:
    """Reclassify exploration code production does not need (see core/exploration) as display."""
    flat = [
        (position, index)
        for position, statements in enumerate(classified)
        for index in range(len(statements))
    ]
    dead = exploration_statements(
        (
            stages[parsed[p].cell.index][0],
            classified[p][i].kind,
            classified[p][i].node,
        )
        for p, i in flat
    )
    for order in dead:
        p, i = flat[order]
        classified[p][i] = dataclasses.replace(classified[p][i], kind=DISPLAY)


def _mark_model_saves(parsed: list[ParsedCell], classified: list[list[Statement]]) -> None:
    """Reclassify statements that only save the model to a file (see core/persistence) as
    display: the generated project's model registry stores the model."""
    imports = {b.name: b.module for item in parsed for b in item.names.imports}
    code = [s.node for statements in classified for s in statements if s.kind == CODE]
    _as_display(classified, saving_statements(code, imports))


def _mark_exports(
    parsed: list[ParsedCell],
    classified: list[list[Statement]],
    stages: dict[int, tuple[str, str]],
) -> None:
    """Reclassify data exports before the predict stage (see core/exports) as display."""
    pairs = [
        (stages[item.cell.index][0], s.node)
        for item, statements in zip(parsed, classified, strict=True)
        for s in statements
        if s.kind == CODE
    ]
    _as_display(classified, export_statements(pairs))


def _mark_file_writes(classified: list[list[Statement]]) -> None:
    """Reclassify statements that only write a file for a person (a report, a metrics JSON;
    see core/file_writes) as display, unless the notebook reads that file back."""
    code = [s.node for statements in classified for s in statements if s.kind == CODE]
    _as_display(classified, writing_statements(code, read_paths(code)))


def _as_display(classified: list[list[Statement]], nodes) -> None:
    """Reclassify the code statements whose nodes are in ``nodes`` as display (left out)."""
    for statements in classified:
        for index, statement in enumerate(statements):
            if statement.kind == CODE and statement.node in nodes:
                statements[index] = dataclasses.replace(statement, kind=DISPLAY)


def _keep_printed_scores(
    parsed: list[ParsedCell],
    classified: list[list[Statement]],
    stages: dict[int, tuple[str, str]],
) -> None:
    """Keep ``print("RMSE", np.sqrt(mean_squared_error(y_test, pred)))`` of a predict cell, and
    a shown accuracy the display rules would drop (``(model.predict(X_val) == y_val).mean()``
    ending a cell): the evaluation binds and returns that score (see core/shown_metrics)."""
    imports = {b.name: (b.statement, b.module) for item in parsed for b in item.names.imports}
    for item, statements in zip(parsed, classified, strict=True):
        if stages[item.cell.index][0] != "predict":
            continue
        for index, statement in enumerate(statements):
            node = statement.node
            if not (
                statement.kind == DISPLAY
                and isinstance(node, ast.Expr)
                and isinstance(node.value, ast.Call)
            ):
                continue
            later = [s.node for s in statements[index + 1 :]]
            if shown_metric(node, later, imports, set()) is not None:
                statements[index] = dataclasses.replace(statement, kind=CODE)


def _keep_called_display_functions(classified: list[list[Statement]]) -> None:
    """Keep a display-only function (or class) that production code refers to.

    ``def main(): ...; display_stats(data); model = train(...)`` is production code that calls
    ``display_stats``; dropping its definition would leave the production module calling a name
    no cell defines. Repeated until no kept code refers to a dropped definition.
    """
    while True:
        needed = {
            n.id
            for statements in classified
            for statement in statements
            if statement.kind == CODE
            for n in walk_nodes(statement.node)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        promoted = False
        for statements in classified:
            for index, statement in enumerate(statements):
                node = statement.node
                if (
                    statement.kind == DISPLAY
                    and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    and node.name in needed
                ):
                    statements[index] = dataclasses.replace(statement, kind=CODE)
                    promoted = True
        if not promoted:
            return


def _stores(statement: Statement) -> frozenset[str]:
    node = statement.node
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return frozenset({node.name})
    return frozenset(
        n.id
        for n in walk_nodes(statement.node)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    )


def _stage_tag(parsed: ParsedCell) -> str | None:
    known = tag_grammar.stage_tags(parsed.cell.tags)
    return known[0] if known else None


def _assign_stages(
    parsed: list[ParsedCell], explicit: dict[int, str | None], origin_of_tag: str
) -> dict[int, tuple[str, str]]:
    result: dict[int, tuple[str, str]] = {}
    current: str | None = None
    leading: list[int] = []
    for item in parsed:
        index = item.cell.index
        tag = explicit.get(index)
        if tag is not None:
            result[index] = (tag, origin_of_tag)
            if tag != tag_grammar.PARAMETERS:  # one parameters cell is not a section
                current = tag
            if current in tag_grammar.STAGES and leading:
                for lead in leading:  # cells above the first stage join it (imports, setup)
                    result[lead] = (current, "inherited")
                leading = []
        elif current is not None:
            result[index] = (current, "inherited")
        else:
            result[index] = (UNTAGGED, UNTAGGED)
            leading.append(index)
    return result


def _link(cells: list[GraphCell]) -> tuple[tuple[Dependency, ...], tuple[Dependency, ...]]:
    """Link every read to the last earlier writer; reads with no earlier writer are unresolved."""
    last_writer: dict[str, int] = {}
    dependencies: list[Dependency] = []
    unresolved: list[Dependency] = []
    for position, cell in enumerate(cells):
        for name in sorted(cell.used):
            if name in last_writer:
                dependencies.append(Dependency(name, last_writer[name], cell.index))
            else:
                later = next(
                    (c.index for c in cells[position + 1 :] if name in c.defined),
                    -1,
                )
                unresolved.append(Dependency(name, later, cell.index))
        for name in cell.defined | cell.modified:
            last_writer[name] = cell.index
    return tuple(dependencies), tuple(unresolved)


def suggest_tags(notebook: Notebook, parsed: list[ParsedCell]) -> list[TagSuggestion]:
    """Suggest stage tags for an untagged notebook from headings and what each cell does."""
    suggestions: list[TagSuggestion] = []
    by_index = {p.cell.index: p for p in parsed}
    section: tuple[str, str] | None = None  # (stage, heading)
    section_used = False
    seen_code = False
    # Without any supervised `.fit(X, y)` (clustering, anomaly detection), `.fit(X)` trains.
    supervised = any(_fit_calls(_all_calls(p))[0] for p in parsed)
    # `load_data(path)` defined in the notebook says nothing by its name; its body does
    own_functions = _own_functions(parsed)
    # names `.fit(X, y)` is called on, per cell: a cell making one of them creates the model
    fitted_in = {p.cell.index: _fitted_names(p, supervised) for p in parsed}
    last_stage: str | None = None  # the stage most recently suggested
    last_production: str | None = None  # ... among load/clean/train/predict
    resume = False  # a heading ended an exploration section: the next cell resumes production
    split_seen = False  # a train_test_split ran: what follows prepares split data, not raw rows
    written_in: dict[str, str] = {}  # name -> production stage of the cell that last wrote it
    current: str | None = None  # the stage untagged cells inherit (as _assign_stages does)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for level, text in _headings(cell.source):
                if level == 1 and not seen_code:
                    continue  # the notebook's title names the whole notebook, not a section
                stage = _stage_of_heading(text)
                if not seen_code and stage in ("clean", "train", "predict"):
                    # nothing is cleaned, trained or predicted before the first code: a
                    # "### Loan Prediction Problem" above the imports is the title, at any level
                    stage = None
                section = (stage, text) if stage else None
                section_used = False
                resume = last_stage == tag_grammar.SKIP and stage is None
            continue
        item = by_index.get(cell.index)
        if item is None:
            continue
        code_stage = _code_stage(
            item, not seen_code, supervised, own_functions, last_production is None
        )
        seen_code = True
        body = item.tree.body if item.tree is not None else []
        calls = {_call_name(n) for n in _calls_when_run(body, own_functions)}
        made = _made_names(item)
        if code_stage is None and last_production is not None and made:
            later = set().union(*(f for i, f in fitted_in.items() if i > cell.index))
            if made & later:
                # `model = LogisticRegression()` alone, `model.fit(X, y)` in a later cell
                code_stage = "train", "creates the model a later cell fits"
        if code_stage is None and last_production == "load" and not split_seen and _cleans(item):
            # cleaning kept in the load stage would make the service expect cleaned rows
            code_stage = "clean", "changes the loaded data"
        split_seen = split_seen or "train_test_split" in calls
        if code_stage is not None and code_stage[1] == "reads a file" and last_production:
            # Kaggle's test.csv read after training: what follows prepares its raw rows
            split_seen = "train_test_split" in calls
        if code_stage is not None:
            stage, reason = code_stage
        elif section is not None and not section_used:
            stage, reason = section[0], f"under the heading '{section[1]}'"
        elif resume and last_production is not None:
            stage, reason = last_production, "continues the work after an exploration section"
        else:
            _note_writes(item, current, written_in)
            continue
        if _reads_a_later_stage(item, stage, written_in):
            # stages only run forward: a cell reading what a later stage made stays where it is
            _note_writes(item, current, written_in)
            continue
        _note_writes(item, stage, written_in)
        resume = False
        if section is not None and section[0] == stage:
            section_used = True
        last_stage = stage
        if stage != tag_grammar.PARAMETERS:
            current = stage
        if stage in tag_grammar.STAGES:
            last_production = stage
        suggestions.append(TagSuggestion(cell.index, cell.cell_id, stage, reason))
    return suggestions


def _fitted_names(item: ParsedCell, supervised: bool) -> set[str]:
    """Names the cell fits as models: `model.fit(X, y)` (`.fit(X)` when nothing is supervised)."""
    names = set()
    for call in _all_calls(item):
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            continue
        if func.attr in ("fit", "partial_fit") and (
            len(call.args) >= 2 or any(k.arg == "y" for k in call.keywords) or not supervised
        ):
            names.add(func.value.id)
    return names


def _made_names(item: ParsedCell) -> set[str]:
    """Names the cell binds to the result of a call at its top level (`model = SVC(C=1)`)."""
    if item.tree is None:
        return set()
    return {
        target.id
        for node in item.tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _note_writes(item: ParsedCell, stage: str | None, written_in: dict[str, str]) -> None:
    if stage in tag_grammar.ORDER:
        for name in item.names.defined | item.names.modified:
            written_in[name] = stage


def _reads_a_later_stage(item: ParsedCell, stage: str, written_in: dict[str, str]) -> bool:
    """Whether the cell reads a name that a cell of a stage after ``stage`` last wrote."""
    if stage not in tag_grammar.ORDER:
        return False
    order = tag_grammar.ORDER[stage]
    return any(tag_grammar.ORDER[written_in[n]] > order for n in item.names.used if n in written_in)


def _cleans(item: ParsedCell) -> bool:
    """Whether the cell changes data it was given: `df["a"] = ...`, `del df["a"]`,
    `df = df.dropna()`, `df.fillna(0, inplace=True)`, `X = pd.get_dummies(df)`, in loops too."""
    if item.tree is None:
        return False
    return any(_cleaning_statement(node) for node in walk_nodes(item.tree))


def _cleaning_statement(node: ast.AST) -> bool:
    if isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(isinstance(t, (ast.Subscript, ast.Attribute)) for t in targets):
            return True  # df["a"] = ..., df.loc[m, "a"] = ..., train.Sex = ...
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        for call in (n for n in walk_nodes(node.value) if isinstance(n, ast.Call)):
            called = _call_name(call)
            if called in CLEANING_FUNCTIONS:
                return True
            if called in CLEANING_METHODS and _receiver(call) in names:
                return True  # df = df.dropna(): the same frame, changed
        return rescales(node.value, names)  # X = (X - X.mean()) / X.std()
    if isinstance(node, ast.Delete):
        return any(isinstance(t, ast.Subscript) for t in node.targets)
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        call = node.value
        inplace = any(
            k.arg == "inplace" and isinstance(k.value, ast.Constant) and k.value.value is True
            for k in call.keywords
        )
        return inplace and _call_name(call) in CLEANING_METHODS
    return False


def _receiver(call: ast.Call) -> str | None:
    """The name at the root of a method call chain (`df` in `df["a"].fillna(0).astype(int)`)."""
    node: ast.AST = call.func
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _headings(source: str) -> list[tuple[int, str]]:
    return [(len(m.group(1)), m.group(2).strip()) for m in HEADING_LEVELS.finditer(source)]


def _stage_of_heading(text: str) -> str | None:
    for stage, pattern in HEADING_STAGES:
        if pattern.search(text):
            return stage
    return None


def _code_stage(
    item: ParsedCell,
    first: bool,
    supervised: bool,
    own_functions: dict[str, ast.AST],
    before_production: bool = False,
) -> tuple[str, str] | None:
    if item.tree is None:
        return None
    calls = _calls_when_run(item.tree.body, own_functions)
    fits_xy, fits_x = _fit_calls(calls)
    called = {_call_name(n) for n in calls}
    # A cell that fits a model and then scores it on held-out data is a training cell.
    if fits_xy or (fits_x and not supervised):
        return "train", "calls .fit()"
    if called & PREDICT_METHODS:
        return "predict", "calls .predict()"
    if any(_reads_file(call) for call in calls):
        return "load", "reads a file"
    if any(name and MAKE_DATA_CALL.match(name) for name in called):
        return "load", "makes a data set"
    # a frame built in code before anything else is loaded is the notebook's data; later
    # (`pd.DataFrame(scaled, columns=...)`) it is a step of the cleaning, not a second load
    if before_production and called & FRAME_CONSTRUCTORS:
        return "load", "builds its data in code"
    if first and _only_literal_assignments(item):
        return "parameters", "assigns only literal values at the top"
    return None


def _reads_file(call: ast.Call) -> bool:
    """``pd.read_csv(...)``, ``np.load(...)``, ``open(path)``; not ``open(path, "wb")``, which
    saves (``pickle.dump(model, open("model.pkl", "wb"))`` ends training, it loads nothing)."""
    name = _call_name(call)
    if not name or not READ_CALL.match(name):
        return False
    if name != "open":
        return True
    mode = call.args[1] if len(call.args) > 1 else None
    mode = next((k.value for k in call.keywords if k.arg == "mode"), mode)
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return not set(mode.value) & set("wax")
    return mode is None


def _own_functions(parsed: list[ParsedCell]) -> dict[str, ast.AST]:
    """The notebook's own top-level functions, by name (the last definition wins)."""
    functions: dict[str, ast.AST] = {}
    for item in parsed:
        for node in item.tree.body if item.tree is not None else ():
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions[node.name] = node
    return functions


def _calls_when_run(body: list[ast.stmt], own_functions: dict[str, ast.AST]) -> list[ast.Call]:
    """The calls a cell makes when it runs: a function or class it only defines does nothing
    yet, and calling one of the notebook's own functions does what that function's body does."""
    calls: list[ast.Call] = []
    visited: set[str] = set()
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name in own_functions:
                if name not in visited:
                    visited.add(name)
                    stack.extend(own_functions[name].body)
            else:
                calls.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return calls


def _all_calls(item: ParsedCell) -> list[ast.Call]:
    if item.tree is None:
        return []
    return [node for node in walk_nodes(item.tree) if isinstance(node, ast.Call)]


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def _fit_calls(calls: list[ast.Call]) -> tuple[bool, bool]:
    """Whether the calls fit on features and a target (`.fit(X, y)`), and on features alone.

    `.fit_transform(` and `LabelEncoder().fit(column)` prepare data: they are not training.
    """
    fits_xy = fits_x = False
    for node in calls:
        if not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in ("fit", "partial_fit", "train", "fit_predict"):
            continue
        if node.func.attr == "train":  # xgb.train(params, dtrain), trainer.train(...)
            fits_xy = fits_xy or bool(node.args) and isinstance(node.func.value, ast.Name)
        elif _statsmodels_fit(node):
            fits_xy = True
        elif len(node.args) >= 2 or any(k.arg == "y" for k in node.keywords):
            fits_xy = True
        elif node.args:
            fits_x = True
    return fits_xy, fits_x


def _statsmodels_fit(node: ast.Call) -> bool:
    """``sm.OLS(y, X).fit()``, ``smf.ols("y ~ x", data=df).fit()``, ``ARIMA(series, order=(1,
    1, 1)).fit()``: the model is given its data when built, and ``.fit()`` estimates it."""
    built = node.func.value  # type: ignore[union-attr]
    return (
        not node.args
        and isinstance(built, ast.Call)
        and isinstance(built.func, (ast.Name, ast.Attribute))
        and (len(built.args) + len(built.keywords)) >= 2
    )


def _only_literal_assignments(item: ParsedCell) -> bool:
    if item.tree is None or not item.tree.body:
        return False
    for node in item.tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            return False
        if not isinstance(node.targets[0], ast.Name):
            return False
        try:
            ast.literal_eval(node.value)
        except ValueError:
            return False
    return True
