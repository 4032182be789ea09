"""Property tests (hypothesis) for the def/use analysis that lint, graph and plan share.

Random straight-line cells are checked against a tiny reference interpreter of Python's scoping:
what a cell reads before writing is ``used``, what it leaves bound is ``defined``.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from productionize.core.codegen import rename_names
from productionize.core.defuse import analyze_source
from productionize.core.imports import sort_imports

NAMES = st.sampled_from(["a", "b", "c", "df", "model", "x_1", "y"])


@st.composite
def statements(draw):
    kind = draw(st.sampled_from(["assign", "aug", "def", "tuple", "for"]))
    target = draw(NAMES)
    sources = draw(st.lists(NAMES, min_size=0, max_size=3))
    expr = " + ".join(sources) if sources else "1"
    if kind == "assign":
        return f"{target} = {expr}", ("assign", target, sources)
    if kind == "aug":
        return f"{target} += {expr}", ("assign", target, [target, *sources])
    if kind == "tuple":
        other = draw(NAMES)
        return f"{target}, {other} = ({expr}), 0", ("assign2", (target, other), sources)
    if kind == "for":
        return (
            f"for {target} in range(3):\n    pass",
            ("assign", target, []),
        )
    params = draw(st.lists(NAMES, min_size=0, max_size=2, unique=True))
    name = draw(st.sampled_from(["f", "g", "helper"]))
    body = " + ".join(sources) if sources else "0"
    return (
        f"def {name}({', '.join(params)}):\n    return {body}",
        ("def", name, [s for s in sources if s not in params]),
    )


def reference(program) -> tuple[set[str], set[str]]:
    """(defined, used) by simulating the statements in order; function bodies run last."""
    defined: set[str] = set()
    used: set[str] = set()
    deferred: list[str] = []
    for kind, target, sources in program:
        if kind == "def":
            deferred.extend(sources)
            defined.add(target)
            continue
        for source in sources:
            if source not in defined:
                used.add(source)
        if kind == "assign2":
            defined.update(target)
        else:
            defined.add(target)
    used.update(s for s in deferred if s not in defined)
    return defined, used


@settings(max_examples=300, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=8))
def test_defined_and_used_match_a_reference_interpreter(items):
    source = "\n".join(code for code, _ in items)
    names = analyze_source(source)
    defined, used = reference([meaning for _, meaning in items])
    assert set(names.defined) == defined, source
    assert set(names.used) == used, source


@settings(max_examples=200, deadline=None)
@given(st.lists(statements(), min_size=2, max_size=8), st.data())
def test_splitting_a_cell_in_two_composes(items, data):
    """Reading a cell as two cells: used = used(first) | (used(second) - defined(first))."""
    cut = data.draw(st.integers(min_value=1, max_value=len(items) - 1))
    whole = analyze_source("\n".join(code for code, _ in items))
    first = analyze_source("\n".join(code for code, _ in items[:cut]))
    second = analyze_source("\n".join(code for code, _ in items[cut:]))
    has_functions = any(meaning[0] == "def" for _, meaning in items)
    assert set(whole.defined) == set(first.defined) | set(second.defined)
    if not has_functions:  # function bodies see the whole cell's names, not just those above
        assert set(whole.used) == set(first.used) | (set(second.used) - set(first.defined))


@settings(max_examples=200, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=6), NAMES, st.sampled_from(["model", "records"]))
def test_renaming_moves_the_name_and_nothing_else(items, old, new):
    source = "\n".join(code for code, _ in items)
    before = analyze_source(source)
    renamed = rename_names(source, {old: new})
    after = analyze_source(renamed)

    def moved(names):
        return {new if n == old else n for n in names}

    if not re.search(rf"\b{new}\b", source):  # renaming onto a name in use changes scoping
        assert set(after.defined) == moved(before.defined)
        assert set(after.used) == moved(before.used)


MODULES = st.sampled_from(["os", "json", "pandas", "numpy", "sklearn.metrics", "sklearn.pipeline"])
MEMBERS = st.sampled_from(["Pipeline", "accuracy_score", "path", "DataFrame", "MAX", "load"])


@st.composite
def import_statements(draw):
    module = draw(MODULES)
    if draw(st.booleans()):
        alias = draw(st.sampled_from(["", " as pd", " as np"]))
        return f"import {module}{alias}"
    member = draw(MEMBERS)
    alias = draw(st.sampled_from(["", " as alias_1"]))
    return f"from {module} import {member}{alias}"


@settings(max_examples=200, deadline=None)
@given(st.lists(import_statements(), min_size=1, max_size=8))
def test_sorted_imports_bind_the_same_names_and_are_stable(lines):
    laid_out = sort_imports(lines)
    bindings = {(b.name, b.statement) for b in analyze_source("\n".join(lines)).imports}
    again = {(b.name, b.statement) for b in analyze_source(laid_out).imports}
    assert {n for n, _ in again} == {n for n, _ in bindings}
    assert sort_imports(laid_out.split("\n")) == laid_out
