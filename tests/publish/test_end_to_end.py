"""Notebook → `productionize split` → real git server branch → pull request with the body."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main

from .conftest import TOKEN
from .git_server import git

ROOT_EXAMPLES = __import__("tests.conftest", fromlist=["EXAMPLES"]).EXAMPLES


@pytest.mark.slow
def test_example_notebook_to_pull_request(git_server, forge, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", forge.url)
    (git_server.root / "acme").mkdir()
    bare = git_server.create_repo("acme/deploy", {"README.md": "# Deployments\n"})
    out = tmp_path / "churn"
    runner = CliRunner()
    split = runner.invoke(
        main,
        ["split", str(ROOT_EXAMPLES / "churn_classifier.ipynb"), "-o", str(out), "--no-verify"],
    )
    assert split.exit_code == 0, split.output

    published = runner.invoke(
        main,
        [
            "publish",
            str(out),
            "--remote",
            git_server.url("acme/deploy"),
            "--provider",
            "github",
            "--subdir",
            "models/churn",
        ],
    )
    assert published.exit_code == 0, published.output
    branch = "productionize/churn_classifier"
    assert f"branch: {branch}" in published.output
    assert "pull request: https://github.example/acme/deploy/pull/1" in published.output

    tree = set(git("ls-tree", "-r", "--name-only", branch, cwd=bare).splitlines())
    generated = {
        str(p.relative_to(out))
        for p in out.rglob("*")
        if p.is_file() and ".productionize" not in p.parts
    }
    assert {f"models/churn/{p}" for p in generated} | {
        "README.md",
        "models/churn/.productionize/published.json",
    } == tree
    assert "models/churn/src/churn_classifier/train.py" in tree

    ((method, path, payload, _),) = forge.requests
    assert (method, path) == ("POST", "/repos/acme/deploy/pulls")
    report = json.loads((out / "productionize-report.json").read_text())
    body = payload["body"]
    assert report["mermaid"].strip() in body
    for stage in report["stages"]:
        assert f"| {stage['name']} | " in body
    assert "cd models/churn" in body and "ploomber build" in body
    # build/split reports carry no lint findings: publish lints the shipped notebook copy
    assert "## Lint findings still open" in body
    assert "**Customer churn**" in body  # the notebook's own introduction
    assert (
        payload["title"]
        == f"Productionize churn_classifier (notebook {report['notebook']['sha256'][:12]})"
    )

    again = runner.invoke(
        main,
        [
            "publish",
            str(out),
            "--remote",
            git_server.url("acme/deploy"),
            "--provider",
            "github",
            "--subdir",
            "models/churn",
            "-q",
        ],
    )
    assert again.exit_code == 0 and "(unchanged)" in again.output
    assert git("rev-list", "--count", branch, cwd=bare) == "2"  # seed + one generated commit


@pytest.mark.slow
def test_build_publish_one_shot(git_server, tmp_path):
    bare = git_server.create_repo("deploy", {"README.md": "# Deployments\n"})
    out = tmp_path / "built"
    url = git_server.url("deploy", credentials=f"ci:{TOKEN}")
    notebook = str(ROOT_EXAMPLES / "churn_classifier.ipynb")
    runner = CliRunner()

    refused = runner.invoke(main, ["build", notebook, "-o", str(out), "--publish"])
    assert refused.exit_code == 2 and "--publish needs --remote URL" in refused.output
    assert not out.exists()  # checked before building anything

    result = runner.invoke(
        main,
        [
            "build",
            notebook,
            "-o",
            str(out),
            "--no-verify",
            "--no-train",
            "--publish",
            "--remote",
            url,
            "--subdir",
            "churn",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "branch: productionize/churn_classifier" in result.output
    assert "pushed: yes" in result.output and TOKEN not in result.output
    tree = git("ls-tree", "-r", "--name-only", "productionize/churn_classifier", cwd=bare)
    assert "churn/SERVICE.md" in tree.splitlines() and "churn/Dockerfile" in tree.splitlines()
