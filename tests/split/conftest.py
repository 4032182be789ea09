"""Helpers for split tests: split an in-memory notebook through the pure flow."""

from __future__ import annotations

import json

import pytest

from productionize.adapters.splitting import template_environment
from productionize.core.flow import split
from productionize.core.notebook import notebook_from_dict
from productionize.core.render import RenderInputs
from productionize.options import Options

VERSIONS = {"pandas": "3.1.1", "scikit-learn": "1.9.1", "numpy": "2.4.6", "joblib": "1.6.0"}
DISTRIBUTIONS = {"sklearn": "scikit-learn", "pandas": "pandas", "numpy": "numpy"}


def inputs_for(nb) -> RenderInputs:
    """Render inputs with fixed versions, so results do not depend on this machine."""
    return RenderInputs(
        templates=template_environment(),
        notebook_text=json.dumps(nb),
        notebook_sha256="0" * 64,
        tool_version="0.0.test",
        versions={**VERSIONS, "ploomber": "0.23.3", "skops": "0.16.0"},
        distributions=DISTRIBUTIONS,
    )


def split_nb(nb, options: Options | None = None, sizes: dict | None = None):
    """Split an nbformat node with the pure flow; data file sizes come from ``sizes``."""
    notebook, _ = notebook_from_dict(json.loads(json.dumps(nb)), "nb.ipynb")
    sizes = sizes or {}
    return split(notebook, options or Options(), inputs_for(nb), lambda p: sizes.get(p))


@pytest.fixture
def split_notebook():
    return split_nb
