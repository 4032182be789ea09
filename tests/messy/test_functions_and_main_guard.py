"""Notebooks written as functions plus an ``if __name__ == "__main__":`` block that calls them."""

from __future__ import annotations

import pytest

from tests.conftest import make_notebook

from .conftest import ruff_problems

IMPORTS = (
    "import pandas as pd\nimport matplotlib.pyplot as plt\n"
    "from sklearn.linear_model import LinearRegression\n"
    "from sklearn.model_selection import train_test_split"
)
LOAD_FN = "def load_data(file_path):\n    return pd.read_csv(file_path)"
PLOT_FN = (
    "def plot_distribution(data):\n"
    '    """Show every column."""\n'
    "    data.hist(bins=20)\n    plt.tight_layout()\n    plt.show()"
)
TRAIN_FN = (
    "def train_and_plot(X, y):\n"
    "    model = LinearRegression()\n    model.fit(X, y)\n"
    "    plt.scatter(y, model.predict(X))\n    return model"
)
MAIN = (
    "# Main execution\n"
    'if __name__ == "__main__":\n'
    "    data = load_data('data.csv')\n"
    "    plot_distribution(data)\n"
    "    X_train, X_test, y_train, y_test = train_test_split(\n"
    "        data[['x']], data['y'], random_state=0\n"
    "    )\n"
    "    model = train_and_plot(X_train, y_train)\n"
    '    print("done")'
)


def test_main_block_runs_in_the_generated_module_and_plots_are_dropped(split_untagged):
    result, out = split_untagged(make_notebook(IMPORTS, LOAD_FN, PLOT_FN, TRAIN_FN, MAIN))
    assert result.exit_code == 0, result.output
    stages = ("load", "clean", "train", "predict", "evaluate")
    code = {p.stem: p.read_text() for p in (out / "src").glob("*/*.py") if p.stem in stages}
    everything = "\n".join(code.values())
    assert "__main__" not in everything  # always true in a notebook, never in a module
    assert "\n    model = train_and_plot(X_train, y_train)\n" in code["train"]
    assert "plot_distribution(data)" not in everything  # stays in the notebook
    assert "\ndef plot_distribution" not in everything
    assert "\ndef train_and_plot" in everything  # trains: kept, its plot included
    assert ruff_problems(out) == ""
    compile_all = [compile(text, name, "exec") for name, text in code.items()]
    assert compile_all


def test_a_notebook_function_named_load_something_is_judged_by_its_body(split_untagged):
    helper = "def load_config():\n    return {'alpha': 0.5}"
    nb = make_notebook(
        IMPORTS,
        helper,
        "df = pd.read_csv('data.csv')\nconfig = load_config()",
        "X = df[['x']]\nmodel = LinearRegression().fit(X, df['y'])",
    )
    result, _out = split_untagged(nb)
    assert result.exit_code == 0, result.output
    assert "cell 1 -> load" not in result.output
    assert "cell 2 -> load" in result.output


def test_definitions_suggest_no_stage_calls_into_them_do():
    """A class whose method predicts is not a predict cell; `df = read(...)` reads a file."""
    from productionize.core.graph import build_graph
    from productionize.core.notebook import notebook_from_dict
    from productionize.options import Options

    nb, _node = notebook_from_dict(
        make_notebook(
            IMPORTS,
            "class Scorer:\n    def accuracy(self, X, y):\n        return self.model.predict(X)",
            "def read(path):\n    return pd.read_csv(path)",
            "df = read('data.csv')\nX = df[['x']]\ny = df['y']",
            "model = LinearRegression().fit(X, y)",
        ),
        "nb.ipynb",
    )
    graph = build_graph(nb, Options(infer_tags=True))
    assert {s.cell_index: s.tag for s in graph.suggestions} == {3: "load", 4: "train"}


def test_everything_inside_main_is_opened_up(split_untagged):
    main_fn = (
        "def main():\n"
        "    df = pd.read_csv('data.csv')\n"
        "    X_train, X_test, y_train, y_test = train_test_split(df[['x']], df['y'])\n"
        "    model = LinearRegression().fit(X_train, y_train)\n"
        "    print(model.score(X_test, y_test))"
    )
    result, out = split_untagged(make_notebook(IMPORTS, main_fn, "main()"))
    assert result.exit_code == 0, result.output
    stages = ("load", "clean", "train", "predict", "evaluate")
    code = [p.read_text() for p in (out / "src").glob("*/*.py") if p.stem in stages]
    everything = "\n".join(code)
    assert "    model = LinearRegression().fit(X_train, y_train)\n" in everything
    assert "def main" not in everything


