"""Regenerate the bundled example notebooks and their small CSV data sets (deterministic).

    python examples/make_examples.py          # writes examples/*.ipynb and examples/data/*.csv
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pandas as pd

HERE = Path(__file__).parent


def churn_data(n: int = 1200) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    contract = rng.choice(["month-to-month", "one-year", "two-year"], n, p=[0.55, 0.25, 0.2])
    internet = rng.choice(["dsl", "fiber", "none"], n, p=[0.4, 0.45, 0.15])
    tenure = rng.integers(0, 72, n)
    monthly = np.round(rng.normal(65, 20, n).clip(18, 120), 2)
    calls = rng.poisson(1.5, n)
    logit = (
        -1.0
        + 1.4 * (contract == "month-to-month")
        + 0.6 * (internet == "fiber")
        - 0.04 * tenure
        + 0.015 * (monthly - 65)
        + 0.35 * calls
    )
    churn = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    total = np.round(monthly * tenure, 2).astype(object)
    total[rng.random(n) < 0.03] = ""  # blanks, as in the real telco export
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "tenure_months": tenure,
            "monthly_charges": monthly,
            "total_charges": total,
            "contract": contract,
            "internet_service": internet,
            "support_calls": calls,
            "churn": churn,
        }
    )


def housing_data(n: int = 900) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    hood = rng.choice(["riverside", "old-town", "hillcrest", "airport"], n, p=[0.3, 0.25, 0.25, 0.2])
    sqft = rng.normal(1600, 450, n).clip(450, 4200).round()
    bedrooms = np.clip((sqft / 550 + rng.normal(0, 0.7, n)).round(), 1, 6).astype(int)
    year = rng.integers(1925, 2023, n)
    garage = rng.random(n) < 0.6
    premium = pd.Series(hood).map(
        {"riverside": 60000, "old-town": 35000, "hillcrest": 90000, "airport": -20000}
    )
    price = (
        40000
        + 155 * sqft
        + 9000 * bedrooms
        + 450 * (year - 1925)
        + 18000 * garage
        + premium.to_numpy()
        + rng.normal(0, 25000, n)
    ).round(-2)
    lot = rng.lognormal(8.6, 0.35, n).round()
    lot[rng.random(n) < 0.04] = np.nan
    return pd.DataFrame(
        {
            "sqft": sqft,
            "bedrooms": bedrooms,
            "year_built": year,
            "lot_size": lot,
            "has_garage": garage,
            "neighborhood": hood,
            "price": price,
        }
    )


def md(text: str):
    return nbformat.v4.new_markdown_cell(text)


def code(text: str, *tags: str):
    cell = nbformat.v4.new_code_cell(text)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def notebook(cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = cells
    for index, cell in enumerate(nb.cells):
        cell.id = f"{index:02d}-{cell.cell_type}"
    return nb


CHURN = [
    md("# Customer churn\n\nPredict which subscribers cancel next month from their contract, "
       "service and billing history."),
    code('data_path = "data/churn.csv"\ntest_size = 0.25\nrandom_state = 42', "parameters"),
    md("## Load"),
    code("import pandas as pd\n\nraw = pd.read_csv(data_path)\nraw.head()", "load"),
    md("## Clean\n\n`total_charges` has blanks for brand-new customers; the id is not a feature."),
    code(
        'df = raw.drop(columns=["customer_id"])\n'
        'df["total_charges"] = pd.to_numeric(df["total_charges"], errors="coerce")\n'
        'df["total_charges"] = df["total_charges"].fillna(df["monthly_charges"] * df["tenure_months"])\n'
        'X = df.drop(columns=["churn"])\n'
        'y = df["churn"]',
        "clean",
    ),
    code(
        "import matplotlib.pyplot as plt\n\n"
        'df.groupby("contract")["churn"].mean().plot(kind="bar", title="Churn rate by contract")\n'
        "plt.show()"
    ),
    md("## Train\n\nOne-hot encode the categoricals, scale the numbers, fit a logistic regression."),
    code(
        "from sklearn.compose import ColumnTransformer\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.pipeline import make_pipeline\n"
        "from sklearn.preprocessing import OneHotEncoder, StandardScaler\n\n"
        'categorical = ["contract", "internet_service"]\n'
        'numeric = ["tenure_months", "monthly_charges", "total_charges", "support_calls"]\n'
        "X_train, X_test, y_train, y_test = train_test_split(\n"
        "    X, y, test_size=test_size, random_state=random_state, stratify=y\n"
        ")\n"
        "preprocess = ColumnTransformer(\n"
        '    [("cat", OneHotEncoder(handle_unknown="ignore"), categorical), ("num", StandardScaler(), numeric)]\n'
        ")\n"
        "model = make_pipeline(preprocess, LogisticRegression(max_iter=1000))\n"
        "model.fit(X_train, y_train)",
        "train",
    ),
    md("## Predict and evaluate"),
    code(
        "from sklearn.metrics import accuracy_score, roc_auc_score\n\n"
        "predictions = model.predict(X_test)\n"
        "accuracy = accuracy_score(y_test, predictions)\n"
        "auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])\n"
        'print(f"accuracy={accuracy:.3f} auc={auc:.3f}")',
        "predict",
    ),
]

HOUSING = [
    md("# House prices\n\nEstimate a sale price from size, age, lot and neighbourhood."),
    code('data_path = "data/housing.csv"\ntest_size = 0.2\nrandom_state = 0\nn_estimators = 150',
         "parameters"),
    md("## Load"),
    code("import numpy as np\nimport pandas as pd\n\nhouses = pd.read_csv(data_path)\nhouses.describe()",
         "load"),
    md("## Clean"),
    code(
        'houses["lot_size"] = houses["lot_size"].fillna(houses["lot_size"].median())\n'
        'houses["age"] = 2024 - houses["year_built"]\n'
        'features = houses.drop(columns=["price", "year_built"])\n'
        'target = np.log(houses["price"])',
        "clean",
    ),
    md("## Train"),
    code(
        "from sklearn.compose import ColumnTransformer\n"
        "from sklearn.ensemble import GradientBoostingRegressor\n"
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.pipeline import Pipeline\n"
        "from sklearn.preprocessing import OneHotEncoder\n\n"
        "X_train, X_test, y_train, y_test = train_test_split(\n"
        "    features, target, test_size=test_size, random_state=random_state\n"
        ")\n"
        "encode = ColumnTransformer(\n"
        '    [("hood", OneHotEncoder(handle_unknown="ignore"), ["neighborhood"])], remainder="passthrough"\n'
        ")\n"
        "regressor = Pipeline(\n"
        "    [\n"
        '        ("encode", encode),\n'
        '        ("gbr", GradientBoostingRegressor(n_estimators=n_estimators, random_state=random_state)),\n'
        "    ]\n"
        ")\n"
        "regressor.fit(X_train, y_train)",
        "train",
    ),
    md("## Predict"),
    code(
        "from sklearn.metrics import mean_absolute_error\n\n"
        "predicted_price = np.exp(regressor.predict(X_test))\n"
        "mae = mean_absolute_error(np.exp(y_test), predicted_price)\n"
        'print(f"MAE: {mae:,.0f}")',
        "predict",
    ),
    code(
        "import matplotlib.pyplot as plt\n\n"
        "plt.scatter(np.exp(y_test), predicted_price, s=8)\n"
        'plt.xlabel("actual price")\n'
        'plt.ylabel("predicted price")\n'
        "plt.show()"
    ),
]


def main() -> None:
    (HERE / "data").mkdir(exist_ok=True)
    churn_data().to_csv(HERE / "data" / "churn.csv", index=False)
    housing_data().to_csv(HERE / "data" / "housing.csv", index=False)
    nbformat.write(notebook(CHURN), HERE / "churn_classifier.ipynb")
    nbformat.write(notebook(HOUSING), HERE / "house_prices_regressor.ipynb")


if __name__ == "__main__":
    main()
