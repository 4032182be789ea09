"""Regression notebooks that compare several models: a helper fits the estimator it is given
(`fit_and_score(model, X_train, y_train, ...)`), a loop runs it over candidates and the best score
picks the model to predict with. The model served is that pick; a comparison that keeps no model
is refused naming the cell and line, and what to write instead."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from productionize.adapters.verifying import can_verify

from . import public_shapes


def test_the_model_picked_by_the_comparison_is_served(split_untagged):
    result, out = split_untagged(public_shapes.CARS_BEST_OF, "cars.ipynb")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["model"]["name"] == "winner"
    assert report["model"]["features"] == "X_train"
    train = next((out / "src").glob("*/train.py")).read_text()
    assert "return winner" in train and "fit_and_score(candidate, X_train" in train


def test_a_comparison_that_keeps_no_model_names_the_loop(split_untagged):
    result, _out = split_untagged(public_shapes.CARS_COMPARE_ONLY, "cars.ipynb")
    assert result.exit_code == 2
    assert "cars.ipynb:cell 3:2: cell 3 fits models only to show their scores" in result.output
    assert (
        "no model to serve" in result.output
        and "cannot find the trained model" not in result.output
    )


@pytest.mark.slow
@pytest.mark.skipif(not can_verify(), reason="needs PRODUCTIONIZE_GENERATED_PYTHON with ploomber")
def test_the_picked_model_reproduces_the_notebook(tmp_path):
    path = tmp_path / "cars.ipynb"
    path.write_text(json.dumps(public_shapes.CARS_BEST_OF))
    public_shapes.write_insurance(tmp_path)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "--no-train"])
    assert result.exit_code == 0, result.output
    assert "verify: every stage reproduces the notebook" in result.output
