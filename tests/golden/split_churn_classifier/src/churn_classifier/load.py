"""Load stage of churn_classifier.ipynb, generated from notebook cell(s) 3.

1 display-only or exploration statement(s) of these cells stay in the
notebook: productionize-report.json lists them.
"""

import pandas as pd


def load(data_path="data/churn.csv"):
    """Run the load step of the notebook; return raw."""
    raw = pd.read_csv(data_path)
    return raw
