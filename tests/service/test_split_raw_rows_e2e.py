"""End to end on the most common notebook: one CSV, cleaned, then ``train_test_split(X, y)``.

The service takes the CSV's raw rows (less the target and the columns the cleaning drops
unread) and answers each one, alone, with what the notebook's model predicts for that row
cleaned by the notebook; a cleaning that drops rows keeps cleaned rows and says why. Built with
real ploomber (lint -> split -> verify -> service -> first model) in the generated environment,
served by a real uvicorn. Expected predictions come from running the notebook's code.
"""

from __future__ import annotations

import json
import os
import subprocess

import nbformat
import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from tests.service.servers import generated_python, running_service
from tests.service.split_rows_like import write_case

pytestmark = pytest.mark.slow
# after the notebook ran: raw CSV rows of the held-out half (as a client sends them) and the
# notebook's model on the same rows as the notebook cleaned them
DUMP = """
import json as _json
_raw = pd.read_csv(data_path).loc[X_test.index]
_raw = _raw.drop(columns=[c for c in {unserved!r} if c in _raw.columns])
print("@@" + _json.dumps({{
    "raw": _json.loads(_raw.to_json(orient="records")),
    "cleaned": _json.loads(X_test.to_json(orient="records")),
    "predictions": {model}.predict(X_test).tolist(),
}}))
"""
CASES = {
    # case: (model, the columns a client does not send)
    "titanic_split": ("model", ["Survived", "Name", "Ticket", "Cabin", "PassengerId"]),
    "housing_split": ("reg", ["median_house_value"]),
    "dropna_split": ("clf", ["churned", "customer_id"]),
}


def _notebook_values(notebook, python: str, case: str) -> dict:
    model, unserved = CASES[case]
    nb = nbformat.read(notebook, as_version=4)
    script = "\n\n".join(c.source for c in nb.cells if c.cell_type == "code")
    script += DUMP.format(unserved=unserved, model=model)
    ran = subprocess.run(
        [python, "-c", script], cwd=notebook.parent, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    line = next(x for x in ran.stdout.splitlines() if x.startswith("@@"))
    return json.loads(line[2:])


@pytest.fixture(scope="module", params=sorted(CASES))
def built(request, tmp_path_factory):
    python = generated_python()
    folder = tmp_path_factory.mktemp(request.param)
    notebook = write_case(folder, request.param)
    os.environ["PRODUCTIONIZE_GENERATED_PYTHON"] = python
    out = folder / "project"
    result = CliRunner().invoke(main, ["build", str(notebook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return (
        request.param,
        out,
        python,
        result.output,
        _notebook_values(notebook, python, request.param),
    )


def _close(answer, expected) -> bool:
    return answer == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_served_records_are_what_a_client_sends(built):
    case, root, python, output, expected = built
    report = json.loads((root / "productionize-report.json").read_text())
    assert report["verify"]["ok"], report["verify"]
    checks = {(c["stage"], c["name"]): c["status"] for c in report["verify"]["checks"]}
    readme = (root / "README.md").read_text()
    if case == "dropna_split":
        # rows dropped before the split: predict() cannot drop the record it is asked about
        assert "service: the service takes cleaned rows (shaped like `X_train`)" in output
        assert "`customers.dropna()` depends on the other records of the batch" in output
        assert "the service takes cleaned rows" in readme
        assert not (root / "models/v0001/fitted.json").exists()
        return
    # predict() on the raw rows of the whole CSV gives the notebook's model.predict(X)
    assert checks[("predict", "predictions")] == "equal"
    assert "service: predict() receives raw rows of" in output
    assert "predict() receives raw rows of" in readme
    schema = json.loads((root / "models/v0001/metadata.json").read_text())["features"]
    served = {c["name"] for c in schema["columns"]}
    assert served == set(expected["raw"][0]), served
    assert not served & set(CASES[case][1])


def test_real_server_answers_raw_rows_like_the_notebook(built):
    case, root, python, _, expected = built
    records = expected["cleaned"] if case == "dropna_split" else expected["raw"]
    predictions = expected["predictions"]
    if case == "titanic_split":
        assert any(r["Age"] is None for r in records)  # rows the cleaning fills are served too
        assert {"Sex", "Embarked"} <= set(records[0]) and "Embarked_S" not in records[0]
    if case == "housing_split":
        assert any(r["total_bedrooms"] is None for r in records)
        assert "rooms_per_house" not in records[0] and "ocean_proximity" in records[0]
    with running_service(root, python) as http:
        properties = http.get("/schema").json()["json_schema"]["properties"]
        assert set(properties) == set(records[0])
        for record, prediction in zip(records, predictions, strict=True):
            answer = http.post("/predict", json=record)
            assert answer.status_code == 200, answer.text
            assert _close(answer.json()["predictions"], prediction), record
            assert answer.json()["fallback"] is False
        batch = http.post("/predict", json=records).json()
        assert _close(batch["predictions"], predictions)
        if case == "titanic_split":  # an unseen category is refused, not mapped to NaN
            rejected = http.post("/predict", json={**records[0], "Sex": "__unseen__"})
            assert rejected.status_code == 422
