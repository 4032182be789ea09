"""Lint rules, one small function per stable rule id, grouped by family:

PN1xx execution order · PN2xx dataflow · PN3xx errors and syntax · PN4xx magics and shell escapes
· PN5xx paths, secrets and personal data · PN6xx randomness · PN7xx style (black, ruff)
· PN8xx tagging.
"""

from __future__ import annotations

from . import (  # noqa: F401  (importing a family registers its rules)
    dataflow,
    errors,
    execution,
    numpy_api,
    pandas_api,
    pandas_removed,
    paths,
    privacy,
    randomness,
    secrets,
    shell,
    sklearn_api,
    sklearn_calls,
    style,
    tagging,
)
from .base import RULES, LintContext, Rule

__all__ = ["RULES", "LintContext", "Rule", "all_rules"]


def all_rules() -> list[Rule]:
    """Every rule, sorted by id."""
    return [RULES[rule_id] for rule_id in sorted(RULES)]
