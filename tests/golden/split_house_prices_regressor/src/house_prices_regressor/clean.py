"""Clean stage of house_prices_regressor.ipynb, generated from notebook cell(s) 5."""

import numpy as np


def clean(houses):
    """Run the clean step of the notebook; return features, target."""
    houses["lot_size"] = houses["lot_size"].fillna(houses["lot_size"].median())
    houses["age"] = 2024 - houses["year_built"]
    features = houses.drop(columns=["price", "year_built"])
    target = np.log(houses["price"])
    return features, target
