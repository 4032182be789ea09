"""One CSV, cleaned in the notebook, then ``train_test_split(X, y)``: the most common notebook
shape, written here in our own words with small synthetic data, for end-to-end tests of a
service that takes the CSV's raw rows.

Each case is (cells, data file name, rows): ``write_case`` writes the data and the notebook.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import nbformat

# Titanic-like: Sex mapped, Embarked filled with its mode then one-hot, Age filled with the
# median, Name/Ticket/Cabin dropped, the target dropped from the features
TITANIC_CELLS = [
    ("markdown", "# Who survived?\n\nOne passenger list, split for training and testing.", []),
    ("code", 'data_path = "data/passengers.csv"', ["parameters"]),
    (
        "code",
        "import pandas as pd\n"
        "from sklearn.ensemble import RandomForestClassifier\n"
        "from sklearn.metrics import accuracy_score\n"
        "from sklearn.model_selection import train_test_split\n\n"
        "df = pd.read_csv(data_path)\n"
        "df.head()",
        ["load"],
    ),
    (
        "code",
        'df["Sex"] = df["Sex"].map({"male": 0, "female": 1})\n'
        'df["Embarked"] = df["Embarked"].fillna(df["Embarked"].mode()[0])\n'
        'df["Age"] = df["Age"].fillna(df["Age"].median())\n'
        'df = pd.get_dummies(df, columns=["Embarked"])\n'
        'df = df.drop(["Name", "Ticket", "Cabin", "PassengerId"], axis=1)\n'
        'X = df.drop("Survived", axis=1)\n'
        'y = df["Survived"]',
        ["clean"],
    ),
    (
        "code",
        "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)\n"
        "model = RandomForestClassifier(n_estimators=30, max_depth=4, random_state=0)\n"
        "model.fit(X_train, y_train)",
        ["train"],
    ),
    (
        "code",
        "predictions = model.predict(X_test)\n"
        'print("accuracy", accuracy_score(y_test, predictions))',
        ["predict"],
    ),
]


def titanic_rows(rng: random.Random, count: int = 200) -> list[dict]:
    rows = []
    for i in range(count):
        pclass = rng.choice([1, 2, 3, 3])
        sex = rng.choice(["male", "female"])
        odds = (0.7 if sex == "female" else 0.2) + (0.15 if pclass == 1 else 0)
        rows.append(
            {
                "PassengerId": i + 1,
                "Survived": int(rng.random() < odds),
                "Pclass": pclass,
                "Name": f"Family{rng.randint(1, 60)}, {'Mr' if sex == 'male' else 'Mrs'}. P",
                "Sex": sex,
                "Age": "" if rng.random() < 0.2 else str(rng.randint(1, 70)),
                "SibSp": rng.choice([0, 0, 1, 2]),
                "Ticket": f"T{rng.randint(1000, 9999)}",
                "Fare": f"{rng.uniform(5, 120) / pclass:.2f}",
                "Cabin": rng.choice(["", "", "", "C85", "B42"]),
                "Embarked": "" if rng.random() < 0.08 else rng.choice(["S", "S", "C", "Q"]),
            }
        )
    return rows


# a regression: a missing count filled with its median, new feature columns, a text column
# label-encoded, the other one-hot encoded over the whole frame; the notebook only shows a score
HOUSING_CELLS = [
    ("markdown", "# House values by district", []),
    ("code", 'data_path = "data/districts.csv"', ["parameters"]),
    (
        "code",
        "import pandas as pd\n"
        "from sklearn.linear_model import LinearRegression\n"
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.preprocessing import LabelEncoder\n\n"
        "houses = pd.read_csv(data_path)\n"
        "houses.describe()",
        ["load"],
    ),
    (
        "code",
        'houses["total_bedrooms"] = houses["total_bedrooms"].fillna(houses["total_bedrooms"].median())\n'
        'houses["rooms_per_house"] = houses["total_rooms"] / houses["households"]\n'
        'houses["bedrooms_share"] = houses["total_bedrooms"] / houses["total_rooms"]\n'
        "roofs = LabelEncoder()\n"
        'houses["roof"] = roofs.fit_transform(houses["roof"])\n'
        "houses = pd.get_dummies(houses)\n"
        'X = houses.drop(columns=["median_house_value"])\n'
        'y = houses["median_house_value"]',
        ["clean"],
    ),
    (
        "code",
        "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=1)\n"
        "reg = LinearRegression()\n"
        "reg.fit(X_train, y_train)",
        ["train"],
    ),
    ("code", 'r2 = reg.score(X_test, y_test)\nprint(f"R2 {r2:.3f}")', ["predict"]),
]


def housing_rows(rng: random.Random, count: int = 150) -> list[dict]:
    rows = []
    for _ in range(count):
        households = rng.randint(100, 900)
        rooms = households * rng.uniform(3, 7)
        bedrooms = rooms * rng.uniform(0.15, 0.3)
        near = rng.choice(["INLAND", "NEAR BAY", "<1H OCEAN", "<1H OCEAN"])
        income = rng.uniform(1, 12)
        value = 40000 * income + 8000 * rooms / households + (90000 if near != "INLAND" else 0)
        rows.append(
            {
                "housing_median_age": rng.randint(2, 52),
                "total_rooms": round(rooms),
                "total_bedrooms": "" if rng.random() < 0.1 else round(bedrooms),
                "households": households,
                "median_income": round(income, 3),
                "ocean_proximity": near,
                "roof": rng.choice(["tile", "slate", "metal"]),
                "median_house_value": round(value + rng.gauss(0, 20000)),
            }
        )
    return rows


# rows with a missing value are dropped before the split: predict() cannot drop a record it is
# asked about, so the service keeps taking cleaned rows, and says why
DROPNA_CELLS = [
    ("markdown", "# Churn", []),
    ("code", 'data_path = "data/customers.csv"', ["parameters"]),
    (
        "code",
        "import pandas as pd\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.model_selection import train_test_split\n\n"
        "customers = pd.read_csv(data_path)",
        ["load"],
    ),
    (
        "code",
        "customers = customers.dropna()\n"
        'customers["plan"] = customers["plan"].map({"basic": 0, "plus": 1, "pro": 2})\n'
        'X = customers.drop(columns=["churned", "customer_id"])\n'
        'y = customers["churned"]',
        ["clean"],
    ),
    (
        "code",
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=3)\n"
        "clf = LogisticRegression(max_iter=500)\n"
        "clf.fit(X_train, y_train)",
        ["train"],
    ),
    ("code", "churn_predictions = clf.predict(X_test)", ["predict"]),
]


def customer_rows(rng: random.Random, count: int = 160) -> list[dict]:
    rows = []
    for i in range(count):
        plan = rng.choice(["basic", "plus", "pro"])
        calls = rng.randint(0, 9)
        rows.append(
            {
                "customer_id": f"C{i:04d}",
                "plan": plan,
                "monthly_fee": "" if rng.random() < 0.1 else round(rng.uniform(10, 90), 2),
                "support_calls": calls,
                "churned": int(rng.random() < 0.15 + 0.07 * calls - (0.1 if plan == "pro" else 0)),
            }
        )
    return rows


CASES = {
    "titanic_split": (TITANIC_CELLS, "passengers.csv", titanic_rows),
    "housing_split": (HOUSING_CELLS, "districts.csv", housing_rows),
    "dropna_split": (DROPNA_CELLS, "customers.csv", customer_rows),
}


def write_case(folder: Path, name: str) -> Path:
    """Write data/<file> and <name>.ipynb for one case into ``folder``; return the notebook."""
    cells, file, make_rows = CASES[name]
    rows = make_rows(random.Random(11))
    (folder / "data").mkdir(parents=True, exist_ok=True)
    with open(folder / "data" / file, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    nb = nbformat.v4.new_notebook()
    for kind, source, tags in cells:
        cell = (
            nbformat.v4.new_code_cell(source)
            if kind == "code"
            else nbformat.v4.new_markdown_cell(source)
        )
        if tags:
            cell.metadata["tags"] = list(tags)
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path
