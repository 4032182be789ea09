"""Files the notebook writes are outputs, not data: ``json.dump(metrics, open("metrics.json",
"w"))``, ``with open("out/report.txt", "w")``, ``df.to_csv("submission.csv")``, ``out =
"submission.csv"`` then ``sub.to_csv(out)``, ``plt.savefig``, ``joblib.dump``. None becomes an
env.yaml parameter, a copy in data/ (a file left by the notebook's last run was copied as input)
or a 'not found' note; a report or metrics file written for a person stays in the notebook."""

from __future__ import annotations

import ast
import json
import os

import nbformat
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.core.file_writes import written_paths
from productionize.options import Options
from tests.conftest import make_notebook
from tests.split.conftest import split_nb

INFER = Options(infer_tags=True)
STORE = make_notebook(
    "import json\nimport os\nimport joblib\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"
    "from sklearn.linear_model import LinearRegression\nfrom sklearn.metrics import r2_score",
    "shops = pd.read_csv('shops.csv')",
    "X = shops[['floor_area']]\ny = shops['turnover']\nmodel = LinearRegression()\n"
    "model.fit(X, y)\njoblib.dump(model, 'model.pkl')",
    "guess = model.predict(X)\nmetrics = {'r2': r2_score(y, guess)}\n"
    "json.dump(metrics, open('metrics.json', 'w'))\n"
    "os.makedirs('out', exist_ok=True)\n"
    "with open('out/report.txt', 'w') as f:\n    f.write(str(metrics))\n"
    "sub = pd.DataFrame({'turnover': guess})\nsub.to_csv('submission.csv')\n"
    "out = 'final.csv'\nsub.to_csv(out)\n"
    "plt.plot(guess)\nplt.savefig('fig.png')",
)
# what the notebook's own last run left beside it: none of it is data
LEFTOVERS = {"metrics.json": 20, "out/report.txt": 20, "submission.csv": 900, "final.csv": 900}
LEFTOVERS |= {"fig.png": 5_000, "model.pkl": 800}


def _file(result, name):
    return next(f.content for f in result.files if f.path.endswith(name))


def test_written_files_are_neither_parameters_nor_data_files():
    result = split_nb(STORE, INFER, sizes={"shops.csv": 2_000, **LEFTOVERS})
    assert [p.name for p in result.spec.parameters] == ["shops_path"]
    assert [f.notebook_path for f in result.spec.data_files] == ["shops.csv"]
    env = _file(result, "env.yaml")
    assert "metrics" not in env and "report" not in env and "final" not in env
    evaluate = _file(result, "evaluate.py")
    assert 'out = "final.csv"\n    sub.to_csv(out)' in evaluate  # the submission stays
    assert 'sub.to_csv("submission.csv")' in evaluate


def test_a_report_or_metrics_file_for_a_person_stays_in_the_notebook():
    result = split_nb(STORE, INFER, sizes={"shops.csv": 2_000})
    evaluate = _file(result, "evaluate.py")
    assert "open(" not in evaluate and "json.dump" not in evaluate
    assert '"f"' not in evaluate  # the file handle was returned (and could not be pickled)
    dropped = [d for s in result.report["stages"] for d in s["dropped"]]
    assert "cell 3: json.dump(metrics, open('metrics.json', 'w'))" in dropped
    assert "cell 3: with open('out/report.txt', 'w') as f:" in dropped


def test_a_file_written_then_read_back_is_the_notebook_s_own_product():
    nb = make_notebook(
        "import pandas as pd\nfrom sklearn.linear_model import LinearRegression",
        "shops = pd.read_csv('shops.csv')",
        "shops = shops.dropna()\nshops.to_csv('clean_shops.csv', index=False)\n"
        "again = pd.read_csv('clean_shops.csv')",
        "X = again[['floor_area']]\ny = again['turnover']\nmodel = LinearRegression()\n"
        "model.fit(X, y)",
        "guess = model.predict(X)",
    )
    result = split_nb(nb, INFER, sizes={"shops.csv": 2_000, "clean_shops.csv": 1_500})
    assert [f.notebook_path for f in result.spec.data_files] == ["shops.csv"]
    code = "\n".join(f.content for f in result.files if f.path.endswith(".py"))
    assert 'shops.to_csv("clean_shops.csv", index=False)' in code  # kept: it is read back
    assert 'again = pd.read_csv("clean_shops.csv")' in code


