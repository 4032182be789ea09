"""Predict stage of house_prices_regressor.ipynb, generated from notebook cell(s) 5, 9.

predict() receives raw rows of `houses` as the load stage returns it, without `price` (the target and the columns the cleaning drops unread), and replays the notebook's cleaning from `houses` to `features` (cells 5) before `regressor.predict`: the rows cell 7 line 7 splits into `X_train` and `X_test`. Statistics of `houses` the cleaning takes (medians, modes, one-hot columns, fitted encoders) are computed once at train time on the whole frame, as in the notebook, and stored with the model: a request is never cleaned with statistics of its own batch.
"""

import numpy as np


def fitted_values(houses):
    """Replay the notebook's cleaning of `houses` at train time; return the values predict() reuses."""
    fitted = {}
    houses = houses.copy()
    fitted["houses['lot_size'].median()"] = houses["lot_size"].median()
    houses["lot_size"] = houses["lot_size"].fillna(
        fitted["houses['lot_size'].median()"]
    )
    houses["age"] = 2024 - houses["year_built"]
    features = houses.drop(columns=["price", "year_built"])
    return fitted


def predict(model, records, fitted):
    """Run the predict step of the notebook; return predictions."""
    houses = records.copy()
    houses["lot_size"] = houses["lot_size"].fillna(
        fitted["houses['lot_size'].median()"]
    )
    houses["age"] = 2024 - houses["year_built"]
    features = houses.drop(columns=["price", "year_built"], errors="ignore")
    predictions = np.exp(model.predict(features))
    return predictions.tolist() if hasattr(predictions, "tolist") else list(predictions)
