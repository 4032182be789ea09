"""Productionize in a real JupyterLab, driven through Debian's Chromium like a user would.

Open an example notebook, tag a cell with one click, press Productionize, see the findings, click
one (the active cell moves to it), preview the generated code, build, and check the disk.
"""

from __future__ import annotations

import json
import re
import subprocess

import nbformat
import pytest

from tests.conftest import EXAMPLES
from tests.loopback import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLOT_CELL = 6  # the exploration plot of the example: untagged, it inherits "clean"
PLANTED = "backup = '/home/alice/churn-backup.csv'"
TIMEOUT = 60_000  # ms; the machine is shared, JupyterLab's first load is slow


@pytest.fixture
def notebook(jupyterlab) -> str:
    """The churn example plus one cell with a user-home path (a finding the panel must list)."""
    nb = nbformat.read(EXAMPLES / "churn_classifier.ipynb", as_version=4)
    cell = nbformat.v4.new_code_cell(PLANTED, metadata={"tags": ["skip"]})
    cell.id = "planted-home-path"
    nb.cells.append(cell)
    nbformat.write(nb, jupyterlab.root / "churn.ipynb")
    return "churn.ipynb"


def active_cell(page) -> int:
    return int(
        page.locator(".jp-Notebook .jp-Cell.jp-mod-active").get_attribute(
            "data-windowed-list-index"
        )
    )


def cell(page, index: int):
    return page.locator(f'.jp-Notebook .jp-Cell[data-windowed-list-index="{index}"]')


