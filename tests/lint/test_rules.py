"""Table-driven rule tests: notebook built in memory -> exact (rule, cell, line) findings."""

from __future__ import annotations

import pytest

from productionize.core.lint import lint
from productionize.core.notebook import notebook_from_dict
from productionize.core.rules import RULES
from productionize.model import Severity
from productionize.options import Options
from tests.conftest import make_notebook


def run(cells, select, executed=False, counts=None, outputs=None, **options):
    nb = make_notebook(*cells, executed=executed)
    for index, count in (counts or {}).items():
        nb.cells[index].execution_count = count
    for index, outs in (outputs or {}).items():
        nb.cells[index].outputs = outs
    notebook, _ = notebook_from_dict(nb, "nb.ipynb")
    findings = lint(notebook, Options(select=tuple(select.split(",")), **options))
    return [(f.rule, f.location.cell_index, f.location.line) for f in findings], findings


def stream(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


def result(text):
    return {
        "output_type": "execute_result",
        "execution_count": 1,
        "metadata": {},
        "data": {"text/plain": text},
    }


def rich(data):
    return {"output_type": "display_data", "metadata": {}, "data": data}


KAGGLE_KEY = "2ac298547b3f07e56d1f297644fd12de"  # made up, the shape of a Kaggle API key
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJ"
    "RU5ErkJggg==\n"
) * 20
HEAD_HTML = (
    '<div><table border="1" class="dataframe"><thead><tr><th></th><th>key</th>'
    "<th>token</th><th>user_id</th></tr></thead><tbody>"
    "<tr><th>0</th><td>9e107d9d372bb6826bd81d3542a419d6</td><td>aB3dE5fG7hJ9kL1mN3pQ5rS7</td>"
    "<td>123456789012345678</td></tr></tbody></table></div>"
)
HEAD_TEXT = (
    "                                key                   token             user_id\n"
    "0  9e107d9d372bb6826bd81d3542a419d6  aB3dE5fG7hJ9kL1mN3pQ5rS7  123456789012345678\n"
    "1  3f2504e0-4f89-11d3-9a0c-0305e82c3301  c0ffee  987654321098765432"
)

CONFIG_TEXT = "<IPython.core.display.HTML object>"
CONFIG_HTML = "<table><tr><th>setting</th></tr>" f"<tr><td>api_key={KAGGLE_KEY}</td></tr></table>"
PLOT_HTML = (
    '<div id="plot" data-token="2ac298547b3f07e56d1f297644fd12de"></div><script>'
    f'Plotly.newPlot("plot", {{"key": "{KAGGLE_KEY}", "token": "aB3dE5fG7hJ9kL1mN3pQ5rS7"}})'
    "</script>"
)

