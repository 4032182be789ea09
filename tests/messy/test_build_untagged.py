"""`productionize build`/`split` on an untagged notebook: tags are inferred by default and the
output says so (CLI, report, README); `--no-infer-tags` refuses; verification that cannot run
says why instead of claiming a divergence."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.verifying import can_verify
from tests.conftest import make_notebook

from .test_infer_tags import FIT_AND_SCORE, LOAD, SPLIT, SUBMIT

NO_CHECKS = ["--no-train", "--no-lint"]


@pytest.fixture(scope="module")
def untagged_build(tmp_path_factory):
    """One `build --no-verify` of an untagged notebook, without any tag flag."""
    root = tmp_path_factory.mktemp("untagged")
    path = root / "untagged.ipynb"
    path.write_text(json.dumps(make_notebook(LOAD, SPLIT, FIT_AND_SCORE, SUBMIT)))
    out = root / "project"
    result = CliRunner().invoke(
        main, ["build", str(path), "-o", str(out), "--no-verify", *NO_CHECKS]
    )
    return path, out, result


def test_build_infers_the_tags_of_an_untagged_notebook_by_default(untagged_build):
    _path, out, result = untagged_build
    assert result.exit_code == 0, result.output
    assert (out / "src" / "untagged" / "train.py").is_file()
    line = next(x for x in result.output.splitlines() if x.startswith("inferred tags"))
    assert "cell 0 -> load" in line and "cell 2 -> train" in line and "cell 3 -> predict" in line


def test_the_report_and_readme_record_inferred_tags(untagged_build):
    _path, out, _result = untagged_build
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["inferred_tags"] == [
        {"cell": 0, "tag": "load"},
        {"cell": 2, "tag": "train"},
        {"cell": 3, "tag": "predict"},
    ]
    assert report["notes"][0].startswith("inferred tags: cell 0 -> load, cell 2 -> train")
    assert "tag the cells" in report["notes"][0]
    readme = (out / "README.md").read_text()
    assert "inferred tags: cell 0 -> load" in readme


def test_no_infer_tags_refuses_and_lists_the_suggestions(tmp_path, untagged_build):
    path, _out, _result = untagged_build
    out = tmp_path / "strict"
    refused = CliRunner().invoke(
        main, ["build", str(path), "-o", str(out), "--no-verify", "--no-infer-tags", *NO_CHECKS]
    )
    assert refused.exit_code == 2
    assert "no stage tags" in refused.output and "cell 2 -> train" in refused.output
    assert not out.exists()


def test_split_infers_by_default_and_prints_the_inferred_tags_first(tmp_path, untagged_build):
    path, _out, _result = untagged_build
    result = CliRunner().invoke(
        main, ["split", str(path), "-o", str(tmp_path / "s"), "--no-verify"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "inferred tags (the notebook has no stage tags): cell 0 -> load"
    )
    assert "note: inferred tags" not in result.output  # said once, at the top


def test_a_partly_tagged_notebook_is_not_inferred(tmp_path):
    nb = make_notebook(
        (
            "code",
            "import pandas as pd\ntrain = pd.DataFrame({'Age': [1, 2, 3, 4], 'Fare': [1, 2, 3, 4], "
            "'Survived': [0, 1, 0, 1]})",
            ["load"],
        ),
        SPLIT,
        FIT_AND_SCORE,
        SUBMIT,
    )
    path = tmp_path / "partly.ipynb"
    path.write_text(json.dumps(nb))
    result = CliRunner().invoke(
        main, ["split", str(path), "-o", str(tmp_path / "p"), "--no-verify"]
    )
    # only 'load' is tagged: every cell inherits it, so there is no train stage (today's rule)
    assert result.exit_code == 2 and "no cell is tagged 'train'" in result.output
    assert "inferred" not in result.output


def test_build_without_ploomber_says_faithfulness_could_not_be_checked(
    tmp_path, monkeypatch, untagged_build
):
    path, _out, _result = untagged_build
    monkeypatch.setenv("PRODUCTIONIZE_GENERATED_PYTHON", str(tmp_path / "no-such-python"))
    out = tmp_path / "unverified"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), *NO_CHECKS])
    assert result.exit_code == 1
    assert "could not check faithfulness: no ploomber next to" in result.output
    assert "pass --no-verify" in result.output
    assert "does not reproduce" not in result.output


@pytest.mark.skipif(not can_verify(), reason="needs PRODUCTIONIZE_GENERATED_PYTHON with ploomber")
def test_build_of_a_notebook_that_fails_here_names_the_cell_and_the_error(tmp_path):
    nb = make_notebook(
        "import pandas as pd\nprint('\\x1b[31mred\\x1b[0m')",
        "x = 1",
        "raw = pd.read_csv('Seminar1.txt')",
        "from sklearn.linear_model import LinearRegression\n"
        "X, y = raw[['a']], raw['b']\nmodel = LinearRegression().fit(X, y)",
        "pred = model.predict(X)",
    )
    path = tmp_path / "seminar.ipynb"
    path.write_text(json.dumps(nb))
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(tmp_path / "o"), *NO_CHECKS])
    assert result.exit_code == 1, result.output
    assert "could not check faithfulness" in result.output
    assert "cell 2" in result.output and "FileNotFoundError" in result.output
    assert "Seminar1.txt" in result.output and "\x1b[" not in result.output
    assert "does not reproduce" not in result.output
    report = json.loads((tmp_path / "o" / "productionize-report.json").read_text())
    assert report["verify"]["ok"] is None and "\x1b[" not in report["verify"]["error"]


def test_error_messages_drop_colour_escapes():
    from productionize.errors import VerifyError

    error = VerifyError("\x1b[0;31mFileNotFoundError\x1b[0m: [Errno 2] 'x.csv'", "nb.ipynb")
    assert str(error) == "nb.ipynb: FileNotFoundError: [Errno 2] 'x.csv'"


def test_a_split_error_on_inferred_tags_says_they_were_inferred(tmp_path):
    nb = make_notebook(
        LOAD,
        "from sklearn.tree import DecisionTreeClassifier\n"
        "tree = DecisionTreeClassifier(random_state=0).fit(train[['Age']], train['Survived'])",
        "pred = tree.predict(train[['Age']])",
    )
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    result = CliRunner().invoke(
        main, ["split", str(path), "-o", str(tmp_path / "o"), "--no-verify"]
    )
    assert result.exit_code == 2
    assert "the stage tags were inferred: cell 0 -> load, cell 1 -> train, cell 2 -> predict" in (
        result.output
    )


def test_the_pull_request_description_says_tags_were_inferred(untagged_build):
    from productionize.core.review import describe_pull_request

    _path, out, _result = untagged_build
    report = json.loads((out / "productionize-report.json").read_text())
    _title, body = describe_pull_request(report, files=["README.md"])
    assert "inferred tags: cell 0 -> load" in body and "tag the cells" in body


def test_a_model_written_by_hand_is_refused_naming_the_function_that_fits_it(tmp_path):
    """A course notebook solves the normal equation in numpy (`w0, w = train_linear_regression(X,
    y)`): there is no estimator to serve; the refusal named no `.fit(` call and nothing else."""
    import pandas as pd

    from tests.conftest import make_notebook

    pd.DataFrame({"hp": [100.0, 150, 200, 250], "price": [10.0, 14, 19, 26]}).to_csv(
        tmp_path / "cars.csv", index=False
    )
    nb = make_notebook(
        "import numpy as np\nimport pandas as pd",
        "cars = pd.read_csv('cars.csv')\ny = np.log1p(cars.price.values)\nX = cars[['hp']].values",
        "def train_linear_regression(X, y):\n    X = np.column_stack([np.ones(X.shape[0]), X])\n"
        "    w = np.linalg.inv(X.T.dot(X)).dot(X.T).dot(y)\n    return w[0], w[1:]",
        "w_0, w = train_linear_regression(X, y)\ny_pred = w_0 + X.dot(w)",
        "suggestion = np.expm1(w_0 + np.array([180.0]).dot(w))\nsuggestion",
    )
    (tmp_path / "cars.ipynb").write_text(json.dumps(nb))
    result = CliRunner().invoke(
        main, ["split", str(tmp_path / "cars.ipynb"), "-o", str(tmp_path / "out"), "--no-verify"]
    )
    assert result.exit_code == 2, result.output
    assert "cars.ipynb:cell 3:1:" in result.output
    assert "fits a model of its own (`w_0, w = train_linear_regression(X, y)`, cell 3 line 1)" in (
        result.output
    )
    assert "wrap the function in a class with fit(X, y) and predict(X)" in result.output
