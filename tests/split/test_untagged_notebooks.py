"""Untagged notebooks in the style found in public repositories (a Colab Titanic tutorial):
headings and code give stage suggestions; --infer-tags splits them into a working plan."""

from __future__ import annotations

import nbformat

from productionize.options import Options
from tests.split.conftest import split_nb


def titanic_style_notebook():
    """Title, an imports cell, displays, a visualization section, unmatched headings."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }

    def md(text):
        nb.cells.append(nbformat.v4.new_markdown_cell(text))

    def code(text):
        nb.cells.append(nbformat.v4.new_code_cell(text))

    md("#Titanic Survival Prediction using ML in Python")  # Colab-style heading, no space
    md("###Importing the dependencies")
    code(
        "import numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.metrics import accuracy_score"
    )
    md("###Importing database")
    code("titanic_data = pd.read_csv('train.csv')")
    code("titanic_data.head()")
    code("titanic_data.isnull().sum()")
    md("###Handling the missing values")
    code("titanic_data = titanic_data.drop(columns='Cabin')")
    code("print(titanic_data['Embarked'].mode()[0])")
    code("titanic_data['Age'] = titanic_data['Age'].fillna(titanic_data['Age'].mean())")
    md("###Data Visualization")
    code("plt.style.use('ggplot')\ntitanic_data['Survived'].value_counts().plot(kind='bar')")
    md("###Encoding the categorical columns")
    code("titanic_data.replace({'Sex': {'male': 0, 'female': 1}}, inplace=True)")
    code("X = titanic_data.drop(columns=['Name', 'Survived'])\nY = titanic_data['Survived']")
    md("###Splitting the data into training data & Test data")
    code("X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=0.2, random_state=2)")
    md("###Model Training")
    code("model = LogisticRegression(max_iter=1000)\nmodel.fit(X_train, Y_train)")
    md("###Model Evaluation")
    code(
        "X_train_prediction = model.predict(X_train)\nacc = accuracy_score(Y_train, X_train_prediction)"
    )
    code(
        "X_test_prediction = model.predict(X_test)\ntest_acc = accuracy_score(Y_test, X_test_prediction)"
    )
    return nb


def test_titanic_style_notebook_is_inferred_and_split():
    result = split_nb(titanic_style_notebook(), Options(infer_tags=True), {"train.csv": 100})
    tags = {s.cell_index: s.tag for s in result.suggestions}
    # the title does not make the imports 'predict'; the section after the plots resumes clean
    assert 2 not in tags
    assert tags[4] == "load" and tags[8] == "clean" and tags[12] == "skip" and tags[14] == "clean"
    assert tags[17] == "train" and tags[19] == "train" and tags[21] == "predict"
    stages = {s.name: s for s in result.spec.stages}
    assert stages["clean"].outputs == ("X", "Y")
    assert stages["train"].inputs == ("X", "Y")
    # one frame cleaned, then split: the service takes its raw rows (not the target, not Cabin,
    # dropped unread) and predict() replays the cleaning, statistics fixed at train time
    assert result.spec.records_name == "titanic_data"
    assert result.spec.records_stage == "load"
    assert result.spec.unserved_columns == ("Cabin", "Survived")
    assert result.spec.prediction_expression == "model.predict(X)"
    assert set(result.spec.metrics) >= {"acc", "test_acc"}
    predict = next(f.content for f in result.files if f.path == "src/nb/predict.py")
    assert 'titanic_data["Age"].fillna(\n        fitted["titanic_data[\'Age\'].mean()"]' in predict
    assert 'X = titanic_data.drop(columns=["Name", "Survived"], errors="ignore")' in predict
    clean = next(f.content for f in result.files if f.path == "src/nb/clean.py")
    assert "matplotlib" not in clean and "plot" not in clean
