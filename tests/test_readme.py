"""The README tells the truth: two commands first, and every verb's usage matches its --help."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from productionize.adapters.cli import COMMANDS, main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def help_flags(*verb: str) -> set[str]:
    result = CliRunner().invoke(main, [*verb, "--help"])
    assert result.exit_code == 0, result.output
    return set(FLAG.findall(result.output))


def code_blocks(text: str) -> list[str]:
    return re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)


def usage_lines() -> list[tuple[str, str]]:
    """(verb, usage) for each inline `productionize VERB …` (headings too) and code-block command."""
    found = re.findall(r"`productionize (\w+)([^`\n]*)`", README)
    for block in code_blocks(README):
        command = None
        for line in block.splitlines():
            code = line.split(" #")[0].rstrip()
            if code.startswith("productionize "):
                command = code
                found.append((code.split()[1], code))
            elif command and line.startswith(" ") and code.strip():
                found[-1] = (found[-1][0], found[-1][1] + " " + code.strip())
            else:
                command = None
    return found


def test_readme_starts_with_exactly_two_commands():
    first = code_blocks(README.split("\n## ", 1)[0])
    assert len(first) == 1
    commands = [line.split("#")[0].strip() for line in first[0].splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


@pytest.mark.parametrize(("verb", "usage"), usage_lines())
def test_documented_usage_matches_help(verb, usage):
    assert verb in COMMANDS, f"README documents an unknown verb: {verb}"
    missing = set(FLAG.findall(usage)) - help_flags(verb) - help_flags()
    assert not missing, f"`productionize {verb}` has no {sorted(missing)} (README: {usage})"


@pytest.mark.parametrize("verb", sorted(COMMANDS))
def test_every_option_of_every_verb_is_documented(verb):
    assert f"productionize {verb}" in README
    undocumented = {flag for flag in help_flags(verb) - {"--help"} if flag not in README}
    assert not undocumented, f"README does not mention {sorted(undocumented)} of {verb}"
