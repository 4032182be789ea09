"""Clean stage of churn_classifier.ipynb, generated from notebook cell(s) 5, 6.

2 display-only or exploration statement(s) of these cells stay in the
notebook: productionize-report.json lists them.
"""

import pandas as pd


def clean(raw):
    """Run the clean step of the notebook; return X, y."""
    df = raw.drop(columns=["customer_id"])
    df["total_charges"] = pd.to_numeric(df["total_charges"], errors="coerce")
    df["total_charges"] = df["total_charges"].fillna(
        df["monthly_charges"] * df["tenure_months"]
    )
    X = df.drop(columns=["churn"])
    y = df["churn"]
    return X, y
