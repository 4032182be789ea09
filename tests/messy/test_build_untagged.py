"""`productionize build` on an untagged notebook: the error's advice (--infer-tags) works."""

from __future__ import annotations

import json

from click.testing import CliRunner

from productionize.adapters.cli import main
from tests.conftest import make_notebook

from .test_infer_tags import FIT_AND_SCORE, LOAD, SPLIT, SUBMIT


def test_build_accepts_the_infer_tags_flag_its_error_recommends(tmp_path):
    path = tmp_path / "untagged.ipynb"
    path.write_text(json.dumps(make_notebook(LOAD, SPLIT, FIT_AND_SCORE, SUBMIT)))
    out = tmp_path / "project"
    base = ["build", str(path), "-o", str(out), "--no-verify", "--no-train", "--no-lint"]
    refused = CliRunner().invoke(main, base)
    assert refused.exit_code == 2 and "--infer-tags" in refused.output
    built = CliRunner().invoke(main, [*base, "--infer-tags"])
    assert built.exit_code == 0, built.output
    assert (out / "src" / "untagged" / "train.py").is_file()
