"""Publishing against a real git smart-HTTP server on loopback (git http-backend + basic auth)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from productionize.adapters.git_client import AuthenticationError
from productionize.adapters.publishing import (
    HandEditsError,
    RemoteMovedError,
    SecretsFoundError,
    publish,
)
from productionize.errors import InputError, PublishError

from .conftest import TOKEN, make_project
from .git_server import git

BRANCH = "productionize/churn_classifier"


@pytest.fixture
def repo(git_server):
    git_server.create_repo("deploy", {"README.md": "# Deployment repository\n"})
    return git_server


def remote_tip(server, branch=BRANCH) -> str | None:
    bare = server.root / "deploy.git"
    out = git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", cwd=bare, check=False)
    return out or None


def remote_files(server, ref=BRANCH) -> dict[str, str]:
    bare = server.root / "deploy.git"
    names = git("ls-tree", "-r", "--name-only", ref, cwd=bare).splitlines()
    return {name: git("show", f"{ref}:{name}", cwd=bare) for name in names}


def reviewer_clone(server, tmp_path: Path, name="reviewer") -> Path:
    clone = tmp_path / name
    git(
        "-c",
        f"http.extraHeader=Authorization: Basic {_basic()}",
        "clone",
        "--quiet",
        server.url("deploy"),
        str(clone),
    )
    git("config", "http.extraHeader", f"Authorization: Basic {_basic()}", cwd=clone)
    return clone


def _basic() -> str:
    import base64

    return base64.b64encode(f"reviewer:{TOKEN}".encode()).decode()


def all_bytes_under(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def run(project, server, **kwargs):
    kwargs.setdefault("subdir", "services/churn")
    kwargs.setdefault("token", TOKEN)
    return publish(project, server.url("deploy"), **kwargs)


def test_first_publish_lays_out_the_project_on_a_review_branch(repo, tmp_path):
    project = make_project(tmp_path / "out")
    steps = []
    result = run(project, repo, progress=lambda step, detail: steps.append(step))

    assert result.branch == BRANCH
    assert result.pushed and result.created_commit
    assert remote_tip(repo) == result.commit
    files = remote_files(repo)
    assert set(files) == {
        "README.md",  # the base branch's own file stays
        "services/churn/.gitignore",
        "services/churn/.productionize/published.json",
        "services/churn/README.md",
        "services/churn/pipeline.yaml",
        "services/churn/productionize-report.json",
        "services/churn/requirements.txt",
        "services/churn/scripts/run.sh",
        "services/churn/src/churn_classifier/__init__.py",
        "services/churn/src/churn_classifier/load.py",
        "services/churn/tests/test_load.py",
    }  # products/model.joblib is excluded by the project's .gitignore
    bare = repo.root / "deploy.git"
    mode = git("ls-tree", BRANCH, "services/churn/scripts/run.sh", cwd=bare).split()[0]
    assert mode == "100755"
    manifest = json.loads(files["services/churn/.productionize/published.json"])
    assert manifest["notebook"]["sha256"] == "01" * 32
    assert "src/churn_classifier/load.py" in manifest["files"]
    message = git("log", "-1", "--format=%B", BRANCH, cwd=bare)
    assert message.startswith("Publish churn_classifier.ipynb (sha256 010101010101)")
    assert "Notebook-SHA256: " + "01" * 32 in message
    assert "Productionize-Version: 0.1.0" in message
    # the base branch is untouched, and the branch starts from it
    assert git("rev-parse", f"{BRANCH}^", cwd=bare) == git("rev-parse", "main", cwd=bare)
    assert steps[:2] == ["scan", "fetch"] and "push" in steps
    assert result.compare_url == (
        f"http://127.0.0.1:{repo.port}/deploy/compare/main...productionize/churn_classifier"
    )


def test_unchanged_rerun_makes_no_commit_and_changed_rerun_makes_one(repo, tmp_path):
    project = make_project(tmp_path / "out")
    first = run(project, repo)

    again = run(project, repo)
    assert not again.created_commit and not again.pushed
    assert again.commit == first.commit == remote_tip(repo)

    make_project(project, version=2, files={"src/churn_classifier/extra.py": "X = 1\n"})
    (project / "tests/test_load.py").unlink()
    changed = run(project, repo)
    assert changed.created_commit and changed.pushed
    bare = repo.root / "deploy.git"
    assert git("rev-parse", f"{changed.commit}^", cwd=bare) == first.commit  # one commit on top
    files = remote_files(repo)
    assert "VERSION = 2" in files["services/churn/src/churn_classifier/load.py"]
    assert "services/churn/src/churn_classifier/extra.py" in files
    assert "services/churn/tests/test_load.py" not in files  # generated before, gone now


def test_hand_edited_file_is_protected(repo, tmp_path):
    project = make_project(tmp_path / "out")
    run(project, repo)
    clone = reviewer_clone(repo, tmp_path)
    git("checkout", "--quiet", BRANCH, cwd=clone)
    load = clone / "services/churn/src/churn_classifier/load.py"
    load.write_text(load.read_text() + "# reviewer: tuned\n")
    readme = clone / "services/churn/README.md"
    readme.write_text("# Reviewed README\n")
    git("commit", "--quiet", "-am", "Reviewer edits", cwd=clone)
    git("push", "--quiet", "origin", BRANCH, cwd=clone)
    reviewed = remote_tip(repo)

    # the generator changes load.py (conflict) but not README.md (the edit is simply kept)
    make_project(project, version=2)
    with pytest.raises(HandEditsError) as caught:
        run(project, repo)
    assert "services/churn/src/churn_classifier/load.py (edited)" in str(caught.value)
    assert "README.md" not in str(caught.value)
    assert "--overwrite-edited" in str(caught.value)
    assert remote_tip(repo) == reviewed

    result = run(project, repo, overwrite_edited=True)
    bare = repo.root / "deploy.git"
    assert git("rev-parse", f"{result.commit}^", cwd=bare) == reviewed  # on top, not rewritten
    files = remote_files(repo)
    assert "reviewer" not in files["services/churn/src/churn_classifier/load.py"]
    assert files["services/churn/README.md"].startswith("# churn_classifier")  # all replaced


def test_reviewer_edit_is_kept_when_the_generator_did_not_change_the_file(repo, tmp_path):
    project = make_project(tmp_path / "out")
    run(project, repo)
    clone = reviewer_clone(repo, tmp_path)
    git("checkout", "--quiet", BRANCH, cwd=clone)
    (clone / "services/churn/README.md").write_text("# Reviewed\n")
    git("commit", "--quiet", "-am", "Reviewer README", cwd=clone)
    git("push", "--quiet", "origin", BRANCH, cwd=clone)

    make_project(project, version=2)  # README.md generated exactly as before
    result = run(project, repo)
    assert result.created_commit
    files = remote_files(repo)
    assert files["services/churn/README.md"] == "# Reviewed"
    assert "VERSION = 2" in files["services/churn/src/churn_classifier/load.py"]
    assert run(project, repo).created_commit is False  # and it stays stable


def test_secret_blocks_the_push_and_names_file_and_line(repo, tmp_path):
    project = make_project(
        tmp_path / "out",
        files={"src/churn_classifier/load.py": 'import os\nKEY = "AKIAIOSFODNN7EXAMPLE"\n'},
    )
    with pytest.raises(SecretsFoundError) as caught:
        run(project, repo)
    assert "services/churn/src/churn_classifier/load.py:2: AWS Access Key" in str(caught.value)
    assert caught.value.exit_code == 1
    assert remote_tip(repo) is None
    assert not any("git-receive-pack" in r for r in repo.requests)


def test_remote_branch_moved_between_fetch_and_push_stops(repo, tmp_path):
    project = make_project(tmp_path / "out")
    run(project, repo)
    clone = reviewer_clone(repo, tmp_path)
    make_project(project, version=2)

    def someone_pushes(step, detail):
        if step == "push":
            git("checkout", "--quiet", BRANCH, cwd=clone)
            (clone / "NOTES.md").write_text("mine\n")
            git("add", "NOTES.md", cwd=clone)
            git("commit", "--quiet", "-m", "Someone else", cwd=clone)
            git("push", "--quiet", "origin", BRANCH, cwd=clone)

    theirs_before = None
    with pytest.raises(RemoteMovedError) as caught:
        run(project, repo, progress=someone_pushes)
    theirs_before = remote_tip(repo)
    assert "moved" in str(caught.value) and "nothing was rebased" in str(caught.value)
    assert git("log", "-1", "--format=%s", BRANCH, cwd=repo.root / "deploy.git") == "Someone else"
    # the next run sees our unpushed commit diverged from theirs: stop again, never force
    with pytest.raises(RemoteMovedError):
        run(project, repo)
    assert remote_tip(repo) == theirs_before


def test_server_down_at_push_retries_then_keeps_the_commit_for_a_rerun(repo, tmp_path):
    project = make_project(tmp_path / "out")
    retries = []

    def outage(step, detail):
        if step == "push":
            repo.stop()
        if step == "retry":
            retries.append(detail)

    with pytest.raises(PublishError) as caught:
        run(project, repo, progress=outage)
    message = str(caught.value)
    assert "gave up after 3 attempts" in message and "re-run the same command" in message
    assert len(retries) == 2
    assert remote_tip(repo) is None

    repo.start()  # same port: the network is back
    result = run(project, repo)
    assert result.pushed and not result.created_commit  # the kept commit, not a new one
    assert remote_tip(repo) == result.commit


def test_server_down_from_the_start_fails_clearly(repo, tmp_path):
    project = make_project(tmp_path / "out")
    repo.stop()
    with pytest.raises(PublishError) as caught:
        run(project, repo)
    assert "could not reach" in str(caught.value)
    assert "gave up after 3 attempts" in str(caught.value)


def test_auth_failure_is_clear_and_never_echoes_the_token(repo, tmp_path, isolated_git):
    project = make_project(tmp_path / "out")
    wrong = "wrong-Token-55aa66bb77cc"
    with pytest.raises(AuthenticationError) as caught:
        run(project, repo, token=wrong)
    assert "authentication to http://127.0.0.1" in str(caught.value)
    assert "GITHUB_TOKEN" in str(caught.value)
    assert wrong not in str(caught.value)
    cache = isolated_git / ".cache" / "productionize"
    assert wrong.encode() not in all_bytes_under(cache)


def test_token_in_the_url_is_used_but_never_written(repo, tmp_path, isolated_git):
    project = make_project(tmp_path / "out")
    url = repo.url("deploy", credentials=f"deployer:{TOKEN}")
    messages = []
    result = publish(project, url, subdir="svc", progress=lambda s, d: messages.append(d))
    assert result.pushed
    cache = isolated_git / ".cache" / "productionize"
    assert TOKEN.encode() not in all_bytes_under(cache)
    (clone,) = [p for p in (cache / "repos").iterdir() if p.is_dir()]
    config = (clone / "config").read_text()
    assert f"url = http://127.0.0.1:{repo.port}/deploy.git" in config
    assert TOKEN not in "".join(messages) + "".join(result.messages)
    assert not any(TOKEN in line for line in repo.requests)  # never in a request URL


def test_pre_receive_hook_rejection_keeps_the_local_commit(repo, tmp_path):
    hook = repo.root / "deploy.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'policy: deployments are frozen until Monday' >&2\nexit 1\n")
    hook.chmod(0o755)
    project = make_project(tmp_path / "out")
    with pytest.raises(PublishError) as caught:
        run(project, repo)
    assert "deployments are frozen until Monday" in str(caught.value)
    assert "is kept in" in str(caught.value)
    assert remote_tip(repo) is None

    hook.unlink()
    result = run(project, repo)
    assert result.pushed and not result.created_commit


@pytest.mark.parametrize("branch", ["main", "trunk"])
def test_refuses_to_publish_to_the_base_or_default_branch(repo, tmp_path, branch):
    project = make_project(tmp_path / "out")
    bare = repo.root / "deploy.git"
    if branch == "trunk":  # the remote's default branch, even when it is not --base
        git("branch", "trunk", "main", cwd=bare)
        git("symbolic-ref", "HEAD", "refs/heads/trunk", cwd=bare)
    before = git("for-each-ref", cwd=bare)
    with pytest.raises(PublishError) as caught:
        run(project, repo, branch=branch, base="main")
    assert "refusing to publish" in str(caught.value)
    assert git("for-each-ref", cwd=bare) == before  # nothing moved on the server
    assert not any("git-receive-pack" in r for r in repo.requests)


def test_invalid_project_and_branch_are_input_errors(repo, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError) as caught:
        run(empty, repo)
    assert "not a generated project" in str(caught.value)
    project = make_project(tmp_path / "out")
    with pytest.raises(PublishError) as caught:
        run(project, repo, branch="bad..name")
    assert "invalid branch name" in str(caught.value)
    with pytest.raises(PublishError):
        run(project, repo, subdir="../outside")


def test_a_second_publish_to_the_same_cache_waits_for_none_and_says_so(repo, tmp_path):
    import fcntl

    from productionize.core.publication import cache_key

    project = make_project(tmp_path / "out")
    cache = tmp_path / "cache"
    cache.mkdir()
    lock_path = cache / f"{cache_key(repo.url('deploy'))}.lock"
    with open(lock_path, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(PublishError) as caught:
            run(project, repo, cache_dir=cache)
    assert "another publish" in str(caught.value)
    assert run(project, repo, cache_dir=cache).pushed  # free again


def test_files_forges_would_reject_stop_before_committing(repo, tmp_path, monkeypatch):
    import productionize.adapters.publishing as publishing

    monkeypatch.setattr(publishing, "MAX_FILE_BYTES", 1000)
    project = make_project(tmp_path / "out", files={"data/big.csv": "x,y\n" * 400})
    with pytest.raises(PublishError) as caught:
        run(project, repo)
    assert "services/churn/data/big.csv" in str(caught.value) and ".gitignore" in str(caught.value)
    assert remote_tip(repo) is None
