"""The service stage's plan and rendered files (pure core), for both frameworks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from productionize.adapters.splitting import template_environment
from productionize.core.service import (
    FRAMEWORK_PINS,
    RUNTIME_PINS,
    TEST_PINS,
    find_package,
    merge_requirements,
    plan_service,
    render_service,
)
from productionize.errors import InputError
from productionize.options import Options
from tests.conftest import ROOT
from tests.service.fixture_project import PACKAGE, project_files

TEMPLATES = template_environment()


def rendered(framework):
    project = project_files()
    spec = plan_service(project, Options(framework=framework), productionize_version="9.9.9")
    return spec, render_service(spec, TEMPLATES, project)


def test_find_package_needs_exactly_one_predict_module():
    assert find_package(project_files()) == PACKAGE
    with pytest.raises(InputError, match="not a split project.*found none"):
        find_package({"README.md": ""}, "out")
    two = {"src/a/predict.py": "", "src/b/predict.py": ""}
    with pytest.raises(InputError, match="found a, b"):
        find_package(two)


def test_unknown_framework_is_an_input_error():
    with pytest.raises(InputError, match="unknown framework 'django'"):
        plan_service(project_files(), Options(framework="django"), productionize_version="0")


def test_requirements_keep_split_pins_and_add_the_service_ones():
    merged = merge_requirements(("pandas==2.0.0", "# comment", "scikit_learn==1.0"), RUNTIME_PINS)
    assert merged[:3] == ("pandas==2.0.0", "# comment", "scikit_learn==1.0")
    assert "pandas==3.1.1" not in merged  # split's pin wins
    assert "skops==0.16.0" in merged and "joblib==1.6.0" in merged
    assert merge_requirements(merged, RUNTIME_PINS) == merged  # idempotent


def test_service_pins_are_the_ones_tested_here():
    tested = set((ROOT / "tests" / "generated-requirements.txt").read_text().splitlines())
    pins = set(RUNTIME_PINS) | set(TEST_PINS)
    for framework_pins in FRAMEWORK_PINS.values():
        pins |= set(framework_pins)
    assert pins <= tested, sorted(pins - tested)


@pytest.mark.parametrize("framework", ["fastapi", "flask"])
def test_rendered_service_is_complete_compiles_and_is_ruff_clean(framework, tmp_path):
    spec, files = rendered(framework)
    paths = {f.path for f in files}
    for expected in (
        f"src/{PACKAGE}/service/app.py",
        f"src/{PACKAGE}/service/schema.py",
        "tests/service/test_prediction_service.py",
        "Dockerfile",
        ".github/workflows/ci.yml",
        ".github/workflows/retrain.yml",
        ".gitlab-ci.yml",
        "bench/load.py",
        "requirements.txt",
        "requirements-dev.txt",
        "SERVICE.md",
    ):
        assert expected in paths
    by_path = {f.path: f.content for f in files}
    app = by_path[f"src/{PACKAGE}/service/app.py"]
    assert ("from fastapi import" in app) == (framework == "fastapi")
    assert ("from flask import" in app) == (framework == "flask")
    assert f"{framework}==" in by_path["requirements.txt"]
    dockerfile = by_path["Dockerfile"]
    assert "USER service" in dockerfile and "HEALTHCHECK" in dockerfile
    assert "-slim" in dockerfile
    assert 'cron: "0 3 * * *"' in by_path[".github/workflows/retrain.yml"]
    assert "pytest --nbmake notebooks" in by_path[".github/workflows/ci.yml"]
    report = json.loads(by_path["productionize-report.json"])
    assert report["service"]["framework"] == framework
    assert report["stages"] == ["lint", "split", "service"]
    assert "## Prediction service" in by_path["README.md"]
    for item in files:
        path = tmp_path / item.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(item.content)
        if item.path.endswith(".py"):
            compile(item.content, item.path, "exec")
    ruff = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--isolated",
            "--select",
            "E,F,W,I,B,UP",
            "--ignore",
            "E501",
            "--output-format",
            "concise",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr


def test_rendering_is_deterministic():
    assert rendered("fastapi")[1] == rendered("fastapi")[1]


def test_templates_use_only_known_variables():
    """StrictUndefined: a typo in a template variable fails rendering instead of writing ''."""
    spec, _ = rendered("flask")
    typo = jinja2.DictLoader({"service/SERVICE.md.j2": "{{ packge }}"})
    broken = TEMPLATES.overlay(loader=jinja2.ChoiceLoader([typo, TEMPLATES.loader]))
    with pytest.raises(jinja2.UndefinedError, match="packge"):
        render_service(spec, broken)


def test_templates_folder_holds_what_the_stage_renders():
    names = set(TEMPLATES.list_templates())
    for folder in ("service/", "tests/", "ci/"):
        assert all(Path(n).suffix == ".j2" for n in names if n.startswith(folder))
    assert {"service/app_fastapi.py.j2", "service/app_flask.py.j2"} <= names


def test_readme_section_follows_the_framework():
    def readme_after(project, framework):
        spec = plan_service(project, Options(framework=framework), productionize_version="0")
        files = {f.path: f.content for f in render_service(spec, TEMPLATES, project)}
        return files["README.md"]

    project = project_files()
    edited = readme_after(project, "fastapi") + "\n## Notes\n\nmine\n"
    readme = readme_after({**project, "README.md": edited}, "flask")
    assert readme.count("## Prediction service") == 1
    assert "A flask service" in readme and "A fastapi service" not in readme
    assert readme.endswith("## Notes\n\nmine\n") and readme.count("## Notes") == 1
