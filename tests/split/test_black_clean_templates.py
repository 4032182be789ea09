"""Templates rendered without black (render.BLACK_CLEAN_TEMPLATES) must come out black-clean.

Rendering skips black for them, so black itself is the reference here: for the examples and for
extreme variable parts (long package names, many or no libraries) black leaves every rendered
file unchanged, and so does the pre-formatted template text around them. The same holds for the
line-checked templates (render.LINE_CHECKED_TEMPLATES: black runs only when a line is too long)
under renamed values and parameters, odd defaults, long cell lists and missing stages.
"""

from __future__ import annotations

import dataclasses
import keyword

import black
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from productionize.adapters.notebook_io import read_notebook
from productionize.core.flow import split
from productionize.core.render import (
    BLACK_CLEAN_TEMPLATES,
    LINE_CHECKED_TEMPLATES,
    bracketed_statement,
    fits_black,
    format_statement,
    python_literal,
    render,
)
from productionize.options import Options
from tests.conftest import EXAMPLES
from tests.split.conftest import inputs_for

MODE = black.Mode(line_length=88)
# template -> the file it renders (package placeholder filled in per spec)
TARGETS = {
    "stages/registry.py.j2": "src/{package}/registry.py",
    "stages/kfp_task.py.j2": "src/{package}/run_task.py",
}
LINE_CHECKED = {
    "stages/tasks.py.j2": "src/{package}/tasks.py",
    "stages/kubeflow_pipeline.py.j2": "deploy/kubeflow_pipeline.py",
}
identifiers = st.from_regex(r"[a-z_][a-z0-9_]{0,70}", fullmatch=True)
python_names = identifiers.filter(lambda n: not keyword.iskeyword(n))
modules = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,30}", fullmatch=True), max_size=40)


@pytest.fixture(scope="module")
def churn_spec():
    notebook, _ = read_notebook(EXAMPLES / "churn_classifier.ipynb")
    inputs = inputs_for({"cells": []})
    return split(notebook, Options(), inputs, lambda _path: None).spec, inputs


@pytest.fixture(scope="module")
def house_spec():
    notebook, _ = read_notebook(EXAMPLES / "house_prices_regressor.ipynb")
    inputs = inputs_for({"cells": []})
    return split(notebook, Options(), inputs, lambda _path: None).spec, inputs


def _rendered(spec, inputs, targets=TARGETS) -> dict[str, str]:
    files = {f.path: f.content for f in render(spec, inputs)}
    return {t: files[path.format(package=spec.package)] for t, path in targets.items()}


def test_every_black_clean_template_is_checked():
    assert set(TARGETS) == set(BLACK_CLEAN_TEMPLATES)
    assert set(LINE_CHECKED) == set(LINE_CHECKED_TEMPLATES)


def _renamed(spec, names: dict[str, str]):
    """``spec`` with values and parameters renamed consistently (as another notebook would)."""

    def r(name):
        return names.get(name, name) if name else name

    def many(values):
        return tuple(r(v) for v in values)

    stages = tuple(
        dataclasses.replace(
            stage,
            inputs=many(stage.inputs),
            parameters=many(stage.parameters),
            outputs=many(stage.outputs),
            upstream=tuple((r(n), p) for n, p in stage.upstream),
        )
        for stage in spec.stages
    )
    return dataclasses.replace(
        spec,
        stages=stages,
        parameters=tuple(dataclasses.replace(p, name=r(p.name)) for p in spec.parameters),
        data_files=tuple(dataclasses.replace(d, parameter=r(d.parameter)) for d in spec.data_files),
        model_name=r(spec.model_name),
        features_name=r(spec.features_name),
        target_name=r(spec.target_name),
        records_name=r(spec.records_name),
        fitted_inputs=many(spec.fitted_inputs),
    )


def _all_names(spec) -> list[str]:
    names = {p.name for p in spec.parameters} | {spec.model_name}
    for stage in spec.stages:
        names |= set(stage.inputs) | set(stage.parameters) | set(stage.outputs)
    return sorted(n for n in names if n)


defaults = st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.text(max_size=60),
    st.lists(st.one_of(st.integers(), st.text(max_size=10)), max_size=30),
    st.dictionaries(st.text(max_size=8), st.integers(), max_size=4),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@example(which=0, package="p", rename=[], new_defaults=[], cells=1)