CASES = [
    # -- PN1xx execution order -----------------------------------------------------------
    ("in order", ["a = 1", "b = a"], "PN1", {"counts": {0: 1, 1: 2}}, []),
    (
        "out of order",
        ["a = 1", "b = 2", "c = 3"],
        "PN101",
        {"counts": {0: 1, 1: 3, 2: 2}},
        [("PN101", 2, None)],
    ),
    (
        "skipped cell",
        ["a = 1", "b = 2", "c = 3"],
        "PN102",
        {"counts": {0: 1, 2: 2}},
        [("PN102", 1, None)],
    ),
    ("never executed", ["a = 1", "b = 2"], "PN1", {}, []),
    (
        "never-run cells are one finding at the first",
        ["a = 1", "b = 2", "c = 3", "d = 4", "e = 5"],
        "PN102",
        {"counts": {0: 1, 4: 2}},
        [("PN102", 1, None)],
    ),
    ("gap", ["a = 1", "b = 2"], "PN103", {"counts": {0: 1, 1: 4}}, [("PN103", 1, None)]),
    (
        "repeated cell changing a value twice",
        [
            "df = load()\nn = 0",
            "df['text'] = df['title'] + ' ' + df['text']\nn += 1\n",
            "df.head()",
            "df['text'] = df['title'] + ' ' + df['text']\nn += 1",
            "df.head()",
            "model = fit(df)",
            "model = fit(df)",
        ],
        "PN104",
        {},
        [("PN104", 3, None)],
    ),
    ("late start", ["a = 1", "b = 2"], "PN103", {"counts": {0: 3, 1: 4}}, [("PN103", 0, None)]),
    (
        "run with many gaps is one finding at the first gap",
        ["a = 1", "b = 2", "c = 3", "d = 4", "e = 5", "f = 6"],
        "PN103",
        {"counts": {0: 2, 1: 5, 2: 9, 3: 12, 4: 14, 5: 20}},
        [("PN103", 0, None)],
    ),
    (
        "cells run out of order are one finding at the first",
        ["a = 1", "b = 2", "c = 3", "d = 4"],
        "PN101",
        {"counts": {0: 5, 1: 1, 2: 6, 3: 2}},
        [("PN101", 1, None)],
    ),
    (
        "out of order and gaps say different things",
        ["a = 1", "b = 2", "c = 3"],
        "PN1",
        {"counts": {0: 1, 1: 5, 2: 3}},
        [("PN101", 2, None), ("PN103", 2, None)],
    ),
    (
        "gap with reordering",
        ["a = 1", "b = 2", "c = 3"],
        "PN103",
        {"counts": {0: 1, 1: 3, 2: 2}},
        [],
    ),
    # -- PN2xx dataflow --------------------------------------------------------------------
    ("defined above", ["x = 1", "y = x + 1"], "PN2", {}, []),
    ("defined below", ["y = x + 1", "x = 1"], "PN201", {}, [("PN201", 0, 1)]),
    ("never defined", ["a = 1", "print(a)\nb = undefined_name"], "PN201", {}, [("PN201", 1, 2)]),
    ("builtins are defined", ["print(len([1]))"], "PN201", {}, []),
    (
        "function looks up later",
        ["def f():\n    return model", "model = 1", "f()"],
        "PN201",
        {},
        [],
    ),
    ("function never defined", ["def f():\n    return nothing"], "PN201", {}, [("PN201", 0, 2)]),
    ("deleted then used", ["x = 1\ndel x", "print(x)"], "PN201", {}, [("PN201", 1, 1)]),
    ("augmented assign reads", ["total += 1"], "PN201", {}, [("PN201", 0, 1)]),
    ("comprehension variable", ["ys = [v for v in range(3)]"], "PN201", {}, []),
    (
        "names of a cell that does not parse: PN302 says it once",
        ["model = fit(X_train y_train)\nscore = 1", "print(model, score)"],
        "PN201",
        {},
        [],
    ),
    (
        "a name the broken cell never mentions is still undefined",
        ["model = fit(X_train y_train)", "print(model, other)"],
        "PN201",
        {},
        [("PN201", 1, 1)],
    ),
    (
        "a broken cell below does not excuse a use above",
        ["print(model)", "model = fit(X_train y_train)"],
        "PN201",
        {},
        [("PN201", 0, 1)],
    ),
    (
        "star import: a warning naming it",
        ["from math import *", "print(pi)"],
        "PN201",
        {},
        [("PN201", 1, 1)],
    ),
    (
        "redefined across stages",
        [("code", "model = 1", ["train"]), ("code", "model = 'v2'", ["predict"])],
        "PN202",
        {},
        [("PN202", 1, 1)],
    ),
    (
        "derived across stages is fine",
        [("code", "df = 1", ["load"]), ("code", "df = df + 1", ["clean"])],
        "PN202",
        {},
        [],
    ),
    (
        "chained inplace on a column",
        [
            'df["Age"].fillna(df["Age"].median(), inplace=True)',
            "df.Age.replace(0, 1, inplace=True)",
        ],
        "PN203",
        {},
        [("PN203", 0, 1), ("PN203", 1, 1)],
    ),
    (
        "chained inplace through .loc and inside a block",
        ["for d in frames:\n    d.loc[d.a > 1, 'b'].fillna(0, inplace=True)"],
        "PN203",
        {},
        [("PN203", 0, 2)],
    ),
    (
        "inplace on a plain name, inplace=False, layers and self are fine",
        [
            "import torch\ndf.fillna(0, inplace=True)\ndf['a'].fillna(0, inplace=False)",
            "m = torch.nn.ReLU(inplace=True)\nlayer = nn.Dropout(inplace=True)",
            "self.df.fillna(0, inplace=True)",
        ],
        "PN203",
        {},
        [],
    ),
    (
        "fillna with a method",
        [
            "df = df.fillna(method='ffill')\ns = df['a'].fillna(method='bfill', limit=2)",
            "train = train.fillna(value=0, method=None)",
            "df.fillna(method=how)",
        ],
        "PN204",
        {},
        [("PN204", 0, 1), ("PN204", 0, 2), ("PN204", 1, 1), ("PN204", 2, 1)],
    ),
    (
        "fillna without a method, ffill itself",
        ["df = df.fillna(0)\ndf = df.ffill()", "frames.fillna(value=0)"],
        "PN204",
        {},
        [],
    ),
    (
        "numeric reductions on a table read from a file",
        [
            "import pandas as pd\ntrain = pd.read_csv('train.csv')",
            "train.corr()\nm = train.mean()\nok = train.mean(numeric_only=True)",
            "age = train['Age'].mean()\nq = train.quantile(0.5)\nother.corr()",
        ],
        "PN205",
        {},
        [("PN205", 1, 1), ("PN205", 1, 2)],
    ),
    (
        "numeric reductions on a copy of a table read from a file",
        [
            "import pandas as pd\ndata = pd.read_csv('loans.csv')\ndf = data.copy()",
            "df.drop(columns='Loan_ID', inplace=True)\ncorrelation = df.corr()",
            "rows = df.dropna()\nrows.mean()\nenc = pd.get_dummies(df)\nenc.corr()",
        ],
        "PN205",
        {},
        [("PN205", 1, 2), ("PN205", 2, 2)],
    ),
    (
        "every text column label-encoded by dtype before corr()",
        [
            "import pandas as pd\nstroke = pd.read_csv('stroke.csv')",
            "cat_cols = stroke.select_dtypes(include='object').columns\n"
            "for c in cat_cols:\n    stroke[c] = le.fit_transform(stroke[c])",
            "stroke.corr()",
            "for c in stroke.columns:\n    if stroke[c].dtype in ('O', 'str'):\n"
            "        stroke[c] = stroke[c].astype('category').cat.codes\nstroke.mean()",
            "df = pd.read_csv('d.csv')\ndf = pd.get_dummies(df, drop_first=True)\ndf.corr()",
        ],
        "PN205",
        {},
        [],
    ),
    (
        "a loop testing dtype == 'O' skips pandas 3's str columns (PN206): they keep their text",
        [
            "import pandas as pd\nstroke = pd.read_csv('stroke.csv')",
            "for c in stroke.columns:\n    if stroke[c].dtype == 'O':\n"
            "        stroke[c] = stroke[c].astype('category').cat.codes\nstroke.mean()",
        ],
        "PN205",
        {},
        [("PN205", 1, 4)],
    ),
    (
        "a conversion after the call, or of some columns only, does not count",
        [
            "import pandas as pd\nstroke = pd.read_csv('stroke.csv')\nstroke.corr()",
            "for c in stroke.columns:\n    if c != 'id':\n"
            "        stroke[c] = le.fit_transform(stroke[c])\nstroke.mean()",
            "for c in stroke.select_dtypes(include='object').columns:\n"
            "    stroke[c] = le.fit_transform(stroke[c])",
        ],
        "PN205",
        {},
        [("PN205", 0, 3), ("PN205", 1, 4)],
    ),
    (
        "numpy reductions of a table: one number since pandas 2",
        [
            "import numpy as np\nimport pandas as pd\nraw = pd.read_csv('beats.csv')",
            "parts = [raw, pd.get_dummies(raw['kind'])]\nwide = pd.concat(parts, axis=1)\n"
            "feats = wide.drop(['label'], axis=1)",
            "scaled = (feats - np.min(feats)) / (np.max(feats) - np.min(feats))",
            "arr = feats.to_numpy()\nlo = np.min(arr)\ncol = np.max(raw['bpm'])\n"
            "ok = np.min(feats, axis=0)",
        ],
        "PN210",
        {},
        [("PN210", 2, 1), ("PN210", 2, 1), ("PN210", 2, 1)],
    ),
    (
        "scikit-learn modules that were removed",
        [
            "from sklearn.cross_validation import train_test_split\n"
            "from sklearn.grid_search import GridSearchCV as GS\n"
            "from sklearn.model_selection import KFold",
            "from sklearn.externals import joblib\nfrom sklearn.externals import six\nimport joblib",
        ],
        "PN211",
        {},
        [("PN211", 0, 1), ("PN211", 0, 2), ("PN211", 1, 1)],
    ),
    (
        "a column's dtype compared with object to find text columns",
        [
            "cats = [c for c in df.columns if df[c].dtypes == 'O']\nnums = df.Age.dtype != object",
            "if df[col].dtype == 'object':\n    df[col] = df[col].astype('category')",
            "mask = df.dtypes == 'object'\nok = df[c].dtype == 'int64'\nalso = df[c].dtype == 'str'",
        ],
        "PN206",
        {},
        [("PN206", 0, 1), ("PN206", 0, 2), ("PN206", 1, 1), ("PN206", 2, 1)],
    ),
    (
        "chained assignment on a table read from a file",
        [
            "import pandas as pd\ntrain = pd.read_csv('train.csv')\nconf = {'a': {}}",
            "train['Age'][train['Age'].isna()] = 28\ntrain.Fare[train.Fare > 500] = 500",
            "train.loc[train.Age > 80, 'Age'] = 80\ntrain['Age'] = train['Age'].fillna(0)\n"
            "conf['a']['b'] = 1\ntrain['Cabin'][:5] = 'X'",
        ],
        "PN207",
        {},
        [("PN207", 1, 1), ("PN207", 1, 2)],
    ),
    # -- PN3xx errors and syntax -----------------------------------------------------------
    (
        "error output",
        ["1 / 0"],
        "PN301",
        {
            "outputs": {
                0: [
                    {
                        "output_type": "error",
                        "ename": "ZeroDivisionError",
                        "evalue": "division by zero",
                        "traceback": [],
                    }
                ]
            }
        },
        [("PN301", 0, None)],
    ),
    ("syntax error", ["a = 1\nfor x in y print(x)"], "PN302", {}, [("PN302", 0, 2)]),
    ("too deep for the parser", ["x = " + "+".join(["1"] * 5000)], "PN302", {}, [("PN302", 0, 1)]),
    ("too deep for analysis", ["x = a" + ".b" * 800], "PN302", {}, [("PN302", 0, 1)]),
    ("magics are not syntax errors", ["%matplotlib inline\nx = 1"], "PN302", {}, []),
    # -- PN4xx magics ----------------------------------------------------------------------
    ("pip install", ["import os\n!pip install -q pandas"], "PN4", {}, [("PN401", 0, 2)]),
    ("percent pip", ["%pip install requests"], "PN4", {}, [("PN401", 0, 1)]),
    # IPython's automagic: no % needed, and the cell is not a syntax error
    ("automagic pip", ["pip install nltk"], "PN302,PN4", {}, [("PN401", 0, 1)]),
    ("automagic cd", ["cd /content/drive/MyDrive\nx = 1"], "PN302,PN4", {}, [("PN402", 0, 1)]),
    (
        "shell alias",
        ["import os\nls -la\nmkdir out"],
        "PN302,PN4",
        {},
        [("PN404", 0, 2), ("PN404", 0, 3)],
    ),
    ("cd magic", ["%cd /tmp"], "PN402", {}, [("PN402", 0, 1)]),
    ("os.chdir", ["import os\nos.chdir('data')"], "PN402", {}, [("PN402", 0, 2)]),
    ("run magic", ["%run helpers.py"], "PN403", {}, [("PN403", 0, 1)]),
    ("shell escape", ["files = !ls\nx = 1"], "PN404", {}, [("PN404", 0, 1)]),
    ("bash cell", ["%%bash\necho hi"], "PN404", {}, [("PN404", 0, 1)]),
    (
        "numpy removed aliases",
        [
            "import numpy as np\nnp.float64(1.0)",
            "x = np.float(args.C)\ny = df.astype(np.int)\nz = np.floating",
            "np.float = float\nimport math\nmath.float = 1",
        ],
        "PN208",
        {},
        [("PN208", 1, 1), ("PN208", 1, 2)],
    ),
    (
        "positional drop axis",
        ["x = data.drop('DEATH_EVENT', 1)\ny = df.drop(['a'], axis=1)\nz = sdf.drop('a', 'b')"],
        "PN209",
        {},
        [("PN209", 0, 1)],
    ),
    (
        "axis beside columns= in drop",
        [
            "X = heart.drop(columns='target', axis=1)\nY = heart['target']",
            "a = df.drop(index=[0, 1], axis=0)\nb = df.drop(columns=['a'])\nc = df.drop('a', axis=1)",
        ],
        "PN209",
        {},
        [("PN209", 0, 1), ("PN209", 1, 1)],
    ),
    (
        "scikit-learn calls that stopped working",
        [
            "from sklearn.feature_extraction.text import CountVectorizer, ENGLISH_STOP_WORDS\n"
            "from sklearn.feature_extraction import text",
            "vect = CountVectorizer(stop_words=ENGLISH_STOP_WORDS)\ntokens = vect.get_feature_names()",
            "v2 = CountVectorizer(stop_words=text.ENGLISH_STOP_WORDS.union(['rt']))\n"
            "v3 = CountVectorizer(stop_words=set(words))\nv4 = CountVectorizer(stop_words='english')",
            "v5 = CountVectorizer(stop_words=list(ENGLISH_STOP_WORDS))\nnames = v5.get_feature_names_out()",
        ],
        "PN212",
        {},
        [("PN212", 1, 1), ("PN212", 1, 2), ("PN212", 2, 1), ("PN212", 2, 2)],
    ),
    (
        "pandas API removed in pandas 2 and 3",
        [
            "import pandas as pd\ndata = pd.read_csv('sales.csv', parse_dates=['date'])",
            "counts = pd.value_counts(data['Class'], sort=True)\ndata['week'] = data.date.dt.weekofyear",
            "monthly = data.set_index('date').resample('M').sum()\nhourly = ts.resample('2H').mean()\n"
            "days = pd.date_range('2020-01-01', periods=3, freq='D')",
            "data = data.append({'Class': 1}, ignore_index=True)\nfirst = ts_log.ix[0]\n"
            "rows = []\nrows.append(1)\nperiods = data.date.dt.to_period('M')",
        ],
        "PN213",
        {},
        [
            ("PN213", 1, 1),
            ("PN213", 1, 2),
            ("PN213", 2, 1),
            ("PN213", 2, 2),
            ("PN213", 3, 1),
            ("PN213", 3, 2),
        ],
    ),
    ("display magic", ["%matplotlib inline"], "PN4", {}, [("PN405", 0, 1)]),
    (
        "waits for a person",
        [
            "name = input('Your name: ')\nimport getpass\nkey = getpass.getpass('Key: ')",
            "from google.colab import files\nuploaded = files.upload()",
            "from google.colab import drive\ndrive.mount('/content/drive')",
            "import keras\nx = keras.Input(shape=(3,))\nfiles = {}\nfiles.upload = 1",
        ],
        "PN406",
        {},
        [("PN406", 0, 1), ("PN406", 0, 3), ("PN406", 1, 2)],
    ),
    (
        "reads the kernel's command line",
        [
            "import argparse\nparser = argparse.ArgumentParser()\nargs = parser.parse_args()",
            "import sys\nname = sys.argv[0]\npath = sys.argv[1]\nrest = sys.argv[1:]",
            "opts = ap.parse_args([])\nopts = ap.parse_args(args=[])\nopts = ap.parse_args(argv)",
            "known, _ = ap.parse_known_args()\nn = len(sys.argv)\nx = other.argv[1]",
            "def main():\n    return ArgumentParser().parse_args()",
        ],
        "PN407",
        {},
        [("PN407", 0, 3), ("PN407", 1, 3), ("PN407", 1, 4), ("PN407", 3, 2), ("PN407", 4, 2)],
    ),
    (
        "sys.argv used whole",
        [
            "import sys\nargs = sys.argv\nif len(sys.argv) > 1:\n    mode = 'cli'",
            "for a in sys.argv[1:]:\n    print(a)\nprint(' '.join(sys.argv))",
            "from sys import argv as arguments\nfiles = arguments[1:]\ncount = len(arguments)",
            "sys.argv.append('--x')\ndel sys.argv[1:]\nname = sys.argv[0]",
        ],
        "PN407",
        {},
        [
            ("PN407", 0, 2),
            ("PN407", 0, 3),
            ("PN407", 1, 1),
            ("PN407", 1, 3),
            ("PN407", 2, 2),
            ("PN407", 2, 3),
        ],
    ),
    (
        "a notebook that sets sys.argv reads its own arguments below",
        [
            "import sys\nn = len(sys.argv)",
            "sys.argv = ['train.py', '--epochs', '3']",
            "args = parser.parse_args()\nepochs = sys.argv[2]",
        ],
        "PN407",
        {},
        [("PN407", 0, 2)],
    ),
    # -- PN5xx paths, secrets, personal data -----------------------------------------------
    ("absolute path", ["df = read('/data/churn.csv')"], "PN5", {}, [("PN501", 0, 1)]),
    ("windows path", ["df = read(r'D:\\\\share\\\\x.csv')"], "PN501", {}, [("PN501", 0, 1)]),
    ("url route is not a path", ["route = '/api/predict'"], "PN501", {}, []),
    ("colab mount point is not a data path", ["drive.mount('/content/drive')"], "PN501", {}, []),
    (
        "colab drive path",
        ["df = read('/content/drive/MyDrive/x.csv')"],
        "PN501",
        {},
        [("PN501", 0, 1)],
    ),
    (
        "kaggle's file listing is exploration, not a data path",
        [
            "import os\nfor dirname, _, filenames in os.walk('/kaggle/input'):\n"
            "    for filename in filenames:\n        print(os.path.join(dirname, filename))",
            "print(os.listdir('/kaggle/input'))",
        ],
        "PN501",
        {},
        [],
    ),
    (
        "kaggle data read is still reported",
        [
            "for dirname, _, filenames in os.walk('/kaggle/input'):\n    print(filenames)",
            "df = pd.read_csv('/kaggle/input/x/train.csv')",
        ],
        "PN501",
        {},
        [("PN501", 1, 1)],
    ),
    (
        "a walk that reads the files is reported",
        [
            "for d, _, names in os.walk('/kaggle/input'):\n"
            "    frames = [pd.read_csv(os.path.join(d, n)) for n in names]",
            "files = os.listdir('/data/images')",
        ],
        "PN501",
        {},
        [("PN501", 0, 1), ("PN501", 1, 1)],
    ),
    (
        "a listing between an allowed path and a data path in one cell",
        ["g = read('/data/x.csv')\nprint(os.listdir('/kaggle/input'))\n" "h = read('/mnt/y.csv')"],
        "PN501",
        {"allowed_paths": ("/data/",)},
        [("PN501", 0, 3)],
    ),
    ("relative path", ["df = read('data/churn.csv')"], "PN5", {}, []),
    (
        "home path",
        ["p = '~/datasets/x.csv'", "q = '/home/ann/x.csv'"],
        "PN502",
        {},
        [("PN502", 0, 1), ("PN502", 1, 1)],
    ),
    (
        "allowed path",
        ["df = read('/data/churn.csv')", "g = read('/mnt/x.csv')"],
        "PN501",
        {"allowed_paths": ("/data/",)},
        [("PN501", 1, 1)],
    ),
    ("aws key in source", ["x = 1\nkey = 'AKIAIOSFODNN7EXAMPLE'"], "PN503", {}, [("PN503", 0, 2)]),
    ("password in source", ["password = 'hunter2-correct-horse'"], "PN503", {}, [("PN503", 0, 1)]),
    (
        "key in markdown",
        [("markdown", "Use AKIAIOSFODNN7EXAMPLE"), "x = 1"],
        "PN503",
        {},
        [("PN503", 0, 1)],
    ),
    ("env lookup is fine", ["import os\nkey = os.environ['API_KEY']"], "PN503", {}, []),
    (
        "private key in output",
        ["print(k)"],
        "PN504",
        {"outputs": {0: [stream("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n")]}},
        [("PN504", 0, None)],
    ),
    (
        "keys printed after a keyword or in a known format",
        [
            "print('key:', k)",
            "print(creds)",
            "print(client.api_key)",
            "print(env)",
            "print(pw)",
            "print(KAGGLE_KEY)",
            "api_token = os.environ['TOKEN']\napi_token",
        ],
        "PN504",
        {
            "outputs": {
                0: [stream(f"key: {KAGGLE_KEY}\n")],
                1: [stream(f'{{"username":"ann","key":"{KAGGLE_KEY}"}}\n')],
                2: [stream("sk-Zq8Lr2Wv9Kx4Tb7Nm1Pc6Hd3Fj5Gs0Ay8Ue2Io4\n")],
                3: [stream("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE\n")],
                4: [stream("connecting with password: hunter2-correct\n")],
                5: [stream(f"{KAGGLE_KEY}\n")],
                6: [result(f"'{KAGGLE_KEY}'")],
            }
        },
        [
            ("PN504", 0, None),
            ("PN504", 1, None),
            ("PN504", 2, None),
            ("PN504", 3, None),
            ("PN504", 4, None),
            ("PN504", 5, None),
            ("PN504", 6, None),
        ],
    ),
    (
        "secrets shown in HTML outputs and letters-only passwords",
        ["show_config()", "df.head()", "print(f'password = {pw}')", "print(cfg)", "db_password"],
        "PN504",
        {
            "outputs": {
                0: [rich({"text/html": "<pre>user: ann\npassword: hunter2</pre>"})],
                1: [rich({"text/plain": CONFIG_TEXT, "text/html": CONFIG_HTML})],
                2: [stream("password = correcthorsebattery\n")],
                3: [stream("{'user': 'ann', 'password': 'correcthorsebattery'}\n")],
                4: [result("'correcthorsebattery'")],
            }
        },
        [
            ("PN504", 0, None),
            ("PN504", 1, None),
            ("PN504", 2, None),
            ("PN504", 3, None),
            ("PN504", 4, None),
        ],
    ),
    (
        "tables, plots, checksums and ids in outputs are not keys",
        [
            "df.head()",
            "df.plot()",
            "print(digest)",
            "!git log -1",
            "print(ids)",
            "print(tok)",
            "print(df.head())",
            "print(run_id)",
            "print(sha_key)",
            "print('cache key:', cache_key)",
            "fig.show()",
            "show_form()",
            "help(connect)",
        ],
        "PN504",
        {
            "outputs": {
                0: [
                    result(HEAD_TEXT) | {"data": {"text/plain": HEAD_TEXT, "text/html": HEAD_HTML}}
                ],
                1: [rich({"image/png": PNG, "text/plain": "<Figure size 640x480 with 1 Axes>"})],
                2: [
                    stream(
                        "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                        "md5 = 9e107d9d372bb6826bd81d3542a419d6\n"
                    )
                ],
                3: [stream("commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nAuthor: Ann\n")],
                4: [
                    stream(
                        "run_id: 3f2504e0-4f89-11d3-9a0c-0305e82c3301\n"
                        "key: 3f2504e0-4f89-11d3-9a0c-0305e82c3301\ntoken: 50256\n"
                    )
                ],
                5: [
                    stream(
                        "eos token: 50256\npassword: ********\nkey: value_abc\n"
                        "Your Kaggle API key is readable by other users\n"
                        "state_dict key: layer1.0.conv1.weight\n"
                    )
                ],
                6: [stream(HEAD_TEXT)],
                7: [stream("9e107d9d372bb6826bd81d3542a419d6\n")],
                8: [stream("4b825dc642cb6eb9a060e54bf8d69288fbee4904\n")],
                9: [stream("cache key: 5d41402abc4b2a76b9719d911017c592\n")],
                10: [rich({"text/plain": "<Figure>", "text/html": PLOT_HTML})],
                11: [rich({"text/html": "<p>password: required</p><p>password is invalid</p>"})],
                12: [stream("password: Optional[str] = None\n")],
            }
        },
        [],
    ),
    (
        "email in output",
        ["df.head()"],
        "PN505",
        {"outputs": {0: [result("   name  email\n0  Ann  ann.lee@mailbox.org\n")]}},
        [("PN505", 0, None)],
    ),
    (
        "documentation email is fine",
        ["df.head()"],
        "PN505",
        {"outputs": {0: [result("contact: someone@example.com")]}},
        [],
    ),
    (
        "iban in output",
        ["df.head()"],
        "PN505",
        {"outputs": {0: [result("0  DE89 3704 0044 0532 0130 00\n")]}},
        [("PN505", 0, None)],
    ),
    (
        "invalid iban checksum",
        ["df.head()"],
        "PN505",
        {"outputs": {0: [result("0  DE00 3704 0044 0532 0130 00\n")]}},
        [],
    ),
    (
        "phone in output",
        ["df.head()"],
        "PN505",
        {"outputs": {0: [stream("call +1 415 555 0132 now")]}},
        [("PN505", 0, None)],
    ),
    (
        "numbers are not phones",
        ["df.describe()"],
        "PN505",
        {"outputs": {0: [result("mean  0.734512  1234.5678\nstd   12345678.9\n2024-01-31")]}},
        [],
    ),
    # -- PN6xx randomness ------------------------------------------------------------------
    ("split without seed", ["a, b = train_test_split(X)"], "PN601", {}, [("PN601", 0, 1)]),
    ("split with seed", ["a, b = train_test_split(X, random_state=0)"], "PN601", {}, []),
    (
        "forest without seed",
        ["m = RandomForestClassifier(n_estimators=10)"],
        "PN601",
        {},
        [("PN601", 0, 1)],
    ),
    ("pandas sample", ["s = df.sample(frac=0.5)"], "PN601", {}, [("PN601", 0, 1)]),
    ("stdlib sample is PN603", ["import random\ns = random.sample(xs, 2)"], "PN601", {}, []),
    ("stdlib shuffle is PN603", ["import random\nrandom.shuffle(xs)"], "PN601", {}, []),
    (
        "sklearn shuffle",
        ["from sklearn.utils import shuffle\nX = shuffle(X)"],
        "PN601",
        {},
        [("PN601", 0, 2)],
    ),
    ("kfold without shuffle", ["cv = KFold(5)"], "PN601", {}, []),
    ("kfold with shuffle", ["cv = KFold(5, shuffle=True)"], "PN601", {}, [("PN601", 0, 1)]),
    ("kwargs may seed", ["m = RandomForestClassifier(**params)"], "PN601", {}, []),
    ("numpy random", ["import numpy as np\nx = np.random.rand(3)"], "PN602", {}, [("PN602", 0, 2)]),
    (
        "numpy seeded",
        ["import numpy as np\nnp.random.seed(0)", "x = np.random.rand(3)"],
        "PN602",
        {},
        [],
    ),
    (
        "default_rng unseeded",
        ["import numpy as np\nrng = np.random.default_rng()"],
        "PN602",
        {},
        [("PN602", 0, 2)],
    ),
    ("default_rng seeded", ["import numpy as np\nrng = np.random.default_rng(1)"], "PN602", {}, []),
    ("stdlib random", ["import random\nx = random.choice([1, 2])"], "PN603", {}, [("PN603", 0, 2)]),
    ("stdlib seeded", ["import random\nrandom.seed(1)\nx = random.random()"], "PN603", {}, []),
    # -- PN7xx black -----------------------------------------------------------------------
    ("black clean", ["x = [1, 2]"], "PN701", {}, []),
    ("black dirty", ["x = 1\ny=[1,2]"], "PN701", {}, [("PN701", 0, 2)]),
    ("black with magic", ["%matplotlib inline\ny=[1,2]"], "PN701", {}, [("PN701", 0, 2)]),
    ("black line length", ["x = " + " + ".join(["1"] * 25)], "PN701", {"line_length": 120}, []),
    # -- PN8xx tagging ---------------------------------------------------------------------
    ("no tags, no tag rules", ["import pandas as pd", "df = pd.DataFrame()"], "PN8", {}, []),
    (
        "untagged definition",
        ["import pandas as pd", ("code", "df = pd.DataFrame()", ["load"])],
        "PN801",
        {},
        [("PN801", 0, None)],
    ),
    (
        "skip cell definition",
        [("code", "rate = 0.1", ["skip"]), ("code", "y = rate * 2", ["train"])],
        "PN801",
        {},
        [("PN801", 0, None)],
    ),
    (
        "stages out of order",
        [("code", "a = 1", ["load"]), ("code", "b = a", ["predict"]), ("code", "c = b", ["train"])],
        "PN802",
        {},
        [("PN802", 2, None)],
    ),
    (
        "unknown tag",
        [("code", "a = 1", ["trian"]), ("code", "b = 1", ["remove-input"])],
        "PN803",
        {},
        [("PN803", 0, None)],
    ),
    (
        "several stage tags",
        [("code", "a = 1", ["load", "clean"])],
        "PN804",
        {},
        [("PN804", 0, None)],
    ),
]


