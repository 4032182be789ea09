"""POST /productionize/lint runs the real linter on saved or live notebooks."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from productionize.model import to_dict
from productionize.options import Options
from tests.conftest import EXAMPLES

linting = pytest.importorskip("productionize.adapters.linting")


async def test_lint_of_a_saved_notebook_returns_the_linter_findings(
    api, saved_notebook, jp_root_dir
):
    status, body = await api("lint", {"path": saved_notebook})
    assert status == 200
    assert body["path"] == saved_notebook
    notebook, _ = linting.read_notebook(jp_root_dir / saved_notebook)
    expected = linting.lint_notebook(dataclasses.replace(notebook, path=saved_notebook), Options())
    assert body["findings"] == to_dict(expected)
    home = [f for f in body["findings"] if f["rule"] == "PN502"]
    assert [(f["location"]["cell_index"], f["location"]["line"]) for f in home] == [(1, 1)]
    assert all(f["location"]["path"] == saved_notebook for f in body["findings"])


async def test_lint_uses_the_live_notebook_over_the_saved_file(
    api, saved_notebook, tagged_notebook
):
    tagged_notebook.cells[1].source = "df = pd.read_csv('data.csv')"
    status, body = await api("lint", {"path": saved_notebook, "notebook": tagged_notebook})
    assert status == 200
    assert not [f for f in body["findings"] if f["rule"] in ("PN501", "PN502")]


async def test_rules_chosen_in_the_settings_are_applied(api, saved_notebook):
    status, body = await api("lint", {"path": saved_notebook, "options": {"select": ["PN502"]}})
    assert status == 200
    assert {f["rule"] for f in body["findings"]} == {"PN502"}
    status, body = await api("lint", {"path": saved_notebook, "options": {"ignore": ["PN5"]}})
    assert not [f for f in body["findings"] if f["rule"].startswith("PN5")]


async def test_bad_rule_options_are_a_400(api, saved_notebook):
    status, body = await api("lint", {"path": saved_notebook, "options": {"select": "PN502"}})
    assert status == 400
    assert "options.select" in body["message"]


async def test_an_example_notebook_lints_over_http(api, jp_root_dir):
    shutil.copy(EXAMPLES / "churn_classifier.ipynb", jp_root_dir / "churn_classifier.ipynb")
    status, body = await api("lint", {"path": "churn_classifier.ipynb"})
    assert status == 200, body
    assert isinstance(body["findings"], list)
    assert all(f["location"]["path"] == "churn_classifier.ipynb" for f in body["findings"])
    assert json.dumps(body).count(str(jp_root_dir)) == 0


async def test_lint_of_an_untagged_notebook_also_sends_the_inferred_stages(api, jp_root_dir):
    from tests.conftest import make_notebook

    nb = make_notebook(
        "import pandas as pd\ndf = pd.read_csv('data.csv')",
        "from sklearn.linear_model import LinearRegression\n"
        "model = LinearRegression().fit(df[['a']], df['b'])",
    )
    status, body = await api("lint", {"path": "untagged.ipynb", "notebook": nb})
    assert status == 200, body
    assert [(s["cell_index"], s["tag"]) for s in body["suggestions"]] == [(0, "load"), (1, "train")]
    nb.cells[0].metadata["tags"] = ["load"]  # one stage tag: nothing is inferred any more
    status, body = await api("lint", {"path": "untagged.ipynb", "notebook": nb})
    assert status == 200 and "suggestions" not in body


async def test_applied_pip_fixes_add_their_packages_to_requirements_beside_the_notebook(
    api, jp_root_dir
):
    """The UI deletes `!pip install seaborn`; the package must not be lost with the line."""
    (jp_root_dir / "work").mkdir()
    (jp_root_dir / "work" / "requirements.txt").write_text("pandas==3.1.0")  # no final newline
    body = {"path": "work/nb.ipynb", "requirements": ["seaborn", "Pandas"]}
    status, answer = await api("requirements", body)
    assert status == 200, answer
    assert answer == {"path": "work/requirements.txt", "added": ["seaborn"], "created": False}
    assert (jp_root_dir / "work" / "requirements.txt").read_text() == "pandas==3.1.0\nseaborn\n"
    status, answer = await api("requirements", body)  # again: nothing new
    assert status == 200 and answer["added"] == []
    status, answer = await api("requirements", {"path": "../nb.ipynb", "requirements": ["x"]})
    assert status == 403, answer
    status, answer = await api("requirements", {"path": "nb.ipynb", "requirements": "seaborn"})
    assert status == 400


async def test_an_undone_pip_fix_takes_back_only_what_it_added(api, jp_root_dir):
    """Undo of the fix: the lines it appended go; a file it created and left empty goes too."""
    requirements = jp_root_dir / "requirements.txt"
    status, answer = await api("requirements", {"path": "nb.ipynb", "requirements": ["seaborn"]})
    assert status == 200 and answer == {
        "path": "requirements.txt",
        "added": ["seaborn"],
        "created": True,
    }
    undo = {"path": "nb.ipynb", "requirements": ["seaborn"], "remove": True, "created": True}
    status, answer = await api("requirements", undo)
    assert status == 200 and answer == {"path": "requirements.txt", "removed": ["seaborn"]}
    assert not requirements.exists()

    # the user's own lines stay, and so does a line they edited after the fix added it
    requirements.write_text("pandas\n")
    await api("requirements", {"path": "nb.ipynb", "requirements": ["seaborn", "xgboost"]})
    requirements.write_text(requirements.read_text().replace("xgboost", "xgboost==2.1"))
    undo = {"path": "nb.ipynb", "requirements": ["seaborn", "xgboost"], "remove": True}
    status, answer = await api("requirements", undo)
    assert status == 200 and answer["removed"] == ["seaborn"]
    assert requirements.read_text() == "pandas\nxgboost==2.1\n"
    status, answer = await api("requirements", undo)  # again: nothing of the fix is left
    assert answer["removed"] == [] and requirements.read_text() == "pandas\nxgboost==2.1\n"
