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
