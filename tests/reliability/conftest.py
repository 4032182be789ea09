"""Report how many hostile notebooks the reliability suite really sent through each surface."""

from __future__ import annotations

from tests.reliability.profile import TALLY


def pytest_terminal_summary(terminalreporter):
    surfaces = {k: v for k, v in TALLY.items() if ":" not in k}
    if surfaces:
        total = sum(surfaces.values())
        detail = ", ".join(f"{k} {v}" for k, v in sorted(surfaces.items()))
        terminalreporter.write_line(f"reliability: {total} hostile notebooks ({detail})")
