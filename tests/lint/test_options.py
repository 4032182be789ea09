"""Options from the nearest pyproject.toml ([tool.productionize], black's line length)."""

from __future__ import annotations

import pytest

from productionize.adapters.linting import find_pyproject, load_options
from productionize.errors import ConfigError
from productionize.model import Severity
from productionize.options import Options


def test_nearest_pyproject_upward(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.productionize]\nignore = ["PN7"]\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    (nested / "nb.ipynb").write_text("{}")
    assert find_pyproject(nested / "nb.ipynb") == tmp_path / "pyproject.toml"
    assert load_options(nested / "nb.ipynb").ignore == ("PN7",)


def test_black_line_length_is_the_default(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 120\n")
    assert load_options(tmp_path / "nb.ipynb").line_length == 120
    (tmp_path / "pyproject.toml").write_text(
        "[tool.black]\nline-length = 120\n[tool.productionize]\nline_length = 99\n"
    )
    assert load_options(tmp_path / "nb.ipynb").line_length == 99


def test_base_options_are_kept(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.productionize]\nfail_on = "info"\n')
    options = load_options(tmp_path / "nb.ipynb", base=Options(framework="flask"))
    assert (options.framework, options.fail_on) == ("flask", Severity.INFO)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[tool.productionize\n", "invalid TOML"),
        ('[tool.productionize]\nfail_on = "sometimes"\n', "invalid [tool.productionize]"),
        ("[tool]\nproductionize = 3\n", "must be a table"),
    ],
)
def test_bad_configuration_names_the_file(tmp_path, text, message):
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_options(tmp_path / "nb.ipynb")
    assert message in str(info.value) and str(tmp_path / "pyproject.toml") in str(info.value)
