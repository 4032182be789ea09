"""A real Jupyter server (pytest-jupyter) with the Productionize extension enabled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403  (jp_fetch & co., for this folder only)
from tornado.httpclient import HTTPResponse

from tests.conftest import make_notebook


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"productionize": True}}}


@pytest.fixture
def api(jp_fetch):
    """Call ``/productionize/<endpoint>`` with the test token; never raise on 4xx/5xx."""

    async def call(endpoint: str, body=None, method: str | None = None) -> tuple[int, dict]:
        kwargs = {"raise_error": False}
        if body is not None:
            kwargs["body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
        response: HTTPResponse = await jp_fetch(
            "productionize",
            endpoint,
            method=method or ("POST" if body is not None else "GET"),
            **kwargs,
        )
        return response.code, json.loads(response.body or b"null")

    return call


@pytest.fixture
def anonymous(http_server_client, jp_base_url):
    """Fetch without any credentials (no token header, no cookie)."""

    async def fetch(path: str, **kwargs) -> HTTPResponse:
        url = f"{jp_base_url}{path.lstrip('/')}"
        return await http_server_client.fetch(url, raise_error=False, **kwargs)

    return fetch


@pytest.fixture
def tagged_notebook():
    """A small tagged notebook with planted problems (unused import, absolute path)."""
    return make_notebook(
        ("code", "import os\nimport pandas as pd", ("load",)),
        ("code", "df = pd.read_csv('/home/alice/data.csv')", ("load",)),
        ("code", "model = df.mean()", ("train",)),
    )


@pytest.fixture
def saved_notebook(jp_root_dir: Path, tagged_notebook) -> str:
    """The tagged notebook saved under the server root; returns its contents-API path."""
    folder = jp_root_dir / "work"
    folder.mkdir()
    (folder / "analysis.ipynb").write_text(json.dumps(tagged_notebook))
    return "work/analysis.ipynb"
