"""Hypothesis strategies for malformed and hostile notebooks, as the bytes a user could save.

``hostile_notebooks()`` draws a ``Hostile(kind, data)``: ``kind`` names what is wrong (for the
failure message), ``data`` is the file content. Valid notebooks with hostile *code* (cells that
don't parse, builtins shadowed, unicode identifiers, contradictory tags) are part of the mix: they
must give a clean result or a clean error, never a crash.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

# Code a real notebook may contain, chosen for the trouble it gives a parser or a def/use analysis.
SNIPPETS = (
    "import pandas as pd\ndf = pd.read_csv('/home/alice/data.csv')",
    "df = df.dropna()\ndf['x2'] = df['x'] ** 2",
    "from sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression()",
    "model.fit(X, y)",
    "predictions = model.predict(X)",
    "list = [1, 2, 3]\nprint = len\ntype = 'shadowed'",
    "def len(x):\n    return 0\nid = len([1])",
    "données = 1\nπ = données * 3.14\n变量 = π",
    "ｆｕｌｌｗｉｄｔｈ = 1\nfullwidth",  # NFKC-normalised to the same identifier
    "x = (",
    "def f(:\n    pass",
    "if True:\n\tx = 1\n        y = 2",
    "'''never closed",
    "%matplotlib inline\nimport matplotlib.pyplot as plt",
    "!pip install scikit-learn==1.4",
    "files = !ls data\n%cd /tmp",
    "%%bash\necho hi",
    "%%time\nz = sum(range(10))",
    "df?",
    "global g\ng = 1",
    "del df",
    "from math import *",
    "exec('hidden = 1')\nhidden",
    "class Model:\n    def fit(self):\n        return __class__",
    "x: int\n(y := 2)",
    "lambda: (yield)",
    "async def f():\n    await g()",
    "[v for v in range(3)]\nv",
    "AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'",
    "password = 'hunter2'",
    "x = 1 \u202e # right-to-left override",
    "\ufeffbom = 1",
    "zero\u200bwidth = 1",
    "nul = '\x00'",
    "\\",
    "",
    "   ",
    "import os\nos.system('rm -rf ~/')",
    "train = 1\npredict = train",
    "for i in range(10**9):\n    pass",
)

TAGS = (
    "load",
    "clean",
    "train",
    "predict",
    "parameters",
    "skip",
    "trian",
    "Predict",
    " ",
    "step:load",
    "export",
    "load ",
    "日本",
)

WRONG_VALUES = (None, 0, -1, 1.5, True, "", "x", [], {}, [None], {"a": None})

# A notebook that splits cleanly; "tagged_pipeline" inserts hostile cells into it.
PIPELINE = (
    ("import pandas as pd\nfrom sklearn.linear_model import LinearRegression", ("load",)),
    ("df = pd.DataFrame({'x': [1.0, 2.0, 3.0, 4.0]})", ()),
    ("df['y'] = df['x'] * 2", ("clean",)),
    ("X = df[['x']]\ny = df['y']\nmodel = LinearRegression().fit(X, y)", ("train",)),
    ("predictions = model.predict(X)", ("predict",)),
)

KINDS = (
    "valid",
    "tagged_pipeline",
    "broken_json",
    "garbage_bytes",
    "wrong_version",
    "schema_bad_tags",
    "missing_key",
    "wrong_type",
    "huge_source",
    "huge_output",
    "deep_output",
    "non_utf8",
    "not_a_notebook",
    "v3_notebook",
)

# Sizes of the huge code cell. The reader takes any; lint and split analyse every statement (~10 s
# per MB), so their fuzz uses the smallest and one deterministic test covers a megabyte.
HUGE_SOURCES = (200_000, 1_000_000, 3_000_000)
# Mostly well-formed notebooks with hostile code and tags: they reach the deeper stages.
DEEP_MIX = KINDS + ("valid",) * 4 + ("tagged_pipeline",) * 6


@dataclass(frozen=True)
class Hostile:
    """A drawn notebook file: what is wrong with it, and its bytes."""

    kind: str
    data: bytes

    def __repr__(self) -> str:  # hypothesis prints this on failure; keep huge ones short
        preview = self.data[:300]
        return f"Hostile(kind={self.kind!r}, {len(self.data)} bytes, data={preview!r}...)"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))


def sources() -> st.SearchStrategy[str]:
    """Cell sources: hostile snippets, their concatenations, and arbitrary text."""
    return st.one_of(
        st.sampled_from(SNIPPETS),
        st.lists(st.sampled_from(SNIPPETS), min_size=2, max_size=4).map("\n".join),
        st.text(max_size=80),
        st.from_regex(r"[a-zA-Zα-ωА-я_][\wα-ω]{0,8} = [0-9]{1,3}", fullmatch=True),
    )


def tag_lists() -> st.SearchStrategy[list]:
    """Cell tags the schema accepts, including contradictions (``train`` + ``predict``) and typos."""
    free_text = st.text(
        st.characters(exclude_characters=",", exclude_categories=("Cs",)), min_size=1, max_size=6
    )
    return st.lists(st.one_of(st.sampled_from(TAGS), free_text), max_size=4, unique=True)


@st.composite
def cells(draw) -> dict:
    kind = draw(st.sampled_from(("code", "code", "code", "markdown", "raw")))
    index = draw(st.integers(0, 10**6))
    cell: dict[str, Any] = {
        "cell_type": kind,
        "id": f"c{index}",
        "metadata": {},
        "source": draw(sources()),
    }
    tags = draw(tag_lists())
    if tags:
        cell["metadata"]["tags"] = tags
    if kind == "code":
        cell["execution_count"] = draw(st.one_of(st.none(), st.integers(1, 50)))
        cell["outputs"] = draw(st.lists(outputs(), max_size=2))
    if draw(st.booleans()):
        cell["source"] = cell["source"].splitlines(keepends=True)  # nbformat's on-disk form
    return cell


@st.composite
def outputs(draw) -> dict:
    kind = draw(st.sampled_from(("stream", "execute_result", "display_data", "error")))
    text = draw(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(
                (
                    "alice@example.com +44 20 7946 0958",
                    "GB33BUKB20201555555555",
                    "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK",
                )
            ),
        )
    )
    if kind == "stream":
        return {"output_type": "stream", "name": "stdout", "text": text}
    if kind == "error":
        return {
            "output_type": "error",
            "ename": "ValueError",
            "evalue": text,
            "traceback": [text],
        }
    out = {"output_type": kind, "data": {"text/plain": text}, "metadata": {}}
    if kind == "execute_result":
        out["execution_count"] = draw(st.one_of(st.none(), st.integers(1, 50)))
    return out


@st.composite
def valid_notebooks(draw) -> dict:
    """A schema-valid nbformat 4.5 notebook whose code and tags may still be hostile."""
    nb_cells = draw(st.lists(cells(), max_size=8))
    seen: set[str] = set()
    for position, cell in enumerate(nb_cells):
        if cell["id"] in seen:
            cell["id"] = f"{cell['id']}-{position}"
        seen.add(cell["id"])
    return {
        "cells": nb_cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _paths(node: Any, prefix=()) -> list[tuple]:
    """Every (container path, key) in a JSON tree."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((*prefix, key))
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((*prefix, index))
            found.extend(_paths(value, (*prefix, index)))
    return found


