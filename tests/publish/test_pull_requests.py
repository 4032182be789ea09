"""Review requests end to end: real git server for the branch, fake GitHub/GitLab REST APIs."""

from __future__ import annotations

import pytest

from productionize.adapters.publishing import publish
from productionize.errors import PublishError

from .conftest import TOKEN, make_project
from .git_server import git

BRANCH = "productionize/churn_classifier"


@pytest.fixture
def repo(git_server):
    git_server.create_repo("deploy", {"README.md": "# Deployment repository\n"})
    return git_server


def test_github_pull_request_is_opened_then_updated(repo, forge, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", forge.url)
    # GitHub serves remotes as https://host/<owner>/<repo>.git: same shape on our server
    (repo.root / "acme").mkdir()
    repo.create_repo("acme/deploy", {"README.md": "# acme\n"})
    url = repo.url("acme/deploy")
    # other open PRs from the same head into other bases, to walk Link pagination
    forge.page_size = 1
    forge.add_pull("acme/deploy", BRANCH, "release-1")
    forge.add_pull("acme/deploy", BRANCH, "release-2")
    project = make_project(tmp_path / "out", accuracy=0.80)

    first = publish(project, url, provider="github", subdir="churn")
    assert first.pr_url == "https://github.example/acme/deploy/pull/3"
    method, path, payload, headers = forge.requests[0]
    assert (method, path) == ("POST", "/repos/acme/deploy/pulls")
    assert payload["head"] == BRANCH and payload["base"] == "main"
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["x-github-api-version"] == "2022-11-28"
    assert payload["title"] == "Productionize churn_classifier (notebook 010101010101)"
    body = payload["body"]
    assert "```mermaid\nflowchart LR" in body
    assert '-->|"features"|' in body
    assert "| train | 4, 5 | `features` | `model` |" in body
    assert "`PZ301`" in body and "unseeded randomness" in body
    assert "every compared value is equal" in body
    assert "cd churn" in body and "pytest" in body and "ploomber build" in body
    assert TOKEN not in body

    make_project(project, version=2, accuracy=0.85)
    forge.requests.clear()
    second = publish(project, url, provider="github", subdir="churn")
    assert second.created_commit and second.pr_url == first.pr_url
    calls = [(m, p.split("?")[0]) for m, p, _, _ in forge.requests]
    assert calls[0] == ("POST", "/repos/acme/deploy/pulls")  # 422: it exists
    assert calls.count(("GET", "/repos/acme/deploy/pulls")) == 3  # three pages of one
    assert calls[-1] == ("PATCH", "/repos/acme/deploy/pulls/3")
    updated = forge.pulls[2]["body"]
    assert "| accuracy | 0.8 | 0.85 | +0.05 (+6.2%) |" in updated
    assert "The notebook changed since the previous version" in updated
    assert len([p for p in forge.pulls if p["head"]["ref"] == BRANCH]) == 3  # no duplicate


def test_gitlab_merge_request_is_opened_then_updated(repo, forge, tmp_path, monkeypatch):
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    (repo.root / "group" / "sub").mkdir(parents=True)
    repo.create_repo("group/sub/deploy", {"README.md": "# group\n"})
    url = repo.url("group/sub/deploy")
    # metrics from the model registry the generated pipeline writes (report without values)
    registry = {
        "models/CURRENT": "v0001\n",
        "models/v0001/metadata.json": '{"metrics": {"r2": 0.5, "rows": 100}}\n',
    }
    project = make_project(tmp_path / "out", files=registry, metrics=None)
    api = forge.url + "/api/v4"

    first = publish(project, url, provider="gitlab", subdir="churn", api_url=api)
    assert first.pr_url == "https://gitlab.example/group/sub/deploy/-/merge_requests/1"
    method, path, payload, headers = forge.requests[0]
    assert (method, path) == ("POST", "/api/v4/projects/group%2Fsub%2Fdeploy/merge_requests")
    assert headers["private-token"] == TOKEN
    assert payload["source_branch"] == BRANCH and payload["target_branch"] == "main"
    assert "## Pipeline" in payload["description"]

    registry = {
        "models/CURRENT": "v0002\n",
        "models/v0002/metadata.json": '{"metrics": {"r2": 0.75, "rows": 100}}\n',
    }
    make_project(project, version=2, files=registry, metrics=None)
    second = publish(project, url, provider="gitlab", subdir="churn", api_url=api)
    assert second.pr_url == first.pr_url
    assert forge.requests[-1][0] == "PUT"
    assert len(forge.merge_requests) == 1
    assert "VERSION" not in forge.merge_requests[0]["description"]
    assert "020202020202" in forge.merge_requests[0]["title"]
    description = forge.merge_requests[0]["description"]
    assert "| r2 | 0.5 | 0.75 | +0.25 (+50.0%) |" in description
    assert "| rows | 100 | 100 | unchanged |" in description


def test_api_retries_transient_errors(repo, forge, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_API_URL", forge.url)
    (repo.root / "acme").mkdir()
    repo.create_repo("acme/deploy", {"README.md": "# acme\n"})
    forge.fail_next = 2  # two 502s, then the real answer
    retries = []
    result = publish(
        make_project(tmp_path / "out"),
        repo.url("acme/deploy"),
        provider="github",
        token=TOKEN,
        subdir="svc",
        progress=lambda step, detail: retries.append(detail) if step == "retry" else None,
    )
    assert result.pr_url.endswith("/pull/1")
    assert len(retries) == 2 and "502" in retries[0]


def test_api_down_keeps_the_pushed_branch_and_says_how_to_retry(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    (repo.root / "acme").mkdir()
    repo.create_repo("acme/deploy", {"README.md": "# acme\n"})
    project = make_project(tmp_path / "out")
    with pytest.raises(PublishError) as caught:
        publish(
            project,
            repo.url("acme/deploy"),
            provider="github",
            api_url="http://127.0.0.1:9",
            subdir="svc",
        )
    message = str(caught.value)
    assert "gave up after 3 attempts" in message and "re-run the same command" in message
    assert git("rev-parse", BRANCH, cwd=repo.root / "acme/deploy.git")  # the push happened


def test_api_auth_failure_does_not_echo_the_token(repo, forge, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_API_URL", forge.url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)  # the git server takes it, the API does not
    forge.token = "another-token-the-api-expects"  # pragma: allowlist secret
    (repo.root / "acme").mkdir()
    repo.create_repo("acme/deploy", {"README.md": "# acme\n"})
    with pytest.raises(PublishError) as caught:
        publish(
            make_project(tmp_path / "out"), repo.url("acme/deploy"), provider="github", subdir="s"
        )
    message = str(caught.value)
    assert "GitHub API rejected the token (401 Bad credentials): check GITHUB_TOKEN" in message
    assert TOKEN not in message
    assert len(forge.requests) == 1  # a 401 is not retried


def test_provider_none_prints_branch_and_compare_url(repo, tmp_path):
    result = publish(make_project(tmp_path / "out"), repo.url("deploy"), token=TOKEN, subdir="x")
    assert result.pr_url is None
    assert result.compare_url.endswith("/deploy/compare/main...productionize/churn_classifier")
    assert f"compare: {result.compare_url}" in result.messages


def test_git_credential_helper_supplies_the_token(repo, forge, tmp_path, monkeypatch, isolated_git):
    helper = f'!f() {{ test "$1" = get && echo username=helper && echo password={TOKEN}; }}; f'
    git("config", "--global", "credential.helper", helper)
    monkeypatch.setenv("GITHUB_API_URL", forge.url)
    (repo.root / "acme").mkdir()
    repo.create_repo("acme/deploy", {"README.md": "# acme\n"})
    result = publish(
        make_project(tmp_path / "out"), repo.url("acme/deploy"), provider="github", subdir="s"
    )
    assert result.pushed and result.pr_url.endswith("/pull/1")
    assert forge.requests[0][3]["authorization"] == f"Bearer {TOKEN}"
    cache = isolated_git / ".cache" / "productionize"
    assert not any(TOKEN.encode() in p.read_bytes() for p in cache.rglob("*") if p.is_file())
