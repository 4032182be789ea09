"""Predict stage of churn_classifier.ipynb, generated from notebook cell(s) 5, 10.

predict() receives raw rows of `raw` as the load stage returns it, without `churn`, `customer_id` (the target and the columns the cleaning drops unread), and replays the notebook's cleaning from `raw` to `X` (cells 5) before `model.predict`: the rows cell 8 line 9 splits into `X_train` and `X_test`.
"""

import pandas as pd


def predict(model, records):
    """Run the predict step of the notebook; return predictions."""
    raw = records.copy()
    df = raw.drop(columns=["customer_id"], errors="ignore")
    df["total_charges"] = pd.to_numeric(df["total_charges"], errors="coerce")
    df["total_charges"] = df["total_charges"].fillna(
        df["monthly_charges"] * df["tenure_months"]
    )
    X = df.drop(columns=["churn"], errors="ignore")
    predictions = model.predict(X)
    return predictions.tolist() if hasattr(predictions, "tolist") else list(predictions)
