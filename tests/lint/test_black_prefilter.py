"""PN701 with ruff's formatter as a pre-filter finds exactly what black alone finds.

``lint_notebook`` runs ``ruff format`` over the cells once and black only on the cells ruff would
change or cannot vouch for (``rules.style.needs_black``); the core ``lint`` without that verdict
runs black on every cell. Both must report the same PN701 findings, with the same fixes.
"""

from __future__ import annotations

import keyword
import re
import sys

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from productionize.adapters import linting
from productionize.adapters.notebook_io import read_notebook
from productionize.core import black_compat
from productionize.core.lint import lint, parse_cells
from productionize.core.notebook import notebook_from_dict
from productionize.model import Notebook
from productionize.options import Options
from tests.conftest import EXAMPLES, ROOT, make_notebook
from tests.lint.test_rules import CASES
from tests.messy import public_shapes

sys.path.insert(0, str(ROOT / "bench"))
import synthetic  # noqa: E402

ONLY_BLACK = Options(select=("PN701",))

# cells ruff's formatter leaves as they are while black changes them (or might): each shape
# ``needs_black`` sends to black, plus cells both formatters agree on
TRICKY_CELLS = [
    '"""Module docstring\n"""\nimport os',  # a leading string is a docstring to black
    "  # indented comment\nx = 1",
    "import os\n\n\nx = 1",  # black keeps one blank line after imports
    "import os\n\n\n# comment\n\n\ndef f():\n    pass",
    "import os\n\n\ndef f():\n    pass",
    "import os\nx = 1",
    'x = (\n    "a"\n    "b"\n)',  # implicit concatenation
    "(a, b) = 1, 2",
    "for (a, b) in pairs:\n    pass",
    "values = [(0.5)] * 3",
    "assert x == f(\n    y\n), 'message'",
    'assert x, (\n    f"a long message about {x}"\n)',
    "def f(\n    a: int\n    | None = None,\n):\n    pass",
    "from m import (  # type:ignore[attr-defined]\n    a,\n)",
    "x = compute(arguments_that_are_long, more_arguments_that_are_long)  # noqa: E501 pragma",
    "call(\n    value=first_choice_with_a_long_name\n    if condition\n    else other_choice,\n)",
    "pattern = re.compile(\n    r'''(?x)\n    a|b\n    '''\n)",
    "if x:\n\n    def f():\n        return 1\nelse:\n    pass",
    "rows = [\n    f(  # first\n        1, 2\n    ),\n]",
    "class A:\n    def f(self): ...\n    # a note\n    def g(self): ...",
    "x = 1\n",  # a final newline: black strips it
    "x = 1;",
    "%%time\nx=1",
    "%%writefile out.txt\nx=1",
    "%matplotlib inline\nimport os",
    "cd /content/drive\nx = 1",  # ruff reads an IPython magic without its %
    "x = 'é' * 3  # ééééééééééééééééééééééééééééééééééééééééééé",
    "# fmt: off\nx = [1,2]\n# fmt: on",
    "x = 1 + \\\n    2",
    "y=[1,2]",
    "print('hello')",
    "df = df.assign(total=df.a + df.b)",
]


def _notebooks():
    yield from sorted((ROOT / "tests" / "notebooks").glob("*.ipynb"))
    yield from sorted(EXAMPLES.glob("*.ipynb"))


def _pn701(findings):
    return [(f.location.cell_index, f.location.line, f.fix) for f in findings if f.rule == "PN701"]


def _model(node) -> Notebook:
    return node if isinstance(node, Notebook) else notebook_from_dict(node, "nb.ipynb")[0]


def _assert_same_as_black(node):
    notebook = _model(node)
    with_ruff = linting.lint_notebook(notebook, ONLY_BLACK)
    black_only = lint(notebook, ONLY_BLACK, parse_cells(notebook))
    assert _pn701(with_ruff) == _pn701(black_only)
    return black_only


@pytest.fixture(autouse=True)
def _cold():
    # black's and ruff's per-process memos would hide a difference seen by an earlier test
    linting._RUFF_FORMATTED.clear()


@pytest.mark.parametrize("path", list(_notebooks()), ids=lambda p: p.name)
def test_notebook_files(path):
    notebook, _ = read_notebook(path)
    _assert_same_as_black(notebook)


@pytest.mark.parametrize("cells", [50, 200])
def test_bench_notebooks(tmp_path, cells):
    path = tmp_path / "synthetic.ipynb"
    synthetic.write_notebook(cells, path)
    notebook, _ = read_notebook(path)
    _assert_same_as_black(notebook)


def test_public_shapes():
    for notebook in (public_shapes.IRIS, public_shapes.CHURN, public_shapes.HOUSE_PRICES):
        _assert_same_as_black(notebook)


def test_rule_table_cells():
    sources = list(dict.fromkeys(s for case in CASES for s in case[1] if isinstance(s, str)))
    assert len(sources) > 50
    found = _assert_same_as_black(make_notebook(*sources))
    assert found  # the table has cells black reformats


