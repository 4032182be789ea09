"""Course exercise checkers: names a star import brings in only to grade the exercise.

Kaggle Learn exercises start with ``from learntools.core import binder; binder.bind(globals())``
and ``from learntools.ml_intermediate.ex4 import *``, then end cells with ``step_1.a.check()``.
``step_1`` comes from the star import; importing it by name (the usual advice) is not what the
author needs: the checks grade the exercise and change no value the pipeline computes.
"""

from __future__ import annotations

CHECKER_PACKAGES = ("learntools",)


def checker_advice(module: str, name: str) -> str | None:
    """What to do about ``name`` from ``from module import *`` when it is an exercise checker."""
    if module.split(".")[0] not in CHECKER_PACKAGES:
        return None
    return (
        f"`{name}` is the exercise checker of Kaggle Learn (`{module}`): delete the lines "
        f"calling its `.check()`, `.hint()` or `.solution()` and the learntools setup cell (or "
        "tag those cells `skip`), they only grade the exercise"
    )
