"""Fuzz the server extension's lint and split-preview handlers over real HTTP: 200 with a result,
or a 4xx JSON error with a message naming the problem; never a 500; nothing written."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.conftest import make_notebook
from tests.reliability.hostile import DEEP_MIX, hostile_notebooks
from tests.reliability.profile import RELIABILITY, count
from tests.reliability.test_fuzz_reader import MUST_REFUSE
from tests.reliability.treehash import tree_hash

SMALL_HUGE = (60_000,)
FOLDER = "fuzz"
SAVED = f"{FOLDER}/saved.ipynb"  # a valid saved notebook: the live JSON is previewed against it
HOSTILE = f"{FOLDER}/hostile.ipynb"


@pytest.fixture(scope="module")
def client(jupyter):
    folder = jupyter.root / FOLDER
    folder.mkdir(exist_ok=True)
    saved = make_notebook(("code", "import pandas as pd\ndf = pd.DataFrame()", ("load",)))
    (jupyter.root / SAVED).write_text(json.dumps(saved))
    with jupyter.client() as http:
        yield http


def check_response(response: httpx.Response, case, *, file_named: bool) -> None:
    assert response.status_code != 500, response.text
    assert response.status_code in (200, 400, 422), (response.status_code, response.text)
    body = response.json()  # always JSON, even for errors
    event(f"HTTP {response.status_code}")
    if response.status_code == 200:
        assert not case.kind.startswith(MUST_REFUSE), case.kind
        return
    message = body.get("text") or body.get("message")
    assert isinstance(message, str) and message.strip(), body
    assert "Traceback" not in response.text
    assert str(response.request.url.host) and "/tmp/" not in response.text  # no server paths
    if file_named and body.get("error") == "InputError":
        assert HOSTILE in message, body


@settings(RELIABILITY, max_examples=200)
@given(
    case=hostile_notebooks(kinds=DEEP_MIX, huge_sizes=SMALL_HUGE),
    endpoint=st.sampled_from(["lint", "split"]),
)
def test_saved_hostile_notebook(jupyter, client, case, endpoint):
    (jupyter.root / HOSTILE).write_bytes(case.data)
    before = tree_hash(jupyter.root)
    count("server (saved)", case.kind)
    response = client.post(f"/productionize/{endpoint}", json={"path": HOSTILE})
    check_response(response, case, file_named=True)
    assert tree_hash(jupyter.root) == before


@settings(RELIABILITY, max_examples=150)
@given(
    case=hostile_notebooks(kinds=DEEP_MIX, huge_sizes=SMALL_HUGE),
    endpoint=st.sampled_from(["lint", "split"]),
)
def test_live_hostile_notebook_json(jupyter, client, case, endpoint):
    """The front-end sends the notebook it shows; the body is built as text (it may not be JSON)."""
    before = tree_hash(jupyter.root)
    count("server (live)", case.kind)
    body = b'{"path": "' + SAVED.encode() + b'", "notebook": ' + case.data + b"}"
    response = client.post(
        f"/productionize/{endpoint}", content=body, headers={"Content-Type": "application/json"}
    )
    check_response(response, case, file_named=False)
    assert tree_hash(jupyter.root) == before