@pytest.mark.parametrize(
    "cells, select, kwargs, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule(cells, select, kwargs, expected):
    options = {k: v for k, v in kwargs.items() if k in ("allowed_paths", "line_length")}
    extra = {k: v for k, v in kwargs.items() if k in ("counts", "outputs")}
    got, _ = run(cells, select, **extra, **options)
    assert got == expected


def test_parse_args_message_and_fix_name_the_way_out():
    _, (finding,) = run(["args = parser.parse_args()"], "PN407")
    assert finding.message.startswith("`parser.parse_args()` parses the kernel's command line")
    assert "parse_args([])" in finding.fix.description and not finding.fix.safe


def test_len_of_argv_message_says_the_test_is_true():
    _, (finding,) = run(["import sys\nif len(sys.argv) > 1:\n    x = 1"], "PN407")
    assert (finding.location.line, finding.location.column) == (2, 4)
    assert finding.message == (
        "`len(sys.argv)` counts the kernel's command line under Jupyter "
        "(`ipykernel_launcher -f kernel.json`, 3 items): a test for arguments is true"
    )
    _, (bare,) = run(["import sys\nargs = sys.argv"], "PN407")
    assert bare.message.startswith("`sys.argv` is the kernel's command line under Jupyter")


def test_printed_key_message_names_the_variable_never_the_value():
    key = "2ac298547b3f07e56d1f297644fd12de"
    _, (finding,) = run(["print(KAGGLE_KEY)"], "PN504", outputs={0: [stream(key + "\n")]})
    assert finding.message == "output contains a possible secret (the value of `KAGGLE_KEY`)"
    assert finding.fix.safe and key not in finding.message


def test_one_gap_finding_lists_the_other_gaps():
    _, (finding,) = run(
        ["a = 1", "b = 2", "c = 3", "d = 4"], "PN103", counts={0: 1, 1: 4, 2: 5, 3: 9}
    )
    assert finding.message.startswith("run with gaps: execution counts [2]-[3] are missing")
    assert "also [6]-[8] before cell 3 [9]" in finding.message
    assert finding.fix.description.startswith("Restart the kernel")


def test_many_gaps_are_counted_after_the_first_few():
    cells = [f"x{i} = {i}" for i in range(7)]
    _, (finding,) = run(cells, "PN103", counts={i: 2 * i + 2 for i in range(7)})
    assert (
        "also [3] before cell 1 [4], [5] before cell 2 [6], [7] before cell 3 [8] and 3 more:"
        in (finding.message)
    )


def test_one_out_of_order_finding_lists_the_other_cells():
    _, (finding,) = run(
        ["a = 1", "b = 2", "c = 3", "d = 4"], "PN101", counts={0: 5, 1: 1, 2: 6, 3: 2}
    )
    assert finding.message == (
        "executed out of order: [1] runs before cell 0 above it ([5]); also cell 3 [2]"
    )


def test_one_never_run_finding_names_the_other_cells():
    cells = ["a = 1", "z = 0", "b = 2", "c = 3", "d = 4", "e = 5", "f = 6", "g = 7"]
    _, (finding,) = run(cells, "PN102", counts={0: 1, 7: 2})
    assert (finding.location.cell_index, finding.location.line) == (1, None)
    assert finding.message == (
        "never executed, but cells below it were: their saved results do not include it; "
        "also cell 2, cell 3, cell 4 and 2 more (never executed either)"
    )
    assert finding.fix.description.startswith("Restart the kernel and run all cells")
    _, (alone,) = run(["a = 1", "b = 2", "c = 3"], "PN102", counts={0: 1, 2: 2})
    assert alone.message.endswith("do not include it")


def test_every_rule_has_a_case():
    covered = {rule for case in CASES for rule, _, _ in case[-1]}
    external = {rule_id for rule_id, rule in RULES.items() if rule.check is None}
    external.add("PN303")  # notebook-level; see test_non_python_notebook_...
    assert set(RULES) - external - covered == set()


def test_non_python_notebook_runs_language_independent_rules_only():
    nb = make_notebook("x <- read.csv('/data/x.csv')\nsummary(x)", "y = 1", executed=True)
    nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    nb.metadata["language_info"] = {"name": "R"}
    nb.cells[0].source += "\ntoken <- 'AKIAIOSFODNN7EXAMPLE'"
    notebook, _ = notebook_from_dict(nb, "r.ipynb")
    findings = lint(notebook, Options())
    assert [(f.rule, f.location.cell_index, f.location.line) for f in findings] == [
        ("PN303", None, None),
        ("PN503", 0, 3),
    ]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("p = '/data/x.csv'  # noqa", []),
        ("p = '/data/x.csv'  # noqa: PN501", []),
        ("p = '/data/x.csv'  # NOQA: pn5, F401", []),
        ("p = '/data/x.csv'  # noqa: PN502", [("PN501", 0, 1)]),
        ("p = '/data/x.csv'\nq = 1  # noqa", [("PN501", 0, 1)]),
    ],
)
def test_noqa_comments(source, expected):
    got, _ = run([source], "PN5")
    assert got == expected