def test_tag_lint_reveal_preview_and_build(jupyterlab, notebook, page, screenshot):
    from playwright.sync_api import expect

    features = jupyterlab.api("productionize/info")["features"]
    page.goto(f"{jupyterlab.url}lab/workspaces/main/tree/{notebook}?reset&token={jupyterlab.token}")
    page.wait_for_selector(".jp-productionize-stagebar", timeout=TIMEOUT)

    # stage labels are on the cells; one click on a chip tags the exploration plot "skip"
    expect(cell(page, 8).locator(".jp-productionize-stage")).to_have_text("train")
    plot = cell(page, PLOT_CELL)
    expect(plot.locator(".jp-productionize-stage")).to_have_text("↳ clean")
    plot.locator(".jp-InputPrompt").click()
    plot.locator('.jp-productionize-chip[data-stage="skip"]').click()
    expect(plot.locator(".jp-productionize-stage")).to_have_text("skip")
    screenshot("01-cell-tagged")

    # the cell context menu has the same commands and shows the cell's stage
    plot.locator(".jp-InputPrompt").click(button="right")
    page.locator(".lm-Menu-item", has_text="Productionize").hover()
    item = page.locator(".lm-Menu-item", has_text="Tag Cell as skip")
    expect(item).to_have_class(re.compile("lm-mod-toggled"))
    expect(page.locator(".lm-Menu-item", has_text="Preview Production Code")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")

    # the toolbar button lints the live notebook and opens the side panel
    page.locator('.jp-NotebookPanel-toolbar [data-command="productionize:run"]').click()
    panel = page.locator("#jp-productionize-findings")
    if features["lint"]:
        finding = panel.locator('.jp-productionize-finding[data-rule="PN502"]')
        expect(finding).to_be_visible(timeout=TIMEOUT)
        expect(finding).to_contain_text("cell 11, line 1")  # as messages number it
        screenshot("02-findings")
        assert active_cell(page) == PLOT_CELL
        finding.click()
        expect(page.locator(".jp-Notebook .jp-Cell.jp-mod-active")).to_have_attribute(
            "data-windowed-list-index", "11"
        )
        screenshot("03-finding-revealed")

        # a safe fix goes through the notebook model: applied in place, and undone by Undo
        editor = cell(page, 11).locator(".jp-InputArea-editor")
        panel.locator(
            '.jp-productionize-finding[data-rule="PN701"][data-cell-index="11"]'
        ).get_by_role("button", name="Apply").click()
        expect(editor).to_contain_text('backup = "/home/alice/churn-backup.csv"')
        cell(page, 11).locator(".jp-InputPrompt").click()  # back to the notebook, command mode
        page.keyboard.press("z")  # undo the last notebook change
        expect(editor).to_contain_text("backup = '/home/alice/churn-backup.csv'")
    else:
        expect(panel.locator(".jp-productionize-status.jp-mod-error")).to_contain_text(
            "not available", timeout=TIMEOUT
        )

    # preview: the file tree and contents of the project, before anything is written
    panel.get_by_role("button", name="Preview").click()
    preview = page.locator(".jp-productionize-preview")
    if features["split"]:
        train = preview.locator('.jp-productionize-leaf[data-path$="/train.py"]')
        expect(train).to_be_visible(timeout=TIMEOUT)
        if features["service"]:
            expect(
                preview.locator('.jp-productionize-leaf[data-path="Dockerfile"]')
            ).to_be_visible()
        train.click()
        expect(preview.locator(".jp-productionize-file")).to_contain_text("def train")
        assert not (jupyterlab.root / "churn-production").exists()
        screenshot("04-preview")
    else:
        expect(preview.locator(".jp-mod-error")).to_contain_text("not available", timeout=TIMEOUT)

    # build: saves the notebook (with the new tag), then writes the project next to it
    # a file of the user's own in the output folder stops the build; Overwrite (the CLI's
    # --force) builds and keeps that file
    (jupyterlab.root / "churn-production").mkdir()
    (jupyterlab.root / "churn-production" / "NOTES.md").write_text("mine\n")
    panel.get_by_role("button", name="Build").click()
    if features["build"]:
        failure = panel.locator(".jp-productionize-failure")
        expect(failure).to_contain_text("not generated by productionize", timeout=TIMEOUT)
        expect(failure).not_to_contain_text("--force")
        failure.get_by_role("button", name="Overwrite").click()
        expect(page.get_by_text("Building churn-production")).to_be_visible(timeout=TIMEOUT)
        panel.get_by_role("button", name="Build").click()  # impatient: no second build queued
        expect(page.get_by_text("churn-production is already being built")).to_be_visible()
        expect(page.get_by_text("Built churn-production")).to_be_visible(timeout=600_000)
        expect(page.locator(".jp-Notification-Toast-error")).to_have_count(0)  # that is over
        assert (jupyterlab.root / "churn-production" / "NOTES.md").read_text() == "mine\n"
        screenshot("05-built")
        assert (jupyterlab.root / "churn-production").is_dir()
        assert list((jupyterlab.root / "churn-production").rglob("train.py"))
        publish(page, jupyterlab, screenshot)
    else:
        expect(page.locator(".jp-Notification-Toast-error").first).to_contain_text(
            "not available", timeout=TIMEOUT
        )
        page.keyboard.press("Control+s")
    saved = wait_for(
        lambda: saved_tags(jupyterlab.root / notebook, PLOT_CELL) == ["skip"], 60, pause=0.5
    )
    assert saved, "the tag never reached the saved notebook"


def publish(page, jupyterlab, screenshot) -> None:
    """Publish for review to a real git server on loopback; the dialog shows steps and outcome."""
    from playwright.sync_api import expect

    from tests.publish.git_server import GitHttpServer

    token = "tok-Browser-5e6f7a8b9c"  # pragma: allowlist secret
    (jupyterlab.root.parent / "srv").mkdir()
    server = GitHttpServer(jupyterlab.root.parent / "srv", password=token).start()
    try:
        server.create_repo("deploy", {"README.md": "# deployments\n"})
        page.locator("#jp-productionize-findings").get_by_role("button", name="Publish…").click()
        form = page.locator(".jp-productionize-form")
        expect(form.locator('input[name="outdir"]')).to_have_value("churn-production")
        form.locator('input[name="remote"]').fill(server.url("deploy", f"reviewer:{token}"))
        form.locator('input[name="subdir"]').fill("services/churn")
        page.locator(".jp-Dialog-button", has_text="Publish").click()
        progress = page.locator(".jp-productionize-progress")
        expect(progress).to_have_attribute("data-state", "succeeded", timeout=300_000)
        expect(progress).to_contain_text("Branch productionize/churn")
        expect(progress).to_contain_text("Pushed.")
        assert token not in progress.inner_text()
        screenshot("06-published")
        page.locator(".jp-Dialog-button", has_text="Close").click()
        bare = server.root / "deploy.git"
        listing = subprocess.run(
            ["git", "ls-tree", "-r", "--name-only", "productionize/churn"],
            cwd=bare,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert "services/churn/pipeline.yaml" in listing
    finally:
        server.stop()


def saved_tags(path, index: int) -> list[str] | None:
    try:
        return json.loads(path.read_text())["cells"][index]["metadata"].get("tags")
    except json.JSONDecodeError:  # caught mid-save
        return None


def test_suggested_stages_are_accepted_in_one_click(jupyterlab, page, screenshot):
    """An untagged notebook: the preview suggests stages; one click accepts one, or all."""
    from playwright.sync_api import expect

    nb = nbformat.read(EXAMPLES / "churn_classifier.ipynb", as_version=4)
    for item in nb.cells:
        item.metadata.pop("tags", None)
    nbformat.write(nb, jupyterlab.root / "untagged.ipynb")
    if not jupyterlab.api("productionize/info")["features"]["split"]:
        pytest.skip("the split stage is not installed")
    page.goto(
        f"{jupyterlab.url}lab/workspaces/suggestions/tree/untagged.ipynb?reset&token={jupyterlab.token}"
    )
    page.wait_for_selector(".jp-productionize-stagebar", timeout=TIMEOUT)
    expect(cell(page, 3).locator(".jp-productionize-stage")).to_have_text("no stage")

    page.locator('.jp-NotebookPanel-toolbar [data-command="productionize:run"]').click()
    page.locator("#jp-productionize-findings").get_by_role("button", name="Preview").click()
    preview = page.locator(".jp-productionize-preview")
    expect(preview).to_contain_text("using the suggested stage tags", timeout=TIMEOUT)

    # one click on a cell's suggestion chip tags that cell
    chip = cell(page, 3).locator('.jp-productionize-suggestion[data-suggestion="load"]')
    expect(chip).to_be_visible()
    chip.click()
    expect(cell(page, 3).locator(".jp-productionize-stage")).to_have_text("load")
    screenshot("07-suggestions")

    # one click accepts the rest
    preview.locator(".jp-productionize-accept-all").click()
    for index, stage in [(1, "parameters"), (5, "clean"), (8, "train"), (10, "predict")]:
        expect(cell(page, index).locator(".jp-productionize-stage")).to_have_text(stage)
    expect(cell(page, 6).locator(".jp-productionize-stage")).to_have_text("↳ clean")


def test_a_messy_untagged_notebook_says_what_stops_it(jupyterlab, page, screenshot):
    """Failures stay readable in full and lead to their cells; guessed stages show on the cells.

    An untagged notebook with a secret in an output and a model fitted on an unnamed frame: the
    build stops at lint (the panel says why, in the UI's words, and goes to the first error);
    the preview fails on the inferred stages, which then appear on the cells to be corrected.
    """
    from playwright.sync_api import expect

    from tests.conftest import make_notebook

    nb = make_notebook(
        "!pip install seaborn\nimport pandas as pd",
        "df = pd.read_csv('data/churn.csv')\ndf.head()",
        "from sklearn.linear_model import LogisticRegression\n"
        "model = LogisticRegression()\nmodel.fit(df[['tenure_months']].values, df['churn'])",
        executed=True,
    )
    nb.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="key AKIAIOSFODNN7EXAMPLE\n")
    ]
    nbformat.write(nb, jupyterlab.root / "messy.ipynb")
    features = jupyterlab.api("productionize/info")["features"]
    if not (features["lint"] and features["split"] and features["build"]):
        pytest.skip("lint, split and build are needed")
    page.goto(
        f"{jupyterlab.url}lab/workspaces/messy/tree/messy.ipynb?reset&token={jupyterlab.token}"
    )
    page.wait_for_selector(".jp-productionize-stagebar", timeout=TIMEOUT)
    # each code cell shows the number findings and errors use for it
    expect(cell(page, 1).locator(".jp-productionize-cellno")).to_have_text("cell 1")

    page.locator('.jp-NotebookPanel-toolbar [data-command="productionize:run"]').click()
    panel = page.locator("#jp-productionize-findings")
    secret = panel.locator('.jp-productionize-finding[data-rule="PN504"]')
    expect(secret.locator(".jp-productionize-where")).to_have_text("cell 1", timeout=TIMEOUT)
    # no stage tags: the stages split would infer are on the cells already, before any preview
    guessed = cell(page, 2).locator('.jp-productionize-suggestion[data-suggestion="train"]')
    expect(guessed).to_be_visible()
    expect(panel.locator(".jp-productionize-accept-all")).to_have_text("Accept 2 suggested tags")
    # the safe fix of `!pip install` deletes the line and keeps the package in requirements.txt
    pip = panel.locator('.jp-productionize-finding[data-rule="PN401"]')
    pip.get_by_role("button", name="Apply").click()
    expect(cell(page, 0).locator(".jp-InputArea-editor")).not_to_contain_text("pip install")
    requirements = jupyterlab.root / "requirements.txt"
    assert wait_for(lambda: requirements.is_file(), 30, pause=0.25), "requirements.txt not written"
    assert requirements.read_text() == "seaborn\n"

    panel.get_by_role("button", name="Build").click()
    failure = panel.locator(".jp-productionize-failure")
    expect(failure).to_contain_text("Build stopped", timeout=TIMEOUT)
    expect(failure).to_contain_text("1 lint error")
    expect(failure).not_to_contain_text("--no-lint")  # command-line advice has no button here
    failure.get_by_role("button", name="Go to cell 1").click()
    expect(page.locator(".jp-Notebook .jp-Cell.jp-mod-active")).to_have_attribute(
        "data-windowed-list-index", "1"
    )
    screenshot("08-build-stopped-by-lint")

    panel.get_by_role("button", name="Preview").click()
    preview = page.locator(".jp-productionize-preview")
    guesses = preview.locator(".jp-productionize-suggestion-list li")
    expect(guesses).to_have_count(2, timeout=TIMEOUT)
    expect(guesses.first).to_contain_text("cell 1 → load")
    # the inferred stages are on the cells, as dashed chips, to correct or accept
    expect(
        cell(page, 2).locator('.jp-productionize-suggestion[data-suggestion="train"]')
    ).to_be_visible()
    screenshot("09-preview-failed-with-inferred-stages")
    # failure toasts do not pile up over the notebook: the newest replaces the previous one
    expect(page.locator(".jp-Notification-Toast-error")).to_have_count(1)
    preview.locator(".jp-productionize-accept-all").click()
    expect(cell(page, 2).locator(".jp-productionize-stage")).to_have_text("train")

    # publishing what was never built says to build first, and offers nothing to stop
    panel.get_by_role("button", name="Publish…").click()
    page.locator('.jp-productionize-form input[name="remote"]').fill("/srv/deploy.git")
    page.locator(".jp-Dialog-button", has_text="Publish").click()
    progress = page.locator(".jp-productionize-progress")
    expect(progress).to_contain_text("build the project first", timeout=TIMEOUT)
    expect(page.locator(".jp-Dialog-button", has_text="Stop")).to_have_count(0)
    screenshot("10-publish-before-build")
    page.locator(".jp-Dialog-button", has_text="Close").click()