def test_tricky_cells():
    found = _assert_same_as_black(make_notebook(*TRICKY_CELLS))
    assert len(found) >= 15


def test_line_length_is_passed_to_ruff():
    notebook = _model(make_notebook("x = " + " + ".join(["1"] * 25)))
    for length in (88, 120):
        options = Options(select=("PN701",), line_length=length)
        assert _pn701(linting.lint_notebook(notebook, options)) == _pn701(
            lint(notebook, options, parse_cells(notebook))
        )


def test_a_cell_ruff_cannot_parse_goes_to_black_and_the_rest_to_ruff():
    assert linting.ruff_formatted(["x = 1", "print ( 1 )"], 88) == {
        "x = 1": "x = 1",
        "print ( 1 )": "print(1)",
    }
    verdicts = linting.ruff_formatted(["y=2", "def f(:\n    pass", "z=3"], 88)
    assert verdicts == {"y=2": "y = 2", "def f(:\n    pass": None, "z=3": "z = 3"}


def test_without_ruff_black_checks_every_cell(monkeypatch):
    monkeypatch.setattr(linting, "_ruff_binary", lambda: None)
    assert linting.ruff_formatted(["x=1"], 88) is None
    notebook = _model(make_notebook("x=1", "y = 2"))
    assert [f.location.cell_index for f in linting.lint_notebook(notebook, ONLY_BLACK)] == [0]


def test_a_re_lint_formats_only_new_cells(monkeypatch):
    calls = []
    run = linting._run_ruff_format

    def counting(binary, sources, line_length):
        calls.append(list(sources))
        return run(binary, sources, line_length)

    monkeypatch.setattr(linting, "_run_ruff_format", counting)
    for cells in (("a = 1", "b=2"), ("a = 1", "b=2"), ("a = 1", "c=3")):
        linting.lint_notebook(_model(make_notebook(*cells)), ONLY_BLACK)
    assert calls == [["a = 1", "b=2"], ["c=3"]]


# cells ruff's formatter changes and black formats otherwise: each shape ``ruff_cell_trusted``
# leaves to black (found by formatting ~20,000 library chunks and notebook cells, as written and
# after ast.unparse, with both)
RUFF_CHANGES_OTHERWISE = [
    "def f(a, *, b=1, c=2, d=3, eeeeeeeeeeeeeeeeee=4, ffffffffffffffffffff=5, gggggggggggggggg=6):\n"
    "    pass",
    "def f(aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbb, *args, cccccccccccccccccccc=1, **kwargs):\n"
    "    pass",
    "rows = sorted(problems.items(), key=lambda item: -min(severity[p['type']] + p.get('tol', 0)"
    " for p in item[1]), reverse=True)",
    "print(f'{a+b}')",
    "x = f'{values[:n]}' + f\"{', '.join(names)}\"",
    "import os\n# a comment right below\nimport sys",
    "import os\n\n\n# deprecated\nfrom sys import (argv,\n path)",
    "if TYPE_CHECKING:\n    class A:\n        x: int\n\nelse:\n    A = None",
    "plain = ((cipher ^ (r >> 8))) & 0xFF",
    "f = lambda g, _: (g == 0)",
    "url = 'https://{host}:' \\\n    '{token}'.format(host=h, token=t)",
    "plt.figure(figsize=(8,6))\nsns.countplot(df['y']);\n\nprint('share : %.2f' % (df['y']"
    ".value_counts()[0] / len(df)*100))",
    "if x:\n    y=1\n# after the block\nz=2",
    "if x:\n    y=1\n\n# after a gap\nz=2",
    "# -*- coding: utf-8 -*-\nx=1",
    '"""docstring"""\nx=1',
    "x=1\n",
]


def test_cells_ruff_formats_otherwise_than_black_go_to_black():
    from productionize.core.black_compat import ruff_cell_trusted
    from productionize.core.rules.style import format_cell

    verdicts = linting.ruff_formatted(RUFF_CHANGES_OTHERWISE, 88)
    for source in RUFF_CHANGES_OTHERWISE:
        (parsed,) = parse_cells(_model(make_notebook(source)))
        ruff = verdicts[source]
        assert ruff is not None and ruff != source, source
        trusted = ruff_cell_trusted(source, parsed.tree, bool(parsed.magics), ruff, 88)
        assert not trusted or ruff == format_cell(source, 88), source
    _assert_same_as_black(make_notebook(*RUFF_CHANGES_OTHERWISE))


def test_a_long_list_ruff_lays_out_as_black_needs_no_black(monkeypatch):
    from productionize.core.rules import style

    source = "FEATURES = [" + ", ".join(f'"feature_{i}_scaled"' for i in range(30)) + "]"
    black_fix = _pn701(lint(_model(make_notebook(source)), ONLY_BLACK))
    assert black_fix  # black reformats it
    monkeypatch.setattr(style, "format_cell", lambda *args: pytest.fail("black ran"))
    assert _pn701(linting.lint_notebook(_model(make_notebook(source)), ONLY_BLACK)) == black_fix