def test_severity_override_and_ignore():
    _, findings = run(["y = x"], "PN2", severities=(("PN201", Severity.INFO),))
    assert [f.severity for f in findings] == [Severity.INFO]
    got, _ = run(["y = x"], "PN2", ignore=("PN201",))
    assert got == []


def test_secret_value_never_in_message():
    _, findings = run(["key = 'AKIAIOSFODNN7EXAMPLE'"], "PN503")
    assert findings and all("AKIAIOSFODNN7EXAMPLE" not in f.message for f in findings)


def test_unknown_tag_fix_renames():
    _, findings = run([("code", "a = 1", ["trian"])], "PN803")
    (edit,) = findings[0].fix.edits
    assert (edit.add_tags, edit.remove_tags) == (("train",), ("trian",))


def test_seed_fix_uses_parameter():
    _, findings = run(
        [("code", "SEED = 7", ["parameters"]), "a, b = train_test_split(\n    X,\n    y,\n)"],
        "PN601",
    )
    (edit,) = findings[0].fix.edits
    assert findings[0].fix.safe
    assert edit.new_source == "a, b = train_test_split(\n    X,\n    y,\n random_state=SEED)"


def test_pip_fix_moves_requirement():
    _, findings = run(
        ["import os\n!pip install -U pandas==2.2 'scikit-learn>=1.5'\nx = 1"], "PN401"
    )
    fix = findings[0].fix
    assert fix.safe and fix.requirements == ("pandas==2.2", "scikit-learn>=1.5")
    assert fix.edits[0].new_source == "import os\nx = 1"


