"""Run a generated project's service and registry: find its interpreter, package and framework."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ..core.service import find_package
from ..errors import InputError, ProductionizeError
from .project_files import read_project

REPORT = "productionize-report.json"


def project_python(outdir: Path, explicit: str | None = None) -> str:
    """Pick the interpreter of the generated project: --python, its .venv, the env var, ours."""
    candidates = [
        explicit,
        str(outdir / ".venv" / "bin" / "python"),
        os.environ.get("PRODUCTIONIZE_GENERATED_PYTHON"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    if explicit:
        raise InputError(f"python interpreter not found: {explicit}")
    return sys.executable


def project_package(outdir: Path) -> str:
    """Return the generated package name of the project in ``outdir``."""
    if not outdir.is_dir():
        raise InputError(f"not a folder: {outdir}", str(outdir))
    try:
        report = json.loads((outdir / REPORT).read_text(encoding="utf-8"))
        package = (report.get("service") or {}).get("package")
        if package:
            return package
    except (OSError, ValueError, AttributeError):
        pass
    return find_package(read_project(outdir), str(outdir))


def project_framework(outdir: Path) -> str:
    """Return the framework the service of ``outdir`` was generated for."""
    try:
        report = json.loads((outdir / REPORT).read_text(encoding="utf-8"))
        return report["service"]["framework"]
    except (OSError, ValueError, KeyError, TypeError):
        app = next(outdir.glob("src/*/service/app.py"), None)
        if app is None:
            raise InputError(
                f"{outdir} has no generated service: run `productionize service` first",
                str(outdir),
            ) from None
        return "flask" if "from flask import" in app.read_text(encoding="utf-8") else "fastapi"


def serve_command(outdir: Path, host: str, port: int, python: str, workers: int = 1) -> list[str]:
    """The command that serves the project's app with its framework's production server.

    ``workers`` > 1 starts that many uvicorn worker processes (waitress is one process with
    threads, so it ignores it).
    """
    package = project_package(outdir)
    app = f"{package}.service.app:app"
    if project_framework(outdir) == "flask":
        return [python, "-m", "waitress", f"--host={host}", f"--port={port}", app]
    command = [python, "-m", "uvicorn", app, "--host", host, "--port", str(port)]
    command += ["--no-access-log"]
    if workers > 1:
        command += ["--workers", str(workers)]
    return command


def project_env(outdir: Path) -> dict[str, str]:
    """Environment for running the project's code: its src/ on the path, no telemetry."""
    env = dict(os.environ)
    src = str(outdir / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PLOOMBER_STATS_ENABLED"] = "false"
    return env


def rollback_project(outdir: Path, to: str | None, python: str | None = None) -> str:
    """Roll the project's registry back (through its own registry module); return the version."""
    package = project_package(outdir)
    command = [python or sys.executable, "-m", f"{package}.registry", "rollback"]
    if to:
        command += ["--to", to]
    result = subprocess.run(
        command,
        cwd=outdir,
        env={**project_env(outdir), "MODEL_REGISTRY_DIR": str(outdir / "models")},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["rollback failed"])[-1]
        raise ProductionizeError(message.removeprefix("error: "), str(outdir / "models"))
    return result.stdout.strip()
