"""Shortcuts that skip tokenizing must give what tokenizing gives."""

from __future__ import annotations

import pytest

from productionize.core.codegen import _string_continuation_lines, escape_invalid_escapes


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("x = 1\ny = 2", set()),
        ('x = 1\ny = """a\nb\nc"""', {3, 4}),
        ("s = '''\nq'''", {2}),
        ("s = 'a\\\nb'\nz = 1", {2}),
        ('f = f"""{x}\n"""', {2}),
        ("x = (1,\n     2)", set()),
    ],
)
def test_multiline_string_lines(text, lines):
    assert _string_continuation_lines(text) == lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("df = df[df.a > 1]", "df = df[df.a > 1]"),
        ("p = re.compile('\\d+')", "p = re.compile('\\\\d+')"),
        ("p = r'\\d+'", "p = r'\\d+'"),
        ("s = 'tab\\tnewline\\n'", "s = 'tab\\tnewline\\n'"),
    ],
)
def test_invalid_escapes_doubled_only_where_there_is_a_backslash(text, expected):
    assert escape_invalid_escapes(text) == expected