def open_notebook(page, jupyterlab, name: str, workspace: str) -> None:
    page.goto(
        f"{jupyterlab.url}lab/workspaces/{workspace}/tree/{name}?reset&token={jupyterlab.token}"
    )
    page.wait_for_selector(".jp-productionize-stagebar", timeout=TIMEOUT)


def test_undo_of_a_pip_fix_takes_back_what_it_added_to_requirements(jupyterlab, page, screenshot):
    """Undo reverts the cell and the requirements.txt lines the fix added; Redo adds them again.

    A package listed before the fix stays: the fix did not add it.
    """
    from playwright.sync_api import expect

    from tests.conftest import make_notebook

    if not jupyterlab.api("productionize/info")["features"]["lint"]:
        pytest.skip("the lint stage is not installed")
    folder = jupyterlab.root / "pipfix"
    folder.mkdir()
    requirements = folder / "requirements.txt"
    requirements.write_text("pandas\nseaborn\n")  # the user's own list
    nb = make_notebook("!pip install seaborn xgboost\nimport pandas as pd", "x = 1")
    nbformat.write(nb, folder / "pipfix.ipynb")
    open_notebook(page, jupyterlab, "pipfix/pipfix.ipynb", "pipfix")

    page.locator('.jp-NotebookPanel-toolbar [data-command="productionize:run"]').click()
    panel = page.locator("#jp-productionize-findings")
    pip = panel.locator('.jp-productionize-finding[data-rule="PN401"]')
    expect(pip).to_be_visible(timeout=TIMEOUT)
    pip.get_by_role("button", name="Apply").click()
    editor = cell(page, 0).locator(".jp-InputArea-editor")
    expect(editor).not_to_contain_text("pip install")
    assert wait_for(lambda: "xgboost" in requirements.read_text(), 30, pause=0.25)
    assert requirements.read_text() == "pandas\nseaborn\nxgboost\n"

    cell(page, 0).locator(".jp-InputPrompt").click()  # command mode
    page.keyboard.press("z")  # Undo: the line is back, and xgboost leaves requirements.txt
    expect(editor).to_contain_text("!pip install seaborn xgboost")
    assert wait_for(
        lambda: "xgboost" not in requirements.read_text(), 30, pause=0.25
    ), "Undo left the fix's package in requirements.txt"
    assert requirements.read_text() == "pandas\nseaborn\n"  # seaborn was the user's
    screenshot("11-pip-fix-undone")

    page.keyboard.press("Shift+Z")  # Redo: deleted again, xgboost back
    expect(editor).not_to_contain_text("pip install")
    assert wait_for(lambda: "xgboost" in requirements.read_text(), 30, pause=0.25)
    assert requirements.read_text() == "pandas\nseaborn\nxgboost\n"


