"""Customer churn: the pipeline generated from churn_classifier.ipynb by productionize 0.0.golden."""

NOTEBOOK = "notebooks/churn_classifier.ipynb"
NOTEBOOK_SHA256 = "0000000000000000000000000000000000000000000000000000000000000000"