def test_a_file_read_before_it_is_written_is_still_data():
    nb = make_notebook(
        "import pandas as pd\nfrom sklearn.linear_model import LinearRegression",
        "shops = pd.read_csv('shops.csv')\nshops.dropna().to_csv('shops.csv', index=False)",
        "X = shops[['floor_area']]\ny = shops['turnover']\nmodel = LinearRegression()\n"
        "model.fit(X, y)",
        "guess = model.predict(X)",
    )
    result = split_nb(nb, INFER, sizes={"shops.csv": 2_000})
    assert [(f.notebook_path, f.parameter) for f in result.spec.data_files] == [
        ("shops.csv", "shops_path")
    ]


@pytest.mark.parametrize(
    "code, written",
    [
        ("json.dump(m, open('metrics.json', 'w'))", {"metrics.json"}),
        ("with open('out/report.txt', mode='a') as f:\n    f.write('x')", {"out/report.txt"}),
        ("df.to_csv('submission.csv')", {"submission.csv"}),
        ("out = 'submission.csv'\nsub.to_csv(out)", {"submission.csv"}),
        ("plt.savefig('fig.png')", {"fig.png"}),
        ("joblib.dump(model, 'model.pkl')", {"model.pkl"}),
        ("np.save('emb.npy', a)\nPath('notes.txt').write_text('hi')", {"emb.npy", "notes.txt"}),
        ("df = pd.read_csv('a.csv')\ndf.to_csv('a.csv')", set()),
        ("with open('a.txt') as f:\n    text = f.read()", set()),
        ("df.to_csv('b.csv')\nagain = pd.read_csv('b.csv')", {"b.csv"}),
    ],
)
def test_written_paths(code, written):
    assert written_paths(ast.parse(code).body) == written


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    reason="PRODUCTIONIZE_GENERATED_PYTHON not set",
)
def test_a_notebook_writing_its_results_builds_with_its_old_outputs_beside_it(tmp_path):
    rng = np.random.default_rng(8)
    pd.DataFrame(
        {"floor_area": rng.uniform(50, 900, 40).round(0), "turnover": rng.uniform(1e4, 9e4, 40)}
    ).to_csv(tmp_path / "shops.csv", index=False)
    for name in ("metrics.json", "submission.csv", "final.csv", "model.pkl"):
        (tmp_path / name).write_text("from the last run\n")
    notebook = tmp_path / "store.ipynb"
    nbformat.write(STORE, notebook)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(notebook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "was not copied" not in result.output
    assert sorted(p.name for p in (out / "data").iterdir()) == ["shops.csv"]
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["verify"]["ok"] is True, report["verify"]
    assert (out / "models" / "v0001" / "metadata.json").is_file()


def test_an_output_path_of_the_parameters_cell_stays_a_parameter_but_is_no_data_file():
    nb = make_notebook(
        ("code", "OUTPUT = 'predictions.csv'", ["parameters"]),
        "import pandas as pd\nfrom sklearn.linear_model import LinearRegression",
        ("code", "shops = pd.read_csv('shops.csv')", ["load"]),
        (
            "code",
            "X = shops[['floor_area']]\ny = shops['turnover']\nmodel = LinearRegression()\n"
            "model.fit(X, y)",
            ["train"],
        ),
        (
            "code",
            "guess = model.predict(X)\npd.DataFrame({'turnover': guess}).to_csv(OUTPUT)",
            ["predict"],
        ),
    )
    result = split_nb(nb, INFER, sizes={"shops.csv": 2_000, "predictions.csv": 900})
    assert [p.name for p in result.spec.parameters] == ["OUTPUT", "shops_path"]
    assert [f.notebook_path for f in result.spec.data_files] == ["shops.csv"]
    assert 'OUTPUT: "predictions.csv"' in _file(result, "env.yaml")