def test_automagic_pip_fix_moves_requirement():
    _, findings = run(["pip install -q nltk\nimport nltk"], "PN401")
    fix = findings[0].fix
    assert fix.safe and fix.requirements == ("nltk",)
    assert fix.edits[0].new_source == "import nltk"


def test_the_notebooks_own_smote_gets_no_random_state():
    own_class = (
        "class SMOTE:\n    def __init__(self, k=5):\n        self.k = k\n\n" "smote = SMOTE(k=5)"
    )
    own_split = (
        "def train_test_split(X, y, ratio):\n    return X, y\n\nparts = train_test_split(X, y, 0.2)"
    )
    seedable = (
        "class Forest:\n    def __init__(self, n=10, random_state=None):\n        self.n = n\n\n"
        "forest = Forest(n=3)"
    )
    _, findings = run([own_class, own_split, seedable, "class MySMOTE(SMOTE):\n    pass"], "PN601")
    assert findings == []
    got, findings = run([seedable.replace("Forest", "RandomForestClassifier")], "PN601")
    assert got == [("PN601", 0, 5)] and findings[0].fix.safe
    got, findings = run(
        ["class RandomForestClassifier(Base):\n    pass\n\nm = RandomForestClassifier()"], "PN601"
    )
    assert got == [("PN601", 0, 4)] and not findings[0].fix.safe


