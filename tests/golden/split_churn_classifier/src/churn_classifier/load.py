"""Load stage of churn_classifier.ipynb, generated from notebook cell(s) 3.

Display-only statements of the notebook are kept below as comments, not run.
"""

import pandas as pd


def load(data_path="data/churn.csv"):
    """Run the load step of the notebook; return raw."""
    raw = pd.read_csv(data_path)
    # raw.head()
    return raw
