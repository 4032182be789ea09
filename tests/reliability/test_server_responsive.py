"""The server extension never blocks Jupyter's event loop: while 20 lint/preview requests run,
a trivial request still answers quickly (measured and reported; asserted generously)."""

from __future__ import annotations

import shutil
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import EXAMPLES
from tests.reliability.profile import report

CONCURRENT = 20
# The target is 200 ms. A blocked event loop shows as a high median (every probe waits for the
# heavy work); on a loaded 2-core CI machine single probes may stall, so the tail gets slack.
MEDIAN_LIMIT_S = 0.5
P95_LIMIT_S = 2.0


@pytest.mark.slow
def test_trivial_request_answers_while_20_heavy_requests_run(jupyter):
    folder = jupyter.root / "load"
    folder.mkdir(exist_ok=True)
    shutil.copy(EXAMPLES / "churn_classifier.ipynb", folder / "churn.ipynb")
    shutil.copytree(EXAMPLES / "data", folder / "data", dirs_exist_ok=True)
    path = "load/churn.ipynb"

    latencies: list[float] = []
    heavy_done = threading.Event()

    def heavy(index: int) -> int:
        endpoint = "lint" if index % 2 == 0 else "split"
        with jupyter.client(timeout=300) as client:
            return client.post(f"/productionize/{endpoint}", json={"path": path}).status_code

    def trivial() -> None:
        with jupyter.client(timeout=60) as client:
            while not heavy_done.is_set():
                start = time.perf_counter()
                assert client.get("/api/status").status_code == 200
                latencies.append(time.perf_counter() - start)
                time.sleep(0.05)

    with jupyter.client() as client:  # warm up: imports happen once per server
        assert client.post("/productionize/split", json={"path": path}).status_code == 200
    prober = threading.Thread(target=trivial)
    prober.start()
    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(CONCURRENT) as pool:
            statuses = list(pool.map(heavy, range(CONCURRENT)))
    finally:
        heavy_done.set()
        prober.join(timeout=120)
    elapsed = time.perf_counter() - started

    assert statuses == [200] * CONCURRENT
    assert len(latencies) >= 5, latencies
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    report(
        f"server: {CONCURRENT} concurrent lint/preview requests took {elapsed:.1f} s; "
        f"GET /api/status meanwhile: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms over {len(ordered)} probes (target < 200 ms)"
    )
    assert p50 < MEDIAN_LIMIT_S, ordered
    assert p95 < P95_LIMIT_S, ordered
