"""Frozen values that cross stage boundaries.

notebook (Notebook) -> findings (Finding) -> cell graph (CellGraph) -> pipeline spec (PipelineSpec)
-> rendered files (RenderedFile). Adapters serialize them with ``to_dict``; the core never does I/O.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.StrEnum):
    """How bad a finding is; ordered info < warning < error."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


@dataclass(frozen=True)
class Location:
    """Where something is: a file, optionally a cell (0-based index), line and column (1-based)."""

    path: str
    cell_index: int | None = None
    cell_id: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self.path
        if self.cell_index is not None:
            text += f":cell {self.cell_index}"
            if self.line is not None:
                text += f":{self.line}"
                if self.column is not None:
                    text += f":{self.column}"
        return text

    def with_position(self, line: int | None, column: int | None = None) -> Location:
        return dataclasses.replace(self, line=line, column=column)


@dataclass(frozen=True)
class Output:
    """One cell output, reduced to what the analysis needs."""

    output_type: str  # stream | execute_result | display_data | error
    text: str = ""  # stream text, text/plain and text/html joined; error: traceback
    mime_types: tuple[str, ...] = ()
    ename: str | None = None
    evalue: str | None = None
    html: str = ""  # the text/html alone (its markup is no text a reader sees)


@dataclass(frozen=True)
class Cell:
    """One notebook cell as the pipeline sees it."""

    index: int
    cell_id: str | None
    cell_type: str  # code | markdown | raw
    source: str
    tags: tuple[str, ...] = ()
    execution_count: int | None = None
    outputs: tuple[Output, ...] = ()

    @property
    def is_code(self) -> bool:
        return self.cell_type == "code"


@dataclass(frozen=True)
class Notebook:
    """A validated nbformat v4 notebook, read-only."""

    path: str
    cells: tuple[Cell, ...]
    kernel_name: str | None = None
    language: str | None = None
    nbformat_minor: int = 5

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.is_code)

    def location(
        self, cell: Cell | None = None, line: int | None = None, column: int | None = None
    ) -> Location:
        if cell is None:
            return Location(self.path)
        return Location(self.path, cell.index, cell.cell_id, line, column)


@dataclass(frozen=True)
class CellEdit:
    """One change to one cell; applied through nbformat (CLI) or the notebook model (front-end)."""

    cell_index: int
    cell_id: str | None = None
    new_source: str | None = None  # replace the whole source
    clear_outputs: bool = False
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fix:
    """How to resolve a finding; ``safe`` fixes are applied by ``lint --fix``."""

    description: str
    safe: bool = False
    edits: tuple[CellEdit, ...] = ()
    requirements: tuple[str, ...] = ()  # requirement lines the fix moves out of the notebook


@dataclass(frozen=True)
class Finding:
    """One lint problem: rule id, severity, where, what, and how to fix it."""

    rule: str
    severity: Severity
    location: Location
    message: str
    fix: Fix | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.rule} [{self.severity.value}] {self.message}"


@dataclass(frozen=True)
class RenderedFile:
    """A file of the generated project: a path relative to the output root and its text."""

    path: str
    content: str
    executable: bool = False


@dataclass(frozen=True)
class PublishResult:
    """What ``publish`` did: the branch and commit, whether it pushed, and the review request."""

    branch: str
    commit: str | None  # tip of the branch after the run (None only when nothing exists yet)
    pushed: bool
    created_commit: bool
    pr_url: str | None = None
    compare_url: str | None = None
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceSpec:
    """What the service stage generates on top of a split project."""

    package: str  # import name of the generated package (src/<package>/)
    notebook_name: str  # notebooks/<notebook_name> inside the project
    framework: str  # fastapi | flask
    productionize_version: str
    python_version: str  # base image / CI interpreter, e.g. "3.11"
    requirements: tuple[str, ...]  # pinned lines of the merged requirements.txt
    dev_requirements: tuple[str, ...]  # pinned lines of requirements-dev.txt (CI: nbmake...)
    retrain_cron: str = "0 3 * * *"  # scheduled retraining: daily at 03:00 UTC


