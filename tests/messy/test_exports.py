"""A copy of the cleaned data exported mid-notebook (`data.to_csv(r"E:\\ML\\churn\\clean.csv")`,
bank-churn style) stays in the notebook: the pipeline passes values between stages itself, and
clean.py must not write a file (to a Windows path) on every run. Read back later, it is kept."""

from __future__ import annotations

from productionize.options import Options
from tests.conftest import make_notebook
from tests.split.conftest import split_nb

LOAD = "import pandas as pd\ndata = pd.read_csv('bank_churn.csv')"
CLEAN = (
    "data['Income'] = data.Income.fillna(data['Income'].mean())\n" "data = data.drop('CIF', axis=1)"
)
EXPORT = "data.to_csv(r'E:\\ML\\churn\\clean.csv')"
SPLIT_FIT = (
    "from sklearn.model_selection import train_test_split\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "X = data.drop('Status', axis=1)\ny = data['Status']\n"
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=13)\n"
    "reg = LogisticRegression()\nreg.fit(X_train, y_train)"
)
PREDICT = "pred = reg.predict(X_test)"


def _split(*cells):
    result = split_nb(make_notebook(*cells), Options(infer_tags=True))
    return result, {f.path: f.content for f in result.files}


def test_an_export_of_the_cleaned_data_stays_in_the_notebook():
    result, files = _split(LOAD, CLEAN, EXPORT, SPLIT_FIT, PREDICT)
    assert "to_csv" not in files["src/nb/clean.py"]
    assert "E:" not in files["env.yaml"]
    (clean,) = [s for s in result.report["stages"] if s["name"] == "clean"]
    assert "cell 2: data.to_csv(r'E:\\ML\\churn\\clean.csv')" in clean["dropped"]


def test_an_export_the_notebook_reads_back_is_kept():
    reread = "data = pd.read_csv(r'E:\\ML\\churn\\clean.csv')"
    _result, files = _split(LOAD, CLEAN, EXPORT, reread, SPLIT_FIT, PREDICT)
    assert "data.to_csv(" in files["src/nb/clean.py"]


def test_the_submission_written_by_the_predict_stage_is_kept():
    submit = "pd.DataFrame({'Status': pred}).to_csv('submission.csv', index=False)"
    _result, files = _split(LOAD, CLEAN, SPLIT_FIT, PREDICT + "\n" + submit)
    written = "\n".join(files[p] for p in ("src/nb/predict.py", "src/nb/evaluate.py") if p in files)
    assert 'to_csv("submission.csv", index=False)' in written
