"""Train stage of house_prices_regressor.ipynb, generated from notebook cell(s) 7."""

from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder


def train(features, target, test_size=0.2, random_state=0, n_estimators=150):
    """Run the train step of the notebook; return X_train, X_test, y_train, y_test, regressor."""
    X_train, X_test, y_train, y_test = train_test_split(
        features, target, test_size=test_size, random_state=random_state
    )
    encode = ColumnTransformer(
        [("hood", OneHotEncoder(handle_unknown="ignore"), ["neighborhood"])],
        remainder="passthrough",
    )
    regressor = Pipeline(
        [
            ("encode", encode),
            (
                "gbr",
                GradientBoostingRegressor(
                    n_estimators=n_estimators, random_state=random_state
                ),
            ),
        ]
    )
    regressor.fit(X_train, y_train)
    return X_train, X_test, y_train, y_test, regressor
