"""The generated example service under concurrent load from a second process: no errors, p99
reported, memory flat after warm-up; a corrupted model file degrades to the fallback, still
answering every request. Loopback only, bounded (``PRODUCTIONIZE_LOAD_SECONDS``, default 30)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from productionize.adapters.building import build_project
from productionize.adapters.serving import project_env, serve_command
from productionize.options import Options
from tests.conftest import EXAMPLES
from tests.loopback import free_port, http_ok, stop, wait_until_answers
from tests.reliability.profile import report
from tests.service.servers import generated_python

pytestmark = pytest.mark.slow
LOAD_SECONDS = float(os.environ.get("PRODUCTIONIZE_LOAD_SECONDS", "30"))
WARMUP_SECONDS = 5.0
THREADS = 8
CLIENT = Path(__file__).with_name("load_client.py")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@contextlib.contextmanager
def serving(project: Path, python: str):
    """Start the service (its framework's production server); yield (url, pid); always stop it."""
    port = free_port()
    log = project / "load-server.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            serve_command(project, "127.0.0.1", port, python),
            cwd=project,
            env={**project_env(project), "MODEL_RELOAD_INTERVAL": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=5) as client:
            wait_until_answers(process, http_ok(client, "/health"), log, "service", seconds=120)
        yield url, process.pid
    finally:
        stop(process)


def load(url: str, seconds: float, payloads: Path) -> dict:
    """Run the load generator as a second process; return its figures."""
    result = subprocess.run(
        [sys.executable, str(CLIENT), url, str(seconds), str(THREADS), str(payloads)],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    python = generated_python()
    os.environ["PRODUCTIONIZE_GENERATED_PYTHON"] = python
    out = tmp_path_factory.mktemp("load") / "churn-service"
    build_project(
        EXAMPLES / "churn_classifier.ipynb", out, Options(), verify=False, framework="fastapi"
    )
    assert (out / "models" / "CURRENT").read_text().strip() == "v0001"
    return out, python


def payload_file(url: str, folder: Path) -> Path:
    """Single records and batches of 10 built from the service's own /schema example."""
    example = httpx.get(f"{url}/schema", timeout=10).json()["example"]
    path = folder / "payloads.json"
    path.write_text(json.dumps([example, [example] * 10, example, {"records": [example] * 3}]))
    return path


def test_service_under_load_has_no_errors_and_flat_memory(project):
    root, python = project
    with serving(root, python) as (url, pid):
        payloads = payload_file(url, root)
        warm = load(url, WARMUP_SECONDS, payloads)
        assert warm["errors"] == 0, warm
        baseline = rss_kb(pid)
        samples: list[int] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(1.0):
                samples.append(rss_kb(pid))

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            figures = load(url, LOAD_SECONDS, payloads)
        finally:
            stop.set()
            sampler.join()
        samples.append(rss_kb(pid))
    growth = max(samples) / baseline - 1
    report(
        f"service load: {figures['requests']} requests in {LOAD_SECONDS:.0f} s from {THREADS} "
        f"threads ({figures['rps']:.0f} req/s), errors {figures['errors']}, "
        f"p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms, "
        f"max {figures['max_ms']:.0f} ms; RSS {baseline / 1024:.0f} MB after warm-up, "
        f"max {max(samples) / 1024:.0f} MB ({growth:+.1%})"
    )
    assert figures["errors"] == 0, figures
    assert figures["requests"] > 0
    assert growth <= 0.10, (baseline, samples)


def test_corrupted_model_file_degrades_to_the_fallback(project):
    root, python = project
    version = (root / "models" / "CURRENT").read_text().strip()
    metadata = json.loads((root / "models" / version / "metadata.json").read_text())
    model_file = root / "models" / version / metadata["model_file"]
    original = model_file.read_bytes()
    model_file.write_bytes(b"\x00corrupted on disk\x00" + original[:64])
    try:
        with serving(root, python) as (url, _pid):
            ready = httpx.get(f"{url}/ready", timeout=10)
            assert ready.status_code == 200, ready.text
            assert ready.json()["status"] == "degraded", ready.json()
            payloads = payload_file(url, root)
            figures = load(url, 5.0, payloads)
    finally:
        model_file.write_bytes(original)
    report(
        f"service with a corrupted model: /ready degraded; {figures['requests']} requests, "
        f"errors {figures['errors']}, fallback answers {figures['fallback_answers']}"
    )
    assert figures["errors"] == 0, figures
    assert figures["fallback_answers"] == figures["requests"] > 0
