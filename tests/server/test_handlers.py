"""The REST handlers on a real Jupyter server: auth, XSRF, path safety, errors as JSON."""

from __future__ import annotations

import json
import os
import urllib.parse
from http.cookies import SimpleCookie

import pytest

from productionize.server.handlers import default_outdir

ENDPOINTS = ["lint", "split", "build", "publish"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_requests_without_a_token_are_refused(anonymous, endpoint, saved_notebook):
    response = await anonymous(
        f"productionize/{endpoint}", method="POST", body=json.dumps({"path": saved_notebook})
    )
    assert response.code == 403
    assert json.loads(response.body)["status"] == 403


async def test_job_status_without_a_token_is_refused(anonymous):
    response = await anonymous("productionize/jobs/1-abc")
    assert response.code == 403


async def test_info_lists_the_version_and_which_stages_are_installed(api):
    status, body = await api("info")
    assert status == 200
    assert body["version"]
    assert set(body["features"]) == {"lint", "split", "build", "service", "publish"}


async def _login(anonymous, jp_serverapp) -> dict[str, str]:
    """Log in with the token through the login form, as a browser does; return cookies."""
    cookies: dict[str, str] = {}

    def keep(response):
        for header in response.headers.get_list("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                cookies[name] = morsel.value

    keep(await anonymous("login"))
    form = {"_xsrf": cookies["_xsrf"], "password": jp_serverapp.identity_provider.token}
    keep(
        await anonymous(
            "login",
            method="POST",
            body=urllib.parse.urlencode(form),
            headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
            follow_redirects=False,
        )
    )
    assert len(cookies) >= 2, cookies  # _xsrf + the login cookie
    return cookies


async def test_cookie_sessions_need_the_xsrf_token(anonymous, jp_serverapp):
    cookies = await _login(anonymous, jp_serverapp)
    cookie_header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = json.dumps({})

    forged = await anonymous(
        "productionize/lint", method="POST", body=body, headers={"Cookie": cookie_header}
    )
    assert forged.code == 403
    assert "xsrf" in json.loads(forged.body)["message"].lower()

    genuine = await anonymous(
        "productionize/lint",
        method="POST",
        body=body,
        headers={"Cookie": cookie_header, "X-XSRFToken": cookies["_xsrf"]},
    )
    # past auth and XSRF: the handler itself answers (no notebook named)
    assert genuine.code == 400
    assert "path" in json.loads(genuine.body)["message"]


@pytest.mark.parametrize(
    "path, reason",
    [
        ("../outside.ipynb", "'..'"),
        ("work/../../outside.ipynb", "'..'"),
        ("/etc/passwd", "absolute"),
        ("C:/Windows/win.ini", "absolute"),
        ("work\\..\\..\\x.ipynb", "forbidden"),
    ],
)
@pytest.mark.parametrize("endpoint", ["lint", "split", "build"])
async def test_paths_outside_the_root_are_refused(api, saved_notebook, endpoint, path, reason):
    status, body = await api(endpoint, {"path": path})
    assert status == 403
    assert body["error"] == "PathRefused"
    assert reason in body["message"]


async def test_a_symlink_out_of_the_root_is_refused(api, jp_root_dir, tmp_path, tagged_notebook):
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / "private.ipynb").write_text(json.dumps(tagged_notebook))
    os.symlink(secret, jp_root_dir / "link")
    status, body = await api("lint", {"path": "link/private.ipynb"})
    assert status == 403
    assert "outside the server root" in body["message"]


async def test_a_build_into_a_folder_outside_the_root_is_refused(api, saved_notebook):
    status, body = await api("build", {"path": saved_notebook, "outdir": "../escape"})
    assert status == 403
    assert body["path"] == "../escape"


async def test_publish_of_a_folder_outside_the_root_is_refused(api):
    status, body = await api("publish", {"outdir": "/tmp", "remote": "https://example.invalid"})
    assert status == 403


async def test_body_that_is_not_json_is_a_400_with_a_message(api):
    status, body = await api("lint", "{not json")
    assert status == 400
    assert body["message"].startswith("request body is not valid JSON")


@pytest.mark.parametrize(
    "notebook, words",
    [
        ({"nbformat": 4, "cells": "not a list", "metadata": {}}, "cells"),
        ({"nbformat": 3, "worksheets": []}, "nbformat v3"),
        ({"metadata": {}}, "not a Jupyter notebook"),
        ([1, 2, 3], "not a Jupyter notebook"),
    ],
)
@pytest.mark.parametrize("endpoint", ["lint", "split"])
async def test_bad_live_notebook_json_is_a_400_naming_the_problem(api, endpoint, notebook, words):
    status, body = await api(endpoint, {"path": "draft.ipynb", "notebook": notebook})
    assert status == 400
    assert body["error"] == "InputError"
    assert words in body["message"]
    assert body["path"] == "draft.ipynb"
    assert "Traceback" not in json.dumps(body)


async def test_a_saved_file_that_is_not_a_notebook_is_a_400_without_server_paths(api, jp_root_dir):
    (jp_root_dir / "broken.ipynb").write_text('{"cells": [')
    status, body = await api("lint", {"path": "broken.ipynb"})
    assert status == 400
    assert body["path"] == "broken.ipynb"
    assert str(jp_root_dir) not in json.dumps(body)


async def test_a_missing_notebook_is_a_404(api):
    status, body = await api("lint", {"path": "nope.ipynb"})
    assert status == 404
    assert body["message"] == "no such file"


async def test_build_needs_a_saved_notebook(api):
    status, body = await api("build", {"notebook": {"nbformat": 4, "cells": []}})
    assert status == 400
    assert "'path'" in body["message"]


@pytest.mark.parametrize(
    "body, words",
    [
        ({"outdir": "work"}, "'remote' is required"),
        ({"outdir": "work", "remote": "x", "provider": "bitbucket"}, "provider must be one of"),
    ],
)
async def test_publish_checks_its_arguments(api, saved_notebook, body, words):
    status, answer = await api("publish", body)
    assert status == 400
    assert words in answer["message"]


async def test_unknown_jobs_are_404_for_get_and_delete(api):
    for method in ("GET", "DELETE"):
        response_status, body = await api("jobs/1-deadbeef", method=method)
        assert response_status == 404
        assert body["error"] == "NotFound"


def test_the_default_output_folder_sits_next_to_the_notebook():
    assert default_outdir("work/analysis.ipynb") == "work/analysis-production"
    assert default_outdir("churn.ipynb") == "churn-production"
