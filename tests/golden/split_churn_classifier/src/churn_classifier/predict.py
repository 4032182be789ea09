"""Predict stage of churn_classifier.ipynb, generated from notebook cell(s) 10."""


def predict(model, records):
    """Run the predict step of the notebook; return predictions."""
    predictions = model.predict(records)
    return predictions.tolist() if hasattr(predictions, "tolist") else list(predictions)
