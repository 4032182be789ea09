"""Notebooks that put their work inside one function (``def main(): ...`` then ``main()``)."""

from __future__ import annotations

import json

import pytest

from productionize.core.graph import build_graph
from productionize.core.inline import inline_single_calls, restructured_sources
from productionize.core.notebook import notebook_from_dict
from productionize.core.statement_stages import split_by_statement
from productionize.core.statements import CODE
from productionize.options import Options
from tests.conftest import make_notebook

IMPORTS = (
    "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n"
    "from sklearn.model_selection import train_test_split"
)
SHOW_FN = "def display_stats(data):\n    print(data.describe())"


def _graph(*cells, options: Options | None = None):
    notebook, _ = notebook_from_dict(json.loads(json.dumps(make_notebook(*cells))), "nb.ipynb")
    return build_graph(notebook, options or Options(infer_tags=True))


def test_a_display_function_called_by_production_code_is_kept():
    """Production code that calls a print-only helper needs its definition (it was reported as
    'no cell defines it')."""
    work = (
        "def run():\n    data = pd.read_csv('data.csv')\n    display_stats(data)\n"
        "    return LinearRegression().fit(data[['x']], data['y'])"
    )
    graph = _graph(IMPORTS, SHOW_FN, work, "model = run()")
    assert not [d for d in graph.unresolved if d.name == "display_stats"]
    _parsed, statements = graph.analysis[1]
    assert [s.kind for s in statements] == [CODE]
    assert "display_stats" in graph.cells[1].defined


def test_a_display_function_nobody_needs_stays_out():
    graph = _graph(IMPORTS, SHOW_FN, "df = pd.read_csv('d.csv')\ndisplay_stats(df)")
    assert "display_stats" not in graph.cells[1].defined


# -- inlining a function called once -------------------------------------------------------

MAIN = (
    "# Main execution\n"
    "def main():\n"
    "    data = pd.read_csv('data.csv')\n"
    "\n"
    "    model = LinearRegression().fit(data[['x']], data['y'])\n"
    "    return model\n"
    "\n"
    "main()"
)


def _notebook(*cells):
    notebook, _ = notebook_from_dict(json.loads(json.dumps(make_notebook(*cells))), "nb.ipynb")
    return notebook


def test_the_body_replaces_the_definition_line_for_line():
    notebook = _notebook(IMPORTS, MAIN)
    inlined = inline_single_calls(notebook)
    assert inlined.functions == ("main",)
    assert inlined.notebook.cells[1].source.split("\n") == [
        "# Main execution",
        "",
        "data = pd.read_csv('data.csv')",
        "",
        "model = LinearRegression().fit(data[['x']], data['y'])",
        "",  # `return model`: nobody keeps the result
        "",
        "",  # the call
    ]
    assert notebook.cells[1].source == MAIN  # the input is never changed
    assert restructured_sources(notebook, inlined.notebook) == {1: inlined.notebook.cells[1].source}


def test_arguments_and_defaults_become_one_assignment_on_the_def_line():
    run = (
        "def run(file_path, target='y', *, test_size=0.2):\n"
        "    df = pd.read_csv(file_path)\n"
        "    print(target, test_size)"
    )
    inlined = inline_single_calls(_notebook(IMPORTS, run, "run('data.csv', test_size=0.3)"))
    assert inlined.notebook.cells[1].source.split("\n") == [
        "file_path, target, test_size = 'data.csv', 'y', 0.3",
        "df = pd.read_csv(file_path)",
        "print(target, test_size)",
    ]
    assert inlined.notebook.cells[2].source == ""


def test_a_call_under_the_main_guard_is_opened_too():
    guarded = 'if __name__ == "__main__":\n    main()'
    inlined = inline_single_calls(_notebook(IMPORTS, MAIN.rsplit("\n", 1)[0], guarded))
    assert inlined.functions == ("main",)
    assert inlined.notebook.cells[2].source.strip() == ""


def test_a_trailing_return_of_a_call_keeps_the_call():
    body = "def main():\n    df = pd.read_csv('d.csv')\n    return evaluate(df)\n\nmain()"
    inlined = inline_single_calls(_notebook(IMPORTS, body))
    assert inlined.notebook.cells[1].source.split("\n")[:3] == [
        "",
        "df = pd.read_csv('d.csv')",
        "evaluate(df)",
    ]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("def main():\n    if x:\n        return 1\n    y = 2\n\nmain()", "returns early (line 4)"),
        ("def main():\n    global y\n    y = 2\n\nmain()", "`global`/`nonlocal`"),
        ("def main():\n    main()\n\nmain()", "calls itself"),
        ("def main(*args):\n    y = 2\n\nmain()", "*args/**kwargs"),
        ("@cache\ndef main():\n    y = 2\n\nmain()", "decorated"),
        ("def main():\n    yield 2\n\nmain()", "generator"),
        ("def main():\n    y = 2\n\nz = 1\nmain()", "code runs between"),
        ("def main(a):\n    y = a\n\nmain()", "does not pass `a`"),
        ("def main():\n    y = 2\n\ny = 1\nprint(y)\nmain()", "code runs between"),
        ("y = 1\ndef main():\n    y = 2\n\nmain()\nprint(y)", "would overwrite"),
        ("def main():\n    s = '''\nx'''\n\nmain()", "indented less"),
    ],
)
def test_functions_that_cannot_move_are_left_alone_with_a_note(source, reason):
    notebook = _notebook(source.replace("):\n", "):\n    df = load_data()\n", 1))
    inlined = inline_single_calls(notebook)
    assert inlined.notebook is notebook
    assert len(inlined.notes) == 1
    assert reason in inlined.notes[0]
    assert inlined.notes[0].startswith("function `main()` (cell 0)")


