"""Contents-API paths resolve under the server root, and nowhere else."""

from __future__ import annotations

import os

import pytest

from productionize.server.paths import PathRefused, resolve_under_root, to_api_path


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "root"
    (root / "work").mkdir(parents=True)
    (root / "work" / "nb.ipynb").write_text("{}")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "nb.ipynb").write_text("{}")
    os.symlink(tmp_path / "outside", root / "link-out")
    os.symlink(root / "work", root / "link-in")
    return root


@pytest.mark.parametrize("path", ["work/nb.ipynb", "./work/nb.ipynb", "link-in/nb.ipynb"])
def test_paths_inside_the_root_resolve(root, path):
    assert resolve_under_root(root, path) == (root / "work" / "nb.ipynb").resolve()


@pytest.mark.parametrize(
    "path, reason",
    [
        ("", "required"),
        ("   ", "required"),
        (None, "required"),
        ("../outside/nb.ipynb", "'..'"),
        ("work/../../outside/nb.ipynb", "'..'"),
        ("/etc/passwd", "absolute"),
        ("D:/data.ipynb", "absolute"),
        ("work\\nb.ipynb", "forbidden"),
        ("work/nb\x00.ipynb", "forbidden"),
        ("link-out/nb.ipynb", "outside the server root"),
        ("work/missing.ipynb", "no such file"),
    ],
)
def test_everything_else_is_refused(root, path, reason):
    with pytest.raises(PathRefused) as caught:
        resolve_under_root(root, path)
    assert reason in caught.value.reason


def test_a_new_output_folder_may_not_exist_yet(root):
    assert resolve_under_root(root, "work/out", must_exist=False) == (root / "work/out").resolve()
    with pytest.raises(PathRefused):
        resolve_under_root(root, "link-out/new", must_exist=False)


def test_api_paths_are_relative_and_slash_separated(root):
    assert to_api_path(root, root / "work" / "nb.ipynb") == "work/nb.ipynb"