_NAMES = st.from_regex(r"[a-z][a-z_]{0,14}[0-9]?", fullmatch=True).filter(
    lambda n: not keyword.iskeyword(n)
)
_ATOMS = st.one_of(
    _NAMES,
    st.integers(-5, 10**6).map(str),
    st.text("abcxyz _:%", max_size=20).map(repr),
    st.tuples(_NAMES, _NAMES).map(lambda t: f"{t[0]}.{t[1]}"),
    st.tuples(_NAMES, _NAMES).map(lambda t: f'{t[0]}["{t[1]}"]'),
    _NAMES.map(lambda n: f"f'{{{n}}} done'"),
)
_CALLS = st.tuples(
    _NAMES,
    st.lists(_ATOMS, max_size=8),
    st.lists(st.tuples(_NAMES, _ATOMS).map(lambda t: f"{t[0]}={t[1]}"), max_size=6),
).map(lambda t: f"{t[0]}({', '.join(t[1] + t[2])})")
_STATEMENTS = st.one_of(
    st.tuples(_NAMES, st.one_of(_CALLS, _ATOMS)).map(lambda t: f"{t[0]} = {t[1]}"),
    _CALLS,
    st.tuples(_NAMES, st.lists(_ATOMS, max_size=25)).map(lambda t: f"{t[0]} = [{','.join(t[1])}]"),
    st.tuples(_NAMES, st.lists(st.tuples(_ATOMS, _ATOMS), max_size=10)).map(
        lambda t: f"{t[0]} = {{{', '.join(f'{k}: {v}' for k, v in t[1])}}}"
    ),
    st.tuples(_NAMES, _NAMES, _CALLS).map(lambda t: f"for {t[0]} in {t[1]}:\n    {t[2]}"),
    st.sampled_from(["import pandas as pd", "from sklearn import svm", "# a note", ""]),
)


_CELLS = st.lists(_STATEMENTS, min_size=1, max_size=6).map("\n".join)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(_CELLS, min_size=4, max_size=12, unique=True))
def test_ruffs_trusted_formatting_of_notebook_like_cells_is_blacks(sources):
    """Many cells per example: one ruff process formats them all, as PN701 does."""
    from productionize.core.black_compat import ruff_cell_trusted
    from productionize.core.rules.style import format_cell

    sources = [s for s in sources if s.strip()]
    verdicts = linting.ruff_formatted(sources, 88) or {}
    for parsed in parse_cells(_model(make_notebook(*sources))):
        ruff = verdicts.get(parsed.cell.source)
        if parsed.tree is None or ruff is None or ruff == parsed.cell.source:
            continue
        if ruff_cell_trusted(parsed.cell.source, parsed.tree, bool(parsed.magics), ruff, 88):
            event("trusted")
            assert ruff == format_cell(parsed.cell.source, 88)


# the shapes as one alternation, as they were first written: ``black_compat._has_shape`` splits it
# in two patterns the regex engine searches faster; both must find a shape in the same texts
SHAPES_AS_WRITTEN = re.compile(
    r"""["']\s+[rRbBuUfF]{0,2}["']"""
    r"|^\s*(?:for\s+)?\(.*\)\s*(?:=[^=]|in\s)"
    r"|^\s*\)\s*=[^=]"
    r"|\[\s*\([^\[\]]*\)\s*\]"
    r"|^\s*assert\b.*[(\[{,]\s*$"
    r"|^\s*\|\s"
    r"|#\s*(?:type:|noqa|pyright:|pylint:|nosec|ruff:|isort:)"
    r"|[(\[{][ \t]*#"
    r"|^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t].*:[ \t]*\.\.\.[ \t]*$",
    re.M,
)
SHAPE_PIECES = [
    '"',
    "'",
    " ",
    "\t",
    "\n",
    "\f",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "#",
    "=",
    "==",
    "|",
    ",",
    "for ",
    " in ",
    "assert ",
    "def f():",
    "class C:",
    "async ",
    "...",
    "x",
    "r",
    "b",
    "f",
    "type:",
    "noqa",
    "pyright:",
    "pylint:",
    "nosec",
    "ruff:",
    "isort:",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(SHAPE_PIECES), max_size=30).map("".join))
def test_split_shape_patterns_find_what_the_one_alternation_finds(text):
    assert black_compat._has_shape(text) == (SHAPES_AS_WRITTEN.search(text) is not None)


def test_split_shape_patterns_on_every_cell_and_module_text():
    texts = [c.source for c in read_notebook(EXAMPLES / "churn_classifier.ipynb")[0].cells]
    texts += [cell for case in CASES for cell in case[1] if isinstance(cell, str)]
    texts += [p.read_text() for p in (ROOT / "toolkit" / "productionize").rglob("*.py")]
    found = [SHAPES_AS_WRITTEN.search(t) is not None for t in texts]
    assert any(found) and not all(found)
    assert [black_compat._has_shape(t) for t in texts] == found
