"""One hypothesis profile for the reliability suite, and a tally of what it sent through.

Every fuzz test sets its own ``max_examples`` (together well over 2,000 hostile notebooks per run);
``deadline=None`` because refusing an 11 MB output legitimately takes longer than 200 ms.
"""

from __future__ import annotations

import collections
import os

from hypothesis import HealthCheck, settings

RELIABILITY = settings(
    # CI replays the same generated notebooks every run (a red build is a regression, not luck);
    # PRODUCTIONIZE_FUZZ_RANDOM=1 explores fresh ones (how the split and server bugs were found)
    derandomize=os.environ.get("PRODUCTIONIZE_FUZZ_RANDOM") != "1",
    deadline=None,
    # huge/deep notebooks are the point of the exercise, not an accident of the strategy
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
    print_blob=True,
)

TALLY: collections.Counter = collections.Counter()


def count(surface: str, kind: str) -> None:
    """Record one hostile notebook sent through ``surface`` (reported at the end of the run)."""
    TALLY[surface] += 1
    TALLY[f"{surface}:{kind.split(':')[0]}"] += 1


MEASUREMENTS: list[str] = []
FIGURES: dict[str, dict] = {}  # written as JSON when PRODUCTIONIZE_RELIABILITY_JSON names a file


def report(line: str, name: str | None = None, figures: dict | None = None) -> None:
    """Keep a measured figure for the end-of-run summary (measured, asserted only generously)."""
    MEASUREMENTS.append(line)
    if name is not None:
        FIGURES[name] = figures or {}