def test_a_main_that_cannot_be_opened_up_is_refused_with_the_way_out(split_untagged):
    main_fn = (
        "def main():\n"
        "    df = pd.read_csv('data.csv')\n"
        "    if df.empty:\n"
        "        return None\n"
        "    X_train, X_test, y_train, y_test = train_test_split(df[['x']], df['y'])\n"
        "    model = LinearRegression().fit(X_train, y_train)\n"
        "    print(model.score(X_test, y_test))"
    )
    result, out = split_untagged(make_notebook(IMPORTS, main_fn, "main()"))
    assert result.exit_code == 2
    assert "messy.ipynb:cell 1: the model is fit inside function `main()`" in result.output
    assert "top-level cells" in result.output
    assert "it returns early (line 4)" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "call, returned, bound",
    [
        ("model = main('data.csv')", "    return model", None),
        ("reg = main('data.csv')", "    return model", "reg = model"),
        (
            "if __name__ == '__main__':\n    X, reg = main('data.csv')",
            "    return X, model",
            "X, reg = X, model",
        ),
    ],
)
def test_a_main_whose_result_is_assigned_is_opened_up(split_untagged, call, returned, bound):
    main_fn = (
        "def main(file_path):\n"
        "    data = pd.read_csv(file_path)\n"
        "    X = data[['x']]\n"
        "    model = LinearRegression()\n"
        "    model.fit(X, data['y'])\n" + returned
    )
    name = call.split(" = ")[0].split()[-1]
    result, out = split_untagged(
        make_notebook(
            IMPORTS, main_fn, call, f"preds = {name}.predict(pd.DataFrame({{'x': [1.0, 2.0]}}))"
        )
    )
    assert result.exit_code == 0, result.output
    assert "function `main()` was opened up" in result.output + (out / "README.md").read_text()
    stages = ("load", "clean", "train", "predict", "evaluate")
    code = "\n".join(p.read_text() for p in (out / "src").glob("*/*.py") if p.stem in stages)
    assert "main(" not in code and 'model.fit(X, data["y"])' in code
    if bound:
        assert bound.replace("'", '"') in code
    assert ruff_problems(out) == ""


# a script pasted into a notebook: main() first, the functions it calls below it
SCRIPT_MAIN = (
    "def main():\n"
    "    rows, answers = read_rows('visits.csv')\n"
    "    X_train, X_test, y_train, y_test = train_test_split(rows, answers, random_state=0)\n"
    "    model = fit_model(X_train, y_train)\n"
    "    print((model.predict(X_test) == y_test).mean())\n"
)
SCRIPT_HELPERS = (
    "def read_rows(path):\n"
    "    frame = pd.read_csv(path)\n"
    "    return frame[['pages', 'minutes']], frame['bought']\n"
    "\n\n"
    "def fit_model(rows, answers):\n"
    "    model = LogisticRegression()\n"
    "    model.fit(rows, answers)\n"
    "    return model\n"
)
SCRIPT_IMPORTS = (
    "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
    "from sklearn.model_selection import train_test_split\n"
)
GUARD = 'if __name__ == "__main__":\n    main()\n'


def test_a_script_with_main_above_its_helpers_says_how_to_open_it_up(split_untagged):
    # one cell: 'uses `read_rows`, which no cell defines'; the train stage returned the locals
    # `model, rows, answers` of the helpers (NameError in ploomber build)
    cell = SCRIPT_IMPORTS + "\n\n" + SCRIPT_MAIN + "\n\n" + SCRIPT_HELPERS + "\n\n" + GUARD
    result, _out = split_untagged(make_notebook(cell), "visits.ipynb")
    assert result.exit_code == 2, result.output
    assert "the model is fit inside function `fit_model()` (cell 0)" in result.output
    assert (
        "`main()` was not opened up: it calls `read_rows`, `fit_model`, defined after it (cell 0 line"
        in (result.output)
    )
    assert "move `def main()` below the functions it calls" in result.output


def test_main_in_a_cell_above_its_helpers_names_why_it_stayed_a_function(split_untagged):
    nb = make_notebook(SCRIPT_IMPORTS + "\n\n" + SCRIPT_MAIN, SCRIPT_HELPERS, "main()")
    result, _out = split_untagged(nb, "visits.ipynb")
    assert result.exit_code == 2, result.output
    assert "(cell 1 line 1); move `def main()` below the functions it calls" in result.output


def test_main_moved_below_its_helpers_is_opened_up(split_untagged):
    cell = SCRIPT_IMPORTS + "\n\n" + SCRIPT_HELPERS + "\n\n" + SCRIPT_MAIN + "\n\n" + GUARD
    result, out = split_untagged(make_notebook(cell), "visits.ipynb")
    assert result.exit_code == 0, result.output
    assert "model" in next((out / "src").glob("*/train.py")).read_text()
    assert ruff_problems(out) == ""
