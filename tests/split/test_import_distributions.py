"""The import name -> distribution lookup agrees with importlib.metadata.packages_distributions."""

from __future__ import annotations

import importlib.metadata

import pytest

from productionize.adapters import splitting


def test_every_installed_import_name_maps_like_the_standard_library():
    expected = importlib.metadata.packages_distributions()
    lookup = splitting._ImportDistributions()
    names = sorted(expected) + ["os", "json", "no_such_module_here", "sklearn", "PIL", "yaml"]
    for name in names:
        want = expected[name][0] if expected.get(name) else "DEFAULT"
        assert lookup.get(name, "DEFAULT") == want, name


@pytest.mark.parametrize(
    "record",
    [
        "pkg/__init__.py,sha256=x,1\npkg/data.txt,,\n",
        "pkg/data.txt,,\npkg.py,,\n",
        "pkg.py,,\n",
        "pkg.pyc,,\npkg/README,,\n",
        "./pkg/mod.py,,\n",
        '"pkg/odd,name.py",,\n',
        "other/pkg/mod.py,,\nxpkg/a.py,,\npkg_extra/a.py,,\n",
        "pkg.data/scripts/run.py,,\n",
        "../../bin/pkg.py,,\n",
        "pkgx.py,,\r\npkg/a.py,,\r\n",
        "",
    ],
)
def test_record_rule_matches_the_standard_library(tmp_path, record):
    info = tmp_path / "demo-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")
    (info / "RECORD").write_text(record, newline="")
    dist = importlib.metadata.PathDistribution(info)
    inferred = importlib.metadata._top_level_inferred(dist)
    for name in ("pkg", "pkgx", "xpkg", "other", "..", "bin"):
        assert splitting._record_lists(record, name) == (name in inferred), (record, name)
