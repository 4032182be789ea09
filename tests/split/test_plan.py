"""Table-driven tests of the cell graph and the pipeline plan (pure core, notebooks in memory)."""

from __future__ import annotations

import pytest

from productionize.errors import SplitError
from productionize.options import Options
from tests.conftest import make_notebook
from tests.split.conftest import split_nb

PARAMS = ("code", 'data_path = "data/d.csv"\nseed = 3', ["parameters"])
LOAD = ("code", "import pandas as pd\nraw = pd.read_csv(data_path)\nraw.head()", ["load"])
CLEAN = ("code", "X = raw.drop(columns=['y'])\ny = raw['y']", ["clean"])
TRAIN = (
    "code",
    "from sklearn.linear_model import LogisticRegression\n"
    "model = LogisticRegression(random_state=seed)\nmodel.fit(X, y)",
    ["train"],
)
PREDICT = ("code", "predictions = model.predict(X)\nprint(predictions[:3])", ["predict"])


def stages_of(result):
    return {s.name: s for s in result.spec.stages}


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # name -> (inputs, parameters, outputs)
        (
            [PARAMS, LOAD, CLEAN, TRAIN, PREDICT],
            {
                "load": ((), ("data_path",), ("raw",)),
                "clean": (("raw",), (), ("X", "y")),
                "train": (("X", "y"), ("seed",), ("model",)),
                "predict": (("model", "records"), (), ("predictions",)),
            },
        ),
        # an untagged cell inherits the stage above it
        (
            [PARAMS, LOAD, ("code", "raw = raw.dropna()", ()), CLEAN, TRAIN, PREDICT],
            {"load": ((), ("data_path",), ("raw",)), "clean": (("raw",), (), ("X", "y"))},
        ),
        # imports hidden in an exploration cell are copied where they are used
        (
            [
                PARAMS,
                ("code", "import numpy as np\nraw_preview = 1", ["skip"]),
                ("code", "import pandas as pd\nraw = pd.read_csv(data_path)", ["load"]),
                ("code", "X = raw.drop(columns=['y'])\ny = np.asarray(raw['y'])", ["clean"]),
                TRAIN,
                PREDICT,
            ],
            {"clean": (("raw",), (), ("X", "y"))},
        ),
    ],
)
def test_stage_inputs_and_outputs(cells, expected):
    result = split_nb(make_notebook(*cells))
    stages = stages_of(result)
    for name, (inputs, params, outputs) in expected.items():
        stage = stages[name]
        assert (stage.inputs, stage.parameters, stage.outputs) == (inputs, params, outputs), name


def test_imports_only_where_used():
    cells = [
        PARAMS,
        ("code", "import numpy as np\nimport pandas as pd\nimport os", ()),
        LOAD,
        ("code", "X = raw.drop(columns=['y'])\ny = np.log1p(raw['y'])", ["clean"]),
        TRAIN,
        PREDICT,
    ]
    stages = stages_of(split_nb(make_notebook(*cells)))
    assert stages["load"].imports == ("import pandas as pd",)
    assert stages["clean"].imports == ("import numpy as np",)
    assert all("import os" not in s.imports for s in stages.values())
    assert stages["predict"].imports == ()


def test_display_statements_stay_in_the_notebook_and_are_listed():
    result = split_nb(make_notebook(PARAMS, LOAD, CLEAN, TRAIN, PREDICT))
    load = next(f for f in result.files if f.path.endswith("/load.py")).content
    assert "raw.head()" not in load and "1 display-only or exploration statement(s)" in load
    (stage,) = [s for s in result.report["stages"] if s["name"] == "load"]
    assert stage["dropped"] == ["cell 1: raw.head()"]
    predict = next((f for f in result.files if f.path.endswith("/evaluate.py")), None)
    assert predict is None  # print() only: nothing to evaluate


def test_a_file_name_with_underscores_next_to_dashes_makes_a_name_ploomber_accepts():
    # the Kaggle Telco file: "UseC_-Telco" would give "usec__telco", and ploomber refuses env
    # keys with a double underscore ("Error validating env"), so `ploomber build` never ran
    path = "WA_Fn-UseC_-Telco-Customer-Churn.csv"
    load = ("code", f"import pandas as pd\nraw = pd.read_csv('{path}')", ["load"])
    train = ("code", TRAIN[1].replace("random_state=seed", ""), ["train"])
    result = split_nb(make_notebook(load, CLEAN, train, PREDICT), sizes={path: 10})
    assert [p.name for p in result.spec.parameters] == ["wa_fn_usec_telco_customer_churn_path"]


