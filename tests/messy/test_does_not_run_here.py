"""Notebooks that cannot run here because of the environment, not the notebook's logic: a library
that is not installed (xgboost, lightgbm, catboost in most regression notebooks), a loader
scikit-learn removed. `build` names the cell and its line, says what to install and where, and
keeps a long error message to its first line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from nbclient.exceptions import CellExecutionError

from productionize.adapters import verifying
from productionize.adapters.cli import main
from productionize.adapters.verifying import can_verify

from . import public_shapes

TRACEBACK = (
    "\x1b[31m---------------------------------------------------------------------------\x1b[39m\n"
    "\x1b[31mModuleNotFoundError\x1b[39m                       Traceback (most recent call last)\n"
    "\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[3]\x1b[39m\x1b[32m, line 2\x1b[39m\n"
    "\x1b[32m      1\x1b[39m \x1b[38;5;28;01mimport\x1b[39;00m sklearn\n"
    "\x1b[32m----> 2\x1b[39m \x1b[38;5;28;01mimport\x1b[39;00m boostlib\n"
)


def test_a_missing_library_names_its_line_and_what_to_install_where():
    exc = CellExecutionError(TRACEBACK, "ModuleNotFoundError", "No module named 'boostlib'")
    assert verifying._failing_line(exc) == 2
    hint = verifying._missing_module_hint(exc, "python3")
    assert "`boostlib` is not installed here" in hint
    assert f"{verifying.generated_python()} -m pip install boostlib" in hint
    assert "kernel `python3`" in hint


@pytest.mark.parametrize(
    "ename, evalue, module, distribution",
    [
        ("ModuleNotFoundError", "No module named 'imblearn'", "imblearn", "imbalanced-learn"),
        ("ModuleNotFoundError", "No module named 'sklearn'", "sklearn", "scikit-learn"),
        # pandas 3 and pandas 2 when read_excel / read_parquet miss their engine
        (
            "ImportError",
            "`Import openpyxl` failed.  Use pip, conda, or your preferred package management "
            "tool to install the openpyxl package.",
            "openpyxl",
            "openpyxl",
        ),
        (
            "ImportError",
            "Missing optional dependency 'pyarrow'.  Use pip or conda to install pyarrow.",
            "pyarrow",
            "pyarrow",
        ),
    ],
)
def test_the_install_hint_names_the_distribution_to_install(ename, evalue, module, distribution):
    hint = verifying._missing_module_hint(CellExecutionError("", ename, evalue), "python3")
    assert f"`{module}` is not installed here" in hint
    assert hint.endswith(f"-m pip install {distribution}`)")


@pytest.mark.parametrize(
    "error, distribution",
    [
        (
            "ImportError: Unable to find a usable engine; tried using: 'pyarrow', 'fastparquet'.",
            "pyarrow",
        ),
        ("ModuleNotFoundError: No module named 'imblearn'", "imbalanced-learn"),
    ],
)
def test_a_pipeline_missing_a_library_the_kernel_has_says_where_to_install_it(error, distribution):
    """The notebook ran (its kernel has pyarrow), the pipeline's read_parquet did not."""
    hint = verifying._pipeline_install_hint(error)
    assert "is not installed in the generated project's environment" in hint
    assert hint.endswith(f"{verifying.generated_python()} -m pip install {distribution}`)")
    assert verifying._pipeline_install_hint("ValueError: could not convert string") == ""
    assert verifying._pipeline_install_hint(None) == ""


def test_another_import_error_is_not_an_install_hint():
    exc = CellExecutionError("", "ImportError", "cannot import name 'plot_roc_curve'")
    assert verifying._missing_module_hint(exc, "python3") == ""


def test_a_removed_submodule_is_not_an_install_hint():
    exc = CellExecutionError("", "ModuleNotFoundError", "No module named 'sklearn.externals'")
    assert verifying._missing_module_hint(exc, "python3") == ""


