"""Table-driven def/use tests: code -> (defined, used) at the cell's top level."""

from __future__ import annotations

import pytest

from productionize.core.defuse import analyze_source, parse_cell
from productionize.model import Cell

CASES = [
    ("x = 1\ny = x + z", {"x", "y"}, {"z"}),
    ("import pandas as pd\ndf = pd.read_csv(path)", {"pd", "df"}, {"path"}),
    ("import os.path", {"os"}, set()),
    ("from sklearn.model_selection import train_test_split as tts", {"tts"}, set()),
    ("df['a'] = 1", set(), {"df"}),
    ("df.col = 1", set(), {"df"}),
    ("x += 1", {"x"}, {"x"}),
    ("a, (b, *c) = t", {"a", "b", "c"}, {"t"}),
    ("def f(a, k=default):\n    return a + b + g\ng = 2", {"f", "g"}, {"b", "default"}),
    ("def f():\n    x = 1\n    return x", {"f"}, set()),
    ("def f():\n    global k\n    k = 1", {"f", "k"}, set()),
    ("f = lambda v: v * scale", {"f"}, {"scale"}),
    ("[i for i in range(n) if i > lo]", set(), {"n", "lo"}),
    ("{k: v for k, v in pairs}", set(), {"pairs"}),
    ("total = sum(x for x in xs)", {"total"}, {"xs"}),
    ("del x", set(), {"x"}),
    ("x = 1\ndel x", set(), set()),
    ("model.fit(X, y)", set(), {"model", "X", "y"}),
    ("class A(Base):\n    z = 1\n    def m(self):\n        return q", {"A"}, {"Base", "q"}),
    ("if (n := 10) > 5:\n    pass", {"n"}, set()),
    ("try:\n    pass\nexcept ValueError as e:\n    print(e)", {"e"}, set()),
    ("for i, row in rows:\n    acc = i", {"i", "row", "acc"}, {"rows"}),
    ("with open(p) as fh:\n    data = fh.read()", {"fh", "data"}, {"p"}),
    ("print(len(items))", set(), {"items"}),
    ("display(df)", set(), {"df"}),
    ("match cmd:\n    case [x, *rest]:\n        pass", {"x", "rest"}, {"cmd"}),
    ("x: int = 3", {"x"}, set()),
    ("y = [x for x in range(3)]\nx", {"y"}, {"x"}),
]


@pytest.mark.parametrize("source,defined,used", CASES)
def test_defined_and_used(source, defined, used):
    names = analyze_source(source)
    assert set(names.defined) == defined
    assert set(names.used) == used


@pytest.mark.parametrize(
    "source,modified",
    [
        ("df['a'] = 1", {"df"}),
        ("model.fit(X, y)", {"model"}),
        ("df.dropna(inplace=True)", {"df"}),
        ("df2 = df.dropna()", set()),
        ("items.append(1)", {"items"}),
        ("del df['a']", {"df"}),
        ("del obj.cache", {"obj"}),
        ("df['a'].fillna(0, inplace=True)", {"df"}),
        ("df.Age.fillna(0, inplace=True)", {"df"}),
        ("df.eval('c = a + b', inplace=True)", {"df"}),
        ("groups['a'].append(row)", {"groups"}),
        ("np.random.shuffle(X)", {"X"}),
        ("np.random.seed(0)", set()),
        ("df.a.fillna(0)", set()),
    ],
)
def test_modified_in_place(source, modified):
    assert set(analyze_source(source).modified) == modified


def test_imports_record_statement_and_module():
    names = analyze_source(
        "import numpy as np\nfrom sklearn.linear_model import LogisticRegression"
    )
    assert [(i.name, i.module, i.statement) for i in names.imports] == [
        ("np", "numpy", "import numpy as np"),
        ("LogisticRegression", "sklearn", "from sklearn.linear_model import LogisticRegression"),
    ]


def test_first_use_position_is_one_based():
    names = analyze_source("a = 1\nb = a + zz")
    assert names.first_use["zz"] == (2, 9)


def _parsed(source):
    return parse_cell(Cell(index=0, cell_id="c", cell_type="code", source=source))


def test_magics_are_masked_and_positions_kept():
    parsed = _parsed("%matplotlib inline\nfiles = !ls\n!pip install pandas\nprint(files, w)")
    assert [(m.kind, m.name, m.line) for m in parsed.magics] == [
        ("line_magic", "matplotlib", 1),
        ("shell", "ls", 2),
        ("shell", "pip", 3),
    ]
    assert parsed.names.defined == {"files"}
    assert parsed.names.used == {"w"}
    assert parsed.names.first_use["w"] == (4, 14)


@pytest.mark.parametrize(
    "source, magics",
    [
        ("pip install nltk\nx = 1", [("line_magic", "pip", 1)]),
        (
            "cd /content/drive\nls -la\n!x",
            [("line_magic", "cd", 1), ("shell", "ls", 2), ("shell", "x", 3)],
        ),
        ("run -i helpers.py\n!x", [("line_magic", "run", 1), ("shell", "x", 2)]),
    ],
)
def test_automagics_are_masked(source, magics):
    parsed = _parsed(source)
    assert parsed.syntax_error is None
    assert [(m.kind, m.name, m.line) for m in parsed.magics] == magics


@pytest.mark.parametrize(
    "source",
    [
        "time.sleep(1)\n!x",
        "env = make('CartPole')\n!x",
        "run(data)\n!x",
        "time += 1\n!x",
        "y = cd / 2\n!x",
    ],
)
def test_python_using_a_magic_name_is_not_masked(source):
    parsed = _parsed(source)
    assert [m.name for m in parsed.magics] == ["x"]
    assert parsed.names.used or parsed.names.defined


def test_a_timed_statement_stays_code():
    """`%time model.fit(X, y)` runs the fit (IPython times it in the notebook's namespace): the
    masked source keeps the statement, only the timing is IPython's."""
    parsed = _parsed(
        "model = make()\n%time model.fit(X, y)\nscores = %time evaluate(model)\n"
        "%timeit model.predict(X)\n%time\nfor i in range(2):\n    %time step(i)"
    )
    assert parsed.source.split("\n") == [
        "model = make()",
        "model.fit(X, y)",
        "scores = evaluate(model)",
        "pass",
        "pass",
        "for i in range(2):",
        "    step(i)",
    ]
    assert [(m.name, m.keeps_statement) for m in parsed.magics] == [
        ("time", True),
        ("time", True),
        ("timeit", False),
        ("time", False),
        ("time", True),
    ]
    assert {"X", "y", "evaluate", "step"} <= set(parsed.names.used)
    assert "scores" in parsed.names.defined


def test_non_python_cell_magic_masks_the_whole_cell():
    parsed = _parsed("%%bash\nls -la | wc -l")
    assert not parsed.python_body
    assert parsed.syntax_error is None
    assert parsed.names.used == frozenset()


def test_valid_python_is_never_masked():
    parsed = _parsed("x = (10\n% 3)")
    assert parsed.magics == ()
    assert parsed.names.defined == {"x"}


def test_syntax_error_reports_line_and_column():
    parsed = _parsed("a = 1\ndef f(:\n    pass")
    assert parsed.tree is None
    message, line, column = parsed.syntax_error
    assert (line, column) == (2, 7)
