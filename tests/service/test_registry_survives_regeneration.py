"""Re-generating a project never drops the model registry trained in it ("nothing lost").

`service SPLIT -o OUT` and `build NB -o OUT`, with or without --force, keep OUT's models/
(versions, CURRENT, HISTORY) and the user's own files; only --discard-models drops the registry.
The registry is written by the project's own generated registry module, as training does.
"""

from __future__ import annotations

import importlib.util
import itertools

import pandas as pd
from click.testing import CliRunner
from sklearn.linear_model import LogisticRegression

from productionize.adapters.cli import main
from tests.conftest import EXAMPLES
from tests.service.fixture_project import PACKAGE, project_files

_modules = itertools.count()


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write_split(root):
    for path, text in project_files().items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def registry_of(project, package):
    """Import the project's own generated registry module (a fresh module object each time)."""
    path = project / "src" / package / "registry.py"
    spec = importlib.util.spec_from_file_location(f"registry_under_test_{next(_modules)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train_versions(project, package, count=2):
    """Register ``count`` versions through the generated registry; promote the second last."""
    registry = registry_of(project, package)
    features = pd.DataFrame({"tenure": [1.0, 5.0, 20.0, 40.0], "charges": [70.0, 60.0, 30.0, 20.0]})
    target = pd.Series([1, 1, 0, 0], name="churn")
    models = str(project / "models")
    versions = [
        registry.save_version(
            LogisticRegression().fit(features, target),
            features=features,
            target=target,
            metrics={"accuracy": 1.0},
            params={"run": n},
            notebook_hash="sha256:test",
            data_hash="sha256:data",
            registry_dir=models,
        )
        for n in range(count)
    ]
    registry.rollback(models)  # CURRENT is not simply the newest version
    return versions


def snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".lock" not in p.name
    }


def assert_registry_intact(project, package, before, versions):
    assert snapshot(project / "models") == before
    registry = registry_of(project, package)
    models = str(project / "models")
    assert registry.list_versions(models) == versions
    assert registry.current_version(models) == versions[0]
    model, metadata = registry.load_current(models)  # hash-checked load of the kept files
    assert metadata["params"] == {"run": 0} and hasattr(model, "predict")


def test_service_to_another_folder_keeps_the_registry_trained_there(tmp_path):
    split = write_split(tmp_path / "split")
    out = tmp_path / "out"
    assert run("service", split, "-o", out).exit_code == 0
    versions = train_versions(out, PACKAGE)
    assert versions == ["v0001", "v0002"]
    registry_before = snapshot(out / "models")
    (out / "NOTES.md").write_text("my notes\n")
    (out / "src" / PACKAGE / "helpers_mine.py").write_text("X = 1\n")
    dockerfile = out / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "# my tweak\n")

    refused = run("service", split, "-o", out)  # an edited generated file: not without --force
    assert refused.exit_code == 2 and "Dockerfile" in refused.output
    assert dockerfile.read_text().endswith("# my tweak\n")

    forced = run("service", split, "-o", out, "--force", "--framework", "flask")
    assert forced.exit_code == 0, forced.output
    assert "from flask import" in (out / f"src/{PACKAGE}/service/app.py").read_text()
    assert "# my tweak" not in dockerfile.read_text()  # --force overwrote the edited file...
    assert (out / "NOTES.md").read_text() == "my notes\n"  # ...and kept everything else
    assert (out / "src" / PACKAGE / "helpers_mine.py").read_text() == "X = 1\n"
    assert_registry_intact(out, PACKAGE, registry_before, versions)
    assert "next: train the first model" not in forced.output  # it knows a model is there

    again = run("service", split, "-o", out)  # a plain re-run after --force is clean
    assert again.exit_code == 0, again.output
    assert_registry_intact(out, PACKAGE, registry_before, versions)

    discarded = run("service", split, "-o", out, "--discard-models")
    assert discarded.exit_code == 0, discarded.output
    assert not (out / "models").exists()  # asked for explicitly: the split folder has none
    assert (out / "NOTES.md").is_file()


def test_service_in_place_keeps_the_registry_unless_discarded(tmp_path):
    split = write_split(tmp_path / "split")
    assert run("service", split).exit_code == 0
    versions = train_versions(split, PACKAGE)
    before = snapshot(split / "models")
    assert run("service", split, "--force").exit_code == 0
    assert_registry_intact(split, PACKAGE, before, versions)
    assert run("service", split, "--discard-models").exit_code == 0
    assert not (split / "models").exists()


def test_build_force_keeps_the_registry_and_discard_models_drops_it(tmp_path):
    out = tmp_path / "churn"
    notebook = EXAMPLES / "churn_classifier.ipynb"
    args = ("build", notebook, "-o", out, "--no-verify", "--no-train")
    assert run(*args).exit_code == 0
    versions = train_versions(out, "churn_classifier")
    before = snapshot(out / "models")
    (out / "NOTES.md").write_text("my notes\n")
    predict = out / "src/churn_classifier/predict.py"
    predict.write_text(predict.read_text() + "# reviewed\n")

    refused = run(*args)
    assert refused.exit_code == 2 and "src/churn_classifier/predict.py" in refused.output
    assert predict.read_text().endswith("# reviewed\n")

    forced = run(*args, "--force")
    assert forced.exit_code == 0, forced.output
    assert not predict.read_text().endswith("# reviewed\n")
    assert (out / "NOTES.md").read_text() == "my notes\n"
    assert_registry_intact(out, "churn_classifier", before, versions)

    discarded = run(*args, "--discard-models")
    assert discarded.exit_code == 0, discarded.output
    assert sorted(p.name for p in (out / "models").iterdir()) == [".gitkeep"]  # as generated
    assert (out / "NOTES.md").is_file()
