"""Templates rendered without black (render.BLACK_CLEAN_TEMPLATES) must come out black-clean.

Rendering skips black for them, so black itself is the reference here: for the examples and for
extreme variable parts (long package names, many or no libraries) black leaves every rendered
file unchanged, and so does the pre-formatted template text around them.
"""

from __future__ import annotations

import dataclasses

import black
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from productionize.adapters.notebook_io import read_notebook
from productionize.core.flow import split
from productionize.core.render import BLACK_CLEAN_TEMPLATES, format_statement, render
from productionize.options import Options
from tests.conftest import EXAMPLES
from tests.split.conftest import inputs_for

MODE = black.Mode(line_length=88)
# template -> the file it renders (package placeholder filled in per spec)
TARGETS = {
    "stages/registry.py.j2": "src/{package}/registry.py",
    "stages/kfp_task.py.j2": "src/{package}/run_task.py",
}


@pytest.fixture(scope="module")
def churn_spec():
    notebook, _ = read_notebook(EXAMPLES / "churn_classifier.ipynb")
    inputs = inputs_for({"cells": []})
    return split(notebook, Options(), inputs, lambda _path: None).spec, inputs


def _rendered(spec, inputs) -> dict[str, str]:
    files = {f.path: f.content for f in render(spec, inputs)}
    return {t: files[path.format(package=spec.package)] for t, path in TARGETS.items()}


def test_every_black_clean_template_is_checked():
    assert set(TARGETS) == set(BLACK_CLEAN_TEMPLATES)


def test_example_renders_are_black_clean(churn_spec):
    spec, inputs = churn_spec
    for template, text in _rendered(spec, inputs).items():
        assert black.format_str(text, mode=MODE) == text, template


identifiers = st.from_regex(r"[a-z_][a-z0-9_]{0,70}", fullmatch=True)
modules = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,30}", fullmatch=True), max_size=40)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@example(package="p", extra=[])
@example(package="a" * 71, extra=[f"library_number_{i}" for i in range(40)])
@example(package="x" * 40, extra=["numpy", "scipy"])
@given(package=identifiers, extra=modules)
def test_renders_stay_black_clean_for_any_package_and_libraries(churn_spec, package, extra):
    spec, inputs = churn_spec
    spec = dataclasses.replace(
        spec, package=package, modules=tuple(sorted(set(spec.modules) | set(extra)))
    )
    for template, text in _rendered(spec, inputs).items():
        assert black.format_str(text, mode=MODE) == text, template


@pytest.mark.parametrize(
    ("statement", "depth", "expected"),
    [
        ("x=[1,2]", 0, "x = [1, 2]"),
        (
            "parser.add_argument('task', choices=['a'])",
            1,
            '    parser.add_argument("task", choices=["a"])',
        ),
        (
            "LIBRARIES = " + str([f"library_{i}" for i in range(8)]),
            0,
            "LIBRARIES = [\n" + "".join(f'    "library_{i}",\n' for i in range(8)) + "]",
        ),
    ],
)
def test_format_statement_formats_at_the_given_depth(statement, depth, expected):
    assert format_statement(statement, depth) == expected