@example(which=1, package="a" * 71, rename=["x" * 60] * 50, new_defaults=['it\'s "q"'], cells=90)
@example(which=0, package="pkg", rename=[], new_defaults=[1e20, -0.0, [1] * 40], cells=3)
@given(
    which=st.integers(0, 1),
    package=identifiers,
    rename=st.lists(identifiers, max_size=50),
    new_defaults=st.lists(defaults, max_size=6),
    cells=st.integers(1, 120),
)
def test_line_checked_renders_are_black_clean(
    churn_spec, house_spec, which, package, rename, new_defaults, cells
):
    spec, inputs = (churn_spec, house_spec)[which]
    names = _all_names(spec)
    # distinct new names (suffix keeps them apart), so the renamed spec is still consistent
    mapping = {old: f"{new}_{i}" for i, (old, new) in enumerate(zip(names, rename, strict=False))}
    spec = _renamed(spec, mapping)
    parameters = (
        tuple(
            dataclasses.replace(p, default=value)
            for p, value in zip(spec.parameters, new_defaults, strict=False)
        )
        + spec.parameters[len(new_defaults) :]
    )
    stages = tuple(
        dataclasses.replace(s, cells=tuple(range(1, cells + 1))) if s.name == "train" else s
        for s in spec.stages
    )
    spec = dataclasses.replace(
        spec, package=package, parameters=parameters, stages=stages, data_files=()
    )
    for template, text in _rendered(spec, inputs, LINE_CHECKED).items():
        assert black.format_str(text, mode=MODE) == text, template


def test_the_examples_skip_black_for_the_line_checked_templates(churn_spec, house_spec):
    for spec, inputs in (churn_spec, house_spec):
        for template, text in _rendered(spec, inputs, LINE_CHECKED).items():
            assert fits_black(text), template  # rendered as written: no black call


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("data/x.csv", '"data/x.csv"'),
        ("it's", '"it\'s"'),
        ('say "hi"', "'say \"hi\"'"),
        (1e20, "1e20"),
        (True, "True"),
        (["a", 1], '["a", 1]'),
    ],
)
def test_python_literal_is_what_black_writes(value, expected):
    assert python_literal(value) == expected


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
@example(0.2)
@example(-0.5)
@example(1e-05)
@example(123456789.0)
def test_float_literals_are_what_black_writes(value):
    assert python_literal(value) == format_statement(f"_ = {value!r}").removeprefix("_ = ")


def test_example_renders_are_black_clean(churn_spec):
    spec, inputs = churn_spec
    for template, text in _rendered(spec, inputs).items():
        assert black.format_str(text, mode=MODE) == text, template


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


@settings(max_examples=300, deadline=None)
@example(targets=["x"], kind="call", names=["a"] * 30, depth=1)
@example(targets=["LIBRARIES"], kind="list", names=["pandas"] * 12, depth=0)
@example(targets=["params"], kind="dict", names=[], depth=1)
@example(targets=["a" * 90], kind="call", names=["b"], depth=1)
@given(
    targets=st.lists(python_names, min_size=0, max_size=8),
    kind=st.sampled_from(["call", "list", "dict"]),
    names=st.lists(python_names, max_size=25),
    depth=st.integers(0, 2),
)
def test_bracketed_statements_are_black_clean(targets, kind, names, depth):
    """One line when it fits, else one item per line with a magic trailing comma: black keeps it."""
    lhs = f"{', '.join(targets)} = " if targets else ""
    head, items, closing = {
        "call": (f"{lhs}run_task(", [f"{n}={n}" for n in names], ")"),
        "list": (f"{lhs}[", [f'"{n}"' for n in names], "]"),
        "dict": (f"{lhs}{{", [f'"{n}": {n}' for n in names], "}"),
    }[kind]
    text = bracketed_statement(head, items, closing, depth)
    wrappers = "".join("    " * level + "def _():\n" for level in range(depth))
    module = wrappers + text + "\n"
    assert black.format_str(module, mode=MODE) == module
    if len("    " * depth + head + ", ".join(items) + closing) <= 88:
        assert "\n" not in text
