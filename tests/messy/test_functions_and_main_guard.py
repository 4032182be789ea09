"""Notebooks written as functions plus an ``if __name__ == "__main__":`` block that calls them."""

from __future__ import annotations

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
    assert "    # plot_distribution(data)\n" in everything
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
