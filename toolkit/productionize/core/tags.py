"""The tag grammar as data: which cell tags name a pipeline stage, in which order."""

from __future__ import annotations

import difflib

# Pipeline stages in execution order; a notebook's tagged cells must not go backwards in this list.
STAGES: tuple[str, ...] = ("load", "clean", "train", "predict")
# Tags with a special meaning that are not stages of the generated pipeline.
PARAMETERS = "parameters"  # papermill's convention: values that become pipeline parameters
SKIP = "skip"  # exploration: never copied into production code
SPECIAL: tuple[str, ...] = (PARAMETERS, SKIP)
KNOWN: tuple[str, ...] = STAGES + SPECIAL
# Tags other tools put on cells; never reported as unknown.
FOREIGN = frozenset(
    {
        "injected-parameters",
        "remove-cell",
        "remove-input",
        "remove-output",
        "hide-input",
        "hide-output",
        "hide-cell",
        "raises-exception",
        "skip-execution",
        "export",
        "hide",
        "imports",
        "functions",
        "pipeline-parameters",
        "pipeline-metrics",
    }
)
ORDER = {stage: index for index, stage in enumerate(STAGES)}


def stage_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    """The known Productionize tags among a cell's tags, in the order written."""
    return tuple(t for t in tags if t in KNOWN)


def unknown_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    """Tags that are neither ours nor another well-known tool's (likely typos)."""
    return tuple(
        t for t in tags if t not in KNOWN and t not in FOREIGN and not t.startswith("step:")
    )


def suggest_tag(tag: str) -> str | None:
    """The nearest valid tag for a misspelt one (``trian`` -> ``train``), if any is close."""
    lowered = tag.strip().lower()
    if lowered in KNOWN:
        return lowered
    aliases = {
        "preprocess": "clean",
        "preprocessing": "clean",
        "cleaning": "clean",
        "features": "clean",
        "feature-engineering": "clean",
        "training": "train",
        "fit": "train",
        "model": "train",
        "inference": "predict",
        "prediction": "predict",
        "score": "predict",
        "evaluate": "predict",
        "data": "load",
        "loading": "load",
        "ingest": "load",
        "params": "parameters",
        "parameter": "parameters",
        "ignore": "skip",
        "exploration": "skip",
        "eda": "skip",
    }
    if lowered in aliases:
        return aliases[lowered]
    close = difflib.get_close_matches(lowered, KNOWN, n=1, cutoff=0.6)
    return close[0] if close else None
