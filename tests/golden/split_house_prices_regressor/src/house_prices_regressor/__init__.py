"""House prices: the pipeline generated from house_prices_regressor.ipynb by productionize 0.0.golden."""

NOTEBOOK = "notebooks/house_prices_regressor.ipynb"
NOTEBOOK_SHA256 = "0000000000000000000000000000000000000000000000000000000000000000"