def test_hard_coded_path_becomes_a_parameter():
    load = ("code", "import pandas as pd\nraw = pd.read_csv('/srv/data/sales.csv')", ["load"])
    train = ("code", TRAIN[1].replace("random_state=seed", ""), ["train"])
    result = split_nb(make_notebook(load, CLEAN, train, PREDICT), sizes={"/srv/data/sales.csv": 10})
    spec = result.spec
    assert [p.name for p in spec.parameters] == ["sales_path"]
    assert spec.data_files[0].project_path == "data/sales.csv"
    code = next(f for f in result.files if f.path.endswith("/load.py")).content
    assert "/srv/" not in code
    assert 'def load(sales_path="data/sales.csv")' in code


def test_large_data_file_is_not_copied():
    result = split_nb(
        make_notebook(PARAMS, LOAD, CLEAN, TRAIN, PREDICT), sizes={"data/d.csv": 50 * 2**20}
    )
    data = result.spec.data_files[0]
    assert not data.copied and data.project_path == "data/d.csv" and "20 MB" in data.note


def test_notebook_without_predict_cell_gets_a_synthesized_predict():
    result = split_nb(make_notebook(PARAMS, LOAD, CLEAN, TRAIN))
    predict = stages_of(result)["predict"]
    assert predict.synthesized and predict.cells == ()
    assert "model.predict(records)" in predict.body
    assert any("no predict step" in n for n in result.spec.notes)


def test_predict_statement_is_renamed_to_the_contract():
    cells = [
        PARAMS,
        LOAD,
        CLEAN,
        TRAIN,
        ("code", "import numpy as np\nout = np.round(model.predict_proba(X))", ["predict"]),
    ]
    result = split_nb(make_notebook(*cells))
    code = next(f for f in result.files if f.path.endswith("/predict.py")).content
    assert "def predict(model, records):" in code
    assert "out = np.round(model.predict_proba(records))" in code
    assert "from .train" not in code and "import train" not in code