def test_numpy_alias_fix_uses_the_builtin():
    _, findings = run(["import numpy as np\nrun.log('C', np.float(C))"], "PN208")
    assert findings[0].fix.safe
    assert findings[0].fix.edits[0].new_source == "import numpy as np\nrun.log('C', float(C))"


def test_positional_axis_fix_names_the_axis():
    _, findings = run(["x = data.drop('DEATH_EVENT', 1)"], "PN209")
    assert findings[0].fix.edits[0].new_source == "x = data.drop('DEATH_EVENT', axis=1)"


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            "vect = CountVectorizer()\nX_train_tokens = vect.get_feature_names()",
            "vect = CountVectorizer()\nX_train_tokens = vect.get_feature_names_out()",
        ),
        (
            "tfidf = TfidfVectorizer(lowercase=True, stop_words=ENGLISH_STOP_WORDS)  # tweets",
            "tfidf = TfidfVectorizer(lowercase=True, stop_words=list(ENGLISH_STOP_WORDS))  # tweets",
        ),
        ("cv = CountVectorizer(stop_words=set(sw))", "cv = CountVectorizer(stop_words=list(sw))"),
    ],
)
def test_sklearn_removed_call_fix(source, expected):
    _, findings = run(
        ["from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS", source], "PN212"
    )
    (finding,) = findings
    assert finding.fix.safe and finding.fix.edits[0].new_source == expected


