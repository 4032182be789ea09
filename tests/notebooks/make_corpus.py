"""Regenerate the lint corpus: ``python -m tests.notebooks.make_corpus`` from the repo root.

Each notebook plants specific defects; tests/lint/test_corpus.py lists the findings expected.
"""

from pathlib import Path

import nbformat

from tests.conftest import make_notebook

OUT = Path(__file__).parent


def save(nb, name):
    nbformat.validate(nb)
    nbformat.write(nb, OUT / name)


def stream(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def result(text, count):
    return nbformat.v4.new_output(
        "execute_result", data={"text/plain": text}, execution_count=count
    )


# hidden_state: run out of order, a cell skipped, names from cells below
nb = make_notebook(
    "import pandas as pd",
    'df = pd.read_csv("data.csv")\nfeatures = clean_columns(df)',
    "def clean_columns(frame):\n    return frame.dropna()",
    "threshold = 0.5",
    "labels = features[features.score > threshold]",
    "print(len(labels))",
)
for i, c in zip(range(6), [1, 6, 2, None, 5, 9], strict=True):
    nb.cells[i].execution_count = c
save(nb, "hidden_state.ipynb")

# out_of_order: stage tags that go backwards, a typo, an untagged helper
nb = make_notebook(
    ("markdown", "# Churn"),
    ("code", "import pandas as pd", ["load"]),
    ("code", 'raw = pd.read_csv("data/churn.csv")', ["load"]),
    ("code", 'target = "churn"', []),
    ("code", "model = fit(raw, target)", ["trian"]),
    ("code", "predictions = model.predict(raw)", ["predict"]),
    ("code", "def fit(frame, column):\n    return frame[column]", ["train"]),
    ("code", "raw.head()", ["clean", "skip"]),
)
save(nb, "out_of_order.ipynb")

# secrets_in_outputs: a key in the source, a token printed, customers' data displayed
nb = make_notebook(
    'import os\n\nAPI_TOKEN = "ghp_4TqY0mRk2sLw8Zc6Vn1Hb3Jd5Fx7Pa9Ue0Yi"',
    'print(os.environ.get("AWS_ACCESS_KEY_ID"))',
    "from crm import load_customers\n\ncustomers = load_customers()\ncustomers.head()",
    'print("done")',
    executed=True,
)
nb.cells[1].outputs = [stream("AKIAJ3MBXQ2ZH7T4KD5Q\n")]
nb.cells[2].outputs = [
    result(
        "   name          email                 phone             iban\n"
        "0  Ann Lee   ann.lee@mailbox.org   +44 20 7946 0958  GB82 WEST 1234 5698 7654 32\n",
        3,
    )
]
nb.cells[3].outputs = [stream("done\n")]
save(nb, "secrets_in_outputs.ipynb")

# magics: every kind of IPython-only line
nb = make_notebook(
    "!pip install -q xgboost==2.1.1\n%pip install seaborn\nimport seaborn as sns",
    "%cd /home/ann/project\n%run helpers.py",
    "files = !ls data\n%matplotlib inline\nprint(files)",
    "%%bash\necho hello",
    "sns.set_theme()",
)
save(nb, "magics.ipynb")

# unseeded: results change on every run
nb = make_notebook(
    "import numpy as np\nimport random\nfrom sklearn.ensemble import RandomForestClassifier\n"
    "from sklearn.model_selection import KFold, train_test_split",
    "X = np.random.rand(100, 3)\ny = (X[:, 0] > 0.5).astype(int)\nrandom.shuffle([1, 2, 3])",
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25)",
    "model = RandomForestClassifier(n_estimators=50)\ncv = KFold(5, shuffle=True)\n"
    "model.fit(X_train, y_train)\nprint(cv, model.score(X_test, y_test))",
)
save(nb, "unseeded.ipynb")

# hardcoded_paths: absolute, Windows and home paths; one allowed by configuration
nb = make_notebook(
    "import pandas as pd",
    'train = pd.read_csv("/data/shared/train.csv")\ntest = pd.read_csv(r"C:\\Users\\ann\\test.csv")',
    'out = "~/results/predictions.csv"\nroute = "/api/predict"\nrel = "data/local.csv"',
    'cache = "/opt/models/cache.pkl"\nprint(train, test, out, route, rel, cache)',
)
save(nb, "hardcoded_paths.ipynb")

# broken_cell: a cell that does not parse and a saved traceback
nb = make_notebook(
    "import math",
    "def area(r):\n    return math.pi * r ** 2\n\nprint(area(2)",
    "ratio = 1 / 0",
    executed=True,
)
nb.cells[2].outputs = [
    nbformat.v4.new_output(
        "error",
        ename="ZeroDivisionError",
        evalue="division by zero",
        traceback=["ZeroDivisionError"],
    )
]
save(nb, "broken_cell.ipynb")

# style: black and pyflakes-class problems (unused import, redefinition, f-string)
nb = make_notebook(
    "import os\nimport json\nimport json",
    "values = {'a':1,'b':2}\nprint(f'values')",
    "def total(d):\n    unused = 3\n    return sum(d.values())",
    "print(total(values))",
)
save(nb, "style.ipynb")

# clean: a small tagged pipeline with nothing to report
nb = make_notebook(
    ("markdown", "# A clean notebook"),
    ("code", 'SEED = 0\nDATA = "data/values.csv"', ["parameters"]),
    (
        "code",
        'import pandas as pd\n\nraw = pd.DataFrame({"x": [1, 2, 3], "y": [2, 4, 6]})',
        ["load"],
    ),
    ("code", "df = raw.dropna()", ["clean"]),
    (
        "code",
        'from sklearn.linear_model import LinearRegression\n\nmodel = LinearRegression().fit(df[["x"]], df["y"])',
        ["train"],
    ),
    ("code", 'prediction = model.predict(df[["x"]])\nprint(prediction)', ["predict"]),
    executed=True,
)
save(nb, "clean.ipynb")
