"""``productionize publish`` through click: exit codes, stdout/stderr, no token anywhere."""

from __future__ import annotations

from click.testing import CliRunner

from productionize.adapters.cli import main

from .conftest import TOKEN, make_project
from .git_server import git


def invoke(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_publish_command_prints_branch_commit_and_compare_url(git_server, tmp_path):
    git_server.create_repo("deploy", {"README.md": "# d\n"})
    project = make_project(tmp_path / "out")
    url = git_server.url("deploy")
    result = invoke(
        "publish", str(project), "--remote", url, "--subdir", "svc", env={"GITHUB_TOKEN": TOKEN}
    )
    # provider none: the URL gives the credentials, GITHUB_TOKEN is not used
    assert result.exit_code == 2, result.output
    assert "authentication" in result.output and TOKEN not in result.output

    authed = git_server.url("deploy", credentials=f"me:{TOKEN}")
    result = invoke("publish", str(project), "--remote", authed, "--subdir", "svc")
    assert result.exit_code == 0, result.output
    assert "branch: productionize/churn_classifier" in result.output
    assert "pushed: yes" in result.output
    assert f"compare: http://127.0.0.1:{git_server.port}/deploy/compare/main..." in result.output
    assert "[push]" in result.output  # progress goes to stderr (mixed in CliRunner output)
    assert TOKEN not in result.output

    again = invoke("publish", str(project), "--remote", authed, "--subdir", "svc", "-q")
    assert again.exit_code == 0
    assert "(unchanged)" in again.output and "[push]" not in again.output


def test_publish_command_errors_are_one_line_with_exit_codes(git_server, tmp_path):
    git_server.create_repo("deploy", {"README.md": "# d\n"})
    authed = git_server.url("deploy", credentials=f"me:{TOKEN}")
    leaky = make_project(tmp_path / "leaky", files={"config.py": 'password = "hunter2hunter2"\n'})
    result = invoke("publish", str(leaky), "--remote", authed, "--subdir", "svc")
    assert result.exit_code == 1
    assert "error: refusing to publish" in result.output and "svc/config.py:1" in result.output

    project = make_project(tmp_path / "out")
    result = invoke("publish", str(project), "--remote", authed, "--branch", "main")
    assert result.exit_code == 2
    assert "refusing to publish to the base branch 'main'" in result.output

    result = invoke("publish", str(project))
    assert result.exit_code == 2 and "--remote" in result.output


def test_publish_defaults_come_from_pyproject(git_server, tmp_path, monkeypatch):
    git_server.create_repo("deploy", {"README.md": "# d\n"})
    authed = git_server.url("deploy", credentials=f"me:{TOKEN}")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "pyproject.toml").write_text(
        "[tool.productionize.publish]\n"
        f'remote = "{git_server.url("deploy")}"\n'
        'subdir = "from-config"\n'
        'branch = "review/churn"\n'
    )
    monkeypatch.chdir(workspace)
    project = make_project(tmp_path / "out")
    # the URL with credentials on the command line wins over the configured remote
    result = invoke("publish", str(project), "--remote", authed, "--branch", "review/cli")
    assert result.exit_code == 0, result.output
    assert "branch: review/cli" in result.output
    tree = git("ls-tree", "-r", "--name-only", "review/cli", cwd=git_server.root / "deploy.git")
    assert "from-config/README.md" in tree.splitlines()

    (workspace / "pyproject.toml").write_text(
        '[tool.productionize.publish]\ntoken = "x"\n'  # pragma: allowlist secret
    )
    refused = invoke("publish", str(project))
    assert refused.exit_code == 2 and "never store credentials" in refused.output


def test_a_repository_that_does_not_exist_fails_at_once(tmp_path, monkeypatch):
    monkeypatch.setenv("PRODUCTIONIZE_NETWORK_BACKOFF", "0")
    project = make_project(tmp_path / "out")
    missing = tmp_path / "no-such-repo.git"
    result = invoke("publish", str(project), "--remote", str(missing), "-q")
    assert result.exit_code == 2, result.output
    assert f"no git repository at {missing}" in result.output
    assert "gave up after" not in result.output  # not a network fault: no retries
