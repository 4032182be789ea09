"""Anomaly detection and clustering notebooks that only call ``fit_predict``:

    iso = IsolationForest(contamination=0.05, random_state=0)
    df["anomaly"] = iso.fit_predict(X)

``fit_predict`` fits: the cell is the train stage (it was inferred 'predict' and refused with "no
cell is tagged 'train'"), the model is the estimator (not the labels it returned), and the
service answers with its predict (-1 / 1, or the cluster of a new record).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from productionize.adapters.cli import main
from tests.conftest import make_notebook

SENSORS = make_notebook(
    "import pandas as pd\nfrom sklearn.ensemble import IsolationForest",
    "readings = pd.read_csv('readings.csv')\nreadings.head()",
    "X = readings[['temperature', 'vibration']]\n"
    "iso = IsolationForest(contamination=0.05, random_state=0)\n"
    "readings['anomaly'] = iso.fit_predict(X)\n"
    "readings['score'] = iso.decision_function(X)\n"
    "print(readings['anomaly'].value_counts())",
)


def test_an_isolation_forest_fitted_by_fit_predict_is_trained_and_served(tmp_path):
    rng = np.random.default_rng(1)
    pd.DataFrame(
        {"temperature": rng.normal(60, 5, 120), "vibration": rng.normal(0.2, 0.05, 120)}
    ).to_csv(tmp_path / "readings.csv", index=False)
    (tmp_path / "sensors.ipynb").write_text(json.dumps(SENSORS))
    out = tmp_path / "project"
    result = CliRunner().invoke(
        main, ["split", str(tmp_path / "sensors.ipynb"), "-o", str(out), "--no-verify"]
    )
    assert result.exit_code == 0, result.output
    assert "cell 2 -> train" in result.output
    train = (out / "src" / "sensors" / "train.py").read_text()
    assert (
        "iso.fit_predict(X)" in train and "return " in train and "iso" in train.split("return")[-1]
    )
    predict = (out / "src" / "sensors" / "predict.py").read_text()
    assert "predictions = model.predict(records)" in predict
    tasks = (out / "src" / "sensors" / "tasks.py").read_text()
    assert "save_version(\n        iso," in tasks  # the estimator is registered, not its labels


def test_a_clusterer_without_predict_is_refused_naming_cell_line_and_ways_out(tmp_path):
    cells = [c["source"] for c in SENSORS["cells"]]
    cells[0] = "import pandas as pd\nfrom sklearn.cluster import DBSCAN"
    cells[2] = (
        "X = readings[['temperature', 'vibration']]\n"
        "db = DBSCAN(eps=0.5, min_samples=4)\nreadings['group'] = db.fit_predict(X)"
    )
    pd.DataFrame(
        {"temperature": [60.0, 61.0, 75.0] * 10, "vibration": [0.2, 0.3, 0.9] * 10}
    ).to_csv(tmp_path / "readings.csv", index=False)
    (tmp_path / "groups.ipynb").write_text(json.dumps(make_notebook(*cells)))
    out = tmp_path / "project"
    result = CliRunner().invoke(
        main, ["split", str(tmp_path / "groups.ipynb"), "-o", str(out), "--no-verify"]
    )
    assert result.exit_code != 0
    assert "groups.ipynb:cell 2:2:" in result.output
    assert "the model `db` is a DBSCAN (cell 2 line 2)" in result.output
    assert "KNeighborsClassifier().fit(X, labels)" in result.output
    assert not out.exists()


def test_a_clusterer_kept_from_its_fit_is_refused_too(tmp_path):
    """`model = db.fit(X)` (fit returns the estimator) then `model.labels_`: the model is the
    DBSCAN all the same; it was served and every request failed in ploomber build."""
    cells = [c["source"] for c in SENSORS["cells"]]
    cells[0] = "import numpy as np\nimport pandas as pd\nfrom sklearn.cluster import DBSCAN"
    cells[2] = (
        "X = readings.iloc[:, [0, 1]].values\n"
        "db = DBSCAN(eps=0.5, min_samples=4)\n"
        "model = db.fit(X)\n"
        "labels = model.labels_\n"
        "n_groups = len(set(labels)) - (1 if -1 in labels else 0)"
    )
    pd.DataFrame(
        {"temperature": [60.0, 61.0, 75.0] * 10, "vibration": [0.2, 0.3, 0.9] * 10}
    ).to_csv(tmp_path / "readings.csv", index=False)
    (tmp_path / "groups.ipynb").write_text(json.dumps(make_notebook(*cells)))
    out = tmp_path / "project"
    result = CliRunner().invoke(
        main, ["split", str(tmp_path / "groups.ipynb"), "-o", str(out), "--no-verify"]
    )
    assert result.exit_code != 0, result.output
    assert "groups.ipynb:cell 2:3:" in result.output
    assert "the model `model` is a DBSCAN (cell 2 line 3)" in result.output
    assert not out.exists()


def test_a_local_outlier_factor_for_novelty_is_served(tmp_path):
    cells = [c["source"] for c in SENSORS["cells"]]
    cells[0] = "import pandas as pd\nfrom sklearn.neighbors import LocalOutlierFactor"
    cells[2] = (
        "X = readings[['temperature', 'vibration']]\n"
        "lof = LocalOutlierFactor(novelty=True)\nlof.fit(X)"
    )
    pd.DataFrame(
        {"temperature": [60.0, 61.0, 75.0] * 10, "vibration": [0.2, 0.3, 0.9] * 10}
    ).to_csv(tmp_path / "readings.csv", index=False)
    (tmp_path / "lof.ipynb").write_text(json.dumps(make_notebook(*cells)))
    result = CliRunner().invoke(
        main, ["split", str(tmp_path / "lof.ipynb"), "-o", str(tmp_path / "p"), "--no-verify"]
    )
    assert result.exit_code == 0, result.output


CLASSIC_MALL = make_notebook(
    "import pandas as pd\nimport matplotlib.pyplot as plt\nfrom sklearn.cluster import KMeans",
    "shoppers = pd.read_csv('shoppers.csv')\nX = shoppers.iloc[:, [1, 2]].values",
    "inertia = []\nfor k in range(1, 6):\n"
    "    km = KMeans(n_clusters=k, n_init=10, random_state=0)\n"
    "    km.fit(X)\n    inertia.append(km.inertia_)\nplt.plot(inertia)",
    "kmeans = KMeans(n_clusters=3, n_init=10, random_state=0)\ny_kmeans = kmeans.fit_predict(X)",
)


def test_a_clustering_fitted_on_values_serves_the_named_columns(tmp_path):
    pd.DataFrame(
        {
            "id": range(40),
            "income": [20 + i * 3 for i in range(40)],
            "score": [90 - i for i in range(40)],
        }
    ).to_csv(tmp_path / "shoppers.csv", index=False)
    (tmp_path / "mall.ipynb").write_text(json.dumps(CLASSIC_MALL))
    out = tmp_path / "project"
    result = CliRunner().invoke(
        main, ["split", str(tmp_path / "mall.ipynb"), "-o", str(out), "--no-verify"]
    )
    assert result.exit_code == 0, result.output
    predict = (out / "src" / "mall" / "predict.py").read_text()
    assert "features = transformer_input.values" in predict
    assert "def predict(model, records):" in predict  # nothing fitted to store
    load = (out / "src" / "mall" / "load.py").read_text()
    assert (
        "transformer_input = shoppers.iloc[:, [1, 2]]\n    X = shoppers.iloc[:, [1, 2]].values"
        in load
    )
    tasks = (out / "src" / "mall" / "tasks.py").read_text()
    assert "features=records" in tasks  # the schema describes the named columns
