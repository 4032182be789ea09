"""Evaluate stage of house_prices_regressor.ipynb, generated from notebook cell(s) 9, 10.

5 display-only or exploration statement(s) of these cells stay in the
notebook: productionize-report.json lists them.
"""

import numpy as np
from sklearn.metrics import mean_absolute_error


def evaluate(regressor, X_test, y_test):
    """Evaluate the model as the notebook does; return the values it computes."""
    predicted_price = np.exp(regressor.predict(X_test))
    mae = mean_absolute_error(np.exp(y_test), predicted_price)
    return {"predicted_price": predicted_price, "mae": mae}