@pytest.mark.parametrize(
    ("source", "expected", "note"),
    [
        # an expression keeping the frame's columns: predict() applies it to records
        ("preds = model.predict(X.to_numpy())", "preds = model.predict(records.to_numpy())", ""),
        (
            "preds = model.predict(X.fillna(0).values)",
            "preds = model.predict(records.fillna(0).values)",
            "",
        ),
        (
            'preds = model.predict_proba(X.astype("float64"))[:, 1]',
            'preds = model.predict_proba(records.astype("float64"))[:, 1]',
            "",
        ),
        # a reshaping (served records are shaped like the training features and lack the columns
        # it drops or picks), two upstream values, or a parameter predict() cannot see: the
        # synthesized predict, with a note saying why
        ('preds = model.predict(raw.drop(columns=["y"]))', None, "a reshaping of `raw`"),
        ("preds = model.predict(X[['a', 'b']])", None, "a reshaping of `X`"),
        ("preds = model.predict(X.head(seed))", None, "a reshaping of `X`"),
        ("preds = model.predict(X[cols])", None, "also needs X, cols"),
        ("preds = model.predict(X.fillna(seed))", None, "also needs seed"),
        ("preds = model.predict(X) * seed", None, "also needs seed"),
    ],
)
def test_predict_on_an_expression(source, expected, note):
    clean = ("code", "X = raw.drop(columns=['y'])\ny = raw['y']\ncols = ['a']", ["clean"])
    cells = [PARAMS, LOAD, clean, TRAIN, ("code", source, ["predict"])]
    result = split_nb(make_notebook(*cells))
    code = next(f for f in result.files if f.path.endswith("/predict.py")).content
    predict = stages_of(result)["predict"]
    if expected is None:
        assert predict.synthesized and "predictions = model.predict(records)" in code
        assert any(note in n for n in result.spec.notes), result.spec.notes
    else:
        assert not predict.synthesized and predict.cells == (4,)
        assert "def predict(model, records):" in code and f"    {expected}\n" in code
        assert result.spec.records_name == "X"


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        # a clean cell reading the model trained later: a cycle
        (
            [
                PARAMS,
                LOAD,
                TRAIN,
                (
                    "code",
                    "X = raw.drop(columns=['y'])\ny = raw['y']\nz = model.predict(X)",
                    ["clean"],
                ),
                PREDICT,
            ],
            "reads `model` from train cell",
        ),
        # used before defined
        (
            [
                PARAMS,
                LOAD,
                ("code", "X = helper(raw)\ny = raw['y']", ["clean"]),
                ("code", "def helper(d):\n    return d", ["clean"]),
                TRAIN,
                PREDICT,
            ],
            "uses `helper` before it is defined",
        ),
        # never defined at all (hidden state)
        (
            [PARAMS, LOAD, ("code", "X = raw[cols]\ny = raw['y']", ["clean"]), TRAIN, PREDICT],
            "`cols`, which no cell defines",
        ),
        # predict reads a name only an exploration cell defines
        (
            [
                PARAMS,
                LOAD,
                CLEAN,
                TRAIN,
                ("code", "X_new = X.sample(5)", ["skip"]),
                ("code", "p = model.predict(X_new)", ["predict"]),
            ],
            "predict cell 5 reads `X_new`, which only exploration cell 4 (tagged 'skip') defines",
        ),
        # predict needs a training-only value other than the model
        (
            [
                PARAMS,
                LOAD,
                CLEAN,
                (
                    "code",
                    "from sklearn.preprocessing import StandardScaler\nfrom sklearn.linear_model import LogisticRegression\nscaler = StandardScaler().fit(X)\nmodel = LogisticRegression().fit(scaler.transform(X), y)",
                    ["train"],
                ),
                ("code", "p = model.predict(scaler.transform(X))", ["predict"]),
            ],
            "needs training-only value(s) `scaler` besides the model `model`",
        ),
        # a stage with no production code
        (
            [
                PARAMS,
                LOAD,
                ("code", "raw.describe()", ["clean"]),
                (
                    "code",
                    "from sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression().fit(raw[['a']], raw['y'])",
                    ["train"],
                ),
            ],
            "stage 'clean' (cell 2) has no production code",
        ),
        # two stages exporting the same name
        (
            [
                PARAMS,
                ("code", "import pandas as pd\nraw = pd.read_csv(data_path)\nn = 1", ["load"]),
                ("code", "X = raw.drop(columns=['y']) * n\ny = raw['y']", ["clean"]),
                (
                    "code",
                    "from sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression().fit(X, y)\nn = 2",
                    ["train"],
                ),
                ("code", "p = model.predict(X)\nq = p * n", ["predict"]),
            ],
            "`n` is defined by load (cell 1) and again by train (cell 3)",
        ),
        # no tags at all: suggestions listed
        (
            [
                ("code", "import pandas as pd\nraw = pd.read_csv('d.csv')", ()),
                (
                    "code",
                    "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression().fit(raw[['a']], raw['y'])",
                    (),
                ),
            ],
            "without --no-infer-tags to apply the suggested ones: cell 0 -> load, cell 1 -> train",
        ),
    ],
)
def test_bad_splits_name_cells_and_names(cells, message):
    with pytest.raises(SplitError) as info:
        split_nb(make_notebook(*cells))
    text = str(info.value)
    assert any(part in text for part in message.split("|")), text
    assert info.value.location is not None


def test_infer_tags_applies_the_suggestions():
    nb = make_notebook(
        ("markdown", "# Churn\n\n## Load the data"),
        ("code", "import pandas as pd\nraw = pd.read_csv('d.csv')"),
        ("markdown", "## Features"),
        ("code", "X = raw[['a']]\ny = raw['y']"),
        ("markdown", "## Exploration"),
        ("code", "X.describe()"),
        (
            "code",
            "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression().fit(X, y)",
        ),
        ("code", "p = m.predict(X)"),
    )
    result = split_nb(nb, Options(infer_tags=True), sizes={"d.csv": 10})
    tags = {s.cell_index: s.tag for s in result.suggestions}
    assert tags == {1: "load", 3: "clean", 5: "skip", 6: "train", 7: "predict"}
    assert [s.name for s in result.spec.stages] == ["load", "clean", "train", "predict"]
    assert result.spec.model_name == "m"


def test_generated_files_are_deterministic():
    nb = make_notebook(PARAMS, LOAD, CLEAN, TRAIN, PREDICT)
    first = split_nb(nb).files
    second = split_nb(nb).files
    assert first == second


