"""Synthetic but realistic notebooks of any size, built with nbformat (deterministic).

The shape follows real data-science notebooks: a parameters cell, imports, a load stage, a long
cleaning/exploration middle (feature code, ``describe()`` tables, histograms with PNG outputs,
helper functions, prints, markdown commentary), then train and predict. Markdown H2 headings
separate sections so soorgeon (which splits on H2) can refactor the same file.
"""

from __future__ import annotations

import base64
import struct
import zlib

import nbformat


def _png(width: int = 64, height: int = 64) -> str:
    """Return a real PNG of deterministic noise, base64 (about the size of a small plot)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + bytes((x * 7 + y * 13 + (x * y) % 17) % 256 for x in range(width * 3))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    raw += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return base64.b64encode(raw).decode()


_PNG = _png()

_TABLE_HTML = (
    "<table><thead><tr><th></th><th>tenure</th><th>monthly_charges</th></tr></thead><tbody>"
    + "".join(f"<tr><th>{i}</th><td>{i * 3}</td><td>{20 + i * 1.5:.2f}</td></tr>" for i in range(5))
    + "</tbody></table>"
)

IMPORTS = """\
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split"""

CELLS_PER_BLOCK = 8  # one feature-engineering block below; the notebook repeats it


def _code(source: str, tags=(), outputs=()):
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    cell.outputs = list(outputs)
    return cell


def _markdown(source: str):
    return nbformat.v4.new_markdown_cell(source)


def _stream(text: str):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _result(plain: str, html: str | None = None):
    data = {"text/plain": plain}
    if html:
        data["text/html"] = html
    return nbformat.v4.new_output("execute_result", data=data, execution_count=1)


def _figure():
    return nbformat.v4.new_output(
        "display_data", data={"image/png": _PNG, "text/plain": "<Figure size 640x480 with 1 Axes>"}
    )


def _feature_block(i: int) -> list:
    """Eight cells engineering and inspecting feature ``i`` (first one tagged ``clean``)."""
    col = f"feature_{i}"
    return [
        _markdown(f"## Feature {i}\n\nRatio of charges to tenure, shifted by {i}; see the plot."),
        _code(
            f'df["{col}"] = (df["monthly_charges"] + {i}) / (df["tenure"] + 1)',
            tags=("clean",) if i == 0 else (),
        ),
        _code(
            f'df["{col}"].describe()',
            outputs=[_result(f"count    500.0\nmean     {i}.5\nName: {col}, dtype: float64")],
        ),
        _code(
            f"fig, ax = plt.subplots()\n"
            f'ax.hist(df["{col}"], bins=20)\n'
            f'ax.set_title("{col}")\n'
            "plt.show()",
            outputs=[_figure()],
        ),
        _code(
            f"def scale_{i}(values):\n"
            f'    """Standardise feature {i}."""\n'
            "    return (values - values.mean()) / values.std()"
        ),
        _code(f'df["{col}_scaled"] = scale_{i}(df["{col}"])'),
        _code("print(df.shape)", outputs=[_stream(f"(500, {6 + 2 * i})\n")]),
        _markdown(f"Feature {i} looks roughly normal after scaling."),
    ]


def build_notebook(n_cells: int):
    """Return an nbformat v4 notebook with exactly ``n_cells`` cells (>= 20)."""
    if n_cells < 20:
        raise ValueError("n_cells must be >= 20")
    head = [
        _markdown("# Customer churn\n\nPredict which customers leave, from billing history."),
        _code(
            'DATA_PATH = "data/churn.csv"\nTEST_SIZE = 0.2\nRANDOM_STATE = 42',
            tags=("parameters",),
        ),
        _markdown("## Load"),
        _code(IMPORTS + "\n\ndf = pd.read_csv(DATA_PATH)", tags=("load",)),
        _code("df.head()", outputs=[_result("   tenure  monthly_charges", _TABLE_HTML)]),
    ]
    n_features = 0
    tail_len = 9
    middle: list = []
    while len(head) + len(middle) + CELLS_PER_BLOCK + tail_len <= n_cells:
        middle += _feature_block(n_features)
        n_features += 1
    while len(head) + len(middle) + tail_len < n_cells:
        middle.append(_markdown("Notes: nothing surprising in this section."))
    features = ", ".join(f'"feature_{i}_scaled"' for i in range(n_features))
    tail = [
        _markdown("## Train"),
        _code(
            f"FEATURES = [{features}]\n"
            'X = df[FEATURES]\ny = df["churn"]\n'
            "X_train, X_test, y_train, y_test = train_test_split(\n"
            "    X, y, test_size=TEST_SIZE, random_state=RANDOM_STATE\n)",
            tags=("train",),
        ),
        _code(
            "model = LogisticRegression(max_iter=500, random_state=RANDOM_STATE)\n"
            "model.fit(X_train, y_train)",
            outputs=[_result("LogisticRegression(max_iter=500, random_state=42)")],
        ),
        _code(
            "accuracy = accuracy_score(y_test, model.predict(X_test))\nprint(accuracy)",
            outputs=[_stream("0.81\n")],
        ),
        _markdown("Accuracy is fine for a first model."),
        _markdown("## Predict"),
        _code("predictions = model.predict(X_test)", tags=("predict",)),
        _code("predictions[:10]", outputs=[_result("array([0, 1, 0, 0, 0, 1, 0, 0, 0, 0])")]),
        _markdown("The end."),
    ]
    assert len(tail) == tail_len
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {
        "name": "python",
        "file_extension": ".py",
        "mimetype": "text/x-python",
    }
    nb.cells = head + middle + tail
    count = 0
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for output in cell.outputs:
                if "execution_count" in output:
                    output.execution_count = count
    nbformat.validate(nb)
    return nb


def write_notebook(n_cells: int, path) -> None:
    """Write ``build_notebook(n_cells)`` to ``path``."""
    with open(path, "w", encoding="utf-8") as handle:
        nbformat.write(build_notebook(n_cells), handle)
