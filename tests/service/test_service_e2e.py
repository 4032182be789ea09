"""End to end on the example notebooks: build, run the generated tests, serve for real over HTTP.

One generated project and one real server per framework (uvicorn for FastAPI on the churn
classifier, waitress for Flask on the house-price regressor), run in the generated-project
environment as a deployment repository would. Expected predictions come from running the
notebook's own code on its own data.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import nbformat
import pytest
from click.testing import CliRunner

from productionize.adapters.building import build_project
from productionize.adapters.cli import main
from productionize.adapters.serving import project_env
from productionize.options import Options
from tests.conftest import EXAMPLES
from tests.loopback import free_port, wait_for
from tests.service.servers import generated_python, running_service

pytestmark = pytest.mark.slow
TOKEN = "e2e-token-not-a-secret"
# example -> (framework, the notebook's name for its predictions, a categorical field, the
# columns of the CSV a client does not send: the target and a column the cleaning drops unread)
CASES = {
    "churn_classifier": ("fastapi", "predictions", "contract", ["churn", "customer_id"]),
    "house_prices_regressor": ("flask", "predicted_price", "neighborhood", ["price"]),
}
# the service takes raw CSV rows (predict() replays the notebook's cleaning): those of X_test
DUMP = """
import json as _json
_raw = pd.read_csv(data_path).loc[X_test.index].drop(columns={unserved!r})
_records = _json.loads(_raw.to_json(orient="records"))
_values = [v.item() if hasattr(v, "item") else v for v in list({name})]
print("@@" + _json.dumps({{"records": _records, "predictions": _values}}, default=lambda v: v.item()))
"""


def notebook_predictions(name: str, python: str) -> dict:
    """Run the notebook's code cells as a script (cwd examples/) and return X_test + predictions."""
    nb = nbformat.read(EXAMPLES / f"{name}.ipynb", as_version=4)
    code = "\n\n".join(c.source for c in nb.cells if c.cell_type == "code")
    script = code + "\n" + DUMP.format(name=CASES[name][1], unserved=CASES[name][3])
    result = subprocess.run(
        [python, "-c", script],
        cwd=EXAMPLES,
        env={**os.environ, "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("@@"))
    return json.loads(line[2:])


def run_in(project: Path, python: str, *args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, *args],
        cwd=project,
        env={**project_env(project), **env},
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module", params=sorted(CASES))
def project(request, tmp_path_factory):
    """The example built (lint -> split -> service -> first model) with its framework."""
    python = generated_python()
    name = request.param
    framework = CASES[name][0]
    out = tmp_path_factory.mktemp(name) / "project"
    os.environ["PRODUCTIONIZE_GENERATED_PYTHON"] = python
    result = build_project(
        EXAMPLES / f"{name}.ipynb", out, Options(), verify=False, framework=framework
    )
    assert (out / "models" / "CURRENT").read_text().strip() == "v0001", result.notes
    return out, python, name


def test_generated_project_tests_pass(project):
    root, python, _ = project
    result = run_in(root, python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert (
        re.fullmatch(r"\d+ passed( in [\d.]+s|, .*)", summary) and "failed" not in summary
    ), summary


def same(expected, actual) -> bool:
    if isinstance(expected, float):
        return math.isclose(expected, actual, rel_tol=1e-9)
    return expected == actual


def test_real_server_answers_like_the_notebook(project):
    root, python, name = project
    framework, _, categorical, _ = CASES[name]
    expected = notebook_predictions(name, python)
    ploomber = str(Path(python).parent / "ploomber")  # the generated venv's console script
    retrained = subprocess.run(
        [ploomber, "build", "--force"], cwd=root, env=project_env(root), capture_output=True
    )
    assert retrained.returncode == 0, retrained.stderr[-2000:]
    assert (root / "models" / "CURRENT").read_text().strip() == "v0002"
    env = {"RETRAIN_TOKEN": TOKEN, "MODEL_RELOAD_INTERVAL": "0"}
    with running_service(root, python, env) as http:
        batch = http.post("/predict", json=expected["records"])
        assert batch.status_code == 200, batch.text
        body = batch.json()
        assert len(body["predictions"]) == len(expected["predictions"])
        assert all(map(same, expected["predictions"], body["predictions"]))
        assert (body["model_version"], body["fallback"]) == ("v0002", False)
        assert batch.headers["x-request-id"] == body["request_id"]
        single = http.post("/predict", json=expected["records"][0]).json()
        assert same(expected["predictions"][0], single["predictions"])

        bad = {**expected["records"][0], categorical: "__unseen__"}
        rejected = http.post("/predict", json=bad)
        assert rejected.status_code == 422
        assert rejected.json()["detail"][0]["loc"] == ["body", categorical]
        assert http.post("/predict", content=b"{oops").status_code == 422

        assert http.post("/retrain").status_code == 401
        assert http.post("/models/v0001/promote").status_code == 401
        assert http.get("/ready").json()["status"] == "ready"
        schema = http.get("/schema").json()
        assert categorical in schema["json_schema"]["properties"]
        assert http.get("/version").json()["framework"] == framework

        auth = {"Authorization": f"Bearer {TOKEN}"}
        started = http.post("/retrain", headers=auth)
        assert started.status_code == 202, started.text

        def finished():
            job = http.get("/retrain", headers=auth).json()["job"]
            return job if job["status"] != "running" else None

        job = wait_for(finished, attempts=600, pause=0.5)  # the pipeline runs for real
        assert job and job["status"] == "promoted", job  # same data and seed: not worse
        assert job["candidate"] == "v0003"
        assert http.get("/version").json()["model_version"] == "v0003"
        again = http.post("/predict", json=expected["records"]).json()
        assert all(map(same, expected["predictions"], again["predictions"]))

        rolled = CliRunner().invoke(main, ["rollback", str(root)])
        assert rolled.exit_code == 0, rolled.output
        assert wait_for(lambda: http.get("/version").json()["model_version"] == "v0002")

        metadata = json.loads((root / "models/v0003/metadata.json").read_text())
        (root / "models/v0003" / metadata["model_file"]).write_bytes(b"not a model")
        promoted = CliRunner().invoke(main, ["rollback", str(root), "--to", "v0003"])
        assert promoted.exit_code == 0, promoted.output
        assert wait_for(lambda: http.get("/ready").json()["status"] == "degraded")
        answer = http.post("/predict", json=expected["records"][:3]).json()
        fallback = json.loads((root / "models/v0003/fallback.json").read_text())
        assert answer["fallback"] is True
        assert answer["predictions"] == [fallback["value"]] * 3
        metrics = http.get("/metrics").text
        assert "model_service_fallback_responses_total 1" in metrics
        assert 'model_service_model_info{fallback="1",version="v0003"} 1' in metrics
        assert 'model_service_retrain_runs_total{outcome="promoted"} 1' in metrics
    log = (root / "server.log").read_text()
    assert '"event": "request"' in log
    assert "__unseen__" not in log  # no payloads in logs by default


def test_productionize_serve_becomes_the_server_and_stops_with_it(project):
    root, python, _ = project
    port = free_port()
    env = {**os.environ, "PRODUCTIONIZE_GENERATED_PYTHON": python}
    process = subprocess.Popen(
        [sys.executable, "-m", "productionize", "serve", str(root), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/health"

        def up():
            try:
                return httpx.get(url, timeout=2).status_code == 200
            except httpx.TransportError:
                return process.poll() is not None  # stop polling if it died

        assert wait_for(up, attempts=600) and process.poll() is None
    finally:
        process.terminate()  # the CLI exec'd the server: this signal reaches it directly
        assert process.wait(timeout=30) is not None
    with pytest.raises(httpx.TransportError):
        httpx.get(url, timeout=2)