def test_grid_search_best_estimator_is_the_model_and_helpers_are_module_functions():
    cells = [
        ("code", "%matplotlib inline\nimport pandas as pd", ()),
        ("code", "DATA = 'telco.csv'\nSEED = 7", ["parameters"]),
        ("code", "df = pd.read_csv(DATA)", ["load"]),
        (
            "code",
            "def to_number(series):\n    return pd.to_numeric(series, errors='coerce')\n\n"
            "df['Total'] = to_number(df['Total'])\nX = df.drop(columns='y')\ny = df['y']",
            ["clean"],
        ),
        (
            "code",
            "from sklearn.model_selection import GridSearchCV\n"
            "from sklearn.ensemble import RandomForestClassifier\n"
            "grid = GridSearchCV(RandomForestClassifier(random_state=SEED), {'max_depth': [3]})\n"
            "grid.fit(X, y)\nbest = grid.best_estimator_",
            ["train"],
        ),
        ("code", "y_pred = best.predict(X)\nshare = y_pred.mean()", ["predict"]),
    ]
    result = split_nb(make_notebook(*cells), sizes={"telco.csv": 10})
    spec = result.spec
    assert (spec.model_name, spec.features_name, spec.target_name) == ("best", "X", "y")
    assert spec.predictions_name == "y_pred" and spec.metrics == ("share",)
    assert stages_of(result)["train"].outputs == ("best",)
    clean = next(f.content for f in result.files if f.path == "src/nb/clean.py")
    assert clean.index("def to_number(series):") < clean.index("def clean(df):")


def test_a_stage_whose_values_nobody_uses_still_gets_a_task_product():
    cells = [
        PARAMS,
        LOAD,
        ("code", "summary = raw.mean()", ["clean"]),
        (
            "code",
            "from sklearn.linear_model import LogisticRegression\nX = raw[['a']]\n"
            "model = LogisticRegression().fit(X, raw['y'])",
            ["train"],
        ),
    ]
    result = split_nb(make_notebook(*cells))
    assert stages_of(result)["clean"].outputs == ()
    pipeline = next(f.content for f in result.files if f.path == "pipeline.yaml")
    assert "done: products/clean/done.pkl" in pipeline
    tasks = next(f.content for f in result.files if f.path == "src/nb/tasks.py")
    assert 'done = run_clean(raw=raw)\n    _write(done, product["done"])' in tasks


def test_model_built_in_clean_and_fitted_in_train_leaves_train():
    cells = [
        PARAMS,
        LOAD,
        (
            "code",
            "from sklearn.linear_model import LogisticRegression\nX = raw[['a']]\n"
            "y = raw['y']\nmodel = LogisticRegression()",
            ["clean"],
        ),
        ("code", "model.fit(X, y)", ["train"]),
        PREDICT,
    ]
    result = split_nb(make_notebook(*cells))
    assert "model" in stages_of(result)["train"].outputs
    assert stages_of(result)["train"].inputs == ("model", "X", "y")


def test_a_notebook_that_only_evaluates_a_saved_model_says_so():
    evaluate = (
        "def evaluate(data_path, model_path):\n"
        "    data = np.load(data_path)\n"
        "    model = joblib.load(model_path)\n"
        "    print(model.predict(data['X']))\n\n"
        "evaluate('data.npz', 'model.pkl')"
    )
    nb = make_notebook("import numpy as np\nimport joblib", evaluate)
    with pytest.raises(SplitError) as info:
        split_nb(nb, Options(infer_tags=True))
    assert "no cell trains a model: cell 1 loads one already trained" in info.value.message
    assert "`joblib.load(model_path)`" in info.value.message
    assert (info.value.location.cell_index, info.value.location.line) == (1, 3)


def test_a_notebook_that_only_cross_validates_is_told_to_fit_the_model_it_serves():
    cells = (
        "import pandas as pd\nfrom sklearn.model_selection import KFold, cross_val_score\n"
        "from sklearn.ensemble import AdaBoostClassifier\n"
        "rows = pd.read_csv('visits.csv').values\nX = rows[:, :4]\nY = rows[:, 4]",
        "booster = AdaBoostClassifier(n_estimators=10, random_state=1)\n"
        "scores = cross_val_score(booster, X, Y, cv=KFold(5))\nprint(scores.mean())",
    )
    with pytest.raises(SplitError) as caught:
        split_nb(make_notebook(*cells), Options(infer_tags=True))
    message = caught.value.message
    assert message.startswith("no cell trains a model: cell 1 line 2 only cross-validates")
    assert "`booster.fit(X, Y)`" in message
    assert (caught.value.location.cell_index, caught.value.location.line) == (1, 2)
