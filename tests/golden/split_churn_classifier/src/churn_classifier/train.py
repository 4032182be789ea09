"""Train stage of churn_classifier.ipynb, generated from notebook cell(s) 8."""

from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def train(X, y, test_size=0.25, random_state=42):
    """Run the train step of the notebook; return X_train, X_test, y_train, y_test, model."""
    categorical = ["contract", "internet_service"]
    numeric = ["tenure_months", "monthly_charges", "total_charges", "support_calls"]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=random_state, stratify=y
    )
    preprocess = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
            ("num", StandardScaler(), numeric),
        ]
    )
    model = make_pipeline(preprocess, LogisticRegression(max_iter=1000))
    model.fit(X_train, y_train)
    return X_train, X_test, y_train, y_test, model
