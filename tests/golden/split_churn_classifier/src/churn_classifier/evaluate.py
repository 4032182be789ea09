"""Evaluate stage of churn_classifier.ipynb, generated from notebook cell(s) 10.

1 display-only or exploration statement(s) of these cells stay in the
notebook: productionize-report.json lists them.
"""

from sklearn.metrics import accuracy_score, roc_auc_score


def evaluate(model, X_test, y_test):
    """Evaluate the model as the notebook does; return the values it computes."""
    predictions = model.predict(X_test)
    accuracy = accuracy_score(y_test, predictions)
    auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
    return {"accuracy": accuracy, "auc": auc}
