"""Service stage (pure): plan the prediction service of a split project and render its files.

Input is the split project as ``{relative path: text}`` (its rendered files, or the files read
from a split output folder by an adapter); the adapter passes the Jinja environment over
``templates/`` in (as for split). The service reuses the project's ``predict()`` and registry
(``templates/stages/registry.py.j2``, rendered by split): it adds an HTTP layer, tests, CI and a
container around them, never a second copy of the model logic.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ..errors import InputError
from ..model import RenderedFile, ServiceSpec
from ..options import Options
from .render import format_python

FRAMEWORKS = ("fastapi", "flask")
# pins the generated service adds (kept equal to tests/generated-requirements.txt by a test)
RUNTIME_PINS = (
    "joblib==1.6.0",
    "orjson==3.13.0",
    "pandas==3.1.1",
    "ploomber==0.23.3",
    "skops==0.16.0",
)
FRAMEWORK_PINS = {
    "fastapi": (
        "fastapi==0.165.0",
        "httptools==0.9.0",
        "httpx==0.28.1",
        "uvicorn==0.54.0",
        'uvloop==0.23.0; sys_platform != "win32"',
    ),
    "flask": ("flask==3.1.3", "waitress==3.0.2"),
}
TEST_PINS = ("pytest==9.2.0",)
DEV_PINS = ("nbmake==1.5.5", "ipykernel==6.29.5")

# template (under templates/) -> path in the generated project; {package} is substituted
SERVICE_MODULES = (
    "__init__",
    "settings",
    "logs",
    "schema",
    "metrics",
    "runtime",
    "batching",
    "retraining",
)
OUTPUTS = (
    *((f"service/{m}.py.j2", f"src/{{package}}/service/{m}.py") for m in SERVICE_MODULES),
    ("service/api.py.j2", "src/{package}/service/api.py"),
    ("service/app_{framework}.py.j2", "src/{package}/service/app.py"),
    ("service/Dockerfile.j2", "Dockerfile"),
    ("service/dockerignore.j2", ".dockerignore"),
    ("service/Makefile.j2", "Makefile"),
    ("service/SERVICE.md.j2", "SERVICE.md"),
    ("service/load.py.j2", "bench/load.py"),
    ("tests/conftest.py.j2", "tests/service/conftest.py"),
    ("tests/test_prediction_service.py.j2", "tests/service/test_prediction_service.py"),
    ("ci/github-ci.yml.j2", ".github/workflows/ci.yml"),
    ("ci/github-retrain.yml.j2", ".github/workflows/retrain.yml"),
    ("ci/gitlab-ci.yml.j2", ".gitlab-ci.yml"),
)
ENDPOINTS = (
    "POST /predict",
    "GET /schema",
    "GET /health",
    "GET /ready",
    "GET /version",
    "GET /metrics",
    "GET /models",
    "POST /models/{version}/promote",
    "POST /retrain",
    "GET /retrain",
)
REPORT = "productionize-report.json"
_PREDICT = re.compile(r"^src/([A-Za-z_][A-Za-z0-9_]*)/predict\.py$")
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def find_package(project: Mapping[str, str], where: str = "project") -> str:
    """Return the generated package name: the folder under src/ that holds predict.py."""
    packages = sorted({m.group(1) for p in project if (m := _PREDICT.match(p))})
    if len(packages) != 1:
        found = ", ".join(packages) or "none"
        raise InputError(
            f"not a split project: expected exactly one src/<package>/predict.py (found {found}); "
            "run `productionize split` first",
            where,
        )
    return packages[0]


def plan_service(
    project: Mapping[str, str],
    options: Options,
    *,
    productionize_version: str,
    python_version: str = "3.11",
    where: str = "project",
) -> ServiceSpec:
    """Decide what the service stage generates for ``project`` (split output files)."""
    if options.framework not in FRAMEWORKS:
        raise InputError(f"unknown framework {options.framework!r}: choose fastapi or flask", where)
    package = find_package(project, where)
    notebooks = sorted(p for p in project if p.startswith("notebooks/") and p.endswith(".ipynb"))
    notebook_name = notebooks[0].split("/", 1)[1] if notebooks else f"{package}.ipynb"
    base = tuple(project.get("requirements.txt", "").splitlines())
    extra = RUNTIME_PINS + FRAMEWORK_PINS[options.framework] + TEST_PINS
    return ServiceSpec(
        package=package,
        notebook_name=notebook_name,
        framework=options.framework,
        productionize_version=productionize_version,
        python_version=python_version,
        requirements=merge_requirements(base, extra),
        dev_requirements=("-r requirements.txt", *DEV_PINS),
    )


def merge_requirements(base: tuple[str, ...], extra: tuple[str, ...]) -> tuple[str, ...]:
    """Keep ``base`` as is (its pins win) and append the ``extra`` pins it lacks, sorted."""
    present = {_distribution(line) for line in base} - {None}
    missing = sorted(
        (line for line in extra if _distribution(line) not in present), key=_distribution
    )
    lines = [line for line in base]
    if missing:
        if lines and lines[-1].strip():
            lines.append("")
        lines.append("# prediction service (added by productionize service)")
        lines.extend(missing)
    return tuple(lines)


def render_service(
    spec: ServiceSpec, templates, project: Mapping[str, str] | None = None
) -> list[RenderedFile]:
    """Render the service files for ``spec``; ``project`` (split files) gets report/README merged.

    ``templates`` is a jinja2 Environment (StrictUndefined) over ``templates/``.
    """
    env = templates
    context = {
        "package": spec.package,
        "notebook_name": spec.notebook_name,
        "framework": spec.framework,
        "productionize_version": spec.productionize_version,
        "python_version": spec.python_version,
        "retrain_cron": spec.retrain_cron,
    }
    files = []
    for template, target in OUTPUTS:
        name = template.format(framework=spec.framework)
        path = target.format(package=spec.package)
        text = env.get_template(name).render(context)
        if path.endswith(".py"):
            text = format_python(text)
        files.append(RenderedFile(path, text))
    files.append(RenderedFile("requirements.txt", "\n".join(spec.requirements) + "\n"))
    files.append(RenderedFile("requirements-dev.txt", "\n".join(spec.dev_requirements) + "\n"))
    project = project or {}
    if REPORT in project:
        files.append(RenderedFile(REPORT, merge_report(project[REPORT], spec)))
    if "README.md" in project:
        files.append(RenderedFile("README.md", _readme_with_service(project["README.md"], spec)))
    return sorted(files, key=lambda f: f.path)


def service_report(spec: ServiceSpec) -> dict:
    """The ``service`` block of productionize-report.json."""
    return {
        "framework": spec.framework,
        "package": spec.package,
        "app": f"{spec.package}.service.app:app",
        "endpoints": list(ENDPOINTS),
        "retrain_cron": spec.retrain_cron,
        "files": sorted(t.format(package=spec.package) for _, t in OUTPUTS),
    }


def merge_report(report_text: str, spec: ServiceSpec) -> str:
    """Add the service block to the split report (JSON text in, JSON text out)."""
    try:
        report = json.loads(report_text) if report_text.strip() else {}
    except ValueError as exc:
        raise InputError(f"{REPORT} is not valid JSON: {exc}", REPORT) from None
    report["service"] = service_report(spec)
    stages = report.get("stages")
    if isinstance(stages, list) and "service" not in stages:
        report["stages"] = [*stages, "service"]
    return json.dumps(report, indent=2, sort_keys=True) + "\n"


def _readme_with_service(readme: str, spec: ServiceSpec) -> str:
    marker = "\n## Prediction service\n"
    section = (
        f"{marker}\n"
        f"A {spec.framework} service answers `POST /predict` with this pipeline's `predict()` and "
        "the model registry in `models/`: `make serve`, then see [SERVICE.md](SERVICE.md) for the "
        "endpoints, configuration, retraining, rollback and the container.\n"
    )
    head, found, tail = readme.partition(marker)
    if not found:
        return readme.rstrip("\n") + "\n" + section
    rest = tail.split("\n## ", 1)  # keep any section written after ours
    after = "\n## " + rest[1] if len(rest) == 2 else ""
    return head.rstrip("\n") + "\n" + section + after


def _distribution(line: str) -> str | None:
    stripped = line.strip()
    if not stripped or stripped.startswith(("#", "-")):
        return None
    match = _REQUIREMENT.match(stripped)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else None
