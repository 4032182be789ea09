"""Refuse a model that cannot answer for a new record: a clusterer without ``predict``.

``DBSCAN``, ``AgglomerativeClustering``, ``OPTICS``, ``SpectralClustering``, t-SNE and a
``LocalOutlierFactor`` without ``novelty=True`` label only the rows they were fitted on
(``fit_predict``); a service calling their ``predict`` would answer every request with the
fallback. The split stops naming the cell and line and the ways out.
"""

from __future__ import annotations

import ast

from ..errors import SplitError
from ..model import Notebook
from .statements import CODE

NO_PREDICT = frozenset(
    {
        "DBSCAN",
        "HDBSCAN",
        "OPTICS",
        "AgglomerativeClustering",
        "SpectralClustering",
        "FeatureAgglomeration",
        "TSNE",
        "MDS",
        "SpectralEmbedding",
        "LocalOutlierFactor",
    }
)


def check_servable(notebook: Notebook, pieces: dict, model: str) -> None:
    """Raise SplitError when ``model`` is built by an estimator that has no ``predict``."""
    built: dict[str, ast.Call] = {}  # name -> the constructor call it was last bound to
    for stage in ("load", "clean", "train"):
        for piece in pieces.get(stage, ()):
            node = piece.statement.node
            if piece.statement.kind != CODE or not isinstance(node, ast.Assign):
                continue
            call = _constructor(node.value, built)
            for target in node.targets:
                if isinstance(target, ast.Name):
                    if call is None:
                        built.pop(target.id, None)
                    else:
                        built[target.id] = call
            if not any(isinstance(t, ast.Name) and t.id == model for t in node.targets):
                continue
            name = _called(call) if call is not None else None
            if name not in NO_PREDICT:
                continue
            if name == "LocalOutlierFactor" and any(
                k.arg == "novelty" and isinstance(k.value, ast.Constant) and k.value.value
                for k in call.keywords
            ):
                continue  # novelty=True: predict on new records is what it is for
            cell = piece.cell.cell
            raise SplitError(
                f"the model `{model}` is a {name} (cell {cell.index} line {node.lineno}): it labels "
                "only the rows it was fitted on and has no predict, so a service cannot answer "
                "for a new record; serve a model fitted on its labels (e.g. "
                "`KNeighborsClassifier().fit(X, labels)`) or a clusterer with predict (KMeans, "
                "GaussianMixture, LocalOutlierFactor(novelty=True))",
                notebook.location(cell, node.lineno),
            )


def _constructor(value: ast.AST, built: dict[str, ast.Call]) -> ast.Call | None:
    """The estimator call behind ``value``: ``DBSCAN(...)`` itself, or the estimator that
    ``dbscan.fit(X)`` / ``DBSCAN(...).fit(X)`` returns (``fit`` returns the estimator)."""
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    if isinstance(func, ast.Attribute) and func.attr == "fit":
        if isinstance(func.value, ast.Name):
            return built.get(func.value.id)
        return _constructor(func.value, built)
    return value


def _called(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None