def test_a_publish_error_keeps_its_lines(jupyterlab, page, screenshot):
    """A publish refused for secrets lists one per line in the dialog, not run into one line."""
    from playwright.sync_api import expect

    from tests.conftest import make_notebook

    if not jupyterlab.api("productionize/info")["features"]["build"]:
        pytest.skip("publishing needs the build stage")
    nbformat.write(make_notebook("x = 1"), jupyterlab.root / "leaky.ipynb")
    # a generated project (its report is what publish needs) whose settings hold two secrets
    project = jupyterlab.root / "leaky-production"
    project.mkdir()
    (project / "productionize-report.json").write_text('{"notebook": {"path": "leaky.ipynb"}}')
    aws, github = "AKIA" + "IOSFODNN7EXAMPLE", "ghp_" + "4TqY0mRk2sLw8Zc6Vn1Hb3Jd5Fx7Pa9Ue0Yi"
    (project / "settings.py").write_text(f"aws_key = '{aws}'\ntoken = '{github}'\n")
    deploy = jupyterlab.root.parent / "leaky-deploy.git"
    subprocess.run(["git", "init", "-q", "--bare", str(deploy)], check=True)

    open_notebook(page, jupyterlab, "leaky.ipynb", "leaky")
    page.locator('.jp-NotebookPanel-toolbar [data-command="productionize:run"]').click()
    page.locator("#jp-productionize-findings").get_by_role("button", name="Publish…").click()
    form = page.locator(".jp-productionize-form")
    form.locator('input[name="outdir"]').fill("leaky-production")
    form.locator('input[name="remote"]').fill(str(deploy))
    page.locator(".jp-Dialog-button", has_text="Publish").click()
    progress = page.locator(".jp-productionize-progress")
    expect(progress).to_have_attribute("data-state", "failed", timeout=TIMEOUT)
    error = progress.locator(".jp-mod-error")
    expect(error).to_contain_text("2 probable secret(s)")
    # innerText is what is laid out: with white-space collapsed the lines would run into one
    lines = error.evaluate("node => node.innerText").split("\n")
    assert [line.strip() for line in lines[1:3]] == [
        "settings.py:1: AWS Access Key",
        "settings.py:2: GitHub Token",
    ], lines
    height, font_size = error.evaluate(
        "node => [node.getBoundingClientRect().height, parseFloat(getComputedStyle(node).fontSize)]"
    )
    assert height >= 4 * font_size, (height, font_size)  # at least the four lines of the message
    assert aws not in progress.inner_text() and github not in progress.inner_text()
    screenshot("12-publish-error-lines")
    page.locator(".jp-Dialog-button", has_text="Close").click()
