"""lint_notebook runs its two ruff processes while the core rules run, with the same results."""

from __future__ import annotations

import threading
import time

import pytest

from productionize.adapters import linting
from productionize.core.notebook import notebook_from_dict
from productionize.errors import ConfigError
from productionize.options import Options
from tests.conftest import make_notebook

CELLS = ("import os\nimport sys", "x=1", "print(sys.argv[0])")


def _notebook():
    return notebook_from_dict(make_notebook(*CELLS), "nb.ipynb")[0]


def test_both_ruff_jobs_run_while_the_core_rules_do(monkeypatch):
    running: list[str] = []
    release = threading.Event()
    real_check, real_format, real_lint = linting.run_ruff, linting.ruff_formatted, linting.lint

    def check(text, options):
        running.append("check")
        assert release.wait(10)
        return real_check(text, options)

    def formatting(sources, line_length):
        running.append("format")
        assert release.wait(10)
        return real_format(sources, line_length)

    seen = []

    def core(*args):
        deadline = time.monotonic() + 10
        while len(running) < 2 and time.monotonic() < deadline:
            time.sleep(0.001)
        seen.append(sorted(running))  # both started, neither finished: the rules run meanwhile
        release.set()
        return real_lint(*args)

    expected = linting.lint_notebook(_notebook(), Options())
    linting._RUFF_FORMATTED.clear()
    monkeypatch.setattr(linting, "run_ruff", check)
    monkeypatch.setattr(linting, "ruff_formatted", formatting)
    monkeypatch.setattr(linting, "lint", core)
    assert linting.lint_notebook(_notebook(), Options()) == expected
    assert seen == [["check", "format"]]
    assert {f.rule for f in expected} >= {"PN701", "PN702"}  # both answers were used


def test_a_ruff_failure_is_still_a_config_error(monkeypatch):
    def failing(text, options):
        raise ConfigError("ruff failed: boom")

    monkeypatch.setattr(linting, "run_ruff", failing)
    with pytest.raises(ConfigError, match="ruff failed: boom"):
        linting.lint_notebook(_notebook(), Options())


def test_missing_ruff_is_reported_before_any_rule_runs(monkeypatch):
    monkeypatch.setattr(linting, "_ruff_binary", lambda: None)
    monkeypatch.setattr(linting, "lint", lambda *a: pytest.fail("rules ran"))
    with pytest.raises(ConfigError, match="ruff is not installed"):
        linting.lint_notebook(_notebook(), Options())


def test_a_rule_that_raises_leaves_no_ruff_job_running(monkeypatch):
    def broken(*args):
        raise RuntimeError("a rule broke")

    linting._RUFF_FORMATTED.clear()
    before = threading.active_count()
    monkeypatch.setattr(linting, "lint", broken)
    with pytest.raises(RuntimeError):
        linting.lint_notebook(_notebook(), Options())
    assert threading.active_count() == before
