"""The ``productionize-report.json`` content: what was split, how, and (later) verify results."""

from __future__ import annotations

import posixpath
import re

from ..model import CellGraph, PipelineSpec, to_dict
from .render import RenderInputs, mermaid


def shareable_path(path: str) -> str:
    """The notebook path as a published report may show it: an absolute one keeps its name only.

    The report is committed to the deployment repository and quoted in the pull request; an
    absolute path would publish the author's home folder and machine layout.
    """
    posix = path.replace("\\", "/")
    if posix.startswith(("/", "~")) or re.match(r"^[A-Za-z]:/", posix):
        return posixpath.basename(posix)
    return path


def build_report(graph: CellGraph, spec: PipelineSpec, env: RenderInputs) -> dict:
    """Report of a split: tool version, notebook hash, stages, graph, suggestions."""
    return {
        "tool": "productionize",
        "tool_version": env.tool_version,
        "notebook": {"path": shareable_path(spec.notebook_path), "sha256": env.notebook_sha256},
        "package": spec.package,
        "stages": [
            {
                "name": s.name,
                "cells": list(s.cells),
                "inputs": list(s.inputs),
                "parameters": list(s.parameters),
                "outputs": list(s.outputs),
                "synthesized": s.synthesized,
                # display-only and exploration statements left in the notebook
                "dropped": list(s.dropped),
            }
            for s in spec.stages
        ],
        "cells": [
            {"index": c.index, "id": c.cell_id, "stage": c.stage, "origin": c.origin}
            for c in graph.cells
        ],
        "parameters": [to_dict(p) for p in spec.parameters],
        "data_files": [to_dict(f) for f in spec.data_files],
        "model": {
            "name": spec.model_name,
            "features": spec.features_name,
            "target": spec.target_name,
            "records": spec.records_name,
            "predictions": spec.predictions_name,
            "metrics": list(spec.metrics),
            # several models compared, none predicted with: the one served is the best by score
            "compared": (
                {
                    "models": list(spec.model_choice.models),
                    "scores": list(spec.model_choice.scores),
                    "metric": spec.model_choice.metric,
                    "lower_is_better": spec.model_choice.lower_is_better,
                }
                if spec.model_choice
                else None
            ),
        },
        "mermaid": mermaid(spec),
        "suggestions": [to_dict(s) for s in graph.suggestions],
        # the notebook had no stage tags and these were applied: tag the notebook to confirm them
        "inferred_tags": [
            {"cell": c.index, "tag": c.stage} for c in graph.cells if c.origin == "inferred"
        ],
        "notes": list(spec.notes),
        "verify": None,
    }
