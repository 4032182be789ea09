"""End-to-end corpus: each notebook in tests/notebooks plants defects; findings asserted exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from productionize.adapters.linting import lint_file
from productionize.options import Options

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# notebook -> [(rule, cell index, line)], in report order (cell, line, column, rule)
EXPECTED = {
    "broken_cell.ipynb": [
        ("PN302", 1, 4),  # print(area(2) never closed
        ("PN301", 2, None),  # ZeroDivisionError saved in the output
    ],
    "clean.ipynb": [],
    "hardcoded_paths.ipynb": [
        ("PN501", 1, 1),  # /data/shared/train.csv
        ("PN502", 1, 2),  # C:\Users\ann\test.csv
        ("PN502", 2, 1),  # ~/results/predictions.csv ("/api/predict" and "data/…" are fine)
        ("PN501", 3, 1),  # /opt/models/cache.pkl
    ],
    "hidden_state.ipynb": [
        ("PN201", 1, 2),  # clean_columns comes from cell 2 below
        ("PN101", 2, None),  # [2] after [6]; the message also lists cell 4 ([5] after [6])
        ("PN102", 3, None),  # threshold never run, yet cell 4 used it
        ("PN103", 4, None),  # [3]-[4] missing; the message also lists [7]-[8] (cell 5)
    ],
    "magics.ipynb": [
        ("PN401", 0, 1),  # !pip install
        ("PN401", 0, 2),  # %pip install
        ("PN402", 1, 1),  # %cd
        ("PN403", 1, 2),  # %run
        ("PN404", 2, 1),  # files = !ls data
        ("PN405", 2, 2),  # %matplotlib inline
        ("PN404", 3, 1),  # %%bash
    ],
    "out_of_order.ipynb": [
        ("PN801", 4, None),  # the `trian` cell counts as untagged and defines `model`
        ("PN803", 4, None),  # trian -> train
        ("PN201", 4, 1),  # fit is defined in cell 6 below
        ("PN802", 6, None),  # train after predict
        ("PN802", 7, None),  # clean after predict
        ("PN804", 7, None),  # clean + skip
    ],
    "secrets_in_outputs.ipynb": [
        ("PN503", 0, 3),  # GitHub token in the source
        ("PN504", 1, None),  # AWS key printed
        ("PN505", 2, None),  # e-mail, phone, IBAN displayed
    ],
    "style.ipynb": [
        ("PN702", 0, 1),  # os unused
        ("PN702", 0, 3),  # json unused
        ("PN703", 0, 3),  # json imported twice
        ("PN701", 1, 1),  # not black-formatted
        ("PN704", 1, 2),  # F541 f-string without placeholders
        ("PN704", 2, 2),  # F841 unused local
    ],
    "unseeded.ipynb": [
        ("PN602", 1, 1),  # np.random.rand
        ("PN603", 1, 3),  # random.shuffle
        ("PN601", 2, 1),  # train_test_split
        ("PN601", 3, 1),  # RandomForestClassifier
        ("PN601", 3, 2),  # KFold(shuffle=True)
    ],
}


def test_corpus_is_complete():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_findings(name):
    findings = lint_file(NOTEBOOKS / name, Options())
    got = [(f.rule, f.location.cell_index, f.location.line) for f in findings]
    assert got == EXPECTED[name]
    for finding in findings:
        assert finding.location.path.endswith(name)
        assert finding.location.cell_id == f"cell-{finding.location.cell_index}"


def test_allowed_paths_silence_configured_roots():
    findings = lint_file(
        NOTEBOOKS / "hardcoded_paths.ipynb", Options(select=("PN5",), allowed_paths=("/data/",))
    )
    assert [(f.rule, f.location.cell_index) for f in findings] == [
        ("PN502", 1),
        ("PN502", 2),
        ("PN501", 3),
    ]


def test_ruff_messages_name_the_cell_and_its_line():
    # ruff checks the cells joined into one file; its "from line N" must name the cell
    from productionize.adapters.linting import lint_notebook
    from productionize.core.notebook import notebook_from_dict
    from tests.conftest import make_notebook

    nb = make_notebook("x = 1", "import re\nprint(x)", "def re():\n    pass\nprint(re)")
    notebook, _ = notebook_from_dict(nb, "nb.ipynb")
    (finding,) = lint_notebook(notebook, Options(select=("PN703",)))
    assert (finding.location.cell_index, finding.location.line) == (2, 1)
    assert "from cell 1, line 1" in finding.message


def test_the_same_import_again_in_a_later_cell_is_not_a_redefinition():
    """Kaggle's boilerplate cell imports numpy and pandas, the next cell imports them again: that
    rebinds nothing (ruff F811 reported both as 'redefinition of unused')."""
    from productionize.adapters.linting import lint_notebook
    from productionize.core.notebook import notebook_from_dict
    from tests.conftest import make_notebook

    def redefinitions(*cells):
        notebook, _ = notebook_from_dict(make_notebook(*cells), "nb.ipynb")
        findings = lint_notebook(notebook, Options(select=("PN703",)))
        return [(f.location.cell_index, f.location.line, f.message) for f in findings]

    got = redefinitions(
        "import numpy as np  # linear algebra\nimport pandas as pd\nimport os",
        "import numpy as np\nimport pandas as pd\nfrom sklearn.svm import SVC\nimport os.path",
        "from sklearn.svm import SVC\nimport jax.numpy as np\nimport os\n"
        "print(pd.DataFrame(np.zeros(2)), SVC, os)",
    )
    assert [(cell, line) for cell, line, _ in got] == [(2, 2)]  # numpy -> jax.numpy
    assert "`np` from cell 1, line 1" in got[0][2]
    # twice in one cell: a slip, still reported
    assert [(c, n) for c, n, _ in redefinitions("import json\nimport json\nprint(json)")] == [
        (0, 2)
    ]


def test_secrets_in_outputs_only_where_planted():
    # every notebook of the repository, also ones added later: PN504 must not cry wolf on them
    from tests.conftest import EXAMPLES, ROOT

    paths = sorted({*(ROOT / "tests").rglob("*.ipynb"), *EXAMPLES.rglob("*.ipynb")})
    assert len(paths) >= len(EXPECTED) + 2
    found = {
        path.relative_to(ROOT).as_posix(): [
            f.location.cell_index for f in lint_file(path, Options(select=("PN504",)))
        ]
        for path in paths
    }
    assert {path: cells for path, cells in found.items() if cells} == {
        "tests/notebooks/secrets_in_outputs.ipynb": [1]
    }
