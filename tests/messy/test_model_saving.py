"""Notebooks that end by saving their model (pickle in `with open(..., "wb")`, joblib.dump): the
save cell is not a data load, and the modules do not write model files of their own (the
generated registry stores the model); a notebook that loads the file back keeps its saves."""

from __future__ import annotations

import json

import nbformat

from . import public_shapes

SAVES = ("pickle.dump", "joblib.dump", "open(")
STAGE_MODULES = ("load.py", "clean.py", "train.py", "predict.py", "evaluate.py")


def _modules(out):
    """The generated stage modules (the notebook's code), not the project's registry."""
    paths = sorted(p for p in (out / "src").glob("*/*.py") if p.name in STAGE_MODULES)
    return "\n".join(p.read_text() for p in paths)


def test_saving_the_models_at_the_end_is_not_a_load(split_untagged):
    result, out = split_untagged(public_shapes.SALARY_SAVED, "salary.ipynb")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "productionize-report.json").read_text())
    inferred = {t["cell"]: t["tag"] for t in report["inferred_tags"]}
    assert inferred.get(5) != "load" and inferred.get(1) == "load"
    code = _modules(out)
    for save in SAVES:
        assert save not in code, save
    dropped = [d for s in report["stages"] for d in s["dropped"]]
    assert "cell 5: with open('ridge.pkl', 'wb') as handle:" in dropped
    assert "cell 5: pickle.dump(tree, open('tree.pkl', mode='wb'))" in dropped
    assert "cell 6: joblib.dump(tree, 'salary_model.joblib')" in dropped
    assert "ridge_r2 = r2_score(" in code  # the scoring itself stays with the fit


def test_a_notebook_that_loads_its_saved_model_back_reuses_the_object(split_untagged):
    # the reload of a file the notebook saved becomes the saved object (core/reloads): nothing
    # reads the file any more, so the saves stay in the notebook too
    nb = nbformat.from_dict(json.loads(json.dumps(public_shapes.SALARY_SAVED)))
    nb.cells.append(nbformat.v4.new_code_cell("loaded = joblib.load('salary_model.joblib')"))
    nb.cells.append(nbformat.v4.new_code_cell("check = loaded.predict(X_test)"))
    result, out = split_untagged(nb, "salary.ipynb")
    assert result.exit_code == 0, result.output
    code = _modules(out)
    assert "joblib.load" not in code and "joblib.dump(tree" not in code
    assert "loaded = tree  # the object saved to 'salary_model.joblib'" in code


def test_a_notebook_loading_a_file_it_did_not_save_keeps_the_saves(split_untagged):
    nb = nbformat.from_dict(json.loads(json.dumps(public_shapes.SALARY_SAVED)))
    nb.cells.append(nbformat.v4.new_code_cell("old = joblib.load('last_year.joblib')"))
    result, out = split_untagged(nb, "salary.ipynb")
    assert result.exit_code == 0, result.output
    assert "joblib.dump(tree" in _modules(out)
