"""Predict stage of house_prices_regressor.ipynb, generated from notebook cell(s) 9."""

import numpy as np


def predict(model, records):
    """Run the predict step of the notebook; return predicted_price."""
    predicted_price = np.exp(model.predict(records))
    return (
        predicted_price.tolist()
        if hasattr(predicted_price, "tolist")
        else list(predicted_price)
    )
