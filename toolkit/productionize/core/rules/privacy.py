"""PN505: personal data (e-mail addresses, phone numbers, IBANs) printed into saved outputs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...model import Finding, Severity
from .base import LintContext, rule
from .secrets import MAX_OUTPUT_SCAN, clear_outputs_fix

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_PHONE = re.compile(
    r"(?<![\w.+-])(?:\+\d{1,3}[ .-]?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){2,4}"
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w.])"
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
# example.com & co. are reserved for documentation (RFC 2606)
_DOC_DOMAINS = ("example.com", "example.org", "example.net")


def _iban_valid(candidate: str) -> bool:
    text = candidate.replace(" ", "")
    if not 15 <= len(text) <= 34:
        return False
    rearranged = text[4:] + text[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def find_personal_data(text: str) -> list[str]:
    """Kinds of personal data found in text: ``e-mail address``, ``phone number``, ``IBAN``."""
    kinds = []
    emails = [m.group(0) for m in _EMAIL.finditer(text)]
    if any(not e.lower().endswith(_DOC_DOMAINS) for e in emails):
        kinds.append("e-mail address")
    if any(sum(ch.isdigit() for ch in m.group(0)) >= 9 for m in _PHONE.finditer(text)):
        kinds.append("phone number")
    if any(_iban_valid(m.group(0)) for m in _IBAN.finditer(text)):
        kinds.append("IBAN")
    return kinds


@rule(
    "PN505",
    "pii-in-output",
    Severity.WARNING,
    "A saved output shows personal data (e-mail addresses, phone numbers, IBAN-like strings)",
    "Safe: clear the cell's outputs (and display anonymized samples)",
)
def pii_in_output(ctx: LintContext) -> Iterator[Finding]:
    for p in ctx.parsed:
        kinds: list[str] = []
        for output in p.cell.outputs:
            if output.output_type == "error":
                continue
            for kind in find_personal_data(output.text[:MAX_OUTPUT_SCAN]):
                if kind not in kinds:
                    kinds.append(kind)
        if kinds:
            yield ctx.finding(
                "PN505",
                p.cell,
                f"output shows personal data ({', '.join(kinds)})",
                fix=clear_outputs_fix(p.cell, "they show personal data"),
            )