def test_a_line_quoting_a_huge_value_is_cut_short():
    """scikit-learn's parameter check quotes the value it refused in full: the 318 stop words of
    ENGLISH_STOP_WORDS (a frozenset, no longer accepted as stop_words) made a 4,000-character
    error line."""
    words = ", ".join(f"'word{i}'" for i in range(300))
    evalue = (
        "The 'stop_words' parameter of TfidfVectorizer must be a str among {'english'}, an "
        f"instance of 'list' or None. Got frozenset({{{words}}}) instead."
    )
    summary = verifying._error_summary(CellExecutionError("", "InvalidParameterError", evalue))
    assert summary.startswith(
        "InvalidParameterError: The 'stop_words' parameter of TfidfVectorizer must be a str"
    )
    assert "Got frozenset({'word0', " in summary and "characters left out" in summary
    assert summary.endswith(" instead.")
    assert len(summary) < 400


def test_a_page_long_error_message_is_cut_to_its_first_line():
    page = "\n`load_boston` has been removed from scikit-learn since version 1.2.\n\n" + (
        "The Boston housing prices dataset has an ethical problem...\n" * 40
    )
    exc = CellExecutionError("", "ImportError", page)
    summary = verifying._error_summary(exc)
    assert (
        summary
        == "ImportError: `load_boston` has been removed from scikit-learn since version 1.2."
    )


def test_a_missing_nltk_corpus_names_the_resource_and_how_to_download_it():
    stars = "*" * 70
    message = (
        f"\n{stars}\n  Resource stopwords not found.\n  Please use the NLTK Downloader to obtain "
        "the resource:\n\n  >>> import nltk\n  >>> nltk.download('stopwords')\n  \n"
        f"  For more information see: https://www.nltk.org/data.html\n{stars}\n"
    )
    summary = verifying._error_summary(CellExecutionError("", "LookupError", message))
    assert summary.startswith("LookupError: Resource stopwords not found.")
    assert f"{verifying.generated_python()} -m nltk.downloader stopwords" in summary
    assert "nltk.download('stopwords') in a cell" in summary


needs_generated_env = pytest.mark.skipif(
    not can_verify(), reason="needs PRODUCTIONIZE_GENERATED_PYTHON with ploomber"
)


@pytest.mark.slow
@needs_generated_env
@pytest.mark.parametrize(
    ("nb", "write_data", "expected"),
    [
        (
            public_shapes.MISSING_LIBRARY,
            public_shapes.write_house_train,
            ":cell 2:2: could not check faithfulness",
        ),
        (public_shapes.REMOVED_LOADER, None, ":cell 1:1: could not check faithfulness"),
    ],
    ids=["missing-library", "removed-loader"],
)
def test_build_says_which_line_fails_and_what_to_do(tmp_path, nb, write_data, expected):
    path = tmp_path / "regression.ipynb"
    path.write_text(json.dumps(nb))
    if write_data is not None:
        write_data(tmp_path)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "--no-train"])
    assert result.exit_code == 1
    error = result.output.strip().splitlines()[-1]
    assert error.startswith(f"error: {path}{expected}"), error
    assert "pass --no-verify" in error and len(error) < 700
    if write_data is not None:
        assert "-m pip install boostlib_not_installed_here" in error
    else:
        assert "`load_boston` has been removed" in error and "ethical" not in result.output


def test_a_failure_caused_by_a_dtype_test_above_names_that_cell():
    from productionize.adapters.building import _lint_hint
    from productionize.core.lint import lint
    from productionize.core.notebook import notebook_from_dict
    from productionize.options import Options

    notebook, _ = notebook_from_dict(public_shapes.INSURANCE_PANDAS1_DTYPES, "claims.ipynb")
    findings = tuple(lint(notebook, Options(select=("PN2",))))
    hint = _lint_hint(findings, 3)  # df.corr() fails: could not convert string to float
    assert "Lint at that cell: PN205" in hint
    assert "Lint above it, cell 2: PN206: `claims[column].dtype == 'O'`" in hint
    assert "productionize lint --fix" in hint
