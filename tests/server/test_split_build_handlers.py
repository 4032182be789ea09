"""POST split (preview, nothing written) and build (a job that writes the project) over HTTP."""

from __future__ import annotations

import asyncio
import json
import shutil

import nbformat
import pytest

from tests.conftest import EXAMPLES, make_notebook

pytest.importorskip("productionize.adapters.splitting")


@pytest.fixture
def churn(jp_root_dir) -> str:
    shutil.copy(EXAMPLES / "churn_classifier.ipynb", jp_root_dir / "churn.ipynb")
    shutil.copytree(EXAMPLES / "data", jp_root_dir / "data")
    return "churn.ipynb"


def listing(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


async def test_preview_returns_the_files_and_writes_nothing(api, churn, jp_root_dir):
    before = listing(jp_root_dir)
    status, body = await api("split", {"path": churn})
    assert status == 200, body
    paths = [f["path"] for f in body["files"]]
    assert paths == sorted(paths)
    assert {"pipeline.yaml", "requirements.txt", "src/churn/train.py"} <= set(paths)
    # the service stage is part of the preview too
    assert {"Dockerfile", "src/churn/service/app.py"} <= set(paths)
    # the one note says what the service receives: the example's raw CSV rows
    (note,) = body["notes"]
    assert note.startswith("predict() receives raw rows of `raw`") and "customer_id" in note
    train = next(f["content"] for f in body["files"] if f["path"] == "src/churn/train.py")
    assert "def train(" in train
    assert body["suggestions"] == []  # the example is tagged
    assert body["inferred_tags"] is False
    assert listing(jp_root_dir) == before


async def test_preview_uses_the_unsaved_notebook(api, churn, jp_root_dir):
    live = nbformat.read(jp_root_dir / churn, as_version=4)
    train = next(c for c in live.cells if "train" in c.metadata.get("tags", []))
    train.source = train.source.replace("max_iter=1000", "max_iter=777")
    status, body = await api("split", {"path": churn, "notebook": live})
    assert status == 200, body
    module = next(f["content"] for f in body["files"] if f["path"] == "src/churn/train.py")
    assert "777" in module


async def test_an_untagged_notebook_previews_with_suggested_stages(api, jp_root_dir):
    nb = make_notebook(
        "import pandas as pd\ndf = pd.read_csv('data.csv')",
        "from sklearn.linear_model import LinearRegression\n"
        "from sklearn.model_selection import train_test_split\n"
        "X_train, X_test, y_train, y_test = train_test_split(df[['a']], df['b'], random_state=0)\n"
        "model = LinearRegression().fit(X_train, y_train)",
        "predictions = model.predict(X_test)",
    )
    (jp_root_dir / "untagged.ipynb").write_text(json.dumps(nb))
    status, body = await api("split", {"path": "untagged.ipynb", "notebook": nb})
    assert status == 200, body
    tags = {s["cell_index"]: s["tag"] for s in body["suggestions"]}
    assert tags == {0: "load", 1: "train", 2: "predict"}
    assert body["inferred_tags"] is True
    assert "src/untagged/train.py" in [f["path"] for f in body["files"]]
    # the split's notes (as the CLI prints them) come with the preview
    assert body["notes"][0].startswith("inferred tags: cell 0 -> load")


async def test_the_preview_says_when_main_was_opened_up(api, jp_root_dir):
    nb = make_notebook(
        "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n\n"
        "def main(path='plain.csv'):\n    df = pd.read_csv(path)\n"
        "    X = df[['a']]\n    y = df['b']\n"
        "    model = LinearRegression()\n    model.fit(X, y)\n"
        "    print(model.score(X, y))\n\nmain()"
    )
    (jp_root_dir / "plain.csv").write_text("a,b\n1,2\n2,4\n3,6\n")
    (jp_root_dir / "main.ipynb").write_text(json.dumps(nb))
    status, body = await api("split", {"path": "main.ipynb", "notebook": nb})
    assert status == 200, body
    assert any("`main()` was opened up" in note for note in body["notes"]), body["notes"]


async def test_a_failed_preview_of_an_untagged_notebook_sends_the_inferred_stages(api, jp_root_dir):
    """The user must see (and correct) the stages the split guessed, not only read them."""
    nb = make_notebook(
        "import pandas as pd\ndf = pd.read_csv('plain.csv')",
        "from sklearn.linear_model import LogisticRegression\n"
        "model = LogisticRegression()\nmodel.fit(df[['a']].values, df['b'])",
    )
    (jp_root_dir / "guess.ipynb").write_text(json.dumps(nb))
    status, body = await api("split", {"path": "guess.ipynb", "notebook": nb})
    assert status == 422, body
    assert body["error"] == "SplitError"
    assert "inferred" in body["message"]
    assert body["inferred_tags"] is True
    assert [(s["cell_index"], s["cell_id"], s["tag"]) for s in body["suggestions"]] == [
        (0, "cell-0", "load"),
        (1, "cell-1", "train"),
    ]
    assert all(s["reason"] for s in body["suggestions"])


async def test_a_split_error_names_the_cell(api, jp_root_dir):
    nb = make_notebook(
        ("code", "x = 1", ("skip",)),
        ("code", "import pandas as pd\ndf = pd.DataFrame({'a': [1]})", ("load",)),
        ("code", "y = x + 1", ("predict",)),
    )
    (jp_root_dir / "bad.ipynb").write_text(json.dumps(nb))
    status, body = await api("split", {"path": "bad.ipynb"})
    assert status == 422
    assert body["error"] == "SplitError"
    assert body["cell_index"] == 2
    assert body["path"] == "bad.ipynb"
    assert "exploration cell 0" in body["message"]
    assert "suggestions" not in body  # a tagged notebook: nothing was inferred


async def wait_for_job(api, job: dict) -> dict:
    for _ in range(1200):  # bounded: at most ~10 minutes
        if job["finished"]:
            return job
        await asyncio.sleep(0.5)
        status, body = await api(f"jobs/{job['id']}")
        assert status == 200
        job = body["job"]
    raise AssertionError(f"job never finished: {job}")


@pytest.mark.slow
async def test_build_is_a_job_that_writes_the_project(api, churn, jp_root_dir):
    status, body = await api(
        "build", {"path": churn, "outdir": "out/churn", "verify": False, "train": False}
    )
    assert status == 202, body
    job = await wait_for_job(api, body["job"])
    assert job["state"] == "succeeded", job
    result = job["result"]
    assert result["outdir"] == "out/churn"
    assert "src/churn/train.py" in result["files"]
    assert {"Dockerfile", "src/churn/service/app.py", "pipeline.yaml"} <= set(result["files"])
    assert (jp_root_dir / "out" / "churn" / "src" / "churn" / "train.py").is_file()
    steps = [m["step"] for m in job["messages"]]
    assert steps[0] == "build" and steps[-1] == "done"
    assert len(steps) > 3  # the build's own steps, relayed from its process
    assert str(jp_root_dir) not in json.dumps(job)


async def test_an_untagged_notebook_builds_with_inferred_tags_reported(api, jp_root_dir):
    nb = make_notebook(
        "import pandas as pd\ndf = pd.read_csv('plain.csv')",
        "from sklearn.linear_model import LinearRegression\n"
        "X, y = df[['a']], df['b']\nmodel = LinearRegression().fit(X, y)",
        "predictions = model.predict(X)",
    )
    (jp_root_dir / "plain.csv").write_text("a,b\n1,2\n2,4\n3,6\n")
    (jp_root_dir / "plain.ipynb").write_text(json.dumps(nb))
    status, body = await api("build", {"path": "plain.ipynb", "verify": False, "train": False})
    assert status == 202
    job = await wait_for_job(api, body["job"])
    assert job["state"] == "succeeded", job.get("error")
    report = job["result"]["build"]["report"]
    assert [t["tag"] for t in report["inferred_tags"]] == ["load", "train", "predict"]
    assert report["notes"][0].startswith("inferred tags: cell 0 -> load")
    assert (jp_root_dir / "plain-production" / "src" / "plain" / "train.py").is_file()


async def test_a_failed_build_reports_the_error_with_its_cell(api, jp_root_dir):
    nb = make_notebook(
        ("code", "x = 1", ("skip",)),
        ("code", "import pandas as pd\ndf = pd.DataFrame({'a': [1]})", ("load",)),
        ("code", "y = x + 1", ("predict",)),
    )
    (jp_root_dir / "bad.ipynb").write_text(json.dumps(nb))
    status, body = await api("build", {"path": "bad.ipynb", "verify": False, "train": False})
    assert status == 202
    job = await wait_for_job(api, body["job"])
    assert job["state"] == "failed"
    assert job["error"]["error"] == "SplitError"
    assert job["error"]["cell_index"] == 2
    assert job["error"]["path"] == "bad.ipynb"
    assert not (jp_root_dir / "bad-production").exists()


@pytest.mark.slow
async def test_cancelling_a_running_build_stops_it_and_writes_nothing(api, churn, jp_root_dir):
    status, body = await api("build", {"path": churn, "outdir": "out/stopped"})
    assert status == 202
    job = body["job"]
    for _ in range(600):  # bounded: wait until the build is writing (its staging folder exists)
        if any(m["step"] == "write" for m in job["messages"]) or job["finished"]:
            break
        await asyncio.sleep(0.1)
        job = (await api(f"jobs/{job['id']}"))[1]["job"]
    status, body = await api(f"jobs/{job['id']}", method="DELETE")
    assert status == 200
    assert body["job"]["cancel_requested"] is True
    job = await wait_for_job(api, body["job"])
    assert job["state"] == "cancelled"
    assert not (jp_root_dir / "out" / "stopped").exists()
    # the cancelled build unwound: its private staging folder is gone too (bounded wait)
    out = jp_root_dir / "out"
    for _ in range(200):
        if not out.exists() or not list(out.iterdir()):
            break
        await asyncio.sleep(0.1)
    assert not out.exists() or not list(out.iterdir()), list(out.iterdir())


async def test_a_build_refused_over_foreign_files_says_overwrite_and_force_builds(api, jp_root_dir):
    """The UI has no --force to type: the message names its Overwrite action, which sends force."""
    nb = make_notebook(
        "import pandas as pd\ndf = pd.read_csv('plain.csv')",
        "from sklearn.linear_model import LinearRegression\n"
        "X, y = df[['a']], df['b']\nmodel = LinearRegression().fit(X, y)",
        "predictions = model.predict(X)",
    )
    (jp_root_dir / "plain.csv").write_text("a,b\n1,2\n2,4\n3,6\n")
    (jp_root_dir / "plain.ipynb").write_text(json.dumps(nb))
    (jp_root_dir / "plain-production").mkdir()
    (jp_root_dir / "plain-production" / "notes.txt").write_text("mine\n")
    request = {"path": "plain.ipynb", "verify": False, "train": False}
    status, body = await api("build", request)
    job = await wait_for_job(api, body["job"])
    assert job["state"] == "failed"
    assert job["error"]["error"] == "OutputError"
    assert "choose Overwrite" in job["error"]["message"]
    assert "--force" not in json.dumps(job["error"])
    status, body = await api("build", {**request, "force": True})
    job = await wait_for_job(api, body["job"])
    assert job["state"] == "succeeded", job["error"]
    assert (jp_root_dir / "plain-production" / "notes.txt").read_text() == "mine\n"


@pytest.mark.parametrize(
    "cli, ui",
    [
        (
            "could not check faithfulness: no data; fix that or pass --no-verify (the pipeline",
            "could not check faithfulness: no data; fix that or turn off "
            '"Verify the build" (Settings → Productionize) (the pipeline',
        ),
        (
            "1 lint error(s), first: nb.ipynb:cell 1: PN504 [error] secret "
            "(run `productionize lint` for all of them; --no-lint skips the gate)",
            "1 lint error(s), first: nb.ipynb:cell 1: PN504 [error] secret",
        ),
        (
            "a.py (use --force to overwrite)",
            "a.py (choose Overwrite to overwrite)",
        ),
        (
            "Port those edits into the notebook, or re-run with --overwrite-edited to replace them",
            'Port those edits into the notebook, or publish again with "Overwrite files a reviewer'
            ' edited by hand" ticked to replace them',
        ),
    ],
)
def test_command_line_advice_is_said_the_jupyterlab_way(cli, ui):
    from productionize.server.requests import in_ui_words

    assert in_ui_words(cli) == ui
