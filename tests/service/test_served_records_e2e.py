"""End to end on a Kaggle-style notebook: the service takes raw `test` rows and answers each one,
alone, with the notebook's own prediction for that row.

Built with real ploomber (lint -> split -> verify -> service -> first model) in the generated
environment, then served by a real uvicorn. Expected predictions come from running the notebook's
code on its own data.
"""

from __future__ import annotations

import json
import os
import subprocess

import nbformat
import pytest

from productionize.adapters.building import build_project
from productionize.options import Options
from tests.service.servers import generated_python, running_service
from tests.service.test_service_e2e import run_in
from tests.service.titanic_like import write_titanic_like

pytestmark = pytest.mark.slow
DUMP = """
import json as _json
_raw = pd.read_csv(test_path)
print("@@" + _json.dumps({
    "records": _json.loads(_raw.to_json(orient="records")),
    "predictions": [int(v) for v in submission["Survived"]],
}))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    python = generated_python()
    folder = tmp_path_factory.mktemp("titanic")
    notebook = write_titanic_like(folder)
    os.environ["PRODUCTIONIZE_GENERATED_PYTHON"] = python
    result = build_project(notebook, folder / "project", Options(), framework="fastapi")
    nb = nbformat.read(notebook, as_version=4)
    script = "\n\n".join(c.source for c in nb.cells if c.cell_type == "code") + DUMP
    ran = subprocess.run([python, "-c", script], cwd=folder, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr[-3000:]
    line = next(x for x in ran.stdout.splitlines() if x.startswith("@@"))
    return result, folder / "project", python, json.loads(line[2:])


def test_verify_finds_the_served_predict_equal_to_the_notebook(built):
    result, _, _, _ = built
    checks = {(c["stage"], c["name"]): c for c in result.split.report["verify"]["checks"]}
    assert result.split.report["verify"]["ok"], checks
    # predict() on the raw test rows gives the notebook's `model.predict(test[features])`
    assert checks[("predict", "predictions")]["status"] == "equal"
    assert result.split.spec.records_stage == "load"
    predict = (result.outdir / "src/titanic/predict.py").read_text()
    # add_family() takes the median of the frame it is given: recorded once, at train time
    assert "def add_family(df, *, fitted):" in predict


def test_generated_project_tests_pass(built):
    _, root, python, _ = built
    ran = run_in(root, python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]
    # the Kubeflow export hands the fitted values from predict to register too
    compiled = run_in(root, python, "deploy/kubeflow_pipeline.py")
    assert compiled.returncode == 0, compiled.stderr[-2000:]
    assert "in_predict_fitted" in (root / "deploy/kubeflow_pipeline.yaml").read_text()


def test_real_server_answers_raw_rows_one_by_one_like_the_notebook(built):
    _, root, python, expected = built
    records, predictions = expected["records"], expected["predictions"]
    assert any(r["Age"] is None for r in records)  # rows the cleaning fills are served too
    with running_service(root, python) as http:
        schema = http.get("/schema").json()["json_schema"]
        assert {"PassengerId", "Name", "Sex", "Embarked", "Cabin"} <= set(schema["properties"])
        for record, prediction in zip(records, predictions, strict=True):
            answer = http.post("/predict", json=record)
            assert answer.status_code == 200, answer.text
            assert answer.json()["predictions"] == prediction, record
            assert answer.json()["fallback"] is False
        batch = http.post("/predict", json=records).json()
        assert batch["predictions"] == predictions
        rejected = http.post("/predict", json={**records[0], "Sex": "__unseen__"})
        assert rejected.status_code == 422
