"""End to end: generate the service, train, run the generated tests, serve it for real over HTTP.

One generated project and one real server per framework (uvicorn for FastAPI, waitress for
Flask), run with the generated-project environment, as a deployment repository would.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.serving import project_env
from tests.conftest import EXAMPLES
from tests.service.fixture_project import project_files
from tests.service.servers import generated_python, running_service, wait_for

pytestmark = pytest.mark.slow
TOKEN = "e2e-token-not-a-secret"

EXPECTED = """
import json, sys
import pandas as pd
from churn_fixture import registry
from churn_fixture.predict import predict
raw = pd.read_csv(sys.argv[1]).head(25)
df = raw.drop(columns=["customer_id", "churn"])
df["total_charges"] = pd.to_numeric(df["total_charges"], errors="coerce").fillna(0.0)
model, _ = registry.load_current()
records = json.loads(df.to_json(orient="records"))
print(json.dumps({"records": records, "predictions": [int(v) for v in predict(model, df)]}))
"""


def run_in(project: Path, python: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, *args], cwd=project, env=project_env(project), capture_output=True, text=True
    )


@pytest.fixture(scope="module", params=["fastapi", "flask"])
def project(request, tmp_path_factory):
    """A split-shaped project with the generated service and one trained model version."""
    python = generated_python()
    root = tmp_path_factory.mktemp(request.param) / "project"
    for path, text in project_files().items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    result = CliRunner().invoke(main, ["service", str(root), "--framework", request.param])
    assert result.exit_code == 0, result.output
    trained = run_in(root, python, "train_fixture.py", str(EXAMPLES / "data" / "churn.csv"))
    assert trained.returncode == 0, trained.stderr
    return root, python, request.param


def test_generated_project_tests_pass(project):
    root, python, _ = project
    result = run_in(root, python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_real_server_predicts_rejects_authenticates_rolls_back_and_falls_back(project):
    root, python, framework = project
    expected = json.loads(
        run_in(root, python, "-c", EXPECTED, str(EXAMPLES / "data" / "churn.csv")).stdout
    )
    second = run_in(root, python, "train_fixture.py", str(EXAMPLES / "data" / "churn.csv"))
    assert second.stdout.strip() == "v0002"
    env = {"RETRAIN_TOKEN": TOKEN, "MODEL_RELOAD_INTERVAL": "0"}
    with running_service(root, python, env) as http:
        batch = http.post("/predict", json=expected["records"])
        assert batch.status_code == 200, batch.text
        body = batch.json()
        assert body["predictions"] == expected["predictions"]
        assert (body["model_version"], body["fallback"]) == ("v0002", False)
        assert batch.headers["x-request-id"] == body["request_id"]
        single = http.post("/predict", json=expected["records"][0]).json()
        assert single["predictions"] == expected["predictions"][0]

        bad = {**expected["records"][0], "contract": "lifetime"}
        rejected = http.post("/predict", json=bad)
        assert rejected.status_code == 422
        assert rejected.json()["detail"][0]["loc"] == ["body", "contract"]
        assert http.post("/predict", content=b"{oops").status_code == 422

        assert http.post("/retrain").status_code == 401
        assert http.post("/models/v0001/promote").status_code == 401
        assert http.get("/ready").json()["status"] == "ready"
        schema = http.get("/schema").json()
        assert "contract" in schema["json_schema"]["properties"]
        assert http.get("/version").json()["framework"] == framework

        rolled = CliRunner().invoke(main, ["rollback", str(root)])
        assert rolled.exit_code == 0, rolled.output
        assert wait_for(lambda: http.get("/version").json()["model_version"] == "v0001")

        metadata = json.loads((root / "models/v0002/metadata.json").read_text())
        (root / "models/v0002" / metadata["model_file"]).write_bytes(b"not a model")
        promoted = CliRunner().invoke(main, ["rollback", str(root), "--to", "v0002"])
        assert promoted.exit_code == 0, promoted.output
        ready = wait_for(lambda: http.get("/ready").json()["status"] == "degraded")
        assert ready
        answer = http.post("/predict", json=expected["records"][:3]).json()
        fallback = json.loads((root / "models/v0002/fallback.json").read_text())
        assert answer["fallback"] is True
        assert answer["predictions"] == [fallback["value"]] * 3
        metrics = http.get("/metrics").text
        assert "model_service_fallback_responses_total 1" in metrics
        assert 'model_service_model_info{fallback="1",version="v0002"} 1' in metrics
    log = (root / "server.log").read_text()
    assert '"event": "request"' in log
    assert "lifetime" not in log  # no payloads in logs by default
