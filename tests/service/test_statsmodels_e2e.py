"""statsmodels end to end: an OLS on ``sm.add_constant(X)`` and a formula model
(``smf.ols("price ~ rooms + area + C(city)", data=homes)``) are built (lint -> split -> verify ->
service -> first model) in the generated environment and served by a real uvicorn. A request
carries only what the model reads: neither the target nor the constant, which the served
predict() adds itself. Expected predictions come from the notebook's own code on its data.
"""

from __future__ import annotations

import json
import os
import subprocess

import nbformat
import numpy as np
import pandas as pd
import pytest

from productionize.adapters.building import build_project
from productionize.options import Options
from tests.conftest import make_notebook
from tests.service.servers import generated_python, running_service
from tests.service.test_service_e2e import run_in

pytestmark = pytest.mark.slow

NOTEBOOKS = {
    "ols": make_notebook(
        "import pandas as pd\nimport statsmodels.api as sm",
        "homes = pd.read_csv('homes.csv')",
        "X = homes[['rooms', 'area']]\ny = homes['price']\nX = sm.add_constant(X)",
        "results = sm.OLS(y, X).fit()\nresults.summary()",
        "predictions = results.predict(X)",
    ),
    "formula": make_notebook(
        "import pandas as pd\nimport statsmodels.formula.api as smf",
        "homes = pd.read_csv('homes.csv')",
        "fitted = smf.ols('price ~ rooms + area + C(city)', data=homes).fit()\nprint(fitted.params)",
        "predictions = fitted.predict(homes)",
    ),
}
# what a client sends: the columns the model reads, as the notebook's data has them
DUMP = """
import json as _json
_records = homes[["rooms", "area", "city"]].to_dict(orient="records")
print("@@" + _json.dumps({"records": _records, "predictions": [float(v) for v in predictions]}))
"""


def write_homes(folder):
    rng = np.random.default_rng(7)
    rooms = rng.integers(1, 7, 40)
    area = rng.normal(80, 20, 40).round(1)
    city = rng.choice(["north", "south"], 40)
    price = 50 + 20 * rooms + 0.8 * area + np.where(city == "north", 15, 0)
    frame = pd.DataFrame({"rooms": rooms, "area": area, "city": city})
    frame["price"] = (price + rng.normal(0, 5, 40)).round(2)
    frame.to_csv(folder / "homes.csv", index=False)


@pytest.fixture(scope="module", params=sorted(NOTEBOOKS))
def built(request, tmp_path_factory):
    python = generated_python()
    folder = tmp_path_factory.mktemp(request.param)
    write_homes(folder)
    notebook = folder / f"{request.param}.ipynb"
    nbformat.write(NOTEBOOKS[request.param], notebook)
    os.environ["PRODUCTIONIZE_GENERATED_PYTHON"] = python
    result = build_project(
        notebook, folder / "project", Options(infer_tags=True), framework="fastapi"
    )
    nb = nbformat.read(notebook, as_version=4)
    script = "\n\n".join(c.source for c in nb.cells if c.cell_type == "code") + DUMP
    ran = subprocess.run([python, "-c", script], cwd=folder, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr[-3000:]
    line = next(x for x in ran.stdout.splitlines() if x.startswith("@@"))
    return request.param, result, folder / "project", python, json.loads(line[2:])


def test_generated_requirements_pin_statsmodels(built):
    _, _, root, _, _ = built
    pins = (root / "requirements.txt").read_text().splitlines()
    assert any(p.startswith("statsmodels==") for p in pins), pins


def test_verify_and_the_generated_tests_pass(built):
    _, result, root, python, _ = built
    assert result.split.report["verify"]["ok"], result.split.report["verify"]["checks"]
    ran = run_in(root, python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-2000:]


def test_real_server_predicts_records_without_target_or_constant(built):
    name, _, root, python, expected = built
    records, predictions = expected["records"], expected["predictions"]
    if name == "ols":  # X is rooms and area; the city column is not one of its fields
        records = [{k: v for k, v in r.items() if k != "city"} for r in records]
    with running_service(root, python) as http:
        schema = http.get("/schema").json()["json_schema"]
        # the schema asks for what the model reads: not the target, not the constant
        wanted = {"rooms", "area"} | ({"city"} if name == "formula" else set())
        assert set(schema["properties"]) == wanted
        assert set(schema.get("required", ())) <= wanted
        answer = http.post("/predict", json=records)
        assert answer.status_code == 200, answer.text
        assert answer.json()["predictions"] == pytest.approx(predictions, rel=1e-9)
        assert answer.json()["fallback"] is False
        one = http.post("/predict", json=records[3])  # one record alone: the same answer
        assert one.status_code == 200, one.text
        assert one.json()["predictions"] == pytest.approx(predictions[3], rel=1e-9)
