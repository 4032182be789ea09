"""`productionize service` on a split folder and `productionize rollback`, through the CLI."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from productionize.adapters.cli import main
from tests.conftest import EXAMPLES, make_notebook
from tests.service.fixture_project import PACKAGE, project_files


@pytest.fixture
def split_dir(tmp_path):
    root = tmp_path / "project"
    for path, text in project_files().items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_service_in_place_then_again_is_safe(split_dir):
    result = run("service", split_dir, "--framework", "flask")
    assert result.exit_code == 0, result.output
    assert "wrote flask service for churn_fixture" in result.output
    app = split_dir / f"src/{PACKAGE}/service/app.py"
    assert "from flask import" in app.read_text()
    manifest = json.loads((split_dir / ".productionize/manifest.json").read_text())
    assert f"src/{PACKAGE}/service/app.py" in manifest["files"]
    assert run("service", split_dir, "--framework", "fastapi").exit_code == 0
    assert "from fastapi import" in app.read_text()


def test_service_refuses_to_overwrite_user_edits(split_dir):
    assert run("service", split_dir).exit_code == 0
    dockerfile = split_dir / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "# my tweak\n")
    result = run("service", split_dir)
    assert result.exit_code == 2
    assert "changed since productionize wrote them: Dockerfile" in result.output
    # the refusal names the folder, not the private copy the service was staged in, and
    # leaves nothing beside it
    assert f"{split_dir.resolve()}:" in result.output and ".build-" not in result.output
    assert [p.name for p in split_dir.parent.iterdir() if p.name.startswith(".")] == []
    assert dockerfile.read_text().endswith("# my tweak\n")
    assert run("service", split_dir, "--force").exit_code == 0
    assert "# my tweak" not in dockerfile.read_text()


def test_service_to_another_folder_copies_the_project(split_dir, tmp_path):
    out = tmp_path / "out"
    assert run("service", split_dir, "-o", out).exit_code == 0
    assert (out / "train_fixture.py").exists() and (out / "SERVICE.md").exists()
    assert not (split_dir / "SERVICE.md").exists()
    assert run("service", split_dir, "-o", out).exit_code == 0  # the same run again is fine
    (out / "keep.txt").write_text("x")  # the user's own file: kept by every re-run
    (out / "models" / "v0009").mkdir(parents=True)
    (out / "models" / "v0009" / "metadata.json").write_text("{}")  # trained in the output
    assert run("service", split_dir, "-o", out).exit_code == 0
    assert (out / "keep.txt").read_text() == "x"
    assert (out / "models" / "v0009" / "metadata.json").read_text() == "{}"
    dockerfile = out / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "# my tweak\n")
    result = run("service", split_dir, "-o", out)
    assert result.exit_code == 2
    assert "1 file(s)" in result.output
    assert "changed since productionize wrote them: Dockerfile (" in result.output
    assert dockerfile.read_text().endswith("# my tweak\n")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    result = run("service", split_dir, "-o", foreign)
    assert result.exit_code == 2 and "productionize did not write it" in result.output
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]
    assert run("service", split_dir, "-o", foreign, "--force").exit_code == 0
    assert (foreign / "notes.txt").read_text() == "mine"  # --force writes in, it never wipes
    assert (foreign / "SERVICE.md").is_file()


def test_service_on_a_missing_path_or_a_file_that_is_not_a_notebook(tmp_path):
    missing = tmp_path / "missing"
    result = run("service", missing, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {missing}: no such notebook or folder"
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    result = run("service", text, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.strip().startswith(f"error: {text}: not valid notebook JSON")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_service_on_a_folder_that_is_not_a_split_project(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    result = run("service", tmp_path)
    assert result.exit_code == 2
    assert "not a split project" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def write_version(models, version, metrics):
    folder = models / version
    folder.mkdir(parents=True)
    (folder / "metadata.json").write_text(json.dumps({"version": version, "metrics": metrics}))


def test_rollback_walks_back_the_promotion_history(split_dir):
    assert run("service", split_dir).exit_code == 0
    models = split_dir / "models"
    for version in ("v0001", "v0002", "v0003"):
        write_version(models, version, {"accuracy": 0.8})
    (models / "HISTORY.json").write_text(json.dumps(["v0001", "v0002", "v0003"]))
    (models / "CURRENT").write_text("v0003\n")

    def current():
        return (models / "CURRENT").read_text().strip()

    result = run("rollback", split_dir)
    assert result.exit_code == 0, result.output
    assert "current model: v0002" in result.output and current() == "v0002"
    assert run("rollback", split_dir, "--to", "v0003").exit_code == 0
    assert current() == "v0003"
    assert run("rollback", split_dir).exit_code == 0 and current() == "v0002"
    assert run("rollback", split_dir).exit_code == 0 and current() == "v0001"
    result = run("rollback", split_dir)
    assert (
        result.exit_code == 2 and "no earlier version to roll back to from v0001" in result.output
    )
    result = run("rollback", split_dir, "--to", "v0042")
    assert result.exit_code == 2 and "unknown model version 'v0042'" in result.output
    assert current() == "v0001"


def test_rollback_without_a_service_project(tmp_path):
    result = run("rollback", tmp_path / "missing")
    assert result.exit_code == 2 and "not a folder" in result.output


def test_serve_needs_a_generated_service(split_dir):
    shutil.rmtree(split_dir / "src" / PACKAGE)
    result = run("serve", split_dir, "--port", "1")
    assert result.exit_code == 2 and "not a split project" in result.output


def test_build_writes_pipeline_and_service(tmp_path):
    out = tmp_path / "churn"
    notebook = EXAMPLES / "churn_classifier.ipynb"
    result = run("build", notebook, "-o", out, "--no-verify", "--no-train", "--framework", "flask")
    assert result.exit_code == 0, result.output
    assert "split: package churn_classifier" in result.output
    assert "service: flask" in result.output
    for path in ("pipeline.yaml", "src/churn_classifier/predict.py", "SERVICE.md", "Dockerfile"):
        assert (out / path).is_file(), path
    app = (out / "src/churn_classifier/service/app.py").read_text()
    assert "from .api import ServiceAPI" in app and "from flask import" in app
    report = json.loads((out / "productionize-report.json").read_text())
    assert report["service"]["framework"] == "flask"
    manifest = json.loads((out / ".productionize/manifest.json").read_text())["files"]
    assert "src/churn_classifier/service/api.py" in manifest and "pipeline.yaml" in manifest
    again = run("build", notebook, "-o", out, "--no-verify", "--no-train", "--framework", "flask")
    assert again.exit_code == 0, again.output


def test_build_refuses_a_folder_it_did_not_write_naming_it(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes\n")
    notebook = EXAMPLES / "churn_classifier.ipynb"
    result = run("build", notebook, "-o", out, "--no-verify", "--no-train")
    assert result.exit_code == 2
    assert f"error: {out.resolve()}: folder is not empty and was not generated" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no staging folder left
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_build_stops_on_lint_errors_and_writes_nothing(tmp_path, write_notebook):
    nb = make_notebook(
        ("code", "data_path = 'data.csv'", ["parameters"]),
        ("code", "import pandas as pd\ndf = pd.read_csv(data_path)", ["load"]),
        ("code", "model = undefined_name.fit(df)", ["train"]),
        ("code", "predictions = model.predict(df)", ["predict"]),
    )
    path = write_notebook(nb)
    out = tmp_path / "out"
    result = run("build", path, "-o", out, "--no-verify", "--no-train")
    assert result.exit_code == 1
    assert "lint error(s), first:" in result.output and "PN201" in result.output
    assert not out.exists()


def test_service_from_a_notebook_splits_first(tmp_path):
    out = tmp_path / "houses"
    notebook = EXAMPLES / "house_prices_regressor.ipynb"
    result = run("service", notebook, "-o", out, "--no-verify")
    assert result.exit_code == 0, result.output
    assert "wrote fastapi service for house_prices_regressor" in result.output
    assert (out / "src/house_prices_regressor/predict.py").is_file()
    assert (out / "src/house_prices_regressor/service/app.py").is_file()
    assert not (out / "models" / "CURRENT").exists()  # `service` does not train; `build` does
    assert run("service", notebook).exit_code == 2  # a notebook needs -o


def test_rollback_restores_a_project_a_killed_build_left_aside(split_dir):
    """A build killed between its swap's two renames leaves OUTDIR as .OUTDIR.old-*: put it back."""
    assert run("service", split_dir).exit_code == 0
    models = split_dir / "models"
    for version in ("v0001", "v0002"):
        write_version(models, version, {"accuracy": 0.8})
    (models / "HISTORY.json").write_text(json.dumps(["v0001", "v0002"]))
    (models / "CURRENT").write_text("v0002\n")
    aside = split_dir.parent / f".{split_dir.name}.old-12345"
    split_dir.rename(aside)

    result = run("rollback", split_dir)

    assert result.exit_code == 0, result.output
    assert not aside.exists()
    assert (split_dir / "models" / "CURRENT").read_text().strip() == "v0001"


@pytest.mark.parametrize("verb", ["serve", "rollback", "publish"])
def test_project_verbs_name_a_missing_folder(tmp_path, verb):
    result = run(verb, tmp_path / "missing")
    assert result.exit_code == 2
    assert "missing: not a folder" in result.output