def test_a_function_called_twice_or_used_as_a_value_stays():
    for tail in ("main()\nmain()", "f = main\nmain()"):
        inlined = inline_single_calls(_notebook("def main():\n    y = load_data()", tail))
        assert inlined.functions == ()


def test_a_helper_called_once_is_not_the_notebooks_work():
    plot = "def plot(df):\n    df.plot()\n    print(df.shape)"
    inlined = inline_single_calls(_notebook(IMPORTS, plot, "df = pd.read_csv('d.csv')\nplot(df)"))
    assert (inlined.functions, inlined.notes) == ((), ())
    steps = "def run():\n    df = prepare()\n    fit_it(df)"
    inlined = inline_single_calls(
        _notebook("def prepare():\n    pass", "def fit_it(df):\n    pass", steps, "run()")
    )
    assert inlined.functions == ("run",)  # it runs the notebook's own steps


def test_after_inlining_the_stages_exchange_the_functions_locals():
    graph = _graph(IMPORTS, MAIN)  # build_graph on the original: main() is one opaque call
    assert "model" not in graph.cells[1].defined
    inlined = inline_single_calls(_notebook(IMPORTS, MAIN))
    graph = build_graph(inlined.notebook, Options(infer_tags=True))
    assert {"data", "model"} <= graph.cells[1].defined


# -- one big cell cut at statement level ---------------------------------------------------

PIPELINE_MAIN = (
    "def main(path='data.csv'):\n"
    "    df = pd.read_csv(path)\n"
    "    print(df.shape)\n"
    "    df = df.dropna()\n"
    "    # the split\n"
    "    X_train, X_test, y_train, y_test = train_test_split(df[['x']], df['y'])\n"
    "    model = LinearRegression().fit(X_train, y_train)\n"
    "    print(model.score(X_test, y_test))\n"
    "\n"
    "main()"
)


def test_the_opened_up_body_is_cut_into_one_virtual_cell_per_stage():
    inlined = inline_single_calls(_notebook(IMPORTS, PIPELINE_MAIN))
    staged = split_by_statement(inlined.notebook, 1)
    cells = staged.notebook.cells
    assert [(c.index, c.tags) for c in cells] == [
        (0, ()),
        (1, ("load",)),
        (2, ("clean",)),
        (3, ("train",)),
    ]
    assert staged.origin == ((1, 1), (2, 1), (3, 1))
    # blank lines above keep every statement on its line of the original cell
    assert cells[2].source.split("\n")[3:] == [
        "df = df.dropna()",
        "# the split",
        "X_train, X_test, y_train, y_test = train_test_split(df[['x']], df['y'])",
    ]
    assert cells[3].source.split("\n")[6:] == [
        "model = LinearRegression().fit(X_train, y_train)",
        "print(model.score(X_test, y_test))",
    ]
    assert cells[1].source.split("\n") == [
        "path = 'data.csv'",
        "df = pd.read_csv(path)",
        "print(df.shape)",
    ]
    assert "split at statement level" in staged.notes[0]


def test_cells_the_user_wrote_are_never_renumbered_or_retagged():
    inlined = inline_single_calls(_notebook(IMPORTS, PIPELINE_MAIN, "print('done')"))
    assert split_by_statement(inlined.notebook, 1).notebook is inlined.notebook
    tagged = _notebook(("code", IMPORTS, ["load"]), PIPELINE_MAIN)
    inlined = inline_single_calls(tagged)
    assert split_by_statement(inlined.notebook, 1).notebook is inlined.notebook


def test_a_main_only_notebook_gets_load_clean_and_train_stages():
    from tests.split.conftest import split_nb

    result = split_nb(make_notebook(IMPORTS, PIPELINE_MAIN), Options(infer_tags=True))
    assert [s.name for s in result.spec.stages][:3] == ["load", "clean", "train"]
    train = next(f.content for f in result.files if f.path.endswith("/train.py"))
    assert "model = LinearRegression().fit(X_train, y_train)" in train


def test_a_cut_that_does_not_plan_keeps_the_cell_whole(monkeypatch):
    """Cutting must never turn a notebook that splits into one that does not."""
    from productionize.core import flow
    from productionize.errors import SplitError
    from tests.split.conftest import split_nb

    real_plan = flow.plan

    def plan_refusing_cuts(graph, *args):
        if len(graph.cells) > 2:  # the cut: the planner refuses it (as a stage conflict would)
            raise SplitError("refused for the test")
        return real_plan(graph, *args)

    monkeypatch.setattr(flow, "plan", plan_refusing_cuts)
    result = split_nb(make_notebook(IMPORTS, PIPELINE_MAIN), Options(infer_tags=True))
    assert [c.index for c in result.graph.cells] == [0, 1]
    assert "train" in [s.name for s in result.spec.stages]
    assert not [n for n in result.spec.notes if "statement level" in n]