def to_dict(value: Any) -> Any:
    """Turn a tree of model values into JSON-ready data (adapters only)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_dict(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.metadata.get("serialize", True)
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [to_dict(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(to_dict(v) for v in value)
    if isinstance(value, dict):
        return {str(k): to_dict(v) for k, v in value.items()}
    return value


# -- split: cell graph, pipeline spec, result ------------------------------------------------------


@dataclass(frozen=True)
class TagSuggestion:
    """A stage tag the splitter proposes for an untagged code cell, and why."""

    cell_index: int
    cell_id: str | None
    tag: str
    reason: str


@dataclass(frozen=True)
class GraphCell:
    """One code cell in the cell graph: its stage, how it got it, and its def/use sets."""

    index: int
    cell_id: str | None
    stage: str  # load | clean | train | predict | parameters | skip
    origin: str  # tagged | inherited | inferred | untagged
    defined: frozenset[str] = frozenset()
    used: frozenset[str] = frozenset()
    modified: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Dependency:
    """``consumer`` cell reads ``name`` last written by ``producer`` cell."""

    name: str
    producer: int
    consumer: int


@dataclass(frozen=True)
class CellGraph:
    """Stages of the code cells and the data flowing between them (notebook order)."""

    notebook: Notebook
    cells: tuple[GraphCell, ...]
    dependencies: tuple[Dependency, ...] = ()
    suggestions: tuple[TagSuggestion, ...] = ()
    # names read with no earlier writer: producer is the later writer's index, or -1 if none
    unresolved: tuple[Dependency, ...] = ()
    # per cell (same order as ``cells``): (ParsedCell, statements) for the planner; not serialized
    analysis: tuple[Any, ...] = field(
        default=(), compare=False, repr=False, metadata={"serialize": False}
    )

    def cell(self, index: int) -> GraphCell:
        return next(c for c in self.cells if c.index == index)

    def stage_cells(self, stage: str) -> tuple[GraphCell, ...]:
        return tuple(c for c in self.cells if c.stage == stage)


@dataclass(frozen=True)
class Parameter:
    """A pipeline parameter: a value from the ``parameters`` cell or a lifted hard-coded path."""

    name: str
    default: Any  # a Python literal (str, int, float, bool, None, list...)
    source_cell: int | None = None
    is_path: bool = False


@dataclass(frozen=True)
class DataFile:
    """A file the notebook reads, as written in the notebook and as placed in the project."""

    notebook_path: str  # as written in the notebook (relative to the notebook's folder or absolute)
    parameter: str  # the parameter that carries it
    project_path: str  # default value in the project (``data/x.csv``) or the original path
    copied: bool = True
    note: str = ""


@dataclass(frozen=True)
class StageSpec:
    """One stage of the generated pipeline: a module with one public function."""

    name: str  # load | clean | train | predict | evaluate
    cells: tuple[int, ...]
    inputs: tuple[str, ...]  # upstream values, in signature order
    parameters: tuple[str, ...]  # pipeline parameters the function takes (with defaults)
    outputs: tuple[str, ...]  # values returned, in order
    imports: tuple[str, ...]  # import statements the module needs (sorted, deduplicated)
    body: str  # function body source (not indented), ends with the return statement
    constants: tuple[str, ...] = ()  # module-level statements (non-literal parameters)
    upstream: tuple[tuple[str, str], ...] = ()  # (input name, producing stage)
    dropped: tuple[str, ...] = ()  # display-only statements left out (first lines)
    synthesized: bool = False  # generated without a notebook cell (predict of a scoring notebook)
    note: str = ""


@dataclass(frozen=True)
class ModelChoice:
    """The models a notebook compares and the score that picks the served one."""

    name: str  # the served model, a name the train stage adds
    models: tuple[str, ...]  # the compared models, in the notebook's order
    scores: tuple[str, ...]  # the bound score of each (names from core/plan._train_scores)
    expressions: tuple[str, ...]  # each score as the notebook computes it (verify)
    metric: str  # accuracy, r2, rmse...
    lower_is_better: bool
    cells: tuple[int, ...]  # the cells fitting the compared models


@dataclass(frozen=True)
class PipelineSpec:
    """Everything needed to render the generated project; plain data, no behaviour."""

    notebook_path: str
    notebook_stem: str
    package: str
    title: str
    description: str
    stages: tuple[StageSpec, ...]
    parameters: tuple[Parameter, ...]
    data_files: tuple[DataFile, ...]
    model_name: str  # the fitted estimator crossing train -> predict
    features_name: str | None  # the frame the model was fit on (registry feature schema)
    target_name: str | None
    records_name: str | None  # what the notebook's predict stage feeds to the model
    predictions_name: str
    metrics: tuple[str, ...]  # names the evaluation defines (scalars end up in metrics.json)
    modules: tuple[str, ...]  # top-level modules imported by generated stage code
    notes: tuple[str, ...] = ()
    # served records are raw rows of records_name as records_stage returns it (``test`` from
    # load), cleaned inside predict(); None: records are shaped like the training features
    records_stage: str | None = None
    fitted_inputs: tuple[str, ...] = ()  # values fitted_values() reads (predict(..., fitted))
    prediction_expression: str | None = None  # notebook expression of the predictions (verify)
    prediction_cell: int | None = None  # the cell after which that expression is evaluated
    captured: tuple[str, ...] = ()  # stage outputs added for fitted_values() (not in the notebook)
    # when records_name is a value productionize added (``transformer_input``): the notebook's
    # expression it holds and where (``("reviews['review']", 2, 9)``), for what a reader sees
    records_source: tuple[str, int, int] | None = None
    # columns of the raw records the service does not take (the target, columns dropped unread):
    # fitted_values() sees the whole frame, predict() and the request schema the rest
    unserved_columns: tuple[str, ...] = ()
    # what the service's records are (raw rows replayed through the cleaning, or why they are
    # shaped like the training features); build prints it
    records_note: str = ""
    # scores a cell only shows (`r2_score(y_test, pred)`), named by the evaluation:
    # (name, the notebook's expression or None for a score it names, the cell after which
    # verify evaluates it)
    shown_metrics: tuple[tuple[str, str | None, int], ...] = ()
    # a statsmodels formula model: the right-hand side's names; the register keeps those of the
    # features' columns (the request schema asks for them, not for the target or other columns)
    formula_columns: tuple[str, ...] = ()
    # the column sm.add_constant added to the features: the schema leaves it out, predict() adds it
    added_constant: str | None = None
    # several models compared, none predicted with: the train stage serves the best by a shown
    # score (core/model_choice.ModelChoice; model_name is the name it binds)
    model_choice: ModelChoice | None = None
    # which of several fitted models is served and why (a choice by score, a loop's pick); build
    # prints it
    model_note: str = ""

    def stage(self, name: str) -> StageSpec:
        return next(s for s in self.stages if s.name == name)

    def producer(self, name: str) -> str | None:
        """The stage whose output ``name`` is (the last one that returns it)."""
        found = None
        for stage in self.stages:
            if name in stage.outputs:
                found = stage.name
        return found


@dataclass(frozen=True)
class SplitResult:
    """What ``split`` produced: the graph, the spec, the files, and tag suggestions."""

    graph: CellGraph
    spec: PipelineSpec
    files: tuple[RenderedFile, ...]
    suggestions: tuple[TagSuggestion, ...] = ()
    report: dict = field(default_factory=dict, compare=False, hash=False)  # productionize-report


@dataclass(frozen=True)
class StageCheck:
    """The faithfulness verdict for one value crossing a stage boundary."""

    stage: str
    name: str
    status: str  # equal | divergent | nondeterministic | missing | skipped
    detail: str = ""
    rule: str | None = None  # lint rule that explains a nondeterministic value
    cell: int | None = None  # notebook cell of a pipeline that failed (ploomber build)
    line: int | None = None


@dataclass(frozen=True)
class VerifyReport:
    """Result of ``verify``: one check per boundary value and the final predictions."""

    notebook_path: str
    checks: tuple[StageCheck, ...]

    @property
    def ok(self) -> bool:
        return all(c.status in ("equal", "nondeterministic", "skipped") for c in self.checks)


__all__ = [
    "Cell",
    "CellEdit",
    "CellGraph",
    "DataFile",
    "Dependency",
    "GraphCell",
    "Parameter",
    "PipelineSpec",
    "SplitResult",
    "StageCheck",
    "StageSpec",
    "TagSuggestion",
    "VerifyReport",
    "Finding",
    "Fix",
    "Location",
    "Notebook",
    "Output",
    "PublishResult",
    "RenderedFile",
    "ServiceSpec",
    "Severity",
    "to_dict",
]