def test_an_encoders_get_feature_names_fix_is_not_applied_blindly():
    # OneHotEncoder fitted on a frame: get_feature_names() gave x0_a, _out() gives workclass_a
    _, findings = run(
        [
            "from sklearn.preprocessing import OneHotEncoder",
            "cols = hot_encoder.get_feature_names()",
        ],
        "PN212",
    )
    (finding,) = findings
    assert not finding.fix.safe and "may differ" in finding.fix.description


def test_get_feature_names_without_sklearn_is_not_reported():
    got, _ = run(["import category_encoders as ce\nnames = enc.get_feature_names()"], "PN212")
    assert got == []


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            "count_class = pd.value_counts(data['Class'], sort=True)",
            "count_class = data['Class'].value_counts(sort=True)",
        ),
        (
            "df['weekofyear'] = df.date.dt.weekofyear",
            "df['weekofyear'] = df.date.dt.isocalendar().week",
        ),
        ('monthly = series.resample("M").mean()', 'monthly = series.resample("ME").mean()'),
        (
            "idx = pd.date_range('2020', periods=4, freq='2H')",
            "idx = pd.date_range('2020', periods=4, freq='2h')",
        ),
        (
            "pd.set_option('display.max_colwidth', -1)",
            "pd.set_option('display.max_colwidth', None)",
        ),
        ("pd.set_option('max_colwidth', -1)", "pd.set_option('max_colwidth', None)"),
    ],
)
def test_pandas_removed_api_fix(source, expected):
    _, findings = run(["import pandas as pd\ndata = pd.read_csv('x.csv')", source], "PN213")
    (finding,) = findings
    assert finding.fix.safe and finding.fix.edits[0].new_source == expected


def test_a_colwidth_that_still_works_is_not_reported():
    cells = [
        "import pandas as pd",
        "pd.set_option('display.max_colwidth', 200)\n"
        "pd.set_option('display.max_rows', -1)\nopts.set_option('max_colwidth', -1)",
    ]
    assert run(cells, "PN213")[0] == []


def test_axis_beside_columns_fix_removes_the_axis():
    _, findings = run(["X = heart.drop(columns='target', axis=1)  # features"], "PN209")
    (finding,) = findings
    assert finding.fix.safe
    assert finding.fix.edits[0].new_source == "X = heart.drop(columns='target')  # features"
    assert "Cannot specify both 'axis' and 'index'/'columns'" in finding.message


def test_pip_fix_with_index_url_is_not_safe():
    _, findings = run(["!pip install --index-url http://x pkg"], "PN401")
    assert not findings[0].fix.safe


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            'df["Age"].fillna(df["Age"].median(), inplace=True)  # impute',
            'df["Age"] = df["Age"].fillna(df["Age"].median())  # impute',
        ),
        (
            "if ok:\n    df.Age.replace(0, np.nan, inplace=True)\nx = 1",
            "if ok:\n    df.Age = df.Age.replace(0, np.nan)\nx = 1",
        ),
        (
            "df['é'].clip(*bounds, inplace=True, axis=0, **kw)",
            "df['é'] = df['é'].clip(*bounds, axis=0, **kw)",
        ),
    ],
)
def test_chained_inplace_fix_assigns_the_result(source, expected):
    _, findings = run([source], "PN203")
    (finding,) = findings
    assert finding.fix.safe
    (edit,) = finding.fix.edits
    assert edit.new_source == expected


@pytest.mark.parametrize(
    "source",
    [
        "df['a'].fillna(\n    0, inplace=True\n)",  # spans lines
        "x = df['a'].fillna(0, inplace=True)",  # not a bare expression statement
        "df.loc[m, 'a'].fillna(0, inplace=True)",  # receiver is not a simple name[...]
        "frames[0]['a'].fillna(0, inplace=True)",
        "%matplotlib inline\ndf['a'].fillna(0, inplace=True)",  # a magic: masked source differs
    ],
)
def test_chained_inplace_without_a_safe_rewrite_is_still_reported(source):
    _, findings = run([source], "PN203")
    (finding,) = findings
    assert not finding.fix.safe and finding.fix.edits == ()
    assert "inplace=True" in finding.message


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            "df = df.fillna(method='ffill')",
            "df = df.fillna(method='ffill')".replace("fillna(method='ffill')", "ffill()"),
        ),
        (
            "x = df['a'].fillna(method=\"bfill\", limit=2)  # gaps",
            "x = df['a'].bfill(limit=2)  # gaps",
        ),
        ("df.fillna(method='pad', inplace=True)", "df.ffill(inplace=True)"),
        ("train = train.fillna(value=0, method=None)", "train = train.fillna(value=0)"),
    ],
)
def test_fillna_method_fix_calls_ffill_or_bfill(source, expected):
    _, findings = run([source], "PN204")
    (finding,) = findings
    assert finding.fix.safe
    (edit,) = finding.fix.edits
    assert edit.new_source == expected


@pytest.mark.parametrize(
    "source",
    [
        "df = df.fillna(\n    method='ffill'\n)",  # spans lines
        "df = df.fillna(method=how)",  # not a literal
        "%matplotlib inline\ndf = df.fillna(method='ffill')",  # a magic: masked source differs
    ],
)
def test_fillna_method_without_a_safe_rewrite_is_still_reported(source):
    _, findings = run([source], "PN204")
    (finding,) = findings
    assert not finding.fix.safe and finding.fix.edits == ()


def test_numeric_only_on_a_copy_names_the_frame_it_copies():
    cells = ["import pandas as pd\ndata = pd.read_csv('d.csv')", "df = data.copy()\nc = df.corr()"]
    _, (finding,) = run(cells, "PN205")
    assert "(`df` is a copy of `data`, read from a file)" in finding.message


