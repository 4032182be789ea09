"""Evaluate stage of house_prices_regressor.ipynb, generated from notebook cell(s) 9, 10.

Display-only statements of the notebook are kept below as comments, not run.
"""

import numpy
import numpy as np
from sklearn.metrics import mean_absolute_error

from .predict import predict


def evaluate(regressor, X_test, y_test):
    """Evaluate the model as the notebook does; return the values it computes."""
    predicted_price = numpy.asarray(predict(regressor, X_test))
    mae = mean_absolute_error(np.exp(y_test), predicted_price)
    # print(f"MAE: {mae:,.0f}")
    # plt.scatter(np.exp(y_test), predicted_price, s=8)
    # plt.xlabel("actual price")
    # plt.ylabel("predicted price")
    # plt.show()
    return {"mae": mae}
