"""A Kaggle-style notebook (train.csv + test.csv, the test frame cleaned like the training frame)
with small synthetic data, written to a folder for end-to-end tests."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import nbformat

COLUMNS = ["PassengerId", "Pclass", "Name", "Sex", "Age", "SibSp", "Fare", "Cabin", "Embarked"]

CELLS = [
    (
        "markdown",
        "# Titanic survival\n\nA Kaggle-style notebook: train.csv, test.csv, submission.",
        [],
    ),
    ("code", 'train_path = "data/train.csv"\ntest_path = "data/test.csv"', ["parameters"]),
    (
        "code",
        "import pandas as pd\n"
        "from sklearn.ensemble import RandomForestClassifier\n\n"
        "train = pd.read_csv(train_path)\n"
        "test = pd.read_csv(test_path)\n"
        "train.head()",
        ["load"],
    ),
    (
        "code",
        "def add_family(df):\n"
        "    df = df.copy()\n"
        '    df["Alone"] = (df["SibSp"] == 0).astype(int)\n'
        '    df["Title"] = df["Name"].str.extract(r",\\s*([^.]+)\\.", expand=False)\n'
        '    df["HighFare"] = (df["Fare"] > df["Fare"].median()).astype(int)\n'
        "    return df\n\n\n"
        'train["Age"] = train["Age"].fillna(train["Age"].median())\n'
        'test["Age"] = test["Age"].fillna(train["Age"].median())\n'
        'test["Fare"] = test["Fare"].fillna(test["Fare"].median())\n'
        'train["Embarked"] = train["Embarked"].fillna(train["Embarked"].mode()[0])\n'
        'test["Embarked"] = test["Embarked"].fillna(train["Embarked"].mode()[0])\n'
        "train = add_family(train)\n"
        "test = add_family(test)\n"
        'train = pd.get_dummies(train, columns=["Sex", "Embarked"])\n'
        'test = pd.get_dummies(test, columns=["Sex", "Embarked"])\n'
        'features = ["Pclass", "Age", "Fare", "Alone", "HighFare", "Sex_male", "Embarked_C"]\n'
        "X = train[features]\n"
        'y = train["Survived"]',
        ["clean"],
    ),
    (
        "code",
        "model = RandomForestClassifier(n_estimators=25, max_depth=4, random_state=0)\n"
        "model.fit(X, y)",
        ["train"],
    ),
    (
        "code",
        'submission = pd.DataFrame({"PassengerId": test["PassengerId"], '
        '"Survived": model.predict(test[features])})\n'
        'submission.to_csv("submission.csv", index=False)\n'
        "submission.head()",
        ["predict"],
    ),
]


def _rows(rng: random.Random, start: int, count: int, survived: bool) -> list[dict]:
    rows = []
    for i in range(count):
        pclass = rng.choice([1, 2, 3, 3])
        sex = rng.choice(["male", "female"])
        age = "" if rng.random() < 0.2 else str(rng.randint(1, 70))
        fare = "" if rng.random() < 0.05 else f"{rng.uniform(5, 120) / pclass:.2f}"
        title = "Mr" if sex == "male" else rng.choice(["Mrs", "Miss"])
        row = {
            "PassengerId": start + i,
            "Pclass": pclass,
            "Name": f"Family{rng.randint(1, 60)}, {title}. Person",
            "Sex": sex,
            "Age": age,
            "SibSp": rng.choice([0, 0, 1, 2]),
            "Fare": fare,
            "Cabin": rng.choice(["", "", "", "C85", "B42"]),
            "Embarked": "" if rng.random() < 0.05 else rng.choice(["S", "S", "C", "Q"]),
        }
        if survived:
            odds = (0.7 if sex == "female" else 0.2) + (0.15 if pclass == 1 else 0)
            row = {
                "PassengerId": row["PassengerId"],
                "Survived": int(rng.random() < odds),
                **{k: v for k, v in row.items() if k != "PassengerId"},
            }
        rows.append(row)
    return rows


def write_titanic_like(folder: Path, cells=CELLS, name: str = "titanic.ipynb") -> Path:
    """Write data/train.csv, data/test.csv and the notebook into ``folder``; return its path."""
    rng = random.Random(7)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    for file, rows in (
        ("train.csv", _rows(rng, 1, 160, survived=True)),
        ("test.csv", _rows(rng, 1001, 40, survived=False)),
    ):
        with open(data / file, "w", newline="") as handle:
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
    path = folder / name
    nbformat.write(nb, path)
    return path
