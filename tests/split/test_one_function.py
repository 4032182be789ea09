"""Notebooks that put their work inside one function (``def main(): ...`` then ``main()``)."""

from __future__ import annotations

import json

from productionize.core.graph import build_graph
from productionize.core.notebook import notebook_from_dict
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