STROKE_INFO = (
    "<class 'pandas.core.frame.DataFrame'>\n"
    " #   Column        Non-Null Count  Dtype  \n"
    "---  ------        --------------  -----  \n"
    " 0   gender        5110 non-null   object \n"
    " 1   age           5110 non-null   float64\n"
    " 2   work type     5110 non-null   object \n"
    " 3   smoking       5110 non-null   object \n"
    " 4   stroke        5110 non-null   int64  \n"
    "dtypes: float64(1), int64(1), object(3)\n"
)


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        (
            "for c in ['gender', 'work type']:\n    stroke[c] = le.fit_transform(stroke[c])\n"
            "stroke['smoking'] = stroke['smoking'].map({'never': 0, 'smokes': 1})",
            [],
        ),
        (
            "cols = ['gender', 'work type', 'smoking']\n"
            "stroke = pd.get_dummies(stroke, columns=cols)",
            [],
        ),
        (
            "stroke['gender'] = stroke['gender'].astype(int)\n"
            "stroke.drop(columns=['work type', 'smoking'], inplace=True)",
            [],
        ),
        # one text column left: still raises
        (
            "for c in ['gender', 'work type']:\n    stroke[c] = le.fit_transform(stroke[c])",
            [("PN205", 3, 1)],
        ),
        (
            "stroke['gender'] = stroke['gender'].map({'Male': 'M', 'Female': 'F'})\n"
            "stroke.drop(columns=['work type', 'smoking'], inplace=True)",
            [("PN205", 3, 1)],
        ),
    ],
)
def test_numeric_only_after_the_shown_text_columns_were_encoded(encoding, expected):
    cells = [
        "import pandas as pd\nstroke = pd.read_csv('stroke.csv')",
        "stroke.info()",
        encoding,
        "stroke.corr()",
    ]
    got, _ = run(cells, "PN205", outputs={1: [stream(STROKE_INFO)]})
    assert got == expected


def test_numeric_only_reads_the_shown_dtypes_of_the_frame():
    cells = [
        "import pandas as pd\nstroke = pd.read_csv('stroke.csv')",
        "stroke.dtypes",
        "stroke['gender'] = le.fit_transform(stroke['gender'])",
        "stroke.corr()",
    ]
    shown = "gender      object\nage        float64\nstroke       int64\ndtype: object"
    outputs = {1: [result(shown)]}
    assert run(cells, "PN205", outputs=outputs)[0] == []
    cells[2] = "stroke['age'] = stroke['age'].astype(int)"
    assert run(cells, "PN205", outputs=outputs)[0] == [("PN205", 3, 1)]
    assert run(cells[:1] + cells[2:], "PN205")[0] == [("PN205", 2, 1)]  # no output: unknown


def test_numeric_only_is_suggested_never_applied():
    _, findings = run(["import pandas as pd\ndf = pd.read_csv('d.csv')\nc = df.corr()"], "PN205")
    (finding,) = findings
    assert not finding.fix.safe and "numeric_only=True" in finding.fix.description


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "cats = [c for c in df.columns if df[c].dtypes == 'O']",
            'cats = [c for c in df.columns if df[c].dtypes in ("O", "str")]',
        ),
        ("if df.Sex.dtype != object:\n    pass", 'if df.Sex.dtype not in ("O", "str"):\n    pass'),
    ],
)
def test_object_dtype_fix_also_accepts_pandas3_text(source, expected):
    _, (finding,) = run([source], "PN206")
    assert finding.fix.safe
    assert finding.fix.edits[0].new_source == expected


@pytest.mark.parametrize(
    ("line", "expected", "safe"),
    [
        (
            'train["Age"][np.isnan(train["Age"])] = ages',
            'train.loc[np.isnan(train["Age"]), "Age"] = ages',
            True,
        ),
        ("train.Fare[train.Fare > 500] = 500", 'train.loc[train.Fare > 500, "Fare"] = 500', True),
        # an integer key may have been a position: said, not rewritten
        ("train['Age'][3] = 30", None, False),
    ],
)
def test_chained_assignment_fix_writes_through_loc(line, expected, safe):
    read = "import numpy as np\nimport pandas as pd\ntrain = pd.read_csv('t.csv')"
    _, (finding,) = run([read, line], "PN207")
    assert finding.fix.safe is safe
    if expected is not None:
        assert finding.fix.edits[0].new_source == expected


def test_a_whole_frame_dtype_mask_is_pointed_at_select_dtypes():
    _, (finding,) = run(["text = df.columns[df.dtypes == 'object']"], "PN206")
    assert (
        not finding.fix.safe
        and 'df.select_dtypes(include=["object", "str"])' in finding.fix.description
    )


def test_a_numpy_reduction_of_a_table_is_fixed_to_the_per_column_method():
    cells = [
        "import numpy as np\nimport pandas as pd\nx = pd.read_csv('d.csv').drop(['y'], axis=1)",
        "x = (x - np.min(x)) / (np.max(x) - np.min(x))",
    ]
    _, findings = run(cells, "PN210")
    assert len(findings) == 3 and all(f.fix.safe for f in findings)
    first = findings[0]
    assert first.message.startswith("`np.min(x)` is one number over every value of `x`")
    (edit,) = first.fix.edits
    assert edit.new_source == "x = (x - x.min()) / (np.max(x) - np.min(x))"


def test_a_removed_scikit_learn_import_is_rewritten_to_where_its_names_went():
    cells = ["import pandas as pd\nfrom sklearn.cross_validation import train_test_split, KFold"]
    _, (finding,) = run(cells, "PN211")
    assert finding.message.startswith("`sklearn.cross_validation` was removed in scikit-learn 0.20")
    (edit,) = finding.fix.edits
    assert edit.new_source == (
        "import pandas as pd\nfrom sklearn.model_selection import train_test_split, KFold"
    )
    _, (joblib,) = run(["from sklearn.externals import joblib as jl"], "PN211")
    assert joblib.fix.edits[0].new_source == "import joblib as jl"


def test_a_removed_scikit_learn_name_points_at_its_replacement():
    cells = [
        "import matplotlib.pyplot as plt\n"
        "from sklearn.metrics import roc_auc_score, plot_roc_curve\n"
        "from sklearn import metrics",
        "pipe.fit(X_train, y_train)\nplot_roc_curve(pipe, X_test, y_test)\nplt.show()",
        "metrics.plot_confusion_matrix(pipe, X_test, y_test)\n"
        "metrics.ConfusionMatrixDisplay.from_estimator(pipe, X_test, y_test)",
        "from sklearn.preprocessing import Imputer, StandardScaler",
    ]
    where, (roc, matrix, imputer) = run(cells, "PN211")
    assert where == [("PN211", 0, 2), ("PN211", 2, 1), ("PN211", 3, 1)]
    assert roc.message == (
        "`plot_roc_curve` was removed from `sklearn.metrics` in scikit-learn 1.2 (ImportError): "
        "use `RocCurveDisplay.from_estimator`"
    )
    assert not roc.fix.safe and "RocCurveDisplay.from_estimator(model, X, y)" in roc.fix.description
    assert "(AttributeError)" in matrix.message and "ConfusionMatrixDisplay" in matrix.message
    assert "sklearn.impute.SimpleImputer" in imputer.message