def _parent(tree: Any, path: tuple) -> Any:
    for key in path[:-1]:
        tree = tree[key]
    return tree


def _deep_json(depth: int) -> bytes:
    """JSON text nested ``depth`` levels (built as text: ``json.dumps`` itself would recurse)."""
    opens = "".join('{"k": ' if level % 2 else "[" for level in range(depth))
    closes = "".join("}" if level % 2 else "]" for level in reversed(range(depth)))
    return (opens + '"x"' + closes).encode()


def _dump(nb: Any) -> bytes:
    return json.dumps(nb, ensure_ascii=False).encode("utf-8")


@st.composite
def hostile_notebooks(
    draw, kinds: tuple[str, ...] = KINDS, huge_sizes: tuple[int, ...] = HUGE_SOURCES
) -> Hostile:
    """Draw one malformed or hostile notebook file (``kinds`` may repeat one to weight it)."""
    kind = draw(st.sampled_from(kinds))
    nb = draw(valid_notebooks())
    if kind == "valid":
        return Hostile(kind, _dump(nb))
    if kind == "tagged_pipeline":
        base = [
            {
                "cell_type": "code",
                "id": f"p{i}",
                "metadata": {"tags": list(tags)} if tags else {},
                "source": source,
                "execution_count": i + 1,
                "outputs": [],
            }
            for i, (source, tags) in enumerate(PIPELINE)
        ]
        for extra in nb["cells"][:3]:  # hostile cells (code, tags) inserted anywhere
            base.insert(draw(st.integers(0, len(base))), extra)
        nb["cells"] = base
        return Hostile(kind, _dump(nb))
    if kind == "broken_json":
        text = _dump(nb)
        cut = draw(st.integers(0, max(0, len(text) - 1)))
        tail = draw(st.sampled_from((b"", b",", b"}}", b"\x00", b"]")))
        return Hostile(kind, text[:cut] + tail)
    if kind == "garbage_bytes":
        return Hostile(kind, draw(st.binary(min_size=1, max_size=200)))
    if kind == "wrong_version":
        nb["nbformat"] = draw(st.sampled_from((1, 2, 3, 5, 99, -1, "4", 4.0, None, True, [4])))
        if draw(st.booleans()):
            nb["nbformat_minor"] = draw(st.sampled_from((-1, 99, "5", None, 4.5)))
        return Hostile(kind, _dump(nb))
    if kind == "schema_bad_tags":
        bad = draw(st.sampled_from((["train", "train"], [""], ["load,clean"], "train", [1])))
        nb["cells"].append(
            {
                "cell_type": "code",
                "id": "tagged",
                "metadata": {"tags": bad},
                "source": "x = 1",
                "execution_count": None,
                "outputs": [],
            }
        )
        return Hostile(kind, _dump(nb))
    if kind in ("missing_key", "wrong_type"):
        paths = _paths(nb)
        path = paths[draw(st.integers(0, len(paths) - 1))]
        parent = _parent(nb, path)
        if kind == "missing_key":
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(WRONG_VALUES)))
        return Hostile(f"{kind}:{'/'.join(map(str, path))}", _dump(nb))
    if kind == "huge_source":
        size = draw(st.sampled_from(huge_sizes))
        line = draw(st.sampled_from(("x = 1\n", "# comment\n", "y = [0] * 10\n")))
        nb["cells"].append(
            {
                "cell_type": "code",
                "id": "huge",
                "metadata": {},
                "source": line * (size // len(line)),
                "execution_count": None,
                "outputs": [],
            }
        )
        return Hostile(kind, _dump(nb))
    if kind == "huge_output":
        size = draw(st.sampled_from((2_000_000, 11 * 1024 * 1024)))
        nb["cells"].append(
            {
                "cell_type": "code",
                "id": "huge",
                "metadata": {},
                "source": "print(big)",
                "execution_count": 1,
                "outputs": [{"output_type": "stream", "name": "stdout", "text": "z" * size}],
            }
        )
        return Hostile(kind, _dump(nb))
    if kind == "deep_output":
        depth = draw(st.sampled_from((50, 900, 5_000, 100_000)))
        nb["cells"].append(
            {
                "cell_type": "code",
                "id": "deep",
                "metadata": {},
                "source": "show()",
                "execution_count": 1,
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"application/json": "DEEP"},
                    }
                ],
            }
        )
        return Hostile(kind, _dump(nb).replace(b'"DEEP"', _deep_json(depth)))
    if kind == "non_utf8":
        text = _dump(nb)
        how = draw(st.sampled_from(("latin1", "utf16", "invalid_byte", "lone_surrogate")))
        if how == "latin1":
            nb["metadata"]["author"] = "Zoë Müller ñ"
            return Hostile(kind, json.dumps(nb, ensure_ascii=False).encode("latin-1", "replace"))
        if how == "utf16":
            return Hostile(kind, text.decode("utf-8").encode("utf-16"))
        if how == "lone_surrogate":
            return Hostile(kind, text.replace(b'"metadata"', b'"\xed\xa0\x80metadata"', 1))
        at = draw(st.integers(0, len(text)))
        return Hostile(
            kind, text[:at] + draw(st.sampled_from((b"\xff", b"\xc3", b"\x80"))) + text[at:]
        )
    if kind == "not_a_notebook":
        value = draw(
            st.sampled_from(([], {}, 42, "cells", None, [nb], {"cells": "all"}, {"cells": None}))
        )
        return Hostile(kind, json.dumps(value).encode())
    if kind == "v3_notebook":
        v3 = {
            "metadata": {"name": ""},
            "nbformat": 3,
            "nbformat_minor": 0,
            "worksheets": [{"cells": [{"cell_type": "code", "input": "x = 1", "outputs": []}]}],
        }
        return Hostile(kind, json.dumps(v3).encode())
    raise AssertionError(kind)
