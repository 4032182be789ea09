from __future__ import annotations

import pytest

from productionize.core.tags import STAGES, stage_tags, suggest_tag, unknown_tags


def test_stage_order():
    assert STAGES == ("load", "clean", "train", "predict")


@pytest.mark.parametrize(
    "tag,suggestion",
    [
        ("trian", "train"),
        ("Predict", "predict"),
        ("preprocessing", "clean"),
        ("paramters", "parameters"),
        ("eda", "skip"),
        ("zzzz", None),
    ],
)
def test_suggest_tag(tag, suggestion):
    assert suggest_tag(tag) == suggestion


def test_unknown_and_stage_tags():
    tags = ("load", "trian", "remove-input", "parameters")
    assert unknown_tags(tags) == ("trian",)
    assert stage_tags(tags) == ("load", "parameters")
