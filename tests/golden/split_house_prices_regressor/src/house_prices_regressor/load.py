"""Load stage of house_prices_regressor.ipynb, generated from notebook cell(s) 3.

Display-only statements of the notebook are kept below as comments, not run.
"""

import pandas as pd


def load(data_path="data/housing.csv"):
    """Run the load step of the notebook; return houses."""
    houses = pd.read_csv(data_path)
    # houses.describe()
    return houses
