"""Notebooks shaped like popular public ones (Kaggle/Colab), written in our own words.

Untagged, `%matplotlib inline`, imports in exploration cells, seaborn plots, `df.head()`/`print`
everywhere, the Kaggle `os.walk` boilerplate, no predict cell of their own or one mixed with the
scoring. Each comes with a writer of small synthetic data in the columns the notebook expects.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tests.conftest import make_notebook

IRIS = make_notebook(
    ("markdown", "# Iris flowers with k-nearest neighbours"),
    "%matplotlib inline\nimport pandas as pd\nimport matplotlib.pyplot as plt\nimport seaborn as sns",
    "from sklearn.datasets import load_iris\n"
    "iris = load_iris()\n"
    "df = pd.DataFrame(iris.data, columns=iris.feature_names)\n"
    "df['species'] = iris.target\n"
    "print(df.head())",
    "print(df['species'].value_counts())\nsns.pairplot(df, hue='species')\nplt.show()",
    "summary = df.describe()\nspread = summary.loc['std']\nspread",
    "from sklearn.model_selection import train_test_split\n"
    "X = df.drop('species', axis=1)\n"
    "y = df['species']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)",
    "from sklearn.neighbors import KNeighborsClassifier\n"
    "from sklearn.metrics import accuracy_score\n"
    "knn = KNeighborsClassifier(n_neighbors=3)\n"
    "knn.fit(X_train, y_train)\n"
    "y_pred = knn.predict(X_test)\n"
    "print('Accuracy:', accuracy_score(y_test, y_pred))",
)

CHURN = make_notebook(
    ("markdown", "# Telco churn\n\nWhich customers leave?"),
    "import pandas as pd\nimport numpy as np\nimport seaborn as sns\n"
    "import matplotlib.pyplot as plt\n%matplotlib inline",
    "df = pd.read_csv('telco_churn.csv')\nprint(df.head())\ndf.info()",
    "df.drop('customerID', axis=1, inplace=True)\n"
    "df['TotalCharges'] = pd.to_numeric(df['TotalCharges'], errors='coerce')\n"
    "df.dropna(inplace=True)",
    "sns.countplot(x='Churn', data=df)\nchurn_rate = df['Churn'].value_counts(normalize=True)\n"
    "churn_rate",
    "from sklearn.preprocessing import LabelEncoder\n"
    "for column in df.select_dtypes(include='object').columns:\n"
    "    le = LabelEncoder()\n"
    "    df[column] = le.fit_transform(df[column])",
    "corr = df.corr()\nsns.heatmap(corr, annot=True)\nplt.show()",
    "from sklearn.model_selection import train_test_split\n"
    "X = df.drop('Churn', axis=1)\ny = df['Churn']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=7)",
    "from sklearn.ensemble import RandomForestClassifier\n"
    "from sklearn.metrics import classification_report\n"
    "model = RandomForestClassifier(n_estimators=20)\n"
    "model.fit(X_train, y_train)\n"
    "y_pred = model.predict(X_test)\n"
    "print(classification_report(y_test, y_pred))",
)

HOUSE_PRICES = make_notebook(
    "import numpy as np\nimport pandas as pd\nimport os\n"
    "for dirname, _, filenames in os.walk('/kaggle/input'):\n"
    "    for filename in filenames:\n"
    "        print(os.path.join(dirname, filename))",
    "import seaborn as sns\nimport matplotlib.pyplot as plt\n"
    "train = pd.read_csv('house_train.csv')\ntrain.head()",
    "train['SalePrice'].describe()",
    "sns.histplot(train['SalePrice'])",
    "corr = train.corr(numeric_only=True)\n"
    "top = corr['SalePrice'].sort_values(ascending=False).head(5)\ntop",
    "train = train.ffill()\n"
    "train['Age'] = train['YrSold'] - train['YearBuilt']\n"
    "train = pd.get_dummies(train, columns=['Neighborhood'], dtype=float)\n"
    "y = np.log1p(train['SalePrice'])\n"
    "X = train.drop(['Id', 'SalePrice'], axis=1)",
    "from sklearn.linear_model import Ridge\n"
    "from sklearn.model_selection import train_test_split\n"
    "X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=1)\n"
    "reg = Ridge(alpha=1.0)\nreg.fit(X_train, y_train)",
    "from sklearn.metrics import mean_squared_error\n"
    "preds = reg.predict(X_val)\n"
    "rmse = np.sqrt(mean_squared_error(y_val, preds))\nprint('RMSE', rmse)",
)

# the same notebook written for pandas 1.x: `fillna(method="ffill")` fails under pandas 3
HOUSE_PRICES_PANDAS1 = make_notebook(
    *[
        (
            cell.source.replace("train = train.ffill()", "train = train.fillna(method='ffill')")
            if cell.cell_type == "code"
            else ("markdown", cell.source)
        )
        for cell in HOUSE_PRICES.cells
    ]
)


def write_telco_churn(folder: Path, rows: int = 120) -> None:
    """A small Telco-like table: text columns, TotalCharges as text with blanks, Yes/No churn."""
    rng = np.random.default_rng(3)
    tenure = rng.integers(0, 72, rows)
    monthly = np.round(rng.uniform(20, 110, rows), 2)
    total = [f"{t * m:.2f}" if t else " " for t, m in zip(tenure, monthly, strict=True)]
    contract = rng.choice(["Month-to-month", "One year", "Two year"], rows)
    churn = np.where((contract == "Month-to-month") & (rng.random(rows) < 0.6), "Yes", "No")
    pd.DataFrame(
        {
            "customerID": [f"C{i:04d}" for i in range(rows)],
            "gender": rng.choice(["Female", "Male"], rows),
            "tenure": tenure,
            "Contract": contract,
            "MonthlyCharges": monthly,
            "TotalCharges": total,
            "Churn": churn,
        }
    ).to_csv(folder / "telco_churn.csv", index=False)


def write_house_train(folder: Path, rows: int = 120) -> None:
    """A small Ames-like table with gaps (filled forward by the notebook) and a neighbourhood."""
    rng = np.random.default_rng(5)
    area = rng.integers(600, 3000, rows).astype(float)
    built = rng.integers(1950, 2008, rows)
    price = 20000 + 90 * area + 500 * (built - 1950) + rng.normal(0, 8000, rows)
    area[rng.random(rows) < 0.1] = np.nan
    pd.DataFrame(
        {
            "Id": np.arange(1, rows + 1),
            "GrLivArea": area,
            "YearBuilt": built,
            "YrSold": rng.integers(2008, 2011, rows),
            "Neighborhood": rng.choice(["NAmes", "CollgCr", "OldTown"], rows),
            "SalePrice": np.round(price, 0),
        }
    ).to_csv(folder / "house_train.csv", index=False)


# Salary/car-price style: a ColumnTransformer pipeline per model, all scored in the cell that fits
# them, then every pipeline saved with pickle inside `with open(..., "wb")` and joblib at the end
SALARY_SAVED = make_notebook(
    "import pandas as pd\nimport numpy as np\nimport pickle\nimport joblib\n"
    "from sklearn.compose import ColumnTransformer\nfrom sklearn.pipeline import Pipeline\n"
    "from sklearn.preprocessing import OneHotEncoder, StandardScaler\n"
    "from sklearn.impute import SimpleImputer\n"
    "from sklearn.linear_model import Ridge\nfrom sklearn.tree import DecisionTreeRegressor\n"
    "from sklearn.model_selection import train_test_split\nfrom sklearn.metrics import r2_score",
    "pay = pd.read_csv('salaries.csv')\npay['senior'] = (pay['level'] == 'SE').astype(int)",
    "features = ['level', 'country', 'remote', 'senior']\n"
    "X = pay[features]\ny = pay['salary']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=3)",
    "encode = ColumnTransformer([\n"
    "    ('num', Pipeline([('fill', SimpleImputer(strategy='median')), ('scale', StandardScaler())]),"
    " ['remote', 'senior']),\n"
    "    ('cat', Pipeline([('fill', SimpleImputer(strategy='most_frequent')),"
    " ('onehot', OneHotEncoder(handle_unknown='ignore'))]), ['level', 'country']),\n"
    "])",
    "ridge = Pipeline([('prep', encode), ('model', Ridge())])\nridge.fit(X_train, y_train)\n"
    "ridge_r2 = r2_score(y_test, ridge.predict(X_test))\n"
    "tree = Pipeline([('prep', encode), ('model', DecisionTreeRegressor(random_state=0))])\n"
    "tree.fit(X_train, y_train)\ntree_r2 = r2_score(y_test, tree.predict(X_test))\n"
    "print(ridge_r2, tree_r2)",
    "with open('ridge.pkl', 'wb') as handle:\n    pickle.dump(ridge, handle)\n"
    "pickle.dump(tree, open('tree.pkl', mode='wb'))",
    "joblib.dump(tree, 'salary_model.joblib')\nprint('saved')",
)


def write_salaries(folder: Path, rows: int = 160) -> None:
    """Levels, countries, a remote ratio with gaps, salaries that grow with seniority."""
    rng = np.random.default_rng(11)
    level = rng.choice(["EN", "MI", "SE"], rows)
    country = rng.choice(["US", "DE", "IN"], rows)
    remote = rng.choice([0.0, 50.0, 100.0], rows)
    remote[rng.random(rows) < 0.05] = np.nan
    salary = (
        40000
        + 25000 * (level == "SE")
        + 10000 * (level == "MI")
        + 20000 * (country == "US")
        + rng.normal(0, 5000, rows)
    )
    pd.DataFrame(
        {"level": level, "country": country, "remote": remote, "salary": np.round(salary)}
    ).to_csv(folder / "salaries.csv", index=False)


# A course notebook on a data set scikit-learn no longer ships (its ImportError is a page long),
# then a house-prices notebook importing a boosting library that is not installed here
REMOVED_LOADER = make_notebook(
    "import numpy as np\nfrom sklearn.model_selection import train_test_split, RandomizedSearchCV",
    "from sklearn.datasets import load_boston\nboston = load_boston()\n"
    "x_train, x_test, y_train, y_test = train_test_split(boston.data, boston.target, random_state=1)",
    "from sklearn.ensemble import RandomForestRegressor\n"
    "search = RandomizedSearchCV(RandomForestRegressor(random_state=0),"
    " {'max_depth': [3, 6]}, n_iter=2, random_state=0)\nsearch.fit(x_train, y_train)",
    "y_pred = search.predict(x_test)",
)
MISSING_LIBRARY = make_notebook(
    "import numpy as np\nimport pandas as pd",
    "homes = pd.read_csv('house_train.csv')\ny = np.log1p(homes['SalePrice'])\n"
    "X = homes[['GrLivArea', 'YearBuilt']].fillna(0)",
    "import sklearn\nimport boostlib_not_installed_here as boost\n"
    "model = boost.Regressor(n_estimators=50)\nmodel.fit(X, y)",
    "preds = np.expm1(model.predict(X))",
)


# Insurance-charges style: log1p target, a grid search whose best parameters refit the model,
# and scores the notebook only shows (a bare r2_score at the end of a cell, a printed RMSE,
# model.score) instead of storing them
INSURANCE_SCORED = make_notebook(
    "import numpy as np\nimport pandas as pd\n"
    "from sklearn.ensemble import GradientBoostingRegressor\n"
    "from sklearn.model_selection import train_test_split, GridSearchCV\n"
    "from sklearn.metrics import r2_score, mean_squared_error",
    "claims = pd.read_csv('insurance.csv')\nclaims.head()",
    "claims = pd.get_dummies(claims, columns=['sex', 'smoker', 'region'], drop_first=True, dtype=int)\n"
    "y = np.log1p(claims['charges'])\nX = claims.drop(columns=['charges'])",
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=8)",
    "search = GridSearchCV(GradientBoostingRegressor(random_state=0),"
    " {'max_depth': [2, 3], 'n_estimators': [40]}, cv=3)\n"
    "search.fit(X_train, y_train)\n"
    "booster = GradientBoostingRegressor(random_state=0, **search.best_params_)\n"
    "booster.fit(X_train, y_train)",
    "pred_test = booster.predict(X_test)\nr2_score(y_test, pred_test)",
    "pred_train = booster.predict(X_train)\n"
    "print('RMSE on train', np.sqrt(mean_squared_error(y_train, pred_train)))\n"
    "booster.score(X_test, y_test)",
)


def write_insurance(folder: Path, rows: int = 200) -> None:
    """Ages, BMI, smokers and regions; charges grow with age and smoking (skewed, positive)."""
    rng = np.random.default_rng(21)
    age = rng.integers(18, 65, rows)
    smoker = rng.choice(["yes", "no"], rows, p=[0.2, 0.8])
    bmi = np.round(rng.normal(30, 5, rows), 1)
    charges = 1500 + 260 * age + 22000 * (smoker == "yes") + np.abs(rng.normal(0, 2500, rows))
    pd.DataFrame(
        {
            "age": age,
            "sex": rng.choice(["female", "male"], rows),
            "bmi": bmi,
            "children": rng.integers(0, 4, rows),
            "smoker": smoker,
            "region": rng.choice(["southwest", "southeast", "northwest", "northeast"], rows),
            "charges": np.round(charges, 2),
        }
    ).to_csv(folder / "insurance.csv", index=False)


# Kaggle house prices with a log-transformed target: the model learns log1p(SalePrice), the
# submission (and so the service) must answer np.expm1 of its predictions, in dollars
HOUSE_LOG_TARGET = make_notebook(
    "import numpy as np\nimport pandas as pd\nfrom sklearn.ensemble import RandomForestRegressor",
    "train = pd.read_csv('house_train.csv')\ntest = pd.read_csv('house_test.csv')",
    "features = ['GrLivArea', 'YearBuilt', 'YrSold']\n"
    "X = train[features].fillna(0)\ny = np.log1p(train['SalePrice'])",
    "forest = RandomForestRegressor(n_estimators=30, random_state=0)\nforest.fit(X, y)",
    "test_X = test[features].fillna(0)\n"
    "submission = pd.DataFrame({'Id': test['Id'], 'SalePrice': np.expm1(forest.predict(test_X))})\n"
    "submission.to_csv('submission.csv', index=False)",
)


def write_house_train_and_test(folder: Path) -> None:
    """house_train.csv as write_house_train, and house_test.csv: other rows, no SalePrice."""
    write_house_train(folder, rows=160)
    both = pd.read_csv(folder / "house_train.csv")
    both.iloc[:120].to_csv(folder / "house_train.csv", index=False)
    both.iloc[120:].drop(columns=["SalePrice"]).to_csv(folder / "house_test.csv", index=False)


# Car-price style model comparison: a helper fits and scores the estimator it is given, a dict of
# candidates goes through it in a loop and the best score picks the model the notebook predicts with
CARS_BEST_OF = make_notebook(
    "import pandas as pd\nfrom sklearn.linear_model import Ridge\n"
    "from sklearn.ensemble import RandomForestRegressor\n"
    "from sklearn.model_selection import train_test_split\nfrom sklearn.metrics import r2_score",
    "claims = pd.read_csv('insurance.csv')\n"
    "claims = pd.get_dummies(claims, columns=['sex', 'smoker', 'region'], dtype=int)\n"
    "X = claims.drop(columns=['charges'])\ny = claims['charges']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=4)",
    "def fit_and_score(estimator, features, target, held_out, truth):\n"
    "    estimator.fit(features, target)\n"
    "    return r2_score(truth, estimator.predict(held_out))",
    "candidates = {'ridge': Ridge(), 'forest': RandomForestRegressor(n_estimators=25, random_state=0)}\n"
    "scores = {}\nfor label, candidate in candidates.items():\n"
    "    scores[label] = fit_and_score(candidate, X_train, y_train, X_test, y_test)\n"
    "winner = candidates[max(scores, key=scores.get)]",
    "charges_pred = winner.predict(X_test)",
)

# the same comparison written to be looked at only: every candidate is fitted and its score
# printed, none is kept or predicted with
CARS_COMPARE_ONLY = make_notebook(
    *[c.source for c in CARS_BEST_OF.cells[:3]],
    "candidates = [Ridge(), RandomForestRegressor(n_estimators=25, random_state=0)]\n"
    "for candidate in candidates:\n"
    "    print(candidate, fit_and_score(candidate, X_train, y_train, X_test, y_test))",
)


# Insurance notebook written for pandas 1: a label-encoding loop picks text columns with
# `dtype == "O"`, which under pandas 3 picks none, so a later `df.corr()` meets the text
INSURANCE_PANDAS1_DTYPES = make_notebook(
    "import pandas as pd\nfrom sklearn.preprocessing import LabelEncoder",
    "claims = pd.read_csv('insurance.csv')",
    "for column in claims.columns:\n"
    "    if claims[column].dtype == 'O':\n"
    "        claims[column] = LabelEncoder().fit_transform(claims[column])",
    "links = claims.corr()['charges']",
)
