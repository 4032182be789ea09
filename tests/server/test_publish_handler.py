"""POST publish: a job that pushes the generated project to a real git server on loopback."""

from __future__ import annotations

import json
import shutil

import pytest

from productionize.options import Options
from tests.conftest import EXAMPLES
from tests.server.test_split_build_handlers import wait_for_job

pytest.importorskip("productionize.adapters.publishing")
splitting = pytest.importorskip("productionize.adapters.splitting")
git_server = pytest.importorskip("tests.publish.git_server")

TOKEN = "tok-Jupyter-1a2b3c4d5e6f"  # pragma: allowlist secret


@pytest.fixture
def isolated_git(tmp_path, monkeypatch):
    """git identity and the publish cache in tmp; no tokens from the developer's environment."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Data Scientist")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "ds@example.com")
    monkeypatch.setenv("PRODUCTIONIZE_NETWORK_ATTEMPTS", "2")
    monkeypatch.setenv("PRODUCTIONIZE_NETWORK_BACKOFF", "0.01")
    for name in ("GITHUB_TOKEN", "GITLAB_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server(tmp_path, isolated_git):
    (tmp_path / "srv").mkdir()
    server = git_server.GitHttpServer(tmp_path / "srv", password=TOKEN).start()
    server.create_repo("deploy", {"README.md": "# deployments\n"})
    yield server
    server.stop()


@pytest.fixture
def project(jp_root_dir) -> str:
    """The churn example split into ``out/churn`` under the server root."""
    shutil.copy(EXAMPLES / "churn_classifier.ipynb", jp_root_dir / "churn.ipynb")
    shutil.copytree(EXAMPLES / "data", jp_root_dir / "data")
    splitting.split_to_dir(
        jp_root_dir / "churn.ipynb", jp_root_dir / "out" / "churn", Options(), verify=False
    )
    return "out/churn"


async def test_publish_pushes_a_review_branch_and_reports_each_step(api, server, project):
    remote = server.url("deploy", credentials=f"reviewer:{TOKEN}")
    status, body = await api(
        "publish",
        {"outdir": project, "remote": remote, "provider": "none", "subdir": "services/churn"},
    )
    assert status == 202, body
    job = await wait_for_job(api, body["job"])
    assert job["state"] == "succeeded", job
    result = job["result"]
    assert result["branch"] == "productionize/churn"
    assert result["pushed"] is True and result["created_commit"] is True
    branches = git_server.git("branch", "--list", cwd=server.root / "deploy.git")
    assert "productionize/churn" in branches
    assert len(job["messages"]) > 2  # the steps of the push, as the dialog shows them
    assert TOKEN not in json.dumps(job)


async def test_a_refused_push_is_a_failed_job_with_the_reason_and_no_token(api, server, project):
    remote = server.url("deploy", credentials="reviewer:wrong-token")
    status, body = await api("publish", {"outdir": project, "remote": remote})
    assert status == 202
    job = await wait_for_job(api, body["job"])
    assert job["state"] == "failed"
    assert job["error"]["error"] == "AuthenticationError"  # a PublishError
    assert job["error"]["message"]
    assert "wrong-token" not in json.dumps(job)


async def test_publishing_before_building_says_to_build_first(api, isolated_git, jp_root_dir):
    status, body = await api("publish", {"outdir": "churn-production", "remote": "/nowhere"})
    assert status == 404
    assert body["error"] == "NotBuilt"
    assert body["message"].startswith("churn-production does not exist yet: build the project")
